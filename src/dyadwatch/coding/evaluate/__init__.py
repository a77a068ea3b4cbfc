"""Gold data and scoring: how well a coder's events match what people (or a reference) coded.

Readers turn each gold format into one record, :class:`GoldSentence` (the sentence, its
expected :class:`GoldEvent` list, its tagged actor spans, its label):

- :func:`read_jsonl_gold` — dyadwatch's own JSONL format (``GOLD_FORMAT.md`` beside this file);
- :func:`read_petrarch_xml` — PETRARCH validation records (``PETR.UnitTest.records.xml``,
  ``PETR2_GSR_validation.xml``);
- :func:`read_plover_gold` — the PLOVER gold-standard records (``PLOVER_GSR_CAMEO.txt``);
- :func:`read_conflibert` — ConfliBERT's five-class sentences and source/target tags;
- :func:`gold_from_corrections` — the corrections a user made in the store;
- :func:`read_gold` — any of the files above, the format told or found out.

Predictions are events by gold sentence id (:class:`Predictions`): from a JSONL file of event
records (:func:`read_predictions`), a data frame, the store (:func:`predictions_from_store`) or
a coder run on the gold sentences (:func:`load_coder`, :func:`predictions_from_coder`).
:func:`evaluate` scores them: precision, recall and F1 of CAMEO roots, quad classes,
(source country, target country, root) triples, dyads, PLOVER types and actor spans; macro
and micro F1 of sentence labels; a confusion matrix of roots.

>>> from dyadwatch.records import Event
>>> gold = [GoldSentence("s1", "Russia hosted Taliban envoys in Moscow.", events=(GoldEvent("RUS", "AFG", "043"),))]
>>> found = {"s1": [Event("e1", "dyadwatch", None, cameo_code="042", source_country="RUS", target_country="AFG")]}
>>> result = evaluate(gold, found, name="example")
>>> result.measures["root"].f1, result.measures["quad"].f1, result.measures["triple"].f1
(1.0, 1.0, 1.0)
>>> result.to_dict()["measures"]["dyad"]["precision"]
1.0
"""

from __future__ import annotations

from dyadwatch.coding.evaluate._conflibert import CONFLIBERT_LABELS, read_conflibert
from dyadwatch.coding.evaluate._corrections import CORRECTION_ACTIONS, gold_from_corrections
from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    Span,
    split_actor_code,
)
from dyadwatch.coding.evaluate._jsonl import read_jsonl_gold
from dyadwatch.coding.evaluate._petrarch import read_petrarch_xml
from dyadwatch.coding.evaluate._plover import PLOVER_2016_TYPES, read_plover_gold
from dyadwatch.coding.evaluate._predictions import (
    CoderFunction,
    Predictions,
    event_from_record,
    load_coder,
    match_predictions,
    predictions_from_coder,
    predictions_from_frame,
    predictions_from_store,
    read_prediction_records,
    read_predictions,
)
from dyadwatch.coding.evaluate._read import GOLD_FORMATS, detect_format, read_gold
from dyadwatch.coding.evaluate._score import (
    MEASURES,
    NONE,
    Confusion,
    Evaluation,
    LabelScore,
    Score,
    confusion_matrix,
    evaluate,
    penta_label,
    score_events,
    score_labels,
    score_spans,
)

__all__ = [
    "CONFLIBERT_LABELS",
    "CORRECTION_ACTIONS",
    "GOLD_FORMATS",
    "MEASURES",
    "NONE",
    "PLOVER_2016_TYPES",
    "CoderFunction",
    "Confusion",
    "Evaluation",
    "GoldEvent",
    "GoldFormatError",
    "GoldSentence",
    "LabelScore",
    "Predictions",
    "Score",
    "Span",
    "confusion_matrix",
    "detect_format",
    "evaluate",
    "event_from_record",
    "gold_from_corrections",
    "load_coder",
    "match_predictions",
    "penta_label",
    "predictions_from_coder",
    "predictions_from_frame",
    "predictions_from_store",
    "read_conflibert",
    "read_gold",
    "read_jsonl_gold",
    "read_petrarch_xml",
    "read_plover_gold",
    "read_prediction_records",
    "read_predictions",
    "score_events",
    "score_labels",
    "score_spans",
    "split_actor_code",
]
