"""Shared fixtures: a fresh store in a temporary folder, and the shared data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dyadwatch.store import Store

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """../shared/data beside the project (or $DYADWATCH_SHARED_DATA), if present."""
    env = os.environ.get("DYADWATCH_SHARED_DATA")
    folder = Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"
    return folder if folder.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    folder = shared_data_dir()
    if folder is None:
        pytest.skip("../shared/data is absent (a fresh clone has no shared/); CI has it and runs this test")
    return folder


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    s = Store(store_path)
    yield s
    s.close()
