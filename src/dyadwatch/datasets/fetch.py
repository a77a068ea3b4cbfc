"""Downloading event datasets: GDELT's files for a date range, and a UCDP GED release.

Every file a range needs ends up in the :class:`FetchAccount` as fetched, already present,
missing (with the reason: HTTP 404, not in GDELT's file list, not yet published, a failed
connection) or corrupt (with the size and MD5 expected and got). A missing file is never
silent, so that missing data cannot pass for a quiet day.

GDELT publishes a list of its files with each one's size and MD5: for 2.0 the master file
list (``SIZE MD5 URL`` per line; a 15-minute ``YYYYMMDDHHMMSS.export.CSV.zip`` from
2015-02-18 23:00), for 1.0 the pair ``md5sums`` (``MD5  NAME``) and ``filesizes``
(``SIZE NAME``) beside yearly ``YYYY.zip`` (1979-2005), monthly ``YYYYMM.zip``
(2006-01..2013-03) and daily ``YYYYMMDD.export.CSV.zip`` files (from 2013-04-01).

>>> import datetime as dt
>>> gdelt_file_names(2, dt.date(2015, 2, 18), dt.date(2015, 2, 18))[:2]
['20150218230000.export.CSV.zip', '20150218231500.export.CSV.zip']
>>> names = gdelt_file_names(1, dt.date(2005, 12, 31), dt.date(2013, 4, 1))
>>> names[:2], names[-2:], len(names)
(['2005.zip', '200601.zip'], ['201303.zip', '20130401.export.CSV.zip'], 89)

The downloads land in a folder (by default beside the store, see
:func:`default_download_dir`): ``NAME.part`` while downloading, renamed to ``NAME`` once its
size and MD5 match the list, so that an interrupted run resumes where it stopped (with an
HTTP Range request when the server supports it) and never mistakes a partial file for a
whole one. A file that does not match is kept as ``NAME.corrupt`` for inspection and is not
imported. With actor codes, the rows of each verified file that involve one of them are
written beside it as ``STEM.CODES.tsv`` (GDELT's own layout, no header), with a
``STEM.CODES.json`` that records the counts. The last run's account is in
``fetch-account.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from dyadwatch.errors import ConfigError, DatasetError, Errors, FetchError
from dyadwatch.library.fetch import Fetcher
from dyadwatch.store.durable import file_digest

__all__ = [
    "GDELT1_BASE_URL",
    "GDELT2_BASE_URL",
    "UCDP_BASE_URL",
    "CorruptFile",
    "FetchAccount",
    "FileList",
    "ListedFile",
    "MissingFile",
    "default_download_dir",
    "fetch_gdelt",
    "fetch_ucdp",
    "gdelt_file_names",
    "parse_actor_codes",
    "parse_gdelt1_lists",
    "parse_master_list",
    "row_involves",
    "ucdp_file_name",
]

logger = logging.getLogger(__name__)

GDELT2_BASE_URL = "https://data.gdeltproject.org/gdeltv2/"
GDELT1_BASE_URL = "https://data.gdeltproject.org/events/"
UCDP_BASE_URL = "https://ucdp.uu.se/downloads/ged/"

GDELT2_START = dt.datetime(2015, 2, 18, 23, 0)  # the first 15-minute file
GDELT1_START = dt.date(1979, 1, 1)
_GDELT1_YEARLY_END = dt.date(2005, 12, 31)
_GDELT1_MONTHLY_END = dt.date(2013, 3, 31)
_SLOT = dt.timedelta(minutes=15)

MAX_WORKERS = 16
# a pause between two requests to the same host: GDELT and UCDP serve static files from
# a CDN, so a shorter pause than the Fetcher's default (meant for news sites) is polite
DEFAULT_MIN_INTERVAL = 0.2
UCDP_GED_COLUMNS = 49
# a few of the GED's 49 columns, to tell the GED from another CSV of as many columns
_UCDP_KEY_COLUMNS = ("id", "year", "type_of_violence", "side_a", "side_b", "country", "date_start", "date_end", "best")

ACCOUNT_FILE = "fetch-account.json"
_PART = ".part"
_CORRUPT = ".corrupt"
_MD5 = re.compile(r"[0-9a-fA-F]{32}")
_FILE_NAME = re.compile(r"[\w.-]+\.[\w]+")
_GDELT2_EXPORT = re.compile(r"(\d{14})\.export\.CSV\.zip")
_GDELT1_FILE = re.compile(r"(\d{4})\.zip|(\d{6})\.zip|(\d{8})\.export\.CSV\.zip")
_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)")
_ACTOR_CODE = re.compile(r"(?:[A-Z0-9]{3}){1,5}")
# GDELT event columns (0-based, the same in 1.0 and 2.0): SQLDATE, then per actor its
# code, country code and known-group code
_SQLDATE = 1
_ACTOR_FIELDS = ((5, 7, 8), (15, 17, 18))
_MIN_FIELDS = 19

OnError = Literal["stop", "skip"]
Progress = Callable[[int, int], None]


# -- the account -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissingFile:
    """A file the range needs that is not on disk after the run, and why."""

    name: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class CorruptFile:
    """A downloaded file whose size or checksum is not the one listed (or, for UCDP, that
    is not the zipped CSV expected). It is kept as ``kept_as`` and not imported."""

    name: str
    url: str
    reason: str
    expected_size: int | None = None
    got_size: int | None = None
    expected_md5: str | None = None
    got_md5: str | None = None
    kept_as: Path | None = None


@dataclass(frozen=True, slots=True)
class FetchAccount:
    """What a fetch did, file by file: ``expected`` is always the sum of fetched, already
    present, missing and corrupt.

    ``files`` are the verified downloads in date order (what an importer reads) and
    ``filtered_files`` the rows kept from them when actor codes were given; ``rows_seen``,
    ``rows_kept`` and ``rows_unreadable`` (rows too short to test) are ``None`` without a
    filter. ``notes`` say what else the user should know (a line of the list skipped...).
    """

    dataset: str
    dest_dir: Path
    start: dt.date | None
    end: dt.date | None
    expected: int
    fetched: tuple[str, ...]
    already_present: tuple[str, ...]
    missing: tuple[MissingFile, ...]
    corrupt: tuple[CorruptFile, ...]
    bytes_downloaded: int
    files: tuple[Path, ...] = ()
    actors: tuple[str, ...] = ()
    filtered_files: tuple[Path, ...] = ()
    rows_seen: int | None = None
    rows_kept: int | None = None
    rows_unreadable: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every expected file is on disk and verified."""
        return not self.missing and not self.corrupt

    def to_dict(self) -> dict[str, Any]:
        """The account as JSON-ready values (what ``fetch-account.json`` holds)."""

        def plain(value: Any) -> Any:
            if isinstance(value, Path):
                return str(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, tuple | list):
                return [plain(item) for item in value]
            if isinstance(value, MissingFile | CorruptFile):
                return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
            return value

        out = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        out["complete"] = self.complete
        return out


# -- names, dates and actor codes ------------------------------------------------------


def gdelt_file_names(version: int, start: dt.date, end: dt.date) -> list[str]:
    """The names of the GDELT event files that cover ``start`` .. ``end`` (both included),
    in date order: 15-minute files for 2.0; yearly, monthly or daily files for 1.0.

    Raises :class:`~dyadwatch.errors.ConfigError` (E541) for a range GDELT does not cover.
    """
    return [name for name, _ in _expected_files(version, start, end)]


def _expected_files(version: int, start: dt.date, end: dt.date) -> list[tuple[str, dt.datetime]]:
    """(name, start of the period it covers) per file, in date order."""
    _check_range(version, start, end)
    if version == 2:
        slot = max(dt.datetime.combine(start, dt.time()), GDELT2_START)
        stop = dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1)
        files = []
        while slot < stop:
            files.append((f"{slot:%Y%m%d%H%M%S}.export.CSV.zip", slot))
            slot += _SLOT
        return files
    seen: dict[str, dt.datetime] = {}
    day = start
    while day <= end:
        if day <= _GDELT1_YEARLY_END:
            name, begins = f"{day:%Y}.zip", dt.date(day.year, 1, 1)
        elif day <= _GDELT1_MONTHLY_END:
            name, begins = f"{day:%Y%m}.zip", dt.date(day.year, day.month, 1)
        else:
            name, begins = f"{day:%Y%m%d}.export.CSV.zip", day
        seen.setdefault(name, dt.datetime.combine(begins, dt.time()))
        day += dt.timedelta(days=1)
    return list(seen.items())


def _check_range(version: int, start: dt.date, end: dt.date) -> None:
    if version not in (1, 2):
        raise ConfigError(Errors.E541, name="version", rule="1 (GDELT 1.0) or 2 (GDELT 2.0)", found=version)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ConfigError(Errors.E541, name=name, rule="a datetime.date", found=value)
    if end < start:
        raise ConfigError(Errors.E541, name="end", rule=f"on or after the start ({start})", found=end.isoformat())
    today = dt.datetime.now(dt.UTC).date()
    if end > today:
        raise ConfigError(Errors.E541, name="end", rule=f"on or before today ({today}, UTC)", found=end.isoformat())
    if version == 2 and start < GDELT2_START.date():
        raise ConfigError(
            Errors.E541,
            name="start",
            rule=f"on or after {GDELT2_START.date()}, when GDELT 2.0 begins (use version 1 for earlier dates)",
            found=start.isoformat(),
        )
    if version == 1 and start < GDELT1_START:
        raise ConfigError(
            Errors.E541, name="start", rule=f"on or after {GDELT1_START}, when GDELT 1.0 begins", found=start.isoformat()
        )


def parse_actor_codes(codes: str | Iterable[str]) -> tuple[str, ...]:
    """CAMEO actor codes from ``"RUS,AFG,TAL"`` (or a list), upper case, each checked.

    >>> parse_actor_codes("rus, AFG,TAL")
    ('RUS', 'AFG', 'TAL')
    """
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    out: list[str] = []
    for item in items:
        code = item.strip().upper()
        if not code:
            continue
        if not _ACTOR_CODE.fullmatch(code):
            raise ConfigError(
                Errors.E541,
                name="actors",
                rule="CAMEO codes of 3, 6, .. 15 letters or digits, comma-separated (RUS,AFG,TAL,RUSGOV)",
                found=item.strip(),
            )
        if code not in out:
            out.append(code)
    if not out:
        raise ConfigError(Errors.E541, name="actors", rule="at least one CAMEO code, e.g. RUS,AFG", found=codes)
    return tuple(out)


def row_involves(fields: Sequence[bytes], codes: Sequence[bytes]) -> bool:
    """Whether a GDELT event row (its TAB-separated fields, as bytes) involves one of the
    actor codes: as either actor's country code or known-group code, or inside either
    actor's full code on a 3-letter boundary ("TAL" is in "AFGINSTAL", not in "ITALEG").

    >>> row = [b""] * 61
    >>> row[5], row[7], row[15] = b"AFGINSTAL", b"AFG", b"USAGOV"
    >>> row_involves(row, [b"TAL"]), row_involves(row, [b"RUS"]), row_involves(row, [b"USAGOV"])
    (True, False, True)
    """
    for code_at, country_at, group_at in _ACTOR_FIELDS:
        actor = fields[code_at].strip()
        country = fields[country_at].strip()
        group = fields[group_at].strip()
        for code in codes:
            if code in (country, group):
                return True
            width = len(code)
            for i in range(0, len(actor) - width + 1, 3):
                if actor[i : i + width] == code:
                    return True
    return False


def default_download_dir(store: str | os.PathLike[str] | None, dataset: str) -> Path:
    """The download folder for ``dataset`` beside the store: ``STORE.datasets/DATASET``.

    >>> default_download_dir("runs/kabul.duckdb", "gdelt2").as_posix()
    'runs/kabul.datasets/gdelt2'
    """
    from dyadwatch.store import MEMORY, default_store_path

    path = default_store_path(store)
    if path == MEMORY:
        raise ConfigError(Errors.E541, name="--dest", rule="given when the store is in memory", found=None)
    return Path(path).with_suffix(".datasets") / dataset


# -- the file lists --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedFile:
    """One file of a GDELT file list: its size and MD5 (``None`` when the list gives none)
    and the line that lists it."""

    name: str
    size: int | None
    md5: str | None
    line: int


@dataclass(frozen=True, slots=True)
class _BadLine:
    where: str
    line: int
    text: str
    expected: str
    detail: str
    name: str | None  # the file the line names, when one can be read from it


@dataclass
class FileList:
    """A parsed GDELT file list: the files by name, the start of the newest event file's
    period (what the list covers), and its malformed lines (not yet judged: a line that
    names a file the range does not need is harmless)."""

    files: dict[str, ListedFile] = field(default_factory=dict)
    newest: dt.datetime | None = None
    bad_lines: list[_BadLine] = field(default_factory=list)
    entries: int = 0  # well-formed lines, wanted or not


def parse_master_list(
    lines: Iterable[str], *, where: str = "masterfilelist.txt", wanted: Container[str] | None = None
) -> FileList:
    """Parse GDELT 2.0's master file list, ``SIZE MD5 URL`` per line; keep only the
    ``wanted`` files when given (the real list has over a million lines).

    >>> listing = parse_master_list([
    ...     "150383 297a16b493de7cf6ca809a7cc31d0b93 http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip",
    ...     "318084 bb27f78ba45f69a17ea6ed7755e9f8ff http://data.gdeltproject.org/gdeltv2/20150218230000.mentions.CSV.zip",
    ... ])
    >>> listing.files["20150218230000.export.CSV.zip"].size, listing.newest
    (150383, datetime.datetime(2015, 2, 18, 23, 0))
    """
    out = FileList()
    expected = "SIZE MD5 URL"
    newest = ""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        parts = text.split()
        name = _file_name(parts[-1])
        detail = None
        if len(parts) != 3:
            detail = f"{len(parts)} fields instead of 3"
        elif not parts[0].isdigit():
            detail = f"the size {parts[0]!r} is not a number"
        elif not _MD5.fullmatch(parts[1]):
            detail = f"the MD5 {parts[1]!r} is not 32 hexadecimal digits"
        elif name is None:
            detail = "the address does not end in a file name"
        if detail is not None or name is None:
            out.bad_lines.append(_BadLine(where, number, text, expected, detail or "no file name", name))
            continue
        out.entries += 1
        if wanted is None or name in wanted:
            _add(out, ListedFile(name, int(parts[0]), parts[1].lower(), number), where, expected, text)
        # file names start with their 14-digit time, so the greatest name is the newest
        if name > newest and _GDELT2_EXPORT.fullmatch(name):
            newest = name
    if newest:
        out.newest = dt.datetime.strptime(newest[:14], "%Y%m%d%H%M%S")
    return out


def parse_gdelt1_lists(
    md5_lines: Iterable[str],
    size_lines: Iterable[str],
    *,
    md5_where: str = "md5sums",
    size_where: str = "filesizes",
    wanted: Container[str] | None = None,
) -> FileList:
    """Parse GDELT 1.0's ``md5sums`` (``MD5  NAME``) and ``filesizes`` (``SIZE NAME``) into
    one list (of the ``wanted`` files only, when given). A file in only one of them is
    checked by what that one gives.

    >>> listing = parse_gdelt1_lists(["0123456789abcdef0123456789abcdef  20130401.export.CSV.zip"],
    ...                              ["1234 20130401.export.CSV.zip", "99 201303.zip"])
    >>> listing.files["20130401.export.CSV.zip"].size, listing.files["201303.zip"].md5
    (1234, None)
    """
    md5s: dict[str, tuple[str, int]] = {}
    out = FileList()
    for number, raw in enumerate(md5_lines, start=1):
        text = raw.strip()
        if not text:
            continue
        parts = text.split()
        name = _file_name(parts[-1])
        if len(parts) != 2 or not _MD5.fullmatch(parts[0]) or name is None:
            detail = f"{len(parts)} fields instead of 2" if len(parts) != 2 else "no MD5 of 32 hexadecimal digits and a file name"
            out.bad_lines.append(_BadLine(md5_where, number, text, "MD5  NAME", detail, name))
            continue
        md5s[name] = (parts[0].lower(), number)
        out.entries += 1
    sizes: dict[str, tuple[int, int]] = {}
    for number, raw in enumerate(size_lines, start=1):
        text = raw.strip()
        if not text:
            continue
        parts = text.split()
        name = _file_name(parts[-1])
        if len(parts) != 2 or not parts[0].isdigit() or name is None:
            detail = f"{len(parts)} fields instead of 2" if len(parts) != 2 else "no size in bytes and a file name"
            out.bad_lines.append(_BadLine(size_where, number, text, "SIZE NAME", detail, name))
            continue
        sizes[name] = (int(parts[0]), number)
        out.entries += 1
    for name in sorted(md5s.keys() | sizes.keys()):
        md5, md5_line = md5s.get(name, (None, 0))
        size, size_line = sizes.get(name, (None, 0))
        if wanted is None or name in wanted:
            out.files[name] = ListedFile(name, size, md5, md5_line or size_line)
        begins = _gdelt1_period(name)
        if begins is not None:
            out.newest = begins if out.newest is None else max(out.newest, begins)
    return out


def _file_name(token: str) -> str | None:
    name = token.rsplit("/", 1)[-1]
    return name if _FILE_NAME.fullmatch(name) else None


def _add(out: FileList, listed: ListedFile, where: str, expected: str, text: str) -> None:
    earlier = out.files.get(listed.name)
    if earlier is not None and (earlier.size, earlier.md5) != (listed.size, listed.md5):
        out.bad_lines.append(
            _BadLine(where, listed.line, text, expected, f"{listed.name} is also on line {earlier.line}, with another size or MD5", listed.name)
        )
        return
    out.files.setdefault(listed.name, listed)


def _gdelt1_period(name: str) -> dt.datetime | None:
    match = _GDELT1_FILE.fullmatch(name)
    if match is None:
        return None
    year, month, day = match.groups()
    if year:
        return dt.datetime(int(year), 1, 1)
    if month:
        return dt.datetime(int(month[:4]), int(month[4:]), 1)
    return dt.datetime.strptime(day, "%Y%m%d")


# -- streaming downloads with resume ---------------------------------------------------


class _Interrupted(Exception):
    """The run was stopped (Ctrl-C): the partial file stays for the next run to resume."""


@dataclass(frozen=True, slots=True)
class _Got:
    received: int  # bytes received in this call
    resumed: bool  # part of the file came from an earlier try or run (HTTP Range)


class _Stream:
    """Streams one address into a file through a :class:`Fetcher`: its client (user agent,
    timeout, redirects, transport), its pause per host and its retry policy; a try that
    breaks off mid-body is resumed with an HTTP Range request.

    Fetcher has no streaming method yet, so this reaches for its client and pacing
    (``_get_client``, ``_wait_turn``, ``_retry_after``, ``_backoff``, ``_sleep``): this class
    is the one place to change once Fetcher offers ``stream()``.
    """

    def __init__(self, fetcher: Fetcher, stop: threading.Event) -> None:
        self.fetcher = fetcher
        self.stop = stop

    def download(self, url: str, part: Path, *, resume: bool = True) -> _Got:
        """Write ``url``'s body to ``part``; resume from ``part``'s length when ``resume``
        (on later tries always). Raises :class:`FetchError` like :meth:`Fetcher.get`."""
        fetcher = self.fetcher
        client = fetcher._get_client()
        host = urlsplit(url).netloc.lower()
        if not resume:
            part.unlink(missing_ok=True)
        received = 0
        resumed = False
        restarted = False
        failure: tuple[str, BaseException] | None = None
        attempt = 0
        while attempt < fetcher.tries:
            attempt += 1
            offset = part.stat().st_size if part.exists() else 0
            headers = {"Range": f"bytes={offset}-"} if offset else {}
            fetcher._wait_turn(host)
            try:
                with client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status == 416 and offset and not restarted:
                        # the partial file is as long as the resource or longer: start afresh
                        logger.info("%s: the server refused to resume at byte %d; starting afresh", url, offset)
                        part.unlink()
                        restarted = True
                        attempt -= 1
                        continue
                    if status >= 400:
                        if not _is_retryable(status) or attempt == fetcher.tries:
                            raise FetchError(Errors.E221, where=url, status=status)
                        pause = fetcher._retry_after(response, attempt)
                        if pause is None:
                            raise FetchError(Errors.E221, where=url, status=status)
                        logger.info("HTTP %d from %s (try %d of %d); retrying in %.2f s", status, url, attempt, fetcher.tries, pause)
                        fetcher._sleep(pause)
                        continue
                    append = bool(offset) and status == 206 and _range_starts_at(response, offset)
                    if offset and not append:
                        logger.info("%s: the server sent the whole file instead of resuming; starting afresh", url)
                    resumed = resumed or append
                    try:
                        self._write(response, part, append=append)
                    finally:
                        # what a broken try wrote counts too: the next try resumes after it
                        received += (part.stat().st_size if part.exists() else 0) - (offset if append else 0)
                    return _Got(received, resumed)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError(Errors.E201, where=url, detail=f"not a valid http(s) address ({exc})") from exc
            except httpx.TimeoutException as exc:
                failure = ("timeout", exc)
                logger.info("timeout fetching %s (try %d of %d)", url, attempt, fetcher.tries)
            except httpx.TransportError as exc:
                failure = ("connection", exc)
                logger.info("connection broken fetching %s (try %d of %d): %s", url, attempt, fetcher.tries, exc)
            if self.stop.is_set():
                raise _Interrupted(url)
            if attempt < fetcher.tries:
                fetcher._sleep(fetcher._backoff(attempt))
        kind, error = failure if failure is not None else ("connection", RuntimeError("no try made"))
        template = Errors.E222 if kind == "timeout" else Errors.E223
        raise FetchError(template, where=url, retries=fetcher.tries, detail=str(error) or type(error).__name__) from error

    def _write(self, response: httpx.Response, part: Path, *, append: bool) -> None:
        with part.open("ab" if append else "wb") as out:
            # no chunk size: each piece is written as it arrives, and flushed, so that a
            # run killed mid-file leaves on disk what it received
            for chunk in response.iter_bytes():
                if self.stop.is_set():
                    raise _Interrupted(str(response.url))
                out.write(chunk)
                out.flush()


def _is_retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _range_starts_at(response: httpx.Response, offset: int) -> bool:
    """Whether a 206 response's ``Content-Range: bytes FIRST-LAST/TOTAL`` starts at ``offset``."""
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    return match is not None and int(match.group(1)) == offset


def _mismatch(listed: ListedFile, size: int, md5: str) -> str | None:
    problems = []
    if listed.size is not None and size != listed.size:
        problems.append(f"{size:,} bytes instead of the {listed.size:,} listed")
    if listed.md5 is not None and md5 != listed.md5:
        problems.append(f"MD5 {md5} instead of the {listed.md5} listed")
    return "; ".join(problems) or None


def _reason(err: FetchError) -> str:
    """The reason a file is missing, short: the HTTP status, or the failure with its code (so
    that it can be looked up)."""
    status = err.values.get("status")
    if status in (404, 410):
        return f"HTTP {status}: in the file list but not on the server"
    if status is not None:
        return f"HTTP {status} from the server"
    reason = err.detail.split(". ", 1)[0]
    return f"[{err.code}] {reason}" if err.code else reason


def _write_json(path: Path, data: dict[str, Any]) -> None:
    part = path.with_name(path.name + _PART)
    part.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, path)


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(Errors.E543, where=str(path), detail=exc.strerror or str(exc)) from exc


def _owned_fetcher(fetcher: Fetcher | None) -> tuple[Fetcher, bool]:
    if fetcher is not None:
        return fetcher, False
    return Fetcher(min_interval=DEFAULT_MIN_INTERVAL), True


# -- GDELT -----------------------------------------------------------------------------


@dataclass
class _Outcome:
    name: str
    url: str
    status: Literal["fetched", "present", "missing", "corrupt"]
    received: int = 0
    path: Path | None = None
    missing: MissingFile | None = None
    corrupt: CorruptFile | None = None
    filtered: Path | None = None
    rows: tuple[int, int, int] | None = None  # seen, kept, unreadable


def fetch_gdelt(
    dest_dir: str | os.PathLike[str],
    start: dt.date,
    end: dt.date,
    *,
    version: int = 2,
    actors: str | Iterable[str] | None = None,
    base_url: str | None = None,
    list_url: str | None = None,
    sizes_url: str | None = None,
    workers: int = 4,
    fetcher: Fetcher | None = None,
    refresh_list: bool = False,
    on_error: OnError = "stop",
    progress: Progress | None = None,
) -> FetchAccount:
    """Download GDELT's event files for ``start`` .. ``end`` into ``dest_dir``, check each
    against the size and MD5 in GDELT's file list, and account for every one.

    ``base_url`` is where the files are (default :data:`GDELT2_BASE_URL` or
    :data:`GDELT1_BASE_URL`): each file is fetched from ``base_url + NAME``, whatever host
    the list names, so a mirror needs only this. ``list_url`` is the list (default
    ``base_url + "masterfilelist.txt"``; for 1.0 ``base_url + "md5sums"``, with
    ``sizes_url``, default ``base_url + "filesizes"``). A list fetched before is reused while
    it covers the range; ``refresh_list`` fetches it again.

    ``actors`` (``"RUS,AFG,TAL"``) keeps, from each verified file, the rows that involve
    one of the codes (see :func:`row_involves`) in ``STEM.CODES.tsv`` beside it; for the
    yearly and monthly 1.0 files, only rows whose SQLDATE is in the range.

    ``workers`` files are downloaded at a time (1..16) through ``fetcher`` (default: a
    :class:`Fetcher` with a short pause per host). A malformed line of the list that names
    a file of the range (or no file at all) stops the run with E540; ``on_error="skip"``
    counts that file as missing instead. ``progress(done, total)`` is called as files
    finish. Files missing or corrupt do not raise: they are in the account, whose
    ``complete`` is then false.

    >>> account = fetch_gdelt("downloads/gdelt2", dt.date(2021, 8, 14), dt.date(2021, 8, 15),
    ...                       actors="RUS,AFG,TAL")            # doctest: +SKIP
    >>> account.expected, len(account.missing), account.rows_kept   # doctest: +SKIP
    (192, 0, 1874)
    """
    if on_error not in ("stop", "skip"):
        raise ConfigError(Errors.E541, name="on_error", rule="'stop' or 'skip'", found=on_error)
    if not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(Errors.E541, name="workers", rule=f"a whole number from 1 to {MAX_WORKERS}", found=workers)
    expected = _expected_files(version, start, end)
    codes = parse_actor_codes(actors) if actors is not None else ()
    base = _with_slash(base_url or (GDELT2_BASE_URL if version == 2 else GDELT1_BASE_URL))
    dest = Path(dest_dir)
    _make_dir(dest)
    fetcher, owned = _owned_fetcher(fetcher)
    stop = threading.Event()
    run = _GdeltRun(
        dest=dest, base=base, version=version, start=start, end=end, codes=codes, stream=_Stream(fetcher, stop)
    )
    try:
        listing = run.load_list(list_url, sizes_url, expected, refresh=refresh_list)
        missing_now, notes = _judge_bad_lines(listing, {name for name, _ in expected}, on_error)
        jobs: list[ListedFile] = []
        outcomes: dict[str, _Outcome] = {}
        for name, begins in expected:
            url = base + name
            listed = listing.files.get(name)
            if name in missing_now:
                outcomes[name] = _Outcome(name, url, "missing", missing=MissingFile(name, url, missing_now[name]))
            elif listed is None:
                outcomes[name] = _Outcome(name, url, "missing", missing=MissingFile(name, url, _unlisted(begins, listing)))
            else:
                jobs.append(listed)
        outcomes.update(_run_pool(run.fetch_one, jobs, workers, stop, progress))
    finally:
        if owned:
            fetcher.close()
    if run.list_saved_before and any(o.status in ("missing", "corrupt") for o in outcomes.values()):
        notes.append("the file list saved by an earlier run was used: --refresh-list checks against GDELT's current one")
    account = _gdelt_account(run, [outcomes[name] for name, _ in expected], notes)
    _save_account(account)
    return account


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _unlisted(begins: dt.datetime, listing: FileList) -> str:
    if listing.newest is None or begins > listing.newest:
        ends = "has no event files" if listing.newest is None else f"ends at {listing.newest:%Y-%m-%d %H:%M}"
        return f"not yet published: GDELT's file list {ends}"
    return "not in GDELT's file list: GDELT did not publish this file"


def _judge_bad_lines(listing: FileList, wanted: Container[str], on_error: OnError) -> tuple[dict[str, str], list[str]]:
    """Malformed list lines: harmless when they name a file the range does not need; else
    an error, or with ``skip`` the file they name is missing (a line naming none is noted)."""
    missing: dict[str, str] = {}
    notes: list[str] = []
    for bad in listing.bad_lines:
        if bad.name is not None and bad.name not in wanted:
            logger.debug("%s line %d is malformed (%s) but names a file outside the range", bad.where, bad.line, bad.detail)
            continue
        if on_error == "stop":
            raise DatasetError(Errors.E540, where=bad.where, line=bad.line, expected=bad.expected, detail=bad.detail, text=bad.text[:200])
        message = f"line {bad.line} of the file list {bad.where} is malformed ({bad.detail})"
        logger.warning("%s: skipped", message)
        if bad.name is not None:
            listing.files.pop(bad.name, None)
            missing[bad.name] = message
        else:
            notes.append(f"{message}: skipped")
    return missing, notes


def _run_pool(
    task: Callable[[ListedFile], _Outcome],
    jobs: Sequence[ListedFile],
    workers: int,
    stop: threading.Event,
    progress: Progress | None,
) -> list[tuple[str, _Outcome]]:
    """Run ``task`` over ``jobs`` in a bounded thread pool; on Ctrl-C (or any error) stop
    the others cleanly, leaving partial files for the next run."""
    results: list[tuple[str, _Outcome]] = []
    if progress is not None:
        progress(0, len(jobs))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dyadwatch-fetch")
    try:
        pending: set[Future[_Outcome]] = {executor.submit(task, job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                results.append((outcome.name, outcome))
            if progress is not None:
                progress(len(results), len(jobs))
    except BaseException:
        stop.set()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return results


@dataclass
class _GdeltRun:
    dest: Path
    base: str
    version: int
    start: dt.date
    end: dt.date
    codes: tuple[str, ...]
    stream: _Stream
    list_saved_before: bool = False  # the list came from an earlier run's copy

    # -- the list --

    def load_list(
        self, list_url: str | None, sizes_url: str | None, expected: Sequence[tuple[str, dt.datetime]], *, refresh: bool
    ) -> FileList:
        if self.version == 2:
            urls = [list_url or self.base + "masterfilelist.txt"]
        else:
            urls = [list_url or self.base + "md5sums", sizes_url or self.base + "filesizes"]
        caches = [self.dest / _cache_name(url) for url in urls]
        cached = not refresh and all(path.is_file() for path in caches)
        if not cached:
            self._download_lists(urls, caches)
        wanted = {name for name, _ in expected}
        listing = self._parse(urls, caches, wanted)
        last = expected[-1][1] if expected else None
        if cached and last is not None and (listing.newest is None or listing.newest < last):
            logger.info("the saved file list ends before the range does; fetching it again")
            self._download_lists(urls, caches)
            listing = self._parse(urls, caches, wanted)
            cached = False
        self.list_saved_before = cached
        if not listing.entries and not listing.bad_lines:
            raise DatasetError(Errors.E544, where=urls[0], what="files", detail=f"saved as {caches[0]}")
        return listing

    def _download_lists(self, urls: Sequence[str], caches: Sequence[Path]) -> None:
        for url, cache in zip(urls, caches, strict=True):
            part = cache.with_name(cache.name + _PART)
            try:
                self.stream.download(url, part, resume=False)
            except FetchError as err:
                part.unlink(missing_ok=True)
                raise FetchError(Errors.E542, where=url, detail=_reason(err)) from err
            except OSError as exc:
                raise FetchError(Errors.E543, where=str(part), detail=exc.strerror or str(exc)) from exc
            os.replace(part, cache)
            logger.info("file list %s saved as %s", url, cache)

    def _parse(self, urls: Sequence[str], caches: Sequence[Path], wanted: Container[str]) -> FileList:
        def lines(path: Path) -> Iterator[str]:
            with path.open("rb") as stream:
                for raw in stream:
                    yield raw.decode("utf-8", errors="replace")

        if self.version == 2:
            return parse_master_list(lines(caches[0]), where=urls[0], wanted=wanted)
        return parse_gdelt1_lists(lines(caches[0]), lines(caches[1]), md5_where=urls[0], size_where=urls[1], wanted=wanted)

    # -- one file --

    def fetch_one(self, listed: ListedFile) -> _Outcome:
        try:
            return self._fetch_one(listed)
        except OSError as exc:
            raise FetchError(Errors.E543, where=str(self.dest / listed.name), detail=exc.strerror or str(exc)) from exc

    def _fetch_one(self, listed: ListedFile) -> _Outcome:
        name = listed.name
        url = self.base + name
        final = self.dest / name
        part = final.with_name(name + _PART)
        if final.exists():
            size, md5 = file_digest(final, "md5")
            problem = _mismatch(listed, size, md5)
            if problem is None:
                return self._filter(_Outcome(name, url, "present", path=final), md5)
            logger.warning("%s on disk does not match the file list (%s); fetching it again", final, problem)
            final.unlink()
        received = 0
        for afresh in (False, True):
            have = part.stat().st_size if part.exists() else 0
            if afresh or (listed.size is not None and have > listed.size):
                part.unlink(missing_ok=True)
                have = 0
            # a part as long as the listed file: a run stopped between download and check
            resumed = have > 0
            if not (have and have == listed.size):
                try:
                    got = self.stream.download(url, part)
                except FetchError as err:
                    logger.info("%s is missing: %s", name, _reason(err))
                    return _Outcome(name, url, "missing", received, missing=MissingFile(name, url, _reason(err)))
                received += got.received
                resumed = got.resumed
            size, md5 = file_digest(part, "md5")
            problem = _mismatch(listed, size, md5)
            if problem is None:
                os.replace(part, final)
                final.with_name(name + _CORRUPT).unlink(missing_ok=True)
                logger.info("%s fetched and verified", name)
                return self._filter(_Outcome(name, url, "fetched", received, path=final), md5)
            if not resumed or afresh:
                break
            logger.info("%s does not match after resuming (%s); fetching it whole", name, problem)
        kept = final.with_name(name + _CORRUPT)
        os.replace(part, kept)
        logger.info("%s is corrupt: %s (kept as %s)", name, problem, kept)
        corrupt = CorruptFile(name, url, problem or "", listed.size, size, listed.md5, md5, kept)
        return _Outcome(name, url, "corrupt", received, corrupt=corrupt)

    # -- filtering --

    def _filter(self, outcome: _Outcome, md5: str) -> _Outcome:
        if not self.codes or outcome.path is None:
            return outcome
        zipped = outcome.path
        backfile = self.version == 1 and not zipped.name.endswith(".export.CSV.zip")
        dates = (f"{self.start:%Y%m%d}", f"{self.end:%Y%m%d}") if backfile else None
        stem = zipped.name.removesuffix(".zip")
        key = _filter_key(self.codes) + (f".{dates[0]}-{dates[1]}" if dates else "")
        out = zipped.with_name(f"{stem}.{key}.tsv")
        sidecar = zipped.with_name(f"{stem}.{key}.json")
        settings = {"source": zipped.name, "source_md5": md5, "actors": sorted(self.codes), "sqldate_range": list(dates) if dates else None}
        previous = _read_json(sidecar)
        if previous is not None and out.is_file() and all(previous.get(k) == v for k, v in settings.items()):
            outcome.filtered = out
            outcome.rows = (int(previous["rows_seen"]), int(previous["rows_kept"]), int(previous["rows_unreadable"]))
            return outcome
        try:
            rows = _filter_zip(zipped, out, tuple(code.encode("ascii") for code in self.codes), dates)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
            reason = f"matches the file list but is not a readable zip ({exc})"
            logger.warning("%s: %s", zipped.name, reason)
            corrupt = CorruptFile(outcome.name, outcome.url, reason, got_md5=md5, kept_as=zipped)
            return _Outcome(outcome.name, outcome.url, "corrupt", outcome.received, corrupt=corrupt)
        seen, kept, unreadable = rows
        _write_json(sidecar, {**settings, "rows_seen": seen, "rows_kept": kept, "rows_unreadable": unreadable})
        outcome.filtered = out
        outcome.rows = rows
        return outcome


def _cache_name(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name if _FILE_NAME.fullmatch(name) or name.isalnum() else "file-list.txt"


def _filter_key(codes: Sequence[str]) -> str:
    key = "-".join(sorted(codes))
    if len(key) > 40:
        key = "actors-" + hashlib.sha1(key.encode("ascii"), usedforsecurity=False).hexdigest()[:12]
    return key


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _filter_zip(zipped: Path, out: Path, codes: tuple[bytes, ...], dates: tuple[str, str] | None) -> tuple[int, int, int]:
    """Stream the zip's CSV members and write the rows that involve one of ``codes`` (and,
    for a backfile, whose SQLDATE is within ``dates``) to ``out``; (seen, kept, unreadable)."""
    seen = kept = unreadable = 0
    low, high = (dates[0].encode(), dates[1].encode()) if dates else (b"", b"")
    part = out.with_name(out.name + _PART)
    with zipfile.ZipFile(zipped) as archive, part.open("wb") as sink:
        for member in archive.infolist():
            if member.is_dir():
                continue
            with archive.open(member) as rows:
                for line in rows:
                    if not line.strip():
                        continue
                    seen += 1
                    fields = line.rstrip(b"\r\n").split(b"\t", _MIN_FIELDS)
                    if len(fields) < _MIN_FIELDS:
                        unreadable += 1
                        continue
                    if dates and not low <= fields[_SQLDATE].strip() <= high:
                        continue
                    if row_involves(fields, codes):
                        kept += 1
                        sink.write(line if line.endswith(b"\n") else line + b"\n")
    os.replace(part, out)
    if unreadable:
        logger.warning("%s: %d rows have fewer than %d fields and were not tested", zipped.name, unreadable, _MIN_FIELDS)
    return seen, kept, unreadable


def _gdelt_account(run: _GdeltRun, outcomes: Sequence[_Outcome], notes: Sequence[str]) -> FetchAccount:
    filtering = bool(run.codes)
    rows = [outcome.rows for outcome in outcomes if outcome.rows is not None]
    return FetchAccount(
        dataset=f"gdelt{run.version}",
        dest_dir=run.dest,
        start=run.start,
        end=run.end,
        expected=len(outcomes),
        fetched=tuple(o.name for o in outcomes if o.status == "fetched"),
        already_present=tuple(o.name for o in outcomes if o.status == "present"),
        missing=tuple(o.missing for o in outcomes if o.missing is not None),
        corrupt=tuple(o.corrupt for o in outcomes if o.corrupt is not None),
        bytes_downloaded=sum(o.received for o in outcomes),
        files=tuple(o.path for o in outcomes if o.path is not None and o.status in ("fetched", "present")),
        actors=run.codes,
        filtered_files=tuple(o.filtered for o in outcomes if o.filtered is not None),
        rows_seen=sum(r[0] for r in rows) if filtering else None,
        rows_kept=sum(r[1] for r in rows) if filtering else None,
        rows_unreadable=sum(r[2] for r in rows) if filtering else None,
        notes=tuple(notes),
    )


def _save_account(account: FetchAccount) -> None:
    """Write the account beside the files (``fetch-account.json``) and log its summary."""
    path = account.dest_dir / ACCOUNT_FILE
    try:
        _write_json(path, account.to_dict())
    except OSError as exc:
        raise FetchError(Errors.E543, where=str(path), detail=exc.strerror or str(exc)) from exc
    logger.info(
        "%s %s..%s: %d expected, %d fetched, %d already present, %d missing, %d corrupt",
        account.dataset, account.start, account.end, account.expected, len(account.fetched),
        len(account.already_present), len(account.missing), len(account.corrupt),
    )
    if not account.complete:
        logger.warning(
            "%s: %d files missing and %d corrupt: their events are not in the data (see %s)",
            account.dataset, len(account.missing), len(account.corrupt), account.dest_dir / ACCOUNT_FILE,
        )


# -- UCDP GED --------------------------------------------------------------------------


def ucdp_file_name(version: str) -> str:
    """The GED release's file name: ``"23.1"`` -> ``"ged231-csv.zip"``.

    >>> ucdp_file_name("24.1")
    'ged241-csv.zip'
    """
    if not isinstance(version, str) or not re.fullmatch(r"\d{2}\.\d", version):
        raise ConfigError(Errors.E541, name="version", rule="a GED release such as '23.1' or '24.1'", found=version)
    return f"ged{version.replace('.', '')}-csv.zip"


def fetch_ucdp(
    dest_dir: str | os.PathLike[str],
    *,
    version: str = "23.1",
    base_url: str = UCDP_BASE_URL,
    fetcher: Fetcher | None = None,
) -> FetchAccount:
    """Download the UCDP GED release ``version`` (a zipped CSV) into ``dest_dir``.

    UCDP publishes no checksums, so the download is checked for what it must be — a zip
    whose CSV has the GED's 49 columns on every row — and its size, SHA-256 and row count
    are recorded in ``NAME.json`` beside it. A file already there that matches its record
    is not fetched again; a partial one is resumed. The account has ``expected == 1``.

    >>> account = fetch_ucdp("downloads/ucdp", version="23.1")   # doctest: +SKIP
    >>> account.complete, account.rows_seen                      # doctest: +SKIP
    (True, 316818)
    """
    name = ucdp_file_name(version)
    url = _with_slash(base_url) + name
    dest = Path(dest_dir)
    _make_dir(dest)
    final = dest / name
    record_path = dest / f"{name}.json"
    fetcher, owned = _owned_fetcher(fetcher)
    try:
        outcome, rows = _fetch_ucdp_file(url, final, record_path, version, _Stream(fetcher, threading.Event()))
    except OSError as exc:
        raise FetchError(Errors.E543, where=str(final), detail=exc.strerror or str(exc)) from exc
    finally:
        if owned:
            fetcher.close()
    account = FetchAccount(
        dataset="ucdp",
        dest_dir=dest,
        start=None,
        end=None,
        expected=1,
        fetched=(name,) if outcome.status == "fetched" else (),
        already_present=(name,) if outcome.status == "present" else (),
        missing=(outcome.missing,) if outcome.missing else (),
        corrupt=(outcome.corrupt,) if outcome.corrupt else (),
        bytes_downloaded=outcome.received,
        files=(final,) if outcome.status in ("fetched", "present") else (),
        rows_seen=rows,
        notes=(f"UCDP GED {version}: no checksum is published; size and SHA-256 recorded in {record_path.name}",),
    )
    _save_account(account)
    return account


def _fetch_ucdp_file(url: str, final: Path, record_path: Path, version: str, stream: _Stream) -> tuple[_Outcome, int | None]:
    name = final.name
    if final.exists():
        record = _read_json(record_path)
        size, sha256 = file_digest(final)
        if record is not None and (record.get("size"), record.get("sha256")) == (size, sha256):
            return _Outcome(name, url, "present", path=final), int(record["rows"])
        if record is None:  # a run stopped between renaming the file and writing its record
            problem, csv_name, rows = _check_ged(final)
            if problem is None:
                _write_json(record_path, _ged_record(url, version, final, size, sha256, csv_name, rows))
                return _Outcome(name, url, "present", path=final), rows
        logger.warning("%s does not match its record; fetching it again", final)
        final.unlink()
    part = final.with_name(name + _PART)
    received = 0
    for afresh in (False, True):
        if afresh:
            part.unlink(missing_ok=True)
        # a part may already be the whole release (a run stopped between download and check)
        resumed = part.exists()
        problem, csv_name, rows = _check_ged(part) if resumed else ("not downloaded yet", "", 0)
        if problem is not None:
            try:
                got = stream.download(url, part)
            except FetchError as err:
                logger.info("%s is missing: %s", name, _reason(err))
                return _Outcome(name, url, "missing", received, missing=MissingFile(name, url, _reason(err))), None
            received += got.received
            resumed = got.resumed
            problem, csv_name, rows = _check_ged(part)
        if problem is None:
            size, sha256 = file_digest(part)
            os.replace(part, final)
            final.with_name(name + _CORRUPT).unlink(missing_ok=True)
            _write_json(record_path, _ged_record(url, version, final, size, sha256, csv_name, rows))
            return _Outcome(name, url, "fetched", received, path=final), rows
        if not resumed or afresh:
            break
        logger.info("%s is not valid after resuming (%s); fetching it whole", name, problem)
    kept = final.with_name(name + _CORRUPT)
    os.replace(part, kept)
    size, sha256 = file_digest(kept)
    logger.info("%s is corrupt: %s (kept as %s)", name, problem, kept)
    return _Outcome(name, url, "corrupt", received, corrupt=CorruptFile(name, url, problem or "", got_size=size, kept_as=kept)), None


def _check_ged(path: Path) -> tuple[str | None, str, int]:
    """(problem or None, the CSV's name, its data rows): a zip holding one CSV whose
    header and every row have the GED's 49 fields (reading it to the end checks its CRC)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".csv")]
            if len(members) != 1:
                return f"the zip holds {len(members)} CSV files instead of 1", "", 0
            member = members[0]
            with archive.open(member) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
                reader = csv.reader(text)
                header = next(reader, [])
                if len(header) != UCDP_GED_COLUMNS:
                    return f"{member.filename} has {len(header)} columns instead of the GED's {UCDP_GED_COLUMNS}", member.filename, 0
                absent = [column for column in _UCDP_KEY_COLUMNS if column not in header]
                if absent:
                    return f"{member.filename} has no column {', '.join(absent)}: it is not the GED", member.filename, 0
                rows = 0
                for row in reader:
                    rows += 1
                    if len(row) != UCDP_GED_COLUMNS:
                        return f"record {rows} of {member.filename} has {len(row)} fields instead of {UCDP_GED_COLUMNS}", member.filename, rows
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        return f"not a readable zip ({exc})", "", 0
    except (UnicodeDecodeError, csv.Error) as exc:
        return f"the CSV cannot be read ({exc})", "", 0
    if rows == 0:
        return f"{member.filename} has a header but no rows", member.filename, 0
    return None, member.filename, rows


def _ged_record(url: str, version: str, path: Path, size: int, sha256: str, csv_name: str, rows: int) -> dict[str, Any]:
    return {
        "dataset": "ucdp-ged",
        "version": version,
        "url": url,
        "file": path.name,
        "size": size,
        "sha256": sha256,
        "csv": csv_name,
        "columns": UCDP_GED_COLUMNS,
        "rows": rows,
        "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
