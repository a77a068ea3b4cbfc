"""The plain JSONL gold format (GOLD_FORMAT.md beside this file): one sentence per line."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dyadwatch.coding import ontology
from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    Span,
    country,
    parse_date,
)
from dyadwatch.errors import Errors

__all__ = ["read_jsonl_gold"]

_SENTENCE_KEYS = frozenset(
    {"id", "text", "date", "events", "label", "source_spans", "target_spans", "joint_spans", "meta"}
)
_EVENT_KEYS = frozenset(
    {
        "source_country", "target_country", "cameo_code", "source_sector", "target_sector",
        "plover_type", "plover_mode", "source_code", "target_code",
    }
)


class _LineError(ValueError):
    """What is wrong with one line; the reader adds the file and the line number."""


def read_jsonl_gold(path: str | os.PathLike[str], *, origin: str = "jsonl") -> list[GoldSentence]:
    """Read a gold file in dyadwatch's JSONL format (GOLD_FORMAT.md).

    Raises :class:`GoldFormatError` ``[E401]`` naming the file and the line of the first
    line that is not valid.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.jsonl"
    >>> _ = path.write_text('{"id": "a1", "text": "Russia hosted Taliban envoys.", "date": "2021-10-20", '
    ...     '"events": [{"source_country": "RUS", "target_country": "AFG", "cameo_code": "043"}]}\\n')
    >>> [(s.id, s.events[0].cameo_root) for s in read_jsonl_gold(path)]
    [('a1', '04')]
    """
    file = Path(path)
    sentences: list[GoldSentence] = []
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise GoldFormatError(Errors.E401, where=str(file), line=0, detail=f"cannot open the file ({exc.strerror})") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise GoldFormatError(
                    Errors.E401, where=str(file), line=number, detail=f"not UTF-8 text ({exc.reason})"
                ) from None
            if not line.strip():
                continue
            try:
                sentences.append(_sentence(line, number, file, origin))
            except _LineError as exc:
                raise GoldFormatError(Errors.E401, where=str(file), line=number, detail=str(exc)) from None
    return sentences


def _sentence(line: str, number: int, file: Path, origin: str) -> GoldSentence:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise _LineError(f"a line must be a JSON object, not {type(record).__name__}")
    unknown = sorted(set(record) - _SENTENCE_KEYS)
    if unknown:
        raise _LineError(
            f"unknown field(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(sorted(_SENTENCE_KEYS))}; "
            "put your own fields in 'meta')"
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _LineError("no 'text' (or it is empty)")
    if "events" not in record:
        raise _LineError("no 'events' (write \"events\": [] for a sentence without events, null for one not coded)")
    raw_events = record["events"]
    events: tuple[GoldEvent, ...] | None
    if raw_events is None:
        events = None
    elif isinstance(raw_events, list):
        events = tuple(_event(item, i) for i, item in enumerate(raw_events, start=1))
    else:
        raise _LineError(f"'events' must be a list (or null). Got {type(raw_events).__name__} instead")
    sentence_id = record.get("id")
    if sentence_id is None:
        sentence_id = f"{file.stem}:{number}"
    elif isinstance(sentence_id, bool) or not isinstance(sentence_id, str | int) or str(sentence_id) == "":
        raise _LineError(f"'id' must be a non-empty string or a number. Got {sentence_id!r} instead")
    try:
        date = parse_date(record.get("date"))
    except (TypeError, ValueError):
        raise _LineError(f"'date' must be a date YYYY-MM-DD. Got {record.get('date')!r} instead") from None
    label = record.get("label")
    if label is not None and (isinstance(label, bool) or not isinstance(label, str | int)):
        raise _LineError(f"'label' must be a string or a number. Got {label!r} instead")
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise _LineError(f"'meta' must be an object. Got {type(meta).__name__} instead")
    return GoldSentence(
        id=str(sentence_id),
        text=text,
        date=date,
        events=events,
        source_spans=_spans(record, "source_spans", text),
        target_spans=_spans(record, "target_spans", text),
        joint_spans=_spans(record, "joint_spans", text),
        label=None if label is None else str(label),
        origin=origin,
        meta={**meta, "file": str(file), "line": number},
    )


def _event(item: Any, index: int) -> GoldEvent:
    where = f"event {index}"
    if not isinstance(item, dict):
        raise _LineError(f"{where} must be an object. Got {type(item).__name__} instead")
    unknown = sorted(set(item) - _EVENT_KEYS)
    if unknown:
        raise _LineError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(sorted(_EVENT_KEYS))})")
    for key in _EVENT_KEYS:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            hint = " (write CAMEO codes as strings with their leading zeros: \"043\")" if key == "cameo_code" else ""
            raise _LineError(f"{where}: '{key}' must be a string or null. Got {value!r} instead{hint}")
    code = item.get("cameo_code") or None
    plover_type = (item.get("plover_type") or "").strip().upper() or None
    if code is None and plover_type is None:
        raise _LineError(f"{where} has neither 'cameo_code' nor 'plover_type'")
    if code is not None and not ontology.is_cameo(code):
        raise _LineError(f"{where}: unknown CAMEO code {code!r} (codes are strings with their leading zeros: \"043\")")
    if plover_type is not None and plover_type not in ontology.PLOVER_TYPES:
        raise _LineError(f"{where}: unknown PLOVER event type {plover_type!r} (one of {', '.join(ontology.PLOVER_TYPES)})")
    mode = (item.get("plover_mode") or "").strip().lower() or None
    return GoldEvent(
        source_country=country(item.get("source_country")),
        target_country=country(item.get("target_country")),
        cameo_code=code,
        source_sector=_upper(item.get("source_sector")),
        target_sector=_upper(item.get("target_sector")),
        plover_type=plover_type,
        plover_mode=mode,
        source_code=item.get("source_code") or item.get("source_country"),
        target_code=item.get("target_code") or item.get("target_country"),
    )


def _upper(value: str | None) -> str | None:
    return value.strip().upper() or None if value else None


def _spans(record: dict[str, Any], key: str, text: str) -> tuple[Span, ...] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise _LineError(f"'{key}' must be a list of [start, end] pairs. Got {type(value).__name__} instead")
    spans: list[Span] = []
    for pair in value:
        if (
            not isinstance(pair, Sequence)
            or isinstance(pair, str)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
        ):
            raise _LineError(f"'{key}' must hold [start, end] pairs of integers. Got {pair!r} instead")
        start, end = pair
        if not 0 <= start < end <= len(text):
            raise _LineError(
                f"'{key}' span {[start, end]} is not within the text (0..{len(text)}, start before end)"
            )
        spans.append((start, end))
    return tuple(spans)
