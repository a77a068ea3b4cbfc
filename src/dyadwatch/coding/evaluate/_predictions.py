"""Predictions: a coder's events, each tied to the gold sentence it was coded from.

Four sources, one result (:class:`Predictions`): a JSONL file of event records (the layout of
``dyadwatch events --format jsonl``, plus an optional ``sentence_id``), a data frame of the
event table, the events a coder stored in the store, and a coder run on the gold sentences
(a function, or an object with the pipeline's ``code`` method). An event finds its sentence
by ``sentence_id`` when it has one that the gold knows, else by its ``sentence`` text
(compared after :func:`~dyadwatch.records.normalise_text`); several gold sentences with the
same text all receive it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from dyadwatch.coding import ontology
from dyadwatch.coding.evaluate._gold import GoldFormatError, GoldSentence, parse_date
from dyadwatch.errors import ConfigError, DyadwatchError, Errors
from dyadwatch.records import Event, Sentence, normalise_text
from dyadwatch.store import Store

__all__ = [
    "CoderFunction",
    "Predictions",
    "event_from_record",
    "load_coder",
    "match_predictions",
    "predictions_from_coder",
    "predictions_from_frame",
    "predictions_from_store",
    "read_prediction_records",
    "read_predictions",
]

#: What ``--coder-callable`` names: sentences (text, date) in, one list of events per sentence out.
CoderFunction = Callable[[list[tuple[str, dt.date | None]]], Sequence[Iterable[Event]]]

_EVENT_FIELDS = {f.name for f in fields(Event)}
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")  # the same class as the SQL below, so keys agree


@dataclass(frozen=True, slots=True)
class Predictions:
    """Predicted events by gold sentence id, and how many events matched no gold sentence."""

    events: Mapping[str, tuple[Event, ...]] = field(default_factory=dict)
    unmatched: int = 0
    source: str = ""

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.events.values())


def match_predictions(
    items: Iterable[tuple[str | None, Event]], gold: Sequence[GoldSentence], *, source: str = ""
) -> Predictions:
    """Tie ``(sentence_id, event)`` pairs to gold sentences: by id, else by the event's text."""
    by_id = {s.id: s.id for s in gold}
    by_text: dict[str, list[str]] = {}
    for sent in gold:
        by_text.setdefault(normalise_text(sent.text), []).append(sent.id)
    events: dict[str, list[Event]] = {}
    unmatched = 0
    for sentence_id, event in items:
        if sentence_id is not None and str(sentence_id) in by_id:
            targets = [str(sentence_id)]
        else:
            targets = by_text.get(normalise_text(event.sentence), []) if event.sentence else []
        if not targets:
            unmatched += 1
        for target in targets:
            events.setdefault(target, []).append(event)
    return Predictions({k: tuple(v) for k, v in events.items()}, unmatched, source)


def event_from_record(record: Mapping[str, Any], *, default_id: str = "prediction") -> Event:
    """An :class:`~dyadwatch.records.Event` from a record of the event table (a JSONL line,
    a data-frame row): unknown keys are ignored, NaN and NaT are missing values, numbers
    that lost their zeros become CAMEO codes again (43 -> "043"), ``spans`` may be JSON text.

    Raises ``ValueError`` (or :class:`~dyadwatch.errors.ConfigError`) for a value that cannot be
    one of the event's fields; the callers add the line.
    """
    values: dict[str, Any] = {}
    for key, value in record.items():
        if key not in _EVENT_FIELDS:
            continue
        value = _missing_to_none(value)
        if value is None:
            continue
        values[key] = value
    values.setdefault("event_id", default_id)
    values.setdefault("origin", "dyadwatch")
    values["event_id"] = str(values["event_id"])
    try:
        values["date"] = parse_date(values.get("date"))
    except (TypeError, ValueError):
        raise ValueError(f"'date' must be a date YYYY-MM-DD. Got {values.get('date')!r} instead") from None
    code = values.get("cameo_code")
    if code is not None:
        values["cameo_code"] = code.strip() if isinstance(code, str) else ontology.normalise_cameo(code, kind="code")
    root = values.get("cameo_root")
    if root is not None and not isinstance(root, str):
        values["cameo_root"] = ontology.normalise_cameo(root, kind="root")
    if "quad_class" in values:
        values["quad_class"] = int(values["quad_class"])
    for name in ("goldstein", "confidence", "latitude", "longitude"):
        if name in values:
            values[name] = float(values[name])
    if "sentence_idx" in values:
        values["sentence_idx"] = int(values["sentence_idx"])
    if "negated" in values:
        negated = values["negated"]
        if isinstance(negated, str):
            negated = negated.strip().lower() in {"true", "1", "yes"}
        values["negated"] = bool(negated)
    if "spans" in values:
        values["spans"] = _spans(values["spans"])
    for name, value in list(values.items()):
        if name not in {"date", "spans", "quad_class", "goldstein", "confidence", "latitude", "longitude",
                        "sentence_idx", "negated"} and not isinstance(value, str):
            values[name] = str(value)
    return Event(**values)


def _missing_to_none(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and value == "":
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _spans(value: Any) -> dict[str, tuple[int, int]]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, Mapping):
        raise ValueError(f"'spans' must be an object of name: [start, end]. Got {value!r} instead")
    spans: dict[str, tuple[int, int]] = {}
    for name, pair in value.items():
        if pair is None:
            continue
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"span {name!r} must be [start, end]. Got {pair!r} instead")
        spans[str(name)] = (int(pair[0]), int(pair[1]))
    return spans


def read_predictions(path: str | os.PathLike[str], gold: Sequence[GoldSentence]) -> Predictions:
    """Predicted events from a JSONL file of event records, tied to the gold sentences.

    Each line is an event record (DESIGN.md, ``dyadwatch events --format jsonl``) with a
    ``sentence_id`` naming its gold sentence or the ``sentence`` text it was coded from.
    Raises :class:`GoldFormatError` ``[E405]`` naming the file and line of a bad line.
    """
    return match_predictions(read_prediction_records(path), gold, source=str(path))


def read_prediction_records(path: str | os.PathLike[str]) -> list[tuple[str | None, Event]]:
    """The ``(sentence_id, event)`` pairs of a JSONL predictions file (see :func:`read_predictions`)."""
    file = Path(path)
    items: list[tuple[str | None, Event]] = []
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise GoldFormatError(Errors.E405, where=str(file), line=0, detail=f"cannot open the file ({exc.strerror})") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                if not line.strip():
                    continue
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError(f"a line must be a JSON object, not {type(record).__name__}")
                if record.get("sentence_id") is None and not record.get("sentence"):
                    raise ValueError("it has neither 'sentence_id' nor 'sentence'")
                event = event_from_record(record, default_id=f"{file.stem}:{number}")
            except UnicodeDecodeError as exc:
                raise GoldFormatError(Errors.E405, where=str(file), line=number, detail=f"not UTF-8 text ({exc.reason})") from None
            except json.JSONDecodeError as exc:
                raise GoldFormatError(Errors.E405, where=str(file), line=number, detail=f"not valid JSON ({exc.msg})") from None
            except (ValueError, TypeError, DyadwatchError) as exc:
                raise GoldFormatError(Errors.E405, where=str(file), line=number, detail=_detail(exc)) from None
            sentence_id = record.get("sentence_id")
            items.append((None if sentence_id is None else str(sentence_id), event))
    return items


def predictions_from_frame(frame: pd.DataFrame, gold: Sequence[GoldSentence], *, source: str = "frame") -> Predictions:
    """Predicted events from a data frame of the event table (``sentence_id`` column optional)."""
    items: list[tuple[str | None, Event]] = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        try:
            event = event_from_record(record, default_id=f"{source}:{number}")
        except (ValueError, TypeError, DyadwatchError) as exc:
            raise GoldFormatError(Errors.E405, where=source, line=number, detail=_detail(exc)) from None
        sentence_id = _missing_to_none(record.get("sentence_id"))
        items.append((None if sentence_id is None else str(sentence_id), event))
    return match_predictions(items, gold, source=source)


def _detail(exc: Exception) -> str:
    """What went wrong, without a nested error's code: the outer error carries the line."""
    return (exc.detail if isinstance(exc, DyadwatchError) else str(exc)).rstrip(".")


def _text_key(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFC", text))


def predictions_from_store(store: Store, gold: Sequence[GoldSentence], *, coder: str) -> Predictions:
    """The events a coder stored, for the sentences of the gold, joined by sentence text.

    ``coder`` is the coder's name, the first word of the ``coder`` column ("rules" matches
    "rules 0.3"). An event's text is its ``sentence``, else the text of its stored sentence.
    """
    keys = sorted({_text_key(s.text) for s in gold})
    table = pa.table({"gold_key": pa.array(keys, pa.string())})
    name = "_dyadwatch_gold_keys"
    store.con.register(name, table)
    try:
        frame = store.con.execute(
            f"""
            SELECT e.* EXCLUDE (sentence), coalesce(e.sentence, s.text) AS sentence
            FROM events e
            LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx
            JOIN {name} k
              ON regexp_replace(nfc_normalize(coalesce(e.sentence, s.text)), '[\\t\\n\\f\\r ]+', '', 'g') = k.gold_key
            WHERE split_part(e.coder, ' ', 1) = ?
            ORDER BY e.doc_id, e.sentence_idx, e.event_id
            """,
            [coder],
        ).df()
    finally:
        store.con.unregister(name)
    if "run_id" in frame.columns:
        frame = frame.drop(columns=["run_id"])
    return predictions_from_frame(frame, gold, source=f"{store.path} (coder {coder})")


def load_coder(spec: str) -> CoderFunction:
    """The coder named by ``module:function`` or ``path/to/file.py:function``.

    The object may be a function taking ``[(text, date), ...]`` and returning one list of
    events per sentence, or a coder with the pipeline's ``code(sentences, doc_dates=...)``
    method (a class is instantiated without arguments), which is wrapped into such a function.
    Raises ``[E406]`` when it cannot be found or used.
    """
    module_name, colon, attribute = spec.rpartition(":")
    if not colon or not module_name or not attribute:
        raise ConfigError(Errors.E406, found=spec, detail="it is not module:function")
    try:
        if module_name.endswith(".py"):
            location = Path(module_name)
            loader_spec = importlib.util.spec_from_file_location(f"_dyadwatch_coder_{location.stem}", location)
            if loader_spec is None or loader_spec.loader is None or not location.exists():
                raise ImportError(f"no Python file {module_name}")
            module = importlib.util.module_from_spec(loader_spec)
            loader_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(Errors.E406, found=spec, detail=f"the module cannot be imported ({exc})") from exc
    try:
        target: Any = module
        for part in attribute.split("."):
            target = getattr(target, part)
    except AttributeError:
        raise ConfigError(Errors.E406, found=spec, detail=f"{module_name} has no {attribute!r}") from None
    if inspect.isclass(target):
        try:
            target = target()
        except TypeError as exc:
            raise ConfigError(Errors.E406, found=spec, detail=f"the class cannot be made without arguments ({exc})") from exc
    if hasattr(target, "code") and callable(target.code):
        return _pipeline_coder(target)
    if not callable(target):
        raise ConfigError(Errors.E406, found=spec, detail=f"{attribute!r} is a {type(target).__name__}, not a function")
    return target


def _pipeline_coder(coder: Any) -> CoderFunction:
    """A coder of the pipeline (``code(sentences, *, doc_dates)``) as a coder function."""

    def run(batch: list[tuple[str, dt.date | None]]) -> list[list[Event]]:
        sentences = [Sentence(doc_id=f"gold-{i}", idx=0, start=0, end=len(text), text=text) for i, (text, _) in enumerate(batch)]
        dates = {s.doc_id: day for s, (_, day) in zip(sentences, batch, strict=True)}
        out: list[list[Event]] = [[] for _ in batch]
        for event in coder.code(sentences, doc_dates=dates, doc_meta={}):
            if event.doc_id is not None and event.doc_id.startswith("gold-"):
                out[int(event.doc_id[5:])].append(event)
        return out

    return run


def predictions_from_coder(
    coder: CoderFunction, gold: Sequence[GoldSentence], *, name: str = "coder"
) -> Predictions:
    """Run a coder function on the gold sentences, (text, date) each, in the gold's order."""
    batch = [(s.text, s.date) for s in gold]
    result = coder(batch)
    if not isinstance(result, Sequence) or isinstance(result, str) or len(result) != len(batch):
        size = len(result) if isinstance(result, Sequence) else type(result).__name__
        raise ConfigError(
            Errors.E406, found=name,
            detail=f"for {len(batch)} sentences it returned {size} {'items' if isinstance(size, int) else ''}".rstrip(),
        )
    events: dict[str, tuple[Event, ...]] = {}
    for sent, found in zip(gold, result, strict=True):
        found = tuple(found)
        if not all(isinstance(e, Event) for e in found):
            wrong = next(type(e).__name__ for e in found if not isinstance(e, Event))
            raise ConfigError(Errors.E406, found=name, detail=f"it returned a {wrong} where an Event belongs")
        if found:
            events[sent.id] = found
    return Predictions(events, 0, name)
