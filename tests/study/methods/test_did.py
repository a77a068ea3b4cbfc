"""Difference-in-differences: a known effect recovered, non-parallel pre-trends flagged, bad input coded."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dyadwatch.study.methods import DifferenceInDifferences, StudyMethodError

from ._series import ar1


def _pair(seed: int, effect: float = 0.0, diverge: float = 0.0, n: int = 48, t0: int = 32) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    shared = ar1(rng, n, 0.5)  # what both dyads go through: cancels in the gap
    control = 4 + 0.03 * t + shared + ar1(rng, n, 0.3)
    treated = 6 + 0.03 * t + diverge * t + effect * (t >= t0) + shared + ar1(rng, n, 0.3)
    return treated, control


def test_known_effect_is_recovered_within_its_interval() -> None:
    fits = [DifferenceInDifferences().fit(*_pair(seed, effect=1.5), 32) for seed in range(20)]
    assert sum(f.ci_ is not None and f.ci_[0] <= 1.5 <= f.ci_[1] for f in fits) >= 17
    assert abs(np.mean([f.estimate_ for f in fits]) - 1.5) < 0.25
    assert all(f.pre_gap_ == pytest.approx(2.0, abs=1.0) for f in fits)


def test_no_effect_intervals_cover_zero() -> None:
    fits = [DifferenceInDifferences().fit(*_pair(50 + seed), 32) for seed in range(20)]
    assert sum(f.ci_ is not None and f.ci_[0] <= 0.0 <= f.ci_[1] for f in fits) >= 17


def test_non_parallel_pre_trends_are_flagged() -> None:
    flagged = 0
    for seed in range(10):
        did = DifferenceInDifferences().fit(*_pair(seed, diverge=0.1), 32)
        if did.parallel_trends_p_ is not None and did.parallel_trends_p_ < 0.05:
            flagged += 1
            assert any("not parallel" in w for w in did.warnings_)
            assert any("rejected" in a for a in did.assumptions_)
    assert flagged >= 8
    parallel = [DifferenceInDifferences().fit(*_pair(seed), 32).parallel_trends_p_ for seed in range(10)]
    assert sum(p is not None and p >= 0.05 for p in parallel) >= 8


def test_counterfactual_is_comparison_plus_pre_gap() -> None:
    treated, control = _pair(3, effect=2.0)
    did = DifferenceInDifferences().fit(treated, control, 32)
    np.testing.assert_allclose(did.counterfactual_, control + did.pre_gap_)
    assert did.counterfactual_ci_.shape == (2, 48)
    json.dumps(did.summary(), allow_nan=False)
    assert did.summary()["parallel_trends_p"] == did.parallel_trends_p_


def test_periods_empty_in_either_series_are_left_out() -> None:
    treated, control = _pair(4, effect=1.5)
    treated[3] = np.nan
    control[40] = np.nan
    did = DifferenceInDifferences().fit(treated, control, 32)
    assert did.n_obs_ == 46
    assert any("2 period(s)" in w for w in did.warnings_)


def test_bad_input_gives_coded_errors() -> None:
    treated, control = _pair(5)
    with pytest.raises(StudyMethodError) as info:
        DifferenceInDifferences().fit(treated, control[:-1], 32)
    assert info.value.code == "E624"
    with pytest.raises(StudyMethodError) as info:
        DifferenceInDifferences().fit(treated, control, 48)
    assert info.value.code == "E622"
    with pytest.raises(StudyMethodError) as info:
        DifferenceInDifferences().fit(control + 1.0, control, 32)
    assert info.value.code == "E623"
    assert "same amount" in str(info.value)
    with pytest.raises(StudyMethodError) as info:
        DifferenceInDifferences().fit(treated, np.full(48, 3.0), 32)
    assert info.value.code == "E623"
    assert "comparison series" in str(info.value)
