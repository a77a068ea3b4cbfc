"""Placebo rank tests and moving-block bootstrap intervals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dyadwatch.study.methods import (
    ChangePoints,
    CountITS,
    DifferenceInDifferences,
    PlaceboTest,
    SegmentedRegression,
    StudyMethodError,
    bootstrap_ci,
)

from ._series import negbin_counts, segmented


def test_placebo_p_value_is_small_for_a_real_break() -> None:
    small = 0
    for seed in range(5):
        test = PlaceboTest(SegmentedRegression()).fit(segmented(seed, level=3.0), 40)
        small += test.p_value_ is not None and test.p_value_ <= 0.05
        # every index leaving three pre-intervention periods on each side
        assert test.placebo_indices_ == list(range(3, 38))
        assert len(test.placebo_estimates_) == 35
    assert small >= 4


def test_placebo_p_value_is_not_small_without_an_effect() -> None:
    ps = [PlaceboTest(SegmentedRegression()).fit(segmented(30 + seed), 40).p_value_ for seed in range(8)]
    assert sum(p is not None and p > 0.05 for p in ps) >= 7


def test_placebo_summary_and_real_fit() -> None:
    test = PlaceboTest(SegmentedRegression()).fit(segmented(1, level=3.0), 40)
    assert test.estimate_ == test.real_.estimate_ and test.ci_ == test.real_.ci_
    summary = test.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["placebo_estimates"] == test.placebo_estimates_
    assert "rank" in " ".join(test.assumptions_)


def test_explicit_placebos_on_both_sides_and_granularity_warning() -> None:
    test = PlaceboTest(SegmentedRegression(), placebo=[10, 20, 50]).fit(segmented(2, level=3.0), 40)
    assert test.placebo_indices_ == [10, 20, 50]
    assert test.p_value_ is not None and test.p_value_ >= 0.25  # 1/(1+3) is the smallest possible
    assert any("smallest attainable" in w for w in test.warnings_)


def test_placebo_works_for_counts_on_the_ratio_scale() -> None:
    test = PlaceboTest(CountITS()).fit(negbin_counts(3, ratio=3.0, alpha=0.05), 40)
    assert test.summary()["scale"] == "ratio"
    assert test.p_value_ is not None and test.p_value_ <= 0.1


@pytest.mark.parametrize(
    ("estimator", "placebo", "code"),
    [
        (DifferenceInDifferences(), "all", "E620"),
        (ChangePoints(), "all", "E620"),
        (SegmentedRegression(), "some", "E620"),
        (SegmentedRegression(), [40], "E628"),
        (SegmentedRegression(), [0], "E628"),
        (SegmentedRegression(), [99], "E628"),
        (SegmentedRegression(), [2.5], "E628"),
        (SegmentedRegression(), [], "E628"),
    ],
)
def test_bad_placebo_settings_give_coded_errors(estimator: object, placebo: object, code: str) -> None:
    with pytest.raises(StudyMethodError) as info:
        PlaceboTest(estimator, placebo=placebo).fit(segmented(0), 40)  # type: ignore[arg-type]
    assert info.value.code == code


def test_too_short_pre_period_for_placebos_is_inconclusive() -> None:
    y = segmented(0, n=12, t0=5)
    with pytest.raises(StudyMethodError) as info:
        PlaceboTest(SegmentedRegression()).fit(y, 5)
    assert info.value.code == "E623"


def test_bootstrap_interval_covers_the_truth() -> None:
    covered = 0
    for seed in range(6):
        low, high = bootstrap_ci(segmented(seed, level=2.0), 40, SegmentedRegression(), n_boot=99, random_state=seed)
        assert low < high
        covered += low <= 2.0 <= high
    assert covered >= 5
    # the percentile interval is centred on the estimate (and known to be narrower: see the benchmark)
    estimate = SegmentedRegression().fit(segmented(0, level=2.0), 40).estimate_
    percentile = bootstrap_ci(segmented(0, level=2.0), 40, SegmentedRegression(), n_boot=99, kind="percentile")
    assert percentile[0] < estimate < percentile[1]


def test_bootstrap_is_reproducible_and_works_for_counts() -> None:
    counts = negbin_counts(5, ratio=1.8)
    first = bootstrap_ci(counts, 40, CountITS(), n_boot=99, random_state=1)
    assert first == bootstrap_ci(counts, 40, CountITS(), n_boot=99, random_state=1)
    assert first[0] < 1.8 < first[1] and first[0] > 0


def test_bootstrap_copes_with_empty_periods() -> None:
    y = segmented(6, level=2.0)
    y[[4, 44]] = np.nan
    low, high = bootstrap_ci(y, 40, SegmentedRegression(), n_boot=99)
    assert np.isfinite(low) and np.isfinite(high)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"estimator": ChangePoints()}, "E629"),
        ({"estimator": DifferenceInDifferences()}, "E629"),
        ({"n_boot": 10}, "E620"),
        ({"block": 0}, "E620"),
        ({"block": 500}, "E620"),
        ({"kind": "bca"}, "E620"),
    ],
)
def test_bad_bootstrap_settings_give_coded_errors(kwargs: dict[str, object], code: str) -> None:
    arguments: dict[str, object] = {"estimator": SegmentedRegression(), "n_boot": 99}
    arguments.update(kwargs)
    with pytest.raises(StudyMethodError) as info:
        bootstrap_ci(segmented(0), 40, **arguments)  # type: ignore[arg-type]
    assert info.value.code == code
