"""Dates stated in a sentence, resolved against the document's date.

News copy dates events relative to the day it is published: "on Tuesday", "yesterday",
"last week", "two days ago", "Aug. 26" (no year). :func:`find_dates` finds these with one
regular expression per form and resolves each against the document date:

- a weekday is the latest such day on or before the document date ("on Tuesday" in a story
  of Wednesday is yesterday; in a story of Tuesday, today), or the next one when the event
  lies ahead (``future=True``: "will meet on Tuesday") or the text says "next";
- "last week" / "last month" / "last year" move the document date back one week, month or
  year (the day within the period is not stated: the same weekday, day of month, date);
- "N days / weeks / months ago", "a day earlier / later", "yesterday", "today", "tomorrow";
- a month and day without a year take the document's year, or the year before when that
  would put a past event more than a month after the document date;
- a full date (15 August 2021, August 15, 2021, 2021-08-15) is taken as written;
- a month and year ("in March 2019", "in late December") or a year alone ("in 2012") give
  the first day of that month or year: such an event lies in that period, not on the day of
  the document. Each resolved date keeps its ``precision`` ("day", "month", "year").

Nothing here runs a parser; the coder attaches a date to an event by the parse.

>>> import datetime as dt
>>> [(d.text, str(d.date)) for d in find_dates("Lavrov met Muttaqi on Tuesday.", dt.date(2021, 10, 20))]
[('on Tuesday', '2021-10-19')]
>>> [(d.text, str(d.date)) for d in find_dates("They will meet in Doha on Aug. 11.", dt.date(2021, 7, 29), future=True)]
[('on Aug. 11', '2021-08-11')]
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["TextDate", "find_dates"]

_WEEKDAYS = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
     "august aug", "september sep sept", "october oct", "november nov", "december dec"), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30, "year": 365, "years": 365}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3}

_MONTH = (r"(?P<m>january|february|march|april|may|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?")
_PATTERN = re.compile(
    r"(?P<iso>\b(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)\b)"
    r"|(?P<dmy>\b(?:on\s+)?(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<m>", "?P<m1>") +
    r"(?:,?\s+(?P<y1>(?:19|20)\d\d))?\b)"
    r"|(?P<mdy>\b(?:on\s+)?" + _MONTH.replace("?P<m>", "?P<m2>") + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<y2>(?:19|20)\d\d))?)"
    r"|(?P<my>\b(?:in\s+)(?:(?:early|mid|late)[\s-]+)?" + _MONTH.replace("?P<m>", "?P<m3>") +
    r"(?:\s+(?P<y3>(?:19|20)\d\d))?\b)"
    r"|(?P<year>\b(?:in|since|during)\s+(?P<y4>(?:19|20)\d\d)\b)"
    r"|(?P<wd>\b(?:(?P<wrel>on|last|next|this|since|until|by)\s+)?(?:(?:early|late)\s+)?"
    r"(?P<w>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?\b)"
    r"|(?P<rel>\b(?:yesterday|today|tomorrow|last\s+night|overnight)\b)"
    r"|(?P<period>\b(?:last|next|this|earlier\s+this)\s+(?P<unit>week|month|year)\b)"
    r"|(?P<ago>\b(?P<n>a\s+few|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|\d{1,2})\s+"
    r"(?P<u>days?|weeks?|months?|years?)\s+(?P<dir>ago|earlier|later|before|after)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextDate:
    """A date expression in a sentence: its span, the words, and the day it names."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str  # day, month, year


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(match: re.Match[str], anchor: dt.date | None, future: bool) -> tuple[dt.date, str] | None:
    g = match.groupdict()
    if g["iso"]:
        made = _make(int(g["iy"]), int(g["im"]), int(g["id"]))
        return (made, "day") if made else None
    if g["dmy"] or g["mdy"]:
        month = _MONTHS[(g["m1"] or g["m2"]).lower().rstrip(".")]
        day = int(g["d1"] or g["d2"])
        year_text = g["y1"] or g["y2"]
        if year_text:
            made = _make(int(year_text), month, day)
            return (made, "day") if made else None
        if anchor is None:
            return None
        made = _make(anchor.year, month, day)
        if made is None:
            return None
        if not future and made > anchor + dt.timedelta(days=31):
            made = _make(anchor.year - 1, month, day)
        elif future and made < anchor - dt.timedelta(days=31):
            made = _make(anchor.year + 1, month, day)
        return (made, "day") if made else None
    if g["my"]:
        month = _MONTHS[g["m3"].lower().rstrip(".")]
        if g["y3"]:
            return dt.date(int(g["y3"]), month, 1), "month"
        if anchor is None:
            return None
        year = anchor.year if (month <= anchor.month or future) else anchor.year - 1
        return dt.date(year, month, 1), "month"
    if g["year"]:
        return dt.date(int(g["y4"]), 1, 1), "year"
    if anchor is None:
        return None
    if g["wd"]:
        relation = (g["wrel"] or "on").lower()
        target = _WEEKDAYS[g["w"].lower()]
        back = (anchor.weekday() - target) % 7
        if relation == "next" or (future and relation not in ("last", "since")):
            ahead = (target - anchor.weekday()) % 7 or 7
            return anchor + dt.timedelta(days=ahead), "day"
        if relation == "last" and back == 0:
            back = 7
        return anchor - dt.timedelta(days=back), "day"
    if g["rel"]:
        word = " ".join(g["rel"].lower().split())
        offset = {"yesterday": -1, "today": 0, "tomorrow": 1, "last night": -1, "overnight": 0}[word]
        return anchor + dt.timedelta(days=offset), "day"
    if g["period"]:
        which = g["period"].lower().split()[0]
        unit = g["unit"].lower()
        sign = {"last": -1, "next": 1}.get(which, 0)
        if sign == 0:
            return anchor, "day"
        if unit == "week":
            return anchor + dt.timedelta(days=7 * sign), "day"
        if unit == "month":
            return _shift_months(anchor, sign), "month"
        return _shift_months(anchor, 12 * sign), "year"
    if g["ago"]:
        count_text = " ".join(g["n"].lower().split())
        count = int(count_text) if count_text.isdigit() else _NUMBERS.get(count_text, 1)
        unit = g["u"].lower()
        sign = 1 if g["dir"].lower() in ("later", "after") else -1
        if unit.startswith("month"):
            return _shift_months(anchor, sign * count), "month"
        if unit.startswith("year"):
            return _shift_months(anchor, sign * 12 * count), "year"
        return anchor + dt.timedelta(days=sign * count * _UNITS[unit]), "day"
    return None


def find_dates(text: str, anchor: dt.date | None, *, future: bool = False) -> list[TextDate]:
    """The date expressions of a sentence, each resolved against the document date ``anchor``.

    Relative expressions need ``anchor``; without it only full dates and years are returned.
    ``future`` resolves weekdays and yearless dates forward (the event lies ahead).
    """
    found: list[TextDate] = []
    for match in _PATTERN.finditer(text):
        resolved = _resolve(match, anchor, future)
        if resolved is None:
            continue
        day, precision = resolved
        found.append(TextDate(match.start(), match.end(), match.group(0), day, precision))
    return found
