"""The error catalogue: every code has its own message, so an error always reports its own code."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest

from dyadwatch.errors import ConfigError, DyadwatchError, Errors

CODES = {name: value for name, value in vars(Errors).items() if name.startswith("E") and name[1:].isdigit()}


def test_every_template_is_distinct() -> None:
    # an error finds its code by its template: two codes sharing one text would print the wrong code
    repeated = {text: count for text, count in Counter(CODES.values()).items() if count > 1}
    assert not repeated, [name for name, text in CODES.items() if text in repeated]


@pytest.mark.parametrize("name", sorted(CODES))
def test_an_error_reports_its_own_code(name: str) -> None:
    error = DyadwatchError(CODES[name], where="study.toml")
    assert error.code == name
    assert str(error).startswith(f"[{name}] study.toml: ")
    again = pickle.loads(pickle.dumps(error))
    assert again.code == name and str(again) == str(error)


def test_a_missing_value_keeps_the_message() -> None:
    error = ConfigError(Errors.E610, name="unit")  # 'allowed' and 'found' are missing
    assert error.code == "E610" and "Study setting" in str(error)
