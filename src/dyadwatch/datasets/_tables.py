"""Reading the headed table formats (ICEWS, POLECAT: tab-separated; ACLED, UCDP: CSV) row by row,
with line numbers, columns found by their header names, and coded errors.

Columns are looked up by name, case- and space-insensitively ("Event ID", "event_id"), so that a
yearly file whose columns moved, were renamed in case, or lack an optional column still reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from dyadwatch.datasets._common import ReadContext, RowBuffer
from dyadwatch.datasets._files import ends_with_newline, open_binary
from dyadwatch.errors import DatasetError, Errors

_KEY = re.compile(r"[^a-z0-9]+")


def column_key(name: str) -> str:
    """``"Event ID"``, ``"event_id"``, ``"EventId"`` -> ``"eventid"``."""
    return _KEY.sub("", name.strip().lstrip("\ufeff").casefold())


@dataclass(frozen=True, slots=True)
class Header:
    """The columns of a file: name -> index, by key."""

    names: tuple[str, ...]
    index: dict[str, int]

    @classmethod
    def of(cls, names: Sequence[str]) -> Header:
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            index.setdefault(column_key(name), i)
        return cls(tuple(names), index)

    def require(self, ctx: ReadContext, dataset: str, required: Sequence[str]) -> None:
        missing = [name for name in required if column_key(name) not in self.index]
        if missing:
            shown = ", ".join(self.names[:12]) + (" ..." if len(self.names) > 12 else "")
            raise DatasetError(Errors.E513, where=ctx.location, dataset=dataset, missing=", ".join(missing), found=shown)

    def has(self, name: str) -> bool:
        return column_key(name) in self.index


class Row:
    """One data row: its line number and its fields, read by column name."""

    __slots__ = ("fields", "header", "line", "missing")

    def __init__(self, header: Header, fields: list[str], line: int, missing: tuple[str, ...] = ("",)) -> None:
        self.header = header
        self.fields = fields
        self.line = line
        self.missing = missing

    def get(self, name: str) -> str | None:
        """The field's text, stripped; None where it is absent, empty or a missing-value mark."""
        i = self.header.index.get(column_key(name))
        if i is None or i >= len(self.fields):
            return None
        value = self.fields[i].strip()
        return None if value in self.missing else value


def tsv_rows(path: Path, ctx: ReadContext, *, dataset: str, missing: tuple[str, ...] = ("",),
             trailing_tabs: bool = False) -> Iterator[Row | DatasetError]:
    """The rows of a tab-separated file with a header line, without quoting (ICEWS, POLECAT).

    With ``trailing_tabs`` empty fields past the header's width are dropped (POLECAT writes
    them); other rows of the wrong width are ``[E507]`` errors, or ``[E508]`` for the last line
    of a file cut short (no line end). A compressed file that ends early is ``[E506]``.
    """
    with _unpacking(ctx), open_binary(path) as handle:
        header: Header | None = None
        for number, raw in enumerate(handle, start=1):
            text = raw.rstrip(b"\r\n")
            if not text.strip():
                continue
            try:
                line = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                if header is None:
                    raise DatasetError(Errors.E515, where=f"{ctx.location}:{number}", line=number, detail=str(exc)) from exc
                error = ctx.problem(DatasetError(Errors.E515, where=f"{ctx.location}:{number}", line=number, detail=str(exc)))
                ctx.rows += 1
                if error:
                    yield error
                continue
            fields = line.split("\t")
            if header is None:
                header = Header.of(fields)
                continue
            if trailing_tabs:
                while len(fields) > len(header.names) and fields[-1] == "":
                    fields.pop()
            record = _record(ctx, header, fields, number, dataset, missing, cut=not raw.endswith(b"\n"))
            if record is not None:
                yield record
        if header is None:
            raise DatasetError(Errors.E514, where=ctx.location, detail="not even a header line")


@contextmanager
def _unpacking(ctx: ReadContext) -> Iterator[None]:
    """Turn a compressed file that ends early (or is damaged) into ``[E506]``, not a traceback."""
    try:
        yield
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DatasetError(Errors.E506, where=ctx.location, detail=str(exc)) from exc


def _record(ctx: ReadContext, header: Header, fields: list[str], number: int, dataset: str,
            missing: tuple[str, ...], *, cut: bool = False) -> Row | DatasetError | None:
    """A data line counted and read: its row, or the error of a line of the wrong width (None
    once the context has listed enough of them); ``cut``: the line is the last one and has no
    line end, so a short one means the file was truncated (``[E508]``)."""
    ctx.rows += 1
    if len(fields) == len(header.names):
        return Row(header, fields, number, missing)
    if cut and len(fields) < len(header.names):
        return ctx.problem(DatasetError(
            Errors.E508, where=f"{ctx.location}:{number}", line=number, found=len(fields),
            expected=len(header.names),
        ))
    return ctx.problem(DatasetError(
        Errors.E507, where=f"{ctx.location}:{number}", line=number, found=len(fields),
        dataset=dataset, expected=len(header.names),
    ))


def csv_rows(path: Path, ctx: ReadContext, *, dataset: str, missing: tuple[str, ...] = ("",)) -> Iterator[Row | DatasetError]:
    """The records of a CSV file with a header (quoted fields may span lines: UCDP).

    A short last record in a file without a final line end is ``[E508]`` (truncated)."""
    complete = ends_with_newline(path)
    with _unpacking(ctx), open_binary(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        header: Header | None = None
        start = 1
        held: tuple[list[str], int] | None = None  # a short record, until we know it is not the last
        try:
            for fields in reader:
                number, start = start, reader.line_num + 1
                if not fields or not any(f.strip() for f in fields):
                    continue
                if header is None:
                    header = Header.of(fields)
                    continue
                if held is not None:
                    record = _record(ctx, header, held[0], held[1], dataset, missing)
                    held = None
                    if record is not None:
                        yield record
                if not complete and len(fields) < len(header.names):
                    held = (fields, number)
                    continue
                record = _record(ctx, header, fields, number, dataset, missing)
                if record is not None:
                    yield record
            if held is not None and header is not None:
                record = _record(ctx, header, held[0], held[1], dataset, missing, cut=True)
                if record is not None:
                    yield record
        except UnicodeDecodeError as exc:
            raise DatasetError(Errors.E515, where=f"{ctx.location}:{start}", line=start, detail=str(exc)) from exc
        except csv.Error as exc:
            raise DatasetError(Errors.E501, where=f"{ctx.location}:{start}", line=start, detail=str(exc), dataset=dataset) from exc
        if header is None:
            raise DatasetError(Errors.E514, where=ctx.location, detail="not even a header line")


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d-%m-%Y", "%d %B %Y", "%d/%m/%Y", "%Y/%m/%d", "%B %d, %Y")


def parse_date(text: str | None) -> dt.date | None:
    """A date as the datasets write it (ISO first; "2013-01-03 00:00:00.000" too); None if none fits."""
    if not text:
        return None
    value = text.strip()
    if len(value) > 10 and value[4] == "-" and value[10] in " T":
        value = value[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def check_date(row: Row, field: str, value: dt.date | None, ctx: ReadContext, first: dt.date,
               last: dt.date) -> DatasetError | None:
    """The error for a missing, unreadable or out-of-range date, or None."""
    if value is not None and first <= value <= last:
        return None
    return DatasetError(
        Errors.E510, where=f"{ctx.location}:{row.line}", line=row.line, field=field, value=row.get(field) or "",
        start=first.isoformat(), end=last.isoformat(),
    )


def id_and_date(
    row: Row, ctx: ReadContext, *, id_field: str, date_field: str, dataset: str, first: dt.date, last: dt.date
) -> tuple[str, dt.date] | DatasetError:
    """A row's own event id and date, or the error for a missing id (E520) or a missing,
    unreadable or out-of-range date (E510)."""
    own_id = row.get(id_field)
    if own_id is None:
        return DatasetError(
            Errors.E520, where=f"{ctx.location}:{row.line}", line=row.line, field=id_field, dataset=dataset
        )
    date = parse_date(row.get(date_field))
    problem = check_date(row, date_field, date, ctx, first, last)
    if problem is not None or date is None:
        return problem or DatasetError(
            Errors.E520, where=f"{ctx.location}:{row.line}", line=row.line, field=date_field, dataset=dataset
        )
    return own_id, date


def collect(
    rows: Iterator[Row | DatasetError],
    ctx: ReadContext,
    *,
    dataset: str,
    required: Sequence[str],
    make: Callable[[Row], dict[str, Any] | DatasetError],
) -> Iterator[pa.Table | DatasetError]:
    """The loop every headed reader shares: check the header, turn rows into event rows with
    ``make``, collapse repeated event ids, apply ``--actors``, hand out tables."""
    buffer = RowBuffer()
    seen: set[str] = set()
    checked = False
    for item in rows:
        if isinstance(item, DatasetError):
            yield item
            continue
        if not checked:
            item.header.require(ctx, dataset, required)
            checked = True
        row = make(item)
        if isinstance(row, DatasetError):
            error = ctx.problem(row)
            if error:
                yield error
            continue
        if row["event_id"] in seen:
            ctx.duplicates += 1
            continue
        seen.add(row["event_id"])
        if ctx.actors is not None and not ctx.actors.matches(
            row.get("source_country"), row.get("target_country"), row.get("source_actor"), row.get("target_actor")
        ):
            ctx.filtered += 1
            continue
        buffer.add(row)
        if buffer.full():
            yield buffer.take()
    if buffer.count:
        yield buffer.take()
