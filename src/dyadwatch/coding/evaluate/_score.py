"""Scoring: precision, recall and F1 of predicted events against gold sentences.

Pure functions over gold sentences and predictions (events by sentence id). Each measure
compares, sentence by sentence, the *set* of what the gold says with the set of what the coder
said, and adds up true positives, false positives and false negatives over all sentences
(micro-averaging): an event coded twice in a sentence counts once, as in the gold.

=================  =======================================================================
measure            compared per sentence
=================  =======================================================================
``root``           CAMEO root codes ("04")
``quad``           quad classes (1 verbal cooperation .. 4 material conflict, ICEWS lines)
``triple``         (source country, target country, CAMEO root)
``dyad``           (source country, target country)
``plover``         PLOVER event types
``spans_exact``    actor spans with their role, the same characters
``spans_overlap``  actor spans with their role, sharing at least one character
=================  =======================================================================

A measure applies to a gold set when its gold holds what the measure needs (CAMEO codes for
root and triple, PLOVER types for plover, tagged spans for the span measures; a gold of
sentences that have no event at all is scored on root, quad, triple and dyad); its sentences
are those whose gold gives it, including sentences with no event (``events=()``), where every
predicted item is a false positive. Sentences whose events the gold leaves unknown
(``events=None``) count for no event measure. Predicted events marked ``negated`` are left
out (the gold sets code what happened, not what was denied).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pandas as pd
from rich.console import Group
from rich.table import Table

from dyadwatch.coding import ontology
from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    Span,
    country,
    plover_of,
    quad_of,
    root_of,
)
from dyadwatch.coding.evaluate._predictions import Predictions, predictions_from_frame
from dyadwatch.errors import Errors
from dyadwatch.records import Event

__all__ = [
    "MEASURES",
    "NONE",
    "Confusion",
    "Evaluation",
    "LabelScore",
    "Score",
    "confusion_matrix",
    "evaluate",
    "penta_label",
    "score_events",
    "score_labels",
    "score_spans",
]

#: The event and span measures, in the order they are reported.
MEASURES: tuple[str, ...] = ("root", "quad", "triple", "dyad", "plover", "spans_exact", "spans_overlap")
#: The row and column of the confusion matrix for "no event".
NONE = "none"

PredictionsLike: TypeAlias = Predictions | Mapping[str, Sequence[Event]] | pd.DataFrame


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and false negatives, and what follows from them.

    ``precision`` is None when nothing was predicted, ``recall`` when the gold holds nothing,
    ``f1`` (``2tp / (2tp + fp + fn)``) when both hold nothing.

    >>> s = Score(tp=3, fp=1, fn=2)
    >>> s.precision, round(s.recall, 3), round(s.f1, 3)
    (0.75, 0.6, 0.667)
    """

    tp: int
    fp: int
    fn: int
    sentences: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences, "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Sentence labels (ConfliBERT's five classes): per class, macro and micro.

    ``macro_f1`` averages the F1 of every class found in the gold or the predictions (an
    undefined F1 counts 0). ``micro`` adds up over classes: a sentence labelled right is a
    true positive, one labelled wrong a false positive (of the predicted class) and a false
    negative (of the gold class), one the coder found no event in a false negative only; so
    micro precision, recall and F1 equal accuracy when every sentence gets a label.
    """

    per_class: Mapping[str, Score]
    sentences: int
    correct: int
    labelled: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.sentences if self.sentences else None

    @property
    def micro(self) -> Score:
        return Score(self.correct, self.labelled - self.correct, self.sentences - self.correct, self.sentences)

    @property
    def macro_f1(self) -> float | None:
        if not self.per_class:
            return None
        return sum(s.f1 or 0.0 for s in self.per_class.values()) / len(self.per_class)

    def to_dict(self) -> dict[str, Any]:
        micro = self.micro
        return {
            "sentences": self.sentences, "labelled": self.labelled, "correct": self.correct,
            "accuracy": self.accuracy, "macro_f1": self.macro_f1,
            "micro_precision": micro.precision, "micro_recall": micro.recall, "micro_f1": micro.f1,
            "per_class": {label: score.to_dict() for label, score in self.per_class.items()},
        }


@dataclass(frozen=True, slots=True)
class Confusion:
    """How often each gold root went with each predicted root; ``"none"`` for no event.

    ``counts[(gold, predicted)]``. Per sentence, a root both sides have is a diagonal cell; a
    gold root the coder missed is paired with a predicted root it did not expect, preferring
    one coded for the same dyad, else in code order; what is left pairs with ``"none"``. A
    sentence where neither side has an event adds one to ``("none", "none")``.
    """

    labels: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    def matrix(self) -> list[list[int]]:
        """Rows: gold; columns: predicted; both in the order of ``labels``."""
        return [[self.counts.get((g, p), 0) for p in self.labels] for g in self.labels]

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "matrix": self.matrix()}

    def table(self, title: str = "CAMEO roots: gold (rows) by predicted (columns)") -> Table:
        table = Table(title=title, show_lines=False)
        table.add_column("gold \\ pred", style="bold")
        for label in self.labels:
            table.add_column(label, justify="right")
        for label, row in zip(self.labels, self.matrix(), strict=True):
            cells = [
                ("" if n == 0 else f"[green]{n}[/]" if label == other else str(n))
                for other, n in zip(self.labels, row, strict=True)
            ]
            table.add_row(label, *cells)
        return table


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The scores of one run against one gold set; a rich table and JSON.

    ``measures`` holds the :data:`MEASURES` that apply to the gold; ``labels`` the sentence
    label scores where the gold has labels; ``confusion`` the root confusion matrix where it
    has CAMEO codes. ``unmatched``: predicted events whose sentence is not in the gold.
    """

    name: str
    sentences: int
    gold_events: int
    predicted_events: int
    measures: Mapping[str, Score]
    labels: LabelScore | None = None
    confusion: Confusion | None = None
    unmatched: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.name,
            "sentences": self.sentences,
            "gold_events": self.gold_events,
            "predicted_events": self.predicted_events,
            "unmatched_predictions": self.unmatched,
            "measures": {name: score.to_dict() for name, score in self.measures.items()},
            "labels": self.labels.to_dict() if self.labels else None,
            "confusion": self.confusion.to_dict() if self.confusion else None,
            "notes": list(self.notes),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def table(self) -> Table:
        """Precision, recall and F1 of each measure."""
        table = Table(
            title=f"{self.name}: {self.sentences} sentences, {self.gold_events} gold events, "
            f"{self.predicted_events} predicted",
            caption="P precision, R recall, F1: per cent; n/a where nothing was predicted or expected",
        )
        for column in ("measure", "sentences", "gold", "predicted", "correct", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "measure" else "right", no_wrap=True)
        for name, score in self.measures.items():
            table.add_row(
                name, str(score.sentences), str(score.tp + score.fn), str(score.tp + score.fp), str(score.tp),
                _percent(score.precision), _percent(score.recall), _percent(score.f1),
            )
        if self.labels is not None:
            micro = self.labels.micro
            table.add_row(
                "label micro", str(self.labels.sentences), str(self.labels.sentences), str(self.labels.labelled),
                str(self.labels.correct), _percent(micro.precision), _percent(micro.recall), _percent(micro.f1),
            )
            table.add_row("label macro", "", "", "", "", "", "", _percent(self.labels.macro_f1))
        return table

    def labels_table(self) -> Table | None:
        """Per-class scores of the sentence labels."""
        if self.labels is None:
            return None
        table = Table(title="sentence labels by class")
        for column in ("label", "gold", "predicted", "correct", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "label" else "right", no_wrap=True)
        for label, score in self.labels.per_class.items():
            table.add_row(
                label, str(score.tp + score.fn), str(score.tp + score.fp), str(score.tp),
                _percent(score.precision), _percent(score.recall), _percent(score.f1),
            )
        return table

    def __rich__(self) -> Group:
        parts: list[Any] = [self.table()]
        parts.extend(f"[yellow]note[/] {note}" for note in self.notes)
        return Group(*parts)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


# -- what each side says about a sentence -----------------------------------------------


def _kept(events: Iterable[Event], include_negated: bool) -> list[Event]:
    return [e for e in events if include_negated or not e.negated]


def _predicted_root(event: Event) -> str | None:
    return event.cameo_root or root_of(event.cameo_code)


def _predicted_quad(event: Event) -> int | None:
    return event.quad_class if event.quad_class is not None else quad_of(event.cameo_code, event.plover_type)


def _gold_items(measure: str, event: GoldEvent) -> Hashable | None:
    if measure == "root":
        return event.cameo_root
    if measure == "quad":
        return event.quad_class
    if measure == "plover":
        return event.plover_type
    dyad = (country(event.source_country), country(event.target_country))
    if measure == "dyad":
        return dyad
    return (*dyad, event.cameo_root) if event.cameo_root else None


def _predicted_items(measure: str, event: Event) -> Hashable | None:
    if measure == "root":
        return _predicted_root(event)
    if measure == "quad":
        return _predicted_quad(event)
    if measure == "plover":
        return plover_of(event.cameo_code, event.plover_type)
    dyad = (country(event.source_country), country(event.target_country))
    if measure == "dyad":
        return dyad
    root = _predicted_root(event)
    return (*dyad, root) if root else None


def _applies(measure: str, gold: Sequence[GoldSentence]) -> bool:
    events = [e for s in gold if s.events for e in s.events]
    if not events:
        # gold of sentences without events only: every predicted event is wrong, in CAMEO terms
        return measure != "plover" and any(s.events is not None for s in gold)
    if measure in ("root", "triple"):
        return any(e.cameo_code for e in events)
    if measure == "plover":
        return any(e.plover_type for e in events)
    if measure == "quad":
        return any(e.quad_class is not None for e in events)
    return any(s.events is not None for s in gold)


def score_events(
    measure: str,
    gold: Sequence[GoldSentence],
    predictions: Mapping[str, Sequence[Event]],
    *,
    include_negated: bool = False,
) -> Score | None:
    """Micro precision, recall and F1 of one event measure (``root``, ``quad``, ``triple``,
    ``dyad``, ``plover``); None when the gold gives nothing it needs.

    >>> gold = [GoldSentence("s1", "Russia hosted Taliban envoys.", events=(GoldEvent("RUS", "AFG", "043"),))]
    >>> event = Event("e1", "dyadwatch", None, cameo_code="042", source_country="RUS", target_country="AFG")
    >>> score_events("root", gold, {"s1": [event]}).f1, score_events("triple", gold, {"s1": [event]}).f1
    (1.0, 1.0)
    """
    if measure not in ("root", "quad", "triple", "dyad", "plover"):
        raise ValueError(f"measure must be one of root, quad, triple, dyad, plover. Got {measure!r} instead.")
    if not _applies(measure, gold):
        return None
    tp = fp = fn = sentences = 0
    for sent in gold:
        if sent.events is None:
            continue
        expected = [_gold_items(measure, e) for e in sent.events]
        if any(item is None for item in expected):
            continue  # the gold does not give this sentence what the measure needs
        found = {_predicted_items(measure, e) for e in _kept(predictions.get(sent.id, ()), include_negated)}
        found.discard(None)
        wanted = set(expected)
        sentences += 1
        tp += len(wanted & found)
        fp += len(found - wanted)
        fn += len(wanted - found)
    return Score(tp, fp, fn, sentences)


# -- spans --------------------------------------------------------------------------------

_SOURCE = frozenset({"source"})
_TARGET = frozenset({"target"})
_JOINT = _SOURCE | _TARGET


def _gold_spans(sent: GoldSentence) -> list[tuple[frozenset[str], Span]]:
    items: dict[Span, frozenset[str]] = {}
    for roles, spans in ((_SOURCE, sent.source_spans), (_TARGET, sent.target_spans), (_JOINT, sent.joint_spans)):
        for span in spans or ():
            items[span] = items.get(span, frozenset()) | roles
    return [(roles, span) for span, roles in items.items()]


def _predicted_spans(events: Iterable[Event]) -> list[tuple[frozenset[str], Span]]:
    items: dict[Span, frozenset[str]] = {}
    for event in events:
        for role in ("source", "target"):
            span = event.spans.get(role) if event.spans else None
            if span is not None:
                key = (int(span[0]), int(span[1]))
                items[key] = items.get(key, frozenset()) | {role}
    return [(roles, span) for span, roles in items.items()]


def score_spans(
    gold: Sequence[GoldSentence],
    predictions: Mapping[str, Sequence[Event]],
    *,
    match: str = "exact",
    include_negated: bool = False,
) -> Score | None:
    """Precision, recall and F1 of actor spans, for the sentences whose gold tags spans.

    A span carries its roles: source, target, or both (a joint actor in the gold; a span a
    coder uses as source of one event and target of another). Two spans match when their
    roles share one and, with ``match="exact"``, they cover the same characters, or with
    ``"overlap"``, they share at least one character. Matching is one to one, largest
    overlap first; but a gold joint span often covers both parties ("Jordan and Britain")
    where a coder tags each, so with ``"overlap"`` further predicted spans inside a matched
    joint span are not counted as false positives. Predicted spans are ``Event.spans["source"]``
    and ``["target"]``.
    """
    if match not in ("exact", "overlap"):
        raise ValueError(f"match must be 'exact' or 'overlap'. Got {match!r} instead.")
    tp = fp = fn = sentences = 0
    for sent in gold:
        if not sent.has_spans:
            continue
        sentences += 1
        expected = _gold_spans(sent)
        found = _predicted_spans(_kept(predictions.get(sent.id, ()), include_negated))
        pairs = []
        for g, (g_roles, (gs, ge)) in enumerate(expected):
            for p, (p_roles, (ps, pe)) in enumerate(found):
                if not g_roles & p_roles:
                    continue
                shared = min(ge, pe) - max(gs, ps)
                if (match == "exact" and (gs, ge) == (ps, pe)) or (match == "overlap" and shared > 0):
                    pairs.append((shared, g, p))
        pairs.sort(key=lambda item: (-item[0], item[1], item[2]))
        used_gold: set[int] = set()
        used_found: set[int] = set()
        for _, g, p in pairs:
            if g not in used_gold and p not in used_found:
                used_gold.add(g)
                used_found.add(p)
        absorbed = {
            p for _, g, p in pairs
            if match == "overlap" and p not in used_found and g in used_gold and expected[g][0] == _JOINT
        }
        tp += len(used_gold)
        fn += len(expected) - len(used_gold)
        fp += len(found) - len(used_found) - len(absorbed)
    if not sentences:
        return None
    return Score(tp, fp, fn, sentences)


# -- labels -------------------------------------------------------------------------------


def penta_label(events: Sequence[Event]) -> str | None:
    """A sentence's five-class label from its predicted events: the ``"penta"`` class
    (ConfliBERT's 0-4) of its most confident event with a CAMEO code, the first on a tie;
    None when it has none.

    >>> e = Event("e1", "dyadwatch", None, cameo_code="190", confidence=0.9)
    >>> penta_label([Event("e0", "dyadwatch", None, cameo_code="010", confidence=0.4), e])
    '4'
    """
    coded = [e for e in events if e.cameo_code and ontology.is_cameo(e.cameo_code)]
    if not coded:
        return None
    best = max(coded, key=lambda e: e.confidence if e.confidence is not None else 0.0)
    return str(ontology.quad_class(best.cameo_code or "", "penta"))


def score_labels(
    gold: Sequence[GoldSentence],
    predictions: Mapping[str, Sequence[Event]],
    *,
    label_of: Callable[[Sequence[Event]], str | None] = penta_label,
    include_negated: bool = False,
) -> LabelScore | None:
    """Per-class, macro and micro scores of sentence labels; None when the gold has none.

    ``label_of`` turns a sentence's predicted events into a label (default
    :func:`penta_label`); None means the coder found no event there.
    """
    pairs = [
        (sent.label, label_of(_kept(predictions.get(sent.id, ()), include_negated)))
        for sent in gold
        if sent.label is not None
    ]
    if not pairs:
        return None
    classes = sorted({g for g, _ in pairs} | {p for _, p in pairs if p is not None})
    per_class = {}
    for label in classes:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(p == label and g != label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        per_class[label] = Score(tp, fp, fn, len(pairs))
    correct = sum(g == p for g, p in pairs)
    labelled = sum(p is not None for _, p in pairs)
    return LabelScore(per_class, len(pairs), correct, labelled)


# -- confusion ----------------------------------------------------------------------------


def confusion_matrix(
    gold: Sequence[GoldSentence],
    predictions: Mapping[str, Sequence[Event]],
    *,
    include_negated: bool = False,
) -> Confusion | None:
    """The confusion matrix of CAMEO roots, gold by predicted, with ``"none"``; None when the
    gold has no CAMEO codes. See :class:`Confusion` for how events are paired."""
    if not _applies("root", gold):
        return None
    counts: Counter[tuple[str, str]] = Counter()
    for sent in gold:
        if sent.events is None or any(e.cameo_root is None for e in sent.events):
            continue
        found = _kept(predictions.get(sent.id, ()), include_negated)
        gold_roots = {e.cameo_root for e in sent.events if e.cameo_root}
        found_roots = {r for r in map(_predicted_root, found) if r}
        if not gold_roots and not found_roots:
            counts[(NONE, NONE)] += 1
            continue
        for root in gold_roots & found_roots:
            counts[(root, root)] += 1
        missed = sorted(gold_roots - found_roots)
        extra = sorted(found_roots - gold_roots)
        gold_dyads = {
            r: {(country(e.source_country), country(e.target_country)) for e in sent.events if e.cameo_root == r}
            for r in missed
        }
        found_dyads = {
            r: {(country(e.source_country), country(e.target_country)) for e in found if _predicted_root(e) == r}
            for r in extra
        }
        for root in list(missed):
            partner = next((p for p in extra if gold_dyads[root] & found_dyads[p]), None)
            if partner is not None:
                counts[(root, partner)] += 1
                missed.remove(root)
                extra.remove(partner)
        for root, partner in zip(missed, extra, strict=False):
            counts[(root, partner)] += 1
        for root in missed[len(extra):]:
            counts[(root, NONE)] += 1
        for partner in extra[len(missed):]:
            counts[(NONE, partner)] += 1
    roots = ({g for g, _ in counts} | {p for _, p in counts}) - {NONE}
    return Confusion((*sorted(roots), NONE), dict(counts))


# -- all together -------------------------------------------------------------------------


def _as_mapping(predictions: PredictionsLike, gold: Sequence[GoldSentence]) -> tuple[Mapping[str, Sequence[Event]], int]:
    if isinstance(predictions, Predictions):
        return predictions.events, predictions.unmatched
    if isinstance(predictions, pd.DataFrame):
        found = predictions_from_frame(predictions, gold)
        return found.events, found.unmatched
    return predictions, 0


def evaluate(
    gold: Sequence[GoldSentence],
    predictions: PredictionsLike,
    *,
    name: str = "gold",
    include_negated: bool = False,
    label_of: Callable[[Sequence[Event]], str | None] = penta_label,
) -> Evaluation:
    """Score predictions against gold sentences on every measure that applies.

    ``predictions``: events by gold sentence id (a mapping, or :class:`Predictions` from one of
    the readers), or a data frame of the event table (tied to the gold by a ``sentence_id``
    column or the ``sentence`` text). Raises ``[E408]`` if two gold sentences share an id.

    >>> gold = [GoldSentence("s1", "Russia hosted Taliban envoys.", events=(GoldEvent("RUS", "AFG", "043"),)),
    ...         GoldSentence("s2", "Talks went on.", events=())]
    >>> found = {"s1": [Event("e1", "dyadwatch", None, cameo_code="043", source_country="RUS", target_country="AFG")],
    ...          "s2": [Event("e2", "dyadwatch", None, cameo_code="040", source_country="RUS")]}
    >>> result = evaluate(gold, found)
    >>> result.measures["root"].precision, result.measures["root"].recall
    (0.5, 1.0)
    """
    seen: dict[str, int] = {}
    for i, sent in enumerate(gold):
        if sent.id in seen:
            first = gold[seen[sent.id]]
            raise GoldFormatError(
                Errors.E408, id=sent.id,
                detail=f"{first.meta.get('file', first.origin)} and {sent.meta.get('file', sent.origin)}",
            )
        seen[sent.id] = i
    mapping, unmatched = _as_mapping(predictions, gold)
    measures: dict[str, Score] = {}
    for measure in ("root", "quad", "triple", "dyad", "plover"):
        score = score_events(measure, gold, mapping, include_negated=include_negated)
        if score is not None:
            measures[measure] = score
    for match in ("exact", "overlap"):
        score = score_spans(gold, mapping, match=match, include_negated=include_negated)
        if score is not None:
            measures[f"spans_{match}"] = score
    gold_ids = set(seen)
    predicted = sum(len(_kept(events, include_negated)) for key, events in mapping.items() if key in gold_ids)
    notes = []
    if unmatched:
        notes.append(f"{unmatched} predicted events matched no gold sentence (by sentence_id or text)")
    if not measures and all(s.label is None for s in gold):
        notes.append("the gold gives no events, spans or labels to score")
    return Evaluation(
        name=name,
        sentences=len(gold),
        gold_events=sum(len(s.events or ()) for s in gold),
        predicted_events=predicted,
        measures=measures,
        labels=score_labels(gold, mapping, label_of=label_of, include_negated=include_negated),
        confusion=confusion_matrix(gold, mapping, include_negated=include_negated),
        unmatched=unmatched,
        notes=tuple(notes),
    )
