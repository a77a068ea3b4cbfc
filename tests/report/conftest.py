"""Fixtures of the report tests: a copy of the hand-made results, and one report built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import browser  # noqa: F401  (the module-scoped Chromium fixture)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "results"


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture results, so a test may alter it."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "results"))
