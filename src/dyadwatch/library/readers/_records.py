"""JSONL and CSV files: one document per line or row (see DESIGN.md, "Library input").

A bad record is yielded as a :class:`SourceError` whose ``where`` is ``"path:LINE"``,
so that the caller can stop or skip and count; a bad file raises.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from dyadwatch.errors import Errors, SourceError
from dyadwatch.library.dates import parse_date
from dyadwatch.library.readers._common import (
    Extracted,
    build_document,
    check_content,
    detect_encoding,
)
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document

logger = logging.getLogger(__name__)

TEXT_FIELD = "text"
# record fields that fill Document fields; any other field goes to Document.meta
_FIELDS = ("text", "title", "date", "url", "publisher", "language", "author", "id")
_HEAD_BYTES = 1 << 20  # how much of a CSV is looked at to choose its encoding and delimiter
_DELIMITERS = ",;\t|"
_FIELD_SIZE_LIMIT = 1 << 26  # a document's text can be far longer than csv's 128 KB default


def read_jsonl(ref: SourceRef) -> Iterator[Document | SourceError]:
    """A JSONL file, streamed: a Document per good line, an ``E204``/``E205`` per bad one."""
    path = ref.location
    seen_record = False
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise SourceError(Errors.E201, where=path, detail=exc.strerror or str(exc)) from exc
    try:
        head = handle.read(8192)
        offset = head.find(b"\x00")
        if offset >= 0:
            detail = f"a NUL byte at offset {offset}; if it is UTF-16, convert it to UTF-8"
            raise SourceError(Errors.E206, where=path, detail=detail)
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            seen_record = True
            where = f"{path}:{number}"
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield SourceError(Errors.E204, where=where, line=number, detail=f"not UTF-8 at byte {exc.start}")
                continue
            except json.JSONDecodeError as exc:
                yield SourceError(Errors.E204, where=where, line=number, detail=f"{exc.msg} at column {exc.colno}")
                continue
            if not isinstance(record, dict):
                kind = type(record).__name__
                yield SourceError(Errors.E204, where=where, line=number, detail=f"a JSON {kind}, not an object")
                continue
            yield _document(record, ref, where=where, line=number, missing=Errors.E205)
    finally:
        handle.close()
    if not seen_record:
        raise SourceError(Errors.E202, where=path)


def read_csv(ref: SourceRef) -> Iterator[Document | SourceError]:
    """A CSV or TSV file with a ``text`` column, streamed: a Document per good row, an
    ``E213``/``E217`` per bad one. No ``text`` column raises ``E203``."""
    path = ref.location
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
            complete = not handle.read(1)
    except OSError as exc:
        raise SourceError(Errors.E201, where=path, detail=exc.strerror or str(exc)) from exc
    check_content(head, where=path)
    encoding = detect_encoding(head, where=path, complete=complete)
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=complete)
    delimiter, header = _choose_delimiter(sample, path)
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    columns = [name.strip() for name in header]
    text_at = [name.lower() for name in columns].index(TEXT_FIELD)
    rows = 0
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True)
        next(reader)  # the header, read above
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise SourceError(Errors.E215, where=f"{path}:{line}", detail=str(exc)) from exc
            except UnicodeDecodeError as exc:
                detail = f"{encoding} fails near line {line}"
                raise SourceError(Errors.E207, where=path, detail=detail) from exc
            if not any(value.strip() for value in row):
                continue
            rows += 1
            where = f"{path}:{line}"
            if len(row) > len(columns):
                yield SourceError(Errors.E217, where=where, line=line, found=len(row), expected=len(columns))
                continue
            record = dict(zip(columns, row, strict=False))
            record = {key: value for key, value in record.items() if value != "" or key == columns[text_at]}
            yield _document(record, ref, where=where, line=line, missing=Errors.E213, column=columns[text_at])
    if not rows:
        raise SourceError(Errors.E202, where=path)


def _choose_delimiter(sample: str, path: str) -> tuple[str, list[str]]:
    """The delimiter whose header has a ``text`` column: the sniffed one, the one the
    extension suggests, then the usual others. None has: ``E203``."""
    preferred = "\t" if os.path.splitext(path)[1].lower() == ".tsv" else ","
    candidates: list[str] = []
    with contextlib.suppress(csv.Error):  # no guess: try the usual delimiters in turn
        candidates.append(csv.Sniffer().sniff(sample[:65536], delimiters=_DELIMITERS).delimiter)
    candidates += [preferred, *_DELIMITERS]
    first_header: list[str] | None = None
    for delimiter in dict.fromkeys(candidates):
        try:
            header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
        except csv.Error:
            continue
        if first_header is None:
            first_header = header
        if TEXT_FIELD in (name.strip().lower() for name in header):
            return delimiter, header
    found = ", ".join(name.strip() for name in first_header or [] if name.strip()) or "no columns"
    raise SourceError(Errors.E203, where=path, column=TEXT_FIELD, found=found)


def _document(
    record: Mapping[str, Any],
    ref: SourceRef,
    *,
    where: str,
    line: int,
    missing: str,
    column: str = TEXT_FIELD,
) -> Document | SourceError:
    known: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for key, value in record.items():
        name = key.strip().lower()
        if name in _FIELDS and name not in known:
            known[name] = value
        else:
            meta[key] = value
    text = known.get("text")
    if not isinstance(text, str) or not text.strip():
        return SourceError(missing, where=where, line=line, column=column)
    date = known.get("date")
    if date not in (None, "") and parse_date(date, metadata=True) is None:
        logger.debug("%s: date %r not understood", where, date)
        meta.setdefault("date_given", date)  # not lost, though not understood
    user_id = known.get("id")
    parts = Extracted(
        text=text,
        title=_as_text(known.get("title")),
        url=_as_text(known.get("url")),
        publisher=_as_text(known.get("publisher")),
        author=_as_text(known.get("author")),
        meta_date=date,
        language=_as_text(known.get("language")),
        user_id=None if user_id in (None, "") else str(user_id),
        meta=meta,
    )
    return build_document(parts, ref)


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)
