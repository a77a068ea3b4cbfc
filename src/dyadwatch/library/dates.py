"""A document's publication date: from its metadata, its page, or its first lines.

The order of trust is fixed: a date the source states as metadata (a JSONL ``date``,
Markdown front matter, a PDF's creation date, a feed's ``pubDate``) beats a date the
page carries (an HTML ``article:published_time``), which beats a date found in the text.
Each document keeps where its date came from (``date_source``: one of
:data:`dyadwatch.records.DATE_SOURCES`).

Dates in text are found by a handful of regular expressions for the forms news copy
uses, in the first :data:`TEXT_WINDOW` characters, and validated with :mod:`datetime`.
``dateparser`` (slow) only ever sees one short candidate string, never a whole text,
and never resolves relative dates such as "today" or "two days ago".

>>> import datetime as dt
>>> resolve_date(None, None, "KABUL, 15 August 2021 (Reuters) - The Taliban entered ...")
(datetime.date(2021, 8, 15), 'text')
>>> resolve_date("2021-08-14", "2021-08-15", "")
(datetime.date(2021, 8, 14), 'metadata')
>>> resolve_date(None, None, "No date here.")
(None, 'none')
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from functools import lru_cache
from typing import Any

__all__ = ["TEXT_WINDOW", "find_date_in_text", "parse_date", "resolve_date"]

logger = logging.getLogger(__name__)

TEXT_WINDOW = 1000  # how far into a text to look for its date (datelines come first)
_MAX_SLOW_TRIES = 2  # dateparser calls allowed per text, for month words we don't know
# Month words we don't know are tried in these languages only: with no list, dateparser
# loads every one of its ~200 locales first (seconds), for a rare fallback.
_DATEPARSER_LANGUAGES = ["en", "fr", "es", "de", "ru", "pt", "it", "tr"]
_MIN_YEAR = 1900

# Month names and abbreviations in the languages most political news arrives in. A word
# not listed here goes to dateparser, which knows many more, but slowly.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar enero ene gennaio janeiro января январь январе",
        "february feb febr février fevrier févr fevr februar febrero febbraio fevereiro "
        "февраля февраль феврале",
        "march mar mars märz maerz marzo março marco марта март марте",
        "april apr avril avr abril aprile апреля апрель апреле",
        "may mai mayo maggio maio мая май мае",
        "june jun juin juni junio giugno junho июня июнь июне",
        "july jul juillet juil juli julio luglio julho июля июль июле",
        "august aug août aout agosto августа август августе",
        "september sep sept septembre septiembre setiembre settembre setembro "
        "сентября сентябрь сентябре",
        "october oct octobre oktober octubre ottobre outubro октября октябрь октябре",
        "november nov novembre noviembre novembro ноября ноябрь ноябре",
        "december dec déc decembre décembre dezember diciembre dicembre dezembro "
        "декабря декабрь декабре",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_EN_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# One alternation, so that a single left-to-right scan finds the earliest date of any form.
_DATE_IN_TEXT = re.compile(
    r"(?<![\d.])(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})(?![\d])"  # 2021-08-15
    r"|(?<![\w.])(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4})(?![\d])"  # 15.08.2021
    r"|(?<![\w.])(?P<ad>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<am>[^\W\d_]{3,10})\.?,?"
    r"\s+(?P<ay>\d{4})(?!\d)"  # 15 August 2021, 15 августа 2021
    r"|\b(?P<bm>" + _EN_MONTH + r")\.?\s+(?P<bd>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<by>\d{4})(?!\d)",
    re.IGNORECASE,
)
_ISO_PREFIX = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")

# dateparser: absolute dates only (no "today", no "3 days ago", no bare timestamps in
# text), and a date must name its day, month and year.
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
}
_DATEPARSER_METADATA_SETTINGS: dict[str, Any] = {
    **_DATEPARSER_SETTINGS,
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


def resolve_date(meta_value: Any, page_value: Any, text: str | None) -> tuple[dt.date | None, str]:
    """Choose a document's date and say where it came from.

    ``meta_value`` is a date the source gives as metadata, ``page_value`` one the page
    carries (both may be a :class:`datetime.date`, a :class:`datetime.datetime`, a string
    or ``None``); ``text`` is searched last, in its first :data:`TEXT_WINDOW` characters.
    Returns ``(date, date_source)`` with ``date_source`` one of ``"metadata"``,
    ``"page"``, ``"text"`` or ``"none"``.

    >>> resolve_date(None, "2021-08-15T09:30:00Z", "Posted 1 June 2020.")
    (datetime.date(2021, 8, 15), 'page')
    """
    day = parse_date(meta_value, metadata=True)
    if day is not None:
        return day, "metadata"
    day = parse_date(page_value, metadata=True)
    if day is not None:
        return day, "page"
    if text:
        day = find_date_in_text(text)
        if day is not None:
            return day, "text"
    return None, "none"


def parse_date(value: Any, *, metadata: bool = False) -> dt.date | None:
    """Read one date value: a date, a datetime, or a string such as ``"2021-08-15"``.

    Strings in the common forms are read directly; anything else goes to dateparser
    (absolute dates only). ``metadata=True`` also accepts Unix timestamps. Returns
    ``None`` when the value is not a full, plausible date.

    >>> parse_date("15.08.2021")
    datetime.date(2021, 8, 15)
    >>> parse_date("today") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if not value or len(value) > 200:
        return None
    iso = _ISO_PREFIX.match(value)
    if iso:
        return _make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    whole = _DATE_IN_TEXT.fullmatch(value)
    if whole:
        day = _from_match(whole, allow_slow=False)
        if day is not None:
            return day
    return _slow_parse(value, metadata)


def find_date_in_text(text: str, *, window: int = TEXT_WINDOW) -> dt.date | None:
    """The first valid date written in the first ``window`` characters of ``text``.

    >>> find_date_in_text("WASHINGTON, Aug. 15, 2021 -- The State Department said ...")
    datetime.date(2021, 8, 15)
    """
    slow_left = _MAX_SLOW_TRIES
    for match in _DATE_IN_TEXT.finditer(text, 0, window):
        needs_slow = match.group("am") is not None and match.group("am").lower() not in _MONTHS
        if needs_slow:
            if slow_left <= 0:
                continue
            slow_left -= 1
        day = _from_match(match, allow_slow=True)
        if day is not None:
            return day
    return None


def _from_match(match: re.Match[str], *, allow_slow: bool) -> dt.date | None:
    if match.group("iy"):
        return _make_date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
    if match.group("dy"):  # dotted forms are day-first
        return _make_date(int(match.group("dy")), int(match.group("dm")), int(match.group("dd")))
    if match.group("ay"):
        month = _MONTHS.get(match.group("am").lower())
        if month is not None:
            return _make_date(int(match.group("ay")), month, int(match.group("ad")))
        return _slow_parse(match.group(0), False) if allow_slow else None
    month = _MONTHS[match.group("bm").lower()]
    return _make_date(int(match.group("by")), month, int(match.group("bd")))


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return _plausible(dt.date(year, month, day))
    except ValueError:
        return None


def _plausible(day: dt.date) -> dt.date | None:
    # a publication date is not far in the past, nor after tomorrow
    latest = dt.date.today() + dt.timedelta(days=1)
    return day if day.year >= _MIN_YEAR and day <= latest else None


@lru_cache(maxsize=4096)
def _slow_parse(value: str, metadata: bool) -> dt.date | None:
    import dateparser  # imported here: it is slow to import and rarely needed

    settings = _DATEPARSER_METADATA_SETTINGS if metadata else _DATEPARSER_SETTINGS
    with warnings.catch_warnings():
        # dateparser's own deprecations are not ours to act on
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="dateparser")
        try:
            parsed = dateparser.parse(value, settings=settings, languages=_DATEPARSER_LANGUAGES)
        except (ValueError, OverflowError, TypeError) as exc:  # its errors on odd strings
            logger.debug("dateparser could not read %r: %s", value, exc)
            return None
    return _plausible(parsed.date()) if parsed is not None else None
