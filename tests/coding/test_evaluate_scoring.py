"""Scoring against gold: every measure on examples whose precision, recall and F1 were
counted by hand, span matching, labels, the confusion matrix, and the predictions readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dyadwatch.coding.evaluate import (
    NONE,
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    Predictions,
    Score,
    confusion_matrix,
    evaluate,
    event_from_record,
    penta_label,
    predictions_from_frame,
    read_jsonl_gold,
    read_predictions,
    score_events,
    score_labels,
    score_spans,
)
from dyadwatch.records import Event

FIXTURES = Path(__file__).parent / "fixtures"


def event(code: str | None = None, source: str | None = None, target: str | None = None, **fields: Any) -> Event:
    return Event(f"e-{code}-{source}-{target}-{len(fields)}", "dyadwatch", None, cameo_code=code,
                 source_country=source, target_country=target, **fields)


def close(value: float | None, expected: float) -> bool:
    return value is not None and abs(value - expected) < 1e-9


# --------------------------------------------------------------------------- Score


def test_score_arithmetic() -> None:
    score = Score(tp=2, fp=2, fn=3)
    assert score.precision == 0.5 and score.recall == 0.4
    assert close(score.f1, 2 * 0.5 * 0.4 / (0.5 + 0.4))  # 4/9
    nothing_predicted = Score(tp=0, fp=0, fn=4)
    assert nothing_predicted.precision is None and nothing_predicted.recall == 0.0 and nothing_predicted.f1 == 0.0
    nothing_at_all = Score(0, 0, 0)
    assert nothing_at_all.precision is None and nothing_at_all.recall is None and nothing_at_all.f1 is None
    assert Score(1, 0, 0, 1).to_dict() == {
        "sentences": 1, "tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0,
    }


# --------------------------------------------------------------------------- the hand-counted example


@pytest.fixture
def gold() -> list[GoldSentence]:
    return read_jsonl_gold(FIXTURES / "gold_small.jsonl")


@pytest.fixture
def found(gold: list[GoldSentence]) -> Predictions:
    return read_predictions(FIXTURES / "predictions_small.jsonl", gold)


def test_predictions_file_is_tied_to_the_gold(found: Predictions) -> None:
    assert sorted(found.events) == ["afg-none-04", "afg-pak-02", "kaz-uzb-03", "rus-afg-01", "un-afg-05"]
    assert [e.event_id for e in found.events["afg-pak-02"]] == ["p2"]  # by its text: no sentence_id
    assert found.unmatched == 1  # p6: a sentence the gold does not hold
    assert found.events["rus-afg-01"][0].spans == {"source": (0, 38), "target": (46, 66)}


def test_hand_counted_example(gold: list[GoldSentence], found: Predictions) -> None:
    """Gold (gold_small.jsonl) against predictions (predictions_small.jsonl), counted by hand.

    sentence      gold (root; triple)                      predicted (p5 is negated: left out)
    rus-afg-01    04; RUS>AFG 04                            04; RUS>AFG 04             spans S, T exact
    afg-pak-02    11; AFG>PAK 11                            12; AFG>PAK 12             S [4,11] in [0,11]; T exact
    kaz-uzb-03    05; KAZ>UZB 05, UZB>KAZ 05                05; KAZ>UZB 05             S, T inside joint [0,25]
    afg-none-04   none                                      01; AFG>- 01               no spans either side
    un-afg-05     02; IGO>AFG 02 (PLOVER REQUEST)           nothing                    not tagged
    6             events unknown, label "1"                 nothing
    """
    result = evaluate(gold, found, name="small")
    m = result.measures
    assert list(m) == ["root", "quad", "triple", "dyad", "plover", "spans_exact", "spans_overlap"]
    # root: tp 04, 05; fp 12, 01; fn 11, 02 -> P 2/4, R 2/4, F1 0.5
    assert (m["root"].tp, m["root"].fp, m["root"].fn, m["root"].sentences) == (2, 2, 2, 5)
    assert m["root"].precision == 0.5 and m["root"].recall == 0.5 and m["root"].f1 == 0.5
    # quad: 11 and 12 are both verbal conflict (3): tp 1, 3, 1; fp 1 (afg-none); fn 1 (un) -> 3/4, 3/4
    assert (m["quad"].tp, m["quad"].fp, m["quad"].fn) == (3, 1, 1)
    assert m["quad"].precision == 0.75 and m["quad"].recall == 0.75 and m["quad"].f1 == 0.75
    # triple: tp 2 (RUS>AFG 04, KAZ>UZB 05); fp 2 (AFG>PAK 12, AFG>- 01); fn 3 -> P 0.5, R 0.4, F1 4/9
    assert (m["triple"].tp, m["triple"].fp, m["triple"].fn) == (2, 2, 3)
    assert m["triple"].precision == 0.5 and m["triple"].recall == 0.4 and close(m["triple"].f1, 4 / 9)
    # dyad: tp 3 (RUS>AFG, AFG>PAK, KAZ>UZB); fp 1 (AFG>-); fn 2 (UZB>KAZ, IGO>AFG) -> 3/4, 3/5, 2/3
    assert (m["dyad"].tp, m["dyad"].fp, m["dyad"].fn) == (3, 1, 2)
    assert close(m["dyad"].f1, 2 * 0.75 * 0.6 / 1.35)
    # plover: only afg-none-04 and un-afg-05 have PLOVER gold; 010 has no PLOVER type -> fn 1
    assert (m["plover"].tp, m["plover"].fp, m["plover"].fn, m["plover"].sentences) == (0, 0, 1, 2)
    assert m["plover"].precision is None and m["plover"].recall == 0.0
    # spans exact: tp 3 (S, T of rus-afg; T of afg-pak); fp 3; fn 2 (S of afg-pak, the joint span)
    assert (m["spans_exact"].tp, m["spans_exact"].fp, m["spans_exact"].fn, m["spans_exact"].sentences) == (3, 3, 2, 4)
    assert m["spans_exact"].precision == 0.5 and m["spans_exact"].recall == 0.6 and close(m["spans_exact"].f1, 6 / 11)
    # spans overlap: all five gold spans found; the second party inside the joint span is absorbed
    assert (m["spans_overlap"].tp, m["spans_overlap"].fp, m["spans_overlap"].fn) == (5, 0, 0)
    # labels: sentence 6 has label 1 and no prediction -> accuracy 0, micro P undefined, R 0
    labels = result.labels
    assert labels is not None and (labels.sentences, labels.correct, labels.labelled) == (1, 0, 0)
    assert labels.accuracy == 0.0 and labels.micro.precision is None and labels.micro.recall == 0.0 and labels.macro_f1 == 0.0
    assert (result.sentences, result.gold_events, result.predicted_events, result.unmatched) == (6, 5, 4, 1)
    assert result.notes == ("1 predicted events matched no gold sentence (by sentence_id or text)",)


def test_confusion_matrix_of_the_example(gold: list[GoldSentence], found: Predictions) -> None:
    matrix = confusion_matrix(gold, found.events)
    assert matrix is not None
    assert matrix.labels == ("01", "02", "04", "05", "11", "12", NONE)
    assert dict(matrix.counts) == {("04", "04"): 1, ("11", "12"): 1, ("05", "05"): 1, (NONE, "01"): 1, ("02", NONE): 1}
    rows = matrix.matrix()
    assert rows[matrix.labels.index("11")][matrix.labels.index("12")] == 1
    assert sum(map(sum, rows)) == 5
    # the diagonal is the root measure's tp; gold rows (not none) add up to tp + fn
    diagonal = sum(rows[i][i] for i in range(len(matrix.labels) - 1))
    gold_roots = sum(sum(row) for label, row in zip(matrix.labels, rows, strict=True) if label != NONE)
    assert (diagonal, gold_roots) == (2, 4)


def test_confusion_pairs_by_dyad_and_counts_empty_sentences() -> None:
    gold = [
        GoldSentence("a", "x", events=(GoldEvent("RUS", "AFG", "043"), GoldEvent("AFG", "PAK", "112"))),
        GoldSentence("b", "y", events=()),
    ]
    predicted = {"a": [event("173", "AFG", "PAK"), event("051", "RUS", "AFG")]}
    matrix = confusion_matrix(gold, predicted)
    assert matrix is not None
    # 04 goes with 05 (both RUS>AFG), 11 with 17 (both AFG>PAK), not in code order; b is none/none
    assert dict(matrix.counts) == {("04", "05"): 1, ("11", "17"): 1, (NONE, NONE): 1}
    assert confusion_matrix([GoldSentence("c", "z", events=(GoldEvent("RUS", "AFG", None, plover_type="AID"),))], {}) is None


def test_confusion_table_renders() -> None:
    gold = [GoldSentence("a", "x", events=(GoldEvent("RUS", "AFG", "043"),))]
    matrix = confusion_matrix(gold, {"a": [event("043", "RUS", "AFG")]})
    assert matrix is not None
    table = matrix.table()
    assert [column.header for column in table.columns] == ["gold \\ pred", "04", NONE]


# --------------------------------------------------------------------------- measures one by one


def test_measures_skip_what_the_gold_does_not_say() -> None:
    gold = [
        GoldSentence("coded", "Russia hosted envoys.", events=(GoldEvent("RUS", "AFG", "043"),)),
        GoldSentence("unknown", "Iran and Russia held talks.", events=None, label="1"),
    ]
    predicted = {"unknown": [event("040", "IRN", "RUS")]}
    root = score_events("root", gold, predicted)
    assert root is not None and (root.tp, root.fp, root.fn, root.sentences) == (0, 0, 1, 1)
    assert score_events("plover", gold, predicted) is None  # no PLOVER types in this gold
    assert score_spans(gold, predicted) is None  # no tagged spans either
    with pytest.raises(ValueError, match="measure must be one of"):
        score_events("goldstein", gold, predicted)


def test_countries_compare_after_normalising() -> None:
    gold = [GoldSentence("s", "Bucharest and Tokyo signed a deal.", events=(GoldEvent("ROU", "JPN", "057"),))]
    predicted = {"s": [event("057", "rom", "JAP")]}
    triple = score_events("triple", gold, predicted)
    assert triple is not None and triple.tp == 1 and triple.fp == 0


def test_negated_events_are_left_out_unless_asked() -> None:
    gold = [GoldSentence("s", "Kabul denied attacking the post.", events=())]
    predicted = {"s": [event("190", "AFG", "PAK", negated=True)]}
    assert evaluate(gold, predicted).measures["root"].fp == 0
    assert evaluate(gold, predicted, include_negated=True).measures["root"].fp == 1


def test_plover_predictions_from_cameo_codes() -> None:
    gold = [GoldSentence("s", "Taliban fighters shelled Afghan army posts.",
                         events=(GoldEvent("AFG", "AFG", None, plover_type="ASSAULT"),))]
    result = evaluate(gold, {"s": [event("194", "AFG", "AFG")]})
    assert result.measures["plover"].tp == 1 and result.measures["quad"].tp == 1
    assert "root" not in result.measures and "triple" not in result.measures and result.confusion is None


def test_span_matching_exact_overlap_and_roles() -> None:
    text = "Jordan and Britain held talks with Iraq in Amman."
    gold = [GoldSentence("s", text, events=(), source_spans=(), target_spans=((35, 39),), joint_spans=((0, 18),))]
    predicted = {"s": [
        event(spans={"source": (0, 6), "target": (35, 39)}),  # Jordan: source; Iraq: target (exact)
        event(spans={"source": (11, 18), "target": (0, 6)}),  # Britain source; Jordan also target -> joint
    ]}
    exact = score_spans(gold, predicted, match="exact")
    assert exact is not None and (exact.tp, exact.fp, exact.fn) == (1, 2, 1)
    overlap = score_spans(gold, predicted, match="overlap")
    assert overlap is not None and (overlap.tp, overlap.fp, overlap.fn) == (2, 0, 0)
    # a target span where the gold has a source only: roles do not meet
    wrong_role = [GoldSentence("t", text, events=(), source_spans=((35, 39),), target_spans=(), joint_spans=())]
    score = score_spans(wrong_role, {"t": [event(spans={"target": (35, 39)})]})
    assert score is not None and (score.tp, score.fp, score.fn) == (0, 1, 1)
    with pytest.raises(ValueError, match="'exact' or 'overlap'"):
        score_spans(gold, predicted, match="fuzzy")


def test_labels_macro_and_micro_by_hand() -> None:
    """Gold 0 1 1 3 4, predicted 0 1 3 3 (none). Per class:
    0: tp1 fp0 fn0 F1 1;  1: tp1 fp0 fn1 F1 2/3;  3: tp1 fp1 fn0 F1 2/3;  4: tp0 fp0 fn1 F1 0.
    macro F1 = (1 + 2/3 + 2/3 + 0) / 4 = 7/12; micro: tp3 fp1 fn2 -> P 3/4, R 3/5, F1 2/3.
    """
    codes = {"0": "010", "1": "040", "3": "111"}
    gold_labels = ["0", "1", "1", "3", "4"]
    predicted_labels = ["0", "1", "3", "3", None]
    gold = [GoldSentence(f"s{i}", f"sentence {i}", label=label) for i, label in enumerate(gold_labels)]
    predicted = {f"s{i}": [event(codes[label])] for i, label in enumerate(predicted_labels) if label}
    labels = score_labels(gold, predicted)
    assert labels is not None
    assert list(labels.per_class) == ["0", "1", "3", "4"]
    assert close(labels.per_class["1"].f1, 2 / 3) and labels.per_class["4"].f1 == 0.0
    assert close(labels.macro_f1, 7 / 12)
    micro = labels.micro
    assert (micro.tp, micro.fp, micro.fn) == (3, 1, 2)
    assert micro.precision == 0.75 and micro.recall == 0.6 and close(micro.f1, 2 / 3)
    assert labels.accuracy == 0.6
    assert score_labels([GoldSentence("x", "y", events=())], predicted) is None


def test_penta_label_takes_the_most_confident_event() -> None:
    assert penta_label([]) is None
    assert penta_label([event(None, plover_type="ASSAULT")]) is None
    assert penta_label([event("010"), event("190")]) == "0"  # no confidences: the first
    assert penta_label([event("010", confidence=0.2), event("061", confidence=0.8)]) == "2"


# --------------------------------------------------------------------------- evaluate()


def test_evaluate_takes_a_data_frame_of_the_event_table(gold: list[GoldSentence]) -> None:
    frame = pd.DataFrame([
        {"event_id": "f1", "origin": "dyadwatch", "sentence_id": "rus-afg-01", "cameo_code": 43,
         "source_country": "RUS", "target_country": "AFG", "date": pd.Timestamp("2021-10-20"),
         "quad_class": 1.0, "negated": False, "spans": json.dumps({"source": [0, 38]})},
        {"event_id": "f2", "origin": "dyadwatch", "sentence_id": None,
         "sentence": "Markets in Kabul  reopened after the Eid holiday.", "cameo_code": "010",
         "source_country": "AFG", "target_country": float("nan"), "date": pd.NaT, "quad_class": float("nan"),
         "negated": False, "spans": None},
    ])
    result = evaluate(gold, frame)
    assert result.measures["root"].tp == 1 and result.measures["root"].fp == 1  # 43 read as "043"
    assert result.predicted_events == 2 and result.unmatched == 0
    found = predictions_from_frame(frame, gold)
    assert found.events["rus-afg-01"][0].date is not None and found.events["afg-none-04"][0].target_country is None


def test_evaluate_renders_and_dumps(gold: list[GoldSentence], found: Predictions) -> None:
    from rich.console import Console

    result = evaluate(gold, found, name="small")
    console = Console(width=120, record=True)
    console.print(result)
    labels_table = result.labels_table()
    assert labels_table is not None
    console.print(labels_table)
    text = console.export_text()
    assert "small: 6 sentences" in text and "spans_overlap" in text and "label macro" in text
    assert "matched no gold sentence" in text
    data = json.loads(result.to_json())
    assert data["measures"]["root"] == {"sentences": 5, "tp": 2, "fp": 2, "fn": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert data["confusion"]["labels"][-1] == NONE and data["labels"]["accuracy"] == 0.0


def test_duplicate_gold_ids_are_an_error() -> None:
    gold = [GoldSentence("s1", "a", events=()), GoldSentence("s1", "b", events=())]
    with pytest.raises(GoldFormatError) as excinfo:
        evaluate(gold, {})
    assert excinfo.value.code == "E408" and "'s1'" in str(excinfo.value)


def test_text_match_sends_an_event_to_every_sentence_with_that_text() -> None:
    gold = [
        GoldSentence("a", "Kabul protested.", events=(GoldEvent("AFG", None, "130"),)),
        GoldSentence("b", "Kabul  protested.", events=(GoldEvent("AFG", None, "130"),)),
    ]
    result = evaluate(gold, predictions_from_frame(pd.DataFrame([{"sentence": "Kabul protested.", "cameo_code": "130",
                                                                  "source_country": "AFG"}]), gold))
    assert result.measures["triple"].tp == 2


# --------------------------------------------------------------------------- predictions files


@pytest.mark.parametrize(
    ("bad_line", "words"),
    [
        ('{"event_id": "x", "cameo_code": "043"}', "neither 'sentence_id' nor 'sentence'"),
        ('{"sentence_id": "a", "cameo_code": "043"', "not valid JSON"),
        ('["a", "043"]', "JSON object"),
        ('{"sentence_id": "a", "cameo_code": 999}', "Unknown CAMEO code '999'"),
        ('{"sentence_id": "a", "cameo_root": 10.5}', "Unknown CAMEO code '10.5'"),
        ('{"sentence_id": "a", "cameo_code": "043", "date": "yesterday"}', "'date' must be"),
        ('{"sentence_id": "a", "cameo_code": "043", "spans": {"source": [1]}}', "must be [start, end]"),
    ],
)
def test_bad_predictions_line_names_the_line(tmp_path: Path, bad_line: str, words: str) -> None:
    path = tmp_path / "predicted.jsonl"
    path.write_text('{"sentence_id": "a", "cameo_code": "043"}\n' + bad_line + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError) as excinfo:
        read_predictions(path, [])
    assert excinfo.value.code == "E405"
    assert str(excinfo.value).startswith(f"[E405] {path}: Predictions line 2: ")
    assert words in str(excinfo.value)


def test_event_from_record_fills_defaults_and_types() -> None:
    made = event_from_record({"cameo_code": 331, "quad_class": "1", "negated": "false", "goldstein": "3.4",
                              "sentence_idx": 2.0, "unknown": "kept out", "spans": {"source": [0, 6], "target": None}})
    assert made.event_id == "prediction" and made.origin == "dyadwatch"
    assert made.cameo_code == "0331" and made.quad_class == 1 and made.negated is False
    assert made.goldstein == 3.4 and made.sentence_idx == 2 and made.spans == {"source": (0, 6)}

