"""Gold data from the corrections a user made in the store (the review screen writes them).

A row of the ``corrections`` table judges one event of the ``events`` table: ``accept`` (the
event is right), ``correct`` (right once ``changes`` are applied), ``reject`` (not an event)
or ``add`` (an event the coder missed; ``changes`` holds it and its sentence). The latest
correction of an event counts. GOLD_FORMAT.md beside this file documents the layout.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dyadwatch.coding import ontology
from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    country,
    dedupe,
    parse_date,
)
from dyadwatch.errors import Errors
from dyadwatch.store import EVENT_COLUMNS, Store

log = logging.getLogger(__name__)

__all__ = ["CORRECTION_ACTIONS", "gold_from_corrections"]

#: The actions a correction may record (a past-tense spelling, "accepted", is read too).
CORRECTION_ACTIONS: tuple[str, ...] = ("accept", "correct", "reject", "add")
_SPELLINGS = {**{a: a for a in CORRECTION_ACTIONS}, "accepted": "accept", "corrected": "correct", "rejected": "reject", "added": "add"}
_GOLD_FIELDS = (
    "source_country", "target_country", "cameo_code", "source_sector", "target_sector", "plover_type", "plover_mode",
)
_COLUMNS = frozenset(name for name, _ in EVENT_COLUMNS)
# what an added event may say about where it belongs, beside the event columns
_PLACE_FIELDS = frozenset({"doc_id", "sentence_idx", "sentence", "date"})

Unreviewed = Literal["skip", "ignore", "keep"]


@dataclass(slots=True)
class _Judged:
    sentence_key: tuple[str, int] | None
    text: str | None
    date: dt.date | None
    coder: str | None
    action: str
    fields: dict[str, Any]
    reviewer: str


def gold_from_corrections(
    store: Store, *, coder: str | None = None, unreviewed: Unreviewed = "skip"
) -> list[GoldSentence]:
    """The reviewed sentences of the store as gold.

    A sentence is gold once one of its events has a correction. Its gold events are its
    accepted events, its corrected events with the changes applied, and the events added to
    it; a rejected event is "not an event" (a sentence whose events were all rejected has
    ``events=()``). ``coder`` keeps only corrections of that coder's events (the first word of
    the ``coder`` column, as ``dyadwatch events --coder`` matches it) and the added events,
    which belong to no coder.

    ``unreviewed`` says what to do with a reviewed sentence's events that have no correction
    (by the coders whose events in it were reviewed): ``"skip"`` (default) leaves such a
    half-reviewed sentence out of the gold, since it is not known whether they are right;
    ``"ignore"`` keeps the sentence with its reviewed events only; ``"keep"`` counts them as
    accepted. Sentence ids are ``<doc_id>:<sentence_idx>``; ``meta`` says how many events
    were accepted, corrected, rejected and added, and by whom.

    Raises :class:`GoldFormatError` ``[E407]`` for a correction that cannot be read.
    """
    if unreviewed not in ("skip", "ignore", "keep"):
        raise ValueError(f"unreviewed must be 'skip', 'ignore' or 'keep'. Got {unreviewed!r} instead.")
    rows = store.con.execute(
        """
        SELECT c.correction_id, c.event_id, c.action, CAST(c.changes AS VARCHAR), c.reviewer,
               e.event_id IS NOT NULL, e.doc_id, e.sentence_idx, coalesce(e.sentence, s.text), e.date, e.coder,
               e.source_country, e.target_country, e.cameo_code, e.source_sector, e.target_sector,
               e.plover_type, e.plover_mode
        FROM (
            SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY created_at DESC, correction_id DESC) AS latest
            FROM corrections
        ) c
        LEFT JOIN events e ON e.event_id = c.event_id
        LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx
        WHERE c.latest = 1
        ORDER BY c.created_at, c.correction_id
        """
    ).fetchall()
    judged: list[_Judged] = []
    for row in rows:
        item = _judge(row)
        if item is None:
            continue
        if coder is not None and item.action != "add" and (item.coder or "").split(" ")[0] != coder:
            continue
        judged.append(item)
    by_sentence: dict[tuple[str, int], list[_Judged]] = defaultdict(list)
    unplaced = 0
    for item in judged:
        if item.sentence_key is None:
            unplaced += 1
            continue
        by_sentence[item.sentence_key].append(item)
    reviewed_ids = {row[1] for row in rows}
    sentences: list[GoldSentence] = []
    skipped = 0
    for key in sorted(by_sentence):
        items = by_sentence[key]
        coders = {i.coder.split(" ")[0] for i in items if i.coder}
        others = _unreviewed_events(store, key, coders, reviewed_ids) if unreviewed != "ignore" else []
        if others and unreviewed == "skip":
            skipped += 1
            continue
        events = [_gold_event(i.fields) for i in items if i.action != "reject"]
        events += [_gold_event(fields) for fields in others]
        text = next((i.text for i in items if i.text), None) or _sentence_text(store, key)
        if not text:
            unplaced += 1
            continue
        counts = {a: sum(i.action == a for i in items) for a in CORRECTION_ACTIONS}
        sentences.append(
            GoldSentence(
                id=f"{key[0]}:{key[1]}",
                text=text,
                date=next((i.date for i in items if i.date), None),
                events=dedupe(events),
                origin="corrections",
                meta={**counts, "unreviewed_kept": len(others), "reviewers": sorted({i.reviewer for i in items})},
            )
        )
    if unplaced:
        log.info("corrections: %d judged events have no sentence (dataset events?) and are not gold", unplaced)
    if skipped:
        log.warning(
            "corrections: %d sentences left out of the gold because some of their events are not reviewed "
            "(unreviewed='ignore' or 'keep' takes them in)", skipped,
        )
    return sentences


def _judge(row: tuple[Any, ...]) -> _Judged | None:
    correction_id, event_id, raw_action, raw_changes, reviewer, stored = row[:6]
    action = _SPELLINGS.get(str(raw_action or "").strip().lower())
    if action is None:
        raise GoldFormatError(Errors.E407, correction=correction_id, detail=f"unknown action {raw_action!r}")
    changes = _changes(correction_id, raw_changes)
    doc_id, sentence_idx, text, date, coder = row[6:11]
    fields = dict(zip(_GOLD_FIELDS, row[11:18], strict=True))
    if action == "add":
        doc_id = changes.get("doc_id", doc_id)
        sentence_idx = changes.get("sentence_idx", sentence_idx)
        text = changes.get("sentence", text)
        try:
            date = parse_date(changes.get("date")) or date
        except (TypeError, ValueError):
            raise GoldFormatError(Errors.E407, correction=correction_id, detail=f"date {changes.get('date')!r} is not YYYY-MM-DD") from None
        if doc_id is None or sentence_idx is None:
            raise GoldFormatError(
                Errors.E407, correction=correction_id, detail="an added event needs 'doc_id' and 'sentence_idx' in its changes"
            )
        fields = dict.fromkeys(_GOLD_FIELDS)
    elif not stored:
        log.info("correction %s judges event %s, which is not in the store; skipped", correction_id, event_id)
        return None
    if action in ("correct", "add"):
        fields.update({k: v for k, v in changes.items() if k in _GOLD_FIELDS})
        if not fields.get("cameo_code") and not fields.get("plover_type"):
            raise GoldFormatError(Errors.E407, correction=correction_id, detail="the event has neither cameo_code nor plover_type")
        code = fields.get("cameo_code")
        if code is not None and not ontology.is_cameo(code):
            raise GoldFormatError(
                Errors.E407, correction=correction_id, detail=f"unknown CAMEO code {code!r} (a string with its leading zeros: '043')"
            )
    if not isinstance(sentence_idx, int) and sentence_idx is not None:
        raise GoldFormatError(Errors.E407, correction=correction_id, detail=f"sentence_idx must be a number. Got {sentence_idx!r} instead")
    key = (str(doc_id), int(sentence_idx)) if doc_id is not None and sentence_idx is not None else None
    return _Judged(key, text, date, coder, action, fields, str(reviewer))


def _changes(correction_id: str, raw: str | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    try:
        changes = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GoldFormatError(Errors.E407, correction=correction_id, detail=f"changes are not valid JSON ({exc.msg})") from None
    if changes is None:
        return {}
    if not isinstance(changes, Mapping):
        raise GoldFormatError(Errors.E407, correction=correction_id, detail="changes must be a JSON object of field: new value")
    unknown = sorted(set(changes) - _COLUMNS - _PLACE_FIELDS)
    if unknown:
        raise GoldFormatError(
            Errors.E407, correction=correction_id,
            detail=f"changes name unknown field(s) {', '.join(map(repr, unknown))} (use event-table columns)",
        )
    return dict(changes)


def _unreviewed_events(
    store: Store, key: tuple[str, int], coders: set[str], reviewed: set[str]
) -> list[dict[str, Any]]:
    """The events of a sentence, by these coders, that no correction judges."""
    if not coders:
        return []
    rows = store.con.execute(
        f"SELECT event_id, split_part(coder, ' ', 1), {', '.join(_GOLD_FIELDS)} FROM events "
        "WHERE doc_id = ? AND sentence_idx = ?",
        [key[0], key[1]],
    ).fetchall()
    return [
        dict(zip(_GOLD_FIELDS, row[2:], strict=True))
        for row in rows
        if row[0] not in reviewed and row[1] in coders
    ]


def _sentence_text(store: Store, key: tuple[str, int]) -> str | None:
    row = store.con.execute("SELECT text FROM sentences WHERE doc_id = ? AND idx = ?", [key[0], key[1]]).fetchone()
    return str(row[0]) if row else None


def _gold_event(fields: Mapping[str, Any]) -> GoldEvent:
    def text(name: str) -> str | None:
        value = fields.get(name)
        return str(value).strip() or None if value is not None else None

    plover = text("plover_type")
    return GoldEvent(
        source_country=country(text("source_country")),
        target_country=country(text("target_country")),
        cameo_code=text("cameo_code"),
        source_sector=text("source_sector"),
        target_sector=text("target_sector"),
        plover_type=plover.upper() if plover else None,
        plover_mode=text("plover_mode"),
        source_code=text("source_country"),
        target_code=text("target_country"),
    )
