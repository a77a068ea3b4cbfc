"""Fuzzing the other files a user hands dyadwatch: actor dictionaries (TOML, PETRARCH), gold
files (JSONL, PETRARCH XML, PLOVER, ConfliBERT, detected), predictions, study files and
frame sets: every input is read or refused with a coded error."""

from __future__ import annotations

import pytest

from tests.reliability._fuzzing import check_reader, check_seeds
from tests.reliability.targets import names


@pytest.mark.parametrize("name", names("files"))
def test_fuzzed_files_are_read_or_refused_with_a_code(name: str, request: pytest.FixtureRequest) -> None:
    check_reader(name, request, 25)


@pytest.mark.parametrize("name", names("files"))
def test_file_seeds_are_read(name: str, request: pytest.FixtureRequest) -> None:
    check_seeds(name, request)
