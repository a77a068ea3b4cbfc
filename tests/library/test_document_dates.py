"""resolve_date(): metadata > page > text, the text forms news copy uses, and speed."""

from __future__ import annotations

import datetime as dt

import pytest

from dyadwatch.library import dates
from dyadwatch.library.dates import find_date_in_text, parse_date, resolve_date

AUG15 = dt.date(2021, 8, 15)


def test_metadata_beats_page_beats_text() -> None:
    text = "KABUL, 16 August 2021 - The Taliban held their first news conference."
    assert resolve_date("2021-08-14", "2021-08-15", text) == (dt.date(2021, 8, 14), "metadata")
    assert resolve_date(None, "2021-08-15", text) == (AUG15, "page")
    assert resolve_date("", None, text) == (dt.date(2021, 8, 16), "text")
    assert resolve_date(None, None, "No date in this one.") == (None, "none")
    assert resolve_date(None, None, None) == (None, "none")


def test_an_unreadable_value_falls_through_to_the_next_source() -> None:
    assert resolve_date("soon", "2021-08-15", "") == (AUG15, "page")
    assert resolve_date("yesterday", None, "On 15 August 2021 ...") == (AUG15, "text")


@pytest.mark.parametrize(
    "value",
    [
        AUG15,
        dt.datetime(2021, 8, 15, 23, 59, tzinfo=dt.UTC),
        "2021-08-15",
        "2021-08-15T09:30:00Z",
        "2021-08-15 09:30:00+03:00",
        "2021/08/15",
        "15 August 2021",
        "15th August 2021",
        "August 15, 2021",
        "Aug. 15, 2021",
        "15.08.2021",
        "Sun, 15 Aug 2021 09:30:00 GMT",
        "15 августа 2021",
        "15 de agosto de 2021",
        "1629019800",
    ],
)
def test_metadata_values(value: object) -> None:
    assert parse_date(value, metadata=True) == AUG15


@pytest.mark.parametrize(
    "value",
    [None, "", "today", "yesterday", "3 days ago", "August 2021", "2021", "31.02.2021", "2021-13-01", "1850-01-01", "2999-01-01", "not a date"],
)
def test_values_that_are_not_a_full_plausible_date(value: object) -> None:
    assert parse_date(value, metadata=True) is None


def test_dotted_dates_are_day_first() -> None:
    assert parse_date("01.02.2021") == dt.date(2021, 2, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOSCOW, 2021-08-15 (Interfax) - Russia said ...", AUG15),
        ("KABUL, 15 August 2021 (Reuters) - The Taliban entered ...", AUG15),
        ("WASHINGTON, August 15, 2021 -- The State Department said ...", AUG15),
        ("WASHINGTON, Aug. 15, 2021 -- The State Department said ...", AUG15),
        ("Опубликовано 15.08.2021. МИД России заявил ...", AUG15),
        ("Москва, 15 августа 2021 года. МИД России заявил ...", AUG15),
        ("Posted on the 15th of August, 2021 by the desk", AUG15),
        ("Version 3.1.2021 of the report, issued 15 August 2021", dt.date(2021, 1, 3)),
        ("He was born on 30 February 2020, and wrote on 1 March 2020.", dt.date(2020, 3, 1)),
        ("The talks, held today, ended. No date is given.", None),
        ("In 2021 some 15 people 2021 tickets.", None),
    ],
)
def test_dates_in_text(text: str, expected: dt.date | None) -> None:
    assert find_date_in_text(text) == expected


def test_only_the_start_of_a_text_is_searched() -> None:
    text = "x" * 1200 + " 15 August 2021"
    assert find_date_in_text(text) is None
    assert find_date_in_text(text, window=2000) == AUG15


def test_dateparser_sees_only_short_candidates_and_few_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = dates._slow_parse.__wrapped__

    def spy(value: str, metadata: bool) -> dt.date | None:
        seen.append(value)
        return real(value, metadata)

    monkeypatch.setattr(dates, "_slow_parse", spy)
    text = "On 3 foos 2021, 4 bars 2021, 5 bazs 2021 and 6 quxs 2021 nothing happened. " * 30
    assert find_date_in_text(text) is None
    assert len(seen) == 2 and all(len(value) < 20 for value in seen)
