"""Verdicts: a clear rise is supported, no change is not, sparse data is inconclusive with a reason."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dyadwatch.study.spec import StudySpec
from dyadwatch.study.verdicts import Series, evaluate, first_post_index, verdict_of

SPEC = StudySpec.from_dict({
    "title": "synthetic",
    "period": {"start": dt.date(2019, 1, 1), "end": dt.date(2022, 12, 31), "unit": "month"},
    "dyads": [{"name": "A-B", "source": "RUS", "target": "AFG"}, {"name": "C-B", "source": "CHN", "target": "AFG"}],
    "interventions": [{"name": "shock", "date": dt.date(2021, 1, 1)}],
    "measures": {"use": ["cooperation", "goldstein_mean", "recognition"],
                 "define": {"recognition": {"cameo": ["054"]}}},
    "hypotheses": [
        {"id": "H1", "statement": "rises", "measure": "cooperation", "dyad": "A-B", "intervention": "shock",
         "expected": "increase", "comparison_dyads": ["C-B"], "placebo_dates": [dt.date(2020, 1, 1)]},
        {"id": "H2", "statement": "mean rises", "measure": "goldstein_mean", "dyad": "A-B", "intervention": "shock",
         "expected": "increase"},
        {"id": "H3", "statement": "more than", "measure": "cooperation", "versus": "recognition", "dyad": "A-B",
         "intervention": "shock", "expected": "increase"},
        {"id": "H4", "statement": "exceeds", "measure": "cooperation", "versus": "recognition", "dyad": "A-B",
         "expected": "increase"},
    ],
}, where="synthetic", check_actors=False)
PERIODS = SPEC.periods()
T0 = 24  # January 2021


def series(values: np.ndarray, measure: str = "cooperation", dyad: str = "A-B", events: np.ndarray | None = None) -> Series:
    return Series(periods=PERIODS, values=values.astype("float64"),
                  n_events=(values if events is None else events).astype("float64"),
                  measure=SPEC.measure(measure), dyad=dyad)


def counts(pre: float, post: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rate = np.r_[np.full(T0, pre), np.full(len(PERIODS) - T0, post)]
    return rng.poisson(rate).astype("float64")


def hypothesis(hid: str):  # type: ignore[no-untyped-def]
    return next(h for h in SPEC.hypotheses if h.id == hid)


def test_first_post_period_follows_the_half_period_rule() -> None:
    assert first_post_index(PERIODS, dt.date(2021, 1, 1)) == T0
    assert first_post_index(PERIODS, dt.date(2021, 1, 20)) == T0 + 1


def test_verdict_rules() -> None:
    assert verdict_of("decrease", (-3.0, -1.0), 0.0)[0] == "supported"
    assert verdict_of("decrease", (1.0, 3.0), 0.0) == ("not supported", "the interval lies above no change (0): the measure rose")
    assert verdict_of("change", (0.5, 0.9), 1.0)[0] == "supported"
    assert verdict_of("increase", (float("nan"), 2.0), 1.0)[0] == "inconclusive"


def test_a_clear_rise_in_counts_is_supported_with_fit_comparison_and_placebo() -> None:
    record = evaluate(hypothesis("H1"), SPEC, series(counts(3, 9, 1)),
                      comparisons=[series(counts(3, 3, 2), dyad="C-B")])
    assert record["method"] == "CountITS" and record["verdict"] == "supported", record["reason"]
    assert 2.0 < record["estimate"] < 5.0 and record["ci"][0] > 1.0
    assert record["p_value"] < 0.01
    assert len(record["fit"]["counterfactual"]) == len(PERIODS)
    assert record["comparison"]["dyad"] == "C-B" and record["comparison"]["estimate"] > 3
    assert record["placebo"] and record["placebo"][0]["date"] == "2020-01-01"
    assert record["sentence"].startswith("H1 supported: after shock (2021-01-01), A-B 'cooperation'")
    assert "times its pre-trend" in record["sentence"]
    assert len(record["assumptions"]) > 1  # the counting rule and the method's own


def test_no_change_is_not_supported() -> None:
    record = evaluate(hypothesis("H1"), SPEC, series(counts(6, 6, 3)))
    assert record["verdict"] == "not supported", record["reason"]
    assert record["ci"][0] < 1.0 < record["ci"][1]


def test_a_fall_is_not_supported_for_an_expected_increase() -> None:
    record = evaluate(hypothesis("H1"), SPEC, series(counts(10, 2, 4)))
    assert record["verdict"] == "not supported" and "fell" in record["reason"]


def test_continuous_measures_use_segmented_regression() -> None:
    rng = np.random.default_rng(5)
    y = np.r_[np.full(T0, 1.0), np.full(len(PERIODS) - T0, 3.0)] + rng.normal(0, 0.3, len(PERIODS))
    record = evaluate(hypothesis("H2"), SPEC, series(y, "goldstein_mean", events=np.full(len(PERIODS), 5.0)))
    assert record["method"] == "SegmentedRegression" and record["verdict"] == "supported"
    assert record["estimate"] == pytest.approx(2.0, abs=0.6)


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        (np.zeros(len(PERIODS)), "has no events in the study period"),
        (np.r_[np.zeros(T0), np.ones(len(PERIODS) - T0)] * (np.arange(len(PERIODS)) % 5 == 0), "only"),
    ],
)
def test_sparse_data_is_inconclusive_with_the_reason(values: np.ndarray, needle: str) -> None:
    record = evaluate(hypothesis("H1"), SPEC, series(values))
    assert record["verdict"] == "inconclusive"
    assert needle in record["reason"] and record["estimate"] is None and record["ci"] is None
    assert record["sentence"].startswith("H1 inconclusive: A-B 'cooperation'") and record["reason"] in record["sentence"]


def test_a_period_too_short_for_the_method_is_inconclusive() -> None:
    short = StudySpec.from_dict({
        "title": "short", "period": {"start": dt.date(2021, 1, 1), "end": dt.date(2021, 6, 30), "unit": "month"},
        "dyads": [{"name": "A-B", "source": "RUS", "target": "AFG"}],
        "interventions": [{"name": "shock", "date": dt.date(2021, 3, 1)}],
        "measures": {"use": ["cooperation"], "min_events": 5},
        "hypotheses": [{"id": "H1", "statement": "s", "measure": "cooperation", "dyad": "A-B",
                        "intervention": "shock", "expected": "increase"}],
    }, check_actors=False)
    values = np.array([5.0, 6, 4, 9, 10, 12])
    record = evaluate(short.hypotheses[0], short, Series(short.periods(), values, values, short.measure("cooperation"), "A-B"))
    assert record["verdict"] == "inconclusive" and "before the intervention" in record["reason"]


def test_versus_with_an_intervention_is_a_difference_in_differences() -> None:
    base = counts(3, 3, 7)
    record = evaluate(hypothesis("H3"), SPEC, series(counts(3, 10, 6)), versus=series(base, "recognition"))
    assert record["method"] == "DifferenceInDifferences" and record["verdict"] == "supported", record["reason"]
    assert record["estimate"] > 4


def test_versus_without_an_intervention_compares_levels() -> None:
    record = evaluate(hypothesis("H4"), SPEC, series(counts(8, 8, 8)), versus=series(counts(3, 3, 9), "recognition"))
    assert record["method"] == "PairedDifference" and record["verdict"] == "supported"
    assert record["estimate"] == pytest.approx(5.0, abs=1.5)
