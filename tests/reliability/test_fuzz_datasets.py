"""Fuzzing the event dataset readers (GDELT 1.0 and 2.0, ICEWS, POLECAT, ACLED, UCDP), plain,
gzipped (whole or cut short) and zipped: every input gives events or coded row errors."""

from __future__ import annotations

import pytest

from tests.reliability._fuzzing import check_reader, check_seeds
from tests.reliability.targets import names

EXAMPLES = {"gdelt2": 12, "gdelt1": 10}


@pytest.mark.parametrize("name", names("datasets"))
def test_fuzzed_dataset_rows_give_events_or_coded_errors(name: str, request: pytest.FixtureRequest) -> None:
    check_reader(name, request, EXAMPLES.get(name, 25))


@pytest.mark.parametrize("name", names("datasets"))
def test_dataset_seeds_read_to_events(name: str, request: pytest.FixtureRequest) -> None:
    check_seeds(name, request)
