"""PLOVER gold records: ``PLOVER_GSR_CAMEO.txt`` (a JSON array) and PLOVER JSONL records.

The 2016 gold-standard records code each sentence (a CAMEO 1.1b3 manual example) with
PLOVER 0.5b1 types, the source and target actors (``actorText``, ``code``, ``sector``) and a
markup of the text. dyadwatch speaks PLOVER 2021 (the ontology's 16 types), so four older
types are renamed: DEMAND -> REQUEST, DISAPPROVE -> ACCUSE (mode ``disapprove``),
INVESTIGATE -> ACCUSE (mode ``investigate``), FIGHT -> ASSAULT; the type as written is kept
in ``meta["plover_event"]``. The records carry no CAMEO code (``cameo_code=None``).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from dyadwatch.coding import ontology
from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldSentence,
    Span,
    country,
    dedupe,
    gold_error,
    parse_date,
    sector,
)

log = logging.getLogger(__name__)

__all__ = ["PLOVER_2016_TYPES", "read_plover_gold"]

_FORMAT = "PLOVER"

#: PLOVER 0.5b1 (2016) event types that PLOVER 2021 renamed or merged: old -> (type, mode).
PLOVER_2016_TYPES: dict[str, tuple[str, str | None]] = {
    "DEMAND": ("REQUEST", None),
    "DISAPPROVE": ("ACCUSE", "disapprove"),
    "INVESTIGATE": ("ACCUSE", "investigate"),
    "FIGHT": ("ASSAULT", None),
}


def read_plover_gold(path: str | os.PathLike[str]) -> list[GoldSentence]:
    """Read PLOVER gold records: a JSON array (``PLOVER_GSR_CAMEO.txt``) or one record a line.

    Each record (the ``DOCUMENT`` entry aside) becomes a :class:`GoldSentence`. Its events
    pair every source with every target (``source``/``actor`` and ``target``/``recipient``
    lists); a record whose actors are all marked ``SRC/TAR`` in its markup ("Jordan and
    Britain agreed") codes each actor towards each other, both ways; a record without target
    codes events with no target. The actors' ``actorText`` found in the text become the
    source, target or joint spans; if one cannot be found the sentence has no spans
    (``meta["spans_missing"]`` lists it) rather than a wrong half.

    Raises :class:`GoldFormatError` ``[E403]`` naming the file and the line of the bad record.

    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plover.json"
    >>> _ = path.write_text(json.dumps([{"id": "p1", "date": "2021-08-20", "event": "ASSAULT",
    ...     "text": "Taliban fighters shelled Afghan army posts.",
    ...     "source": [{"actorText": "Taliban fighters", "code": "AFG", "sector": "REB"}],
    ...     "target": [{"actorText": "Afghan army", "code": "AFG", "sector": "MIL"}]}]))
    >>> sent = read_plover_gold(path)[0]
    >>> sent.events[0].plover_type, sent.events[0].source_sector, sent.source_spans, sent.target_spans
    ('ASSAULT', 'REB', ((0, 16),), ((25, 36),))
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise gold_error(_FORMAT, str(file), 0, f"cannot open the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise gold_error(_FORMAT, str(file), 1, f"not UTF-8 text ({exc.reason})") from None
    sentences = []
    seen: dict[str, int] = {}
    for line, record in _records(text, str(file)):
        sentence = _sentence(record, line, str(file))
        if sentence is None:
            continue
        seen[sentence.id] = seen.get(sentence.id, 0) + 1
        if seen[sentence.id] > 1:  # the 2016 file repeats a few ids on different sentences
            log.debug("%s line %d: id %s repeated; read as %s#%d", file, line, sentence.id, sentence.id, seen[sentence.id])
            sentence = replace(sentence, id=f"{sentence.id}#{seen[sentence.id]}")
        sentences.append(sentence)
    return sentences


def _records(text: str, where: str) -> Iterator[tuple[int, Any]]:
    """(line, record) of a JSON array or of JSON lines; the line is where the record starts."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text):
        raise gold_error(_FORMAT, where, 1, "the file is empty")
    if text[position] != "[":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise gold_error(_FORMAT, where, number, f"not valid JSON ({exc.msg})") from None
        return
    position = _skip_space(text, position + 1)
    first = True
    while True:
        if position >= len(text):
            raise gold_error(_FORMAT, where, _line(text, position), "the JSON array is never closed with ']'")
        if text[position] == "]":
            return
        if not first:
            if text[position] != ",":
                raise gold_error(_FORMAT, where, _line(text, position), "records must be separated by ','")
            position = _skip_space(text, position + 1)
        try:
            record, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise gold_error(_FORMAT, where, exc.lineno, f"not valid JSON ({exc.msg})") from None
        yield _line(text, position), record
        position = _skip_space(text, end)
        first = False


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _sentence(record: Any, line: int, where: str) -> GoldSentence | None:
    if not isinstance(record, dict):
        raise gold_error(_FORMAT, where, line, f"a record must be a JSON object, not {type(record).__name__}")
    raw_event = record.get("event")
    if isinstance(raw_event, list):
        raw_event = raw_event[0] if len(raw_event) == 1 else raw_event
    if raw_event == "DOCUMENT":
        return None  # PLOVER's in-file documentation entry
    if not isinstance(raw_event, str) or not raw_event.strip():
        raise gold_error(_FORMAT, where, line, f"'event' must be one PLOVER event type. Got {raw_event!r} instead")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise gold_error(_FORMAT, where, line, "the record has no 'text'")
    record_id = record.get("id")
    if not isinstance(record_id, str | int) or isinstance(record_id, bool) or str(record_id) == "":
        raise gold_error(_FORMAT, where, line, "the record has no 'id'")
    written = raw_event.strip().upper()
    event_type, mode_of_type = PLOVER_2016_TYPES.get(written, (written, None))
    if event_type not in ontology.PLOVER_TYPES:
        raise gold_error(
            _FORMAT, where, line,
            f"unknown PLOVER event type {raw_event!r} (PLOVER 2021: {', '.join(ontology.PLOVER_TYPES)}; "
            f"older: {', '.join(PLOVER_2016_TYPES)})",
        )
    mode = record.get("mode") if isinstance(record.get("mode"), str) else None
    mode = (mode or "").strip().lower() or mode_of_type
    try:
        date = parse_date(record.get("date"))
    except (TypeError, ValueError):
        raise gold_error(_FORMAT, where, line, f"'date' must be YYYY-MM-DD. Got {record.get('date')!r} instead") from None
    sources = _actors(record.get("source", record.get("actor")))
    targets = _actors(record.get("target", record.get("recipient")))
    markup = _markup(record.get("textInfo"))
    joint = not targets and len(sources) > 1 and "SRC/TAR" in markup
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]]
    if targets:
        givers: list[dict[str, Any] | None] = [*sources] if sources else [None]
        pairs = [(s, t) for s in givers for t in targets]
    elif joint:
        pairs = list(itertools.permutations(sources, 2))
    else:
        pairs = [(s, None) for s in sources]
    events = [_event(s, t, event_type, mode) for s, t in pairs]
    meta: dict[str, Any] = {"file": where, "line": line, "plover_event": raw_event}
    for key in ("context", "eventText", "comment"):
        if record.get(key):
            meta[key] = record[key]
    spans, missing = _spans(text, sources, targets, joint)
    if spans is None:
        meta["spans_missing"] = missing
        source_spans = target_spans = joint_spans = None
    else:
        source_spans, target_spans, joint_spans = spans
    return GoldSentence(
        id=str(record_id),
        text=text,
        date=date,
        events=dedupe(events),
        source_spans=source_spans,
        target_spans=target_spans,
        joint_spans=joint_spans,
        origin="plover",
        meta=meta,
    )


def _actors(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []  # None, "" and a stray string ("diplomatic") in a target field: no actor
    return [a for a in value if isinstance(a, dict)]


def _markup(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("markup")
    return value if isinstance(value, str) else ""


def _event(source: dict[str, Any] | None, target: dict[str, Any] | None, event_type: str, mode: str | None) -> GoldEvent:
    def code(actor: dict[str, Any] | None) -> str | None:
        value = actor.get("code") if actor else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    def sector_of(actor: dict[str, Any] | None) -> str | None:
        value = actor.get("sector") if actor else None
        return sector(value) if isinstance(value, str) else None

    return GoldEvent(
        source_country=country(code(source)),
        target_country=country(code(target)),
        cameo_code=None,
        source_sector=sector_of(source),
        target_sector=sector_of(target),
        plover_type=event_type,
        plover_mode=mode,
        source_code=code(source),
        target_code=code(target),
    )


def _find(text: str, actor_text: Any, taken: list[Span] | None = None) -> Span | None:
    """Where an actor's words are in the text: the first place not already taken.

    Spaces match any run of spaces; "U.S. ... negotiators" (or "..") spans from its first to
    its last part; a case-insensitive match is the fallback."""
    if not isinstance(actor_text, str) or not actor_text.strip():
        return None
    parts = [p.split() for p in re.split(r"\.{2,}|\u2026", actor_text) if p.strip()]
    taken = taken or []
    for flags in (0, re.IGNORECASE):
        patterns = [re.compile(r"\s+".join(map(re.escape, words)), flags) for words in parts]
        for first in patterns[0].finditer(text):
            start, end = first.span()
            for pattern in patterns[1:]:
                later = pattern.search(text, end)
                if later is None:
                    break
                end = later.end()
            else:
                if not any(start < e and s < end for s, e in taken):
                    return (start, end)
    return None


def _spans(
    text: str, sources: list[dict[str, Any]], targets: list[dict[str, Any]], joint: bool
) -> tuple[tuple[tuple[Span, ...], tuple[Span, ...], tuple[Span, ...]] | None, list[Any]]:
    """(source, target, joint) spans, or None and the actor texts that could not be placed."""
    taken: list[Span] = []
    located: dict[str, list[Span]] = {"source": [], "target": [], "joint": []}
    missing: list[Any] = []
    for role, actors in (("joint" if joint else "source", sources), ("target", targets)):
        for actor in actors:
            span = _find(text, actor.get("actorText"), taken)
            if span is None:
                missing.append(actor.get("actorText"))
                continue
            taken.append(span)
            located[role].append(span)
    if missing:
        return None, missing
    return (tuple(located["source"]), tuple(located["target"]), tuple(located["joint"])), []
