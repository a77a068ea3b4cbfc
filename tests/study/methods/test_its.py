"""Segmented regression and count ITS: known breaks recovered, no-effect series left alone, bad input coded."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from dyadwatch.study.methods import (
    CountITS,
    InsufficientDataError,
    SegmentedRegression,
    StudyMethodError,
)

from ._series import negbin_counts, segmented

SEEDS = range(20)


def _covers(ci: tuple[float, float] | None, value: float) -> bool:
    assert ci is not None
    return ci[0] <= value <= ci[1]


def test_level_change_is_recovered_within_its_interval() -> None:
    fits = [SegmentedRegression(effect="level").fit(segmented(seed, level=2.0), 40) for seed in SEEDS]
    covered = sum(_covers(f.ci_, 2.0) for f in fits)
    assert covered >= 17  # 95% intervals: 19 of 20 expected, 17 tolerates binomial noise
    assert sum(f.p_value_ is not None and f.p_value_ < 0.05 for f in fits) >= 16
    assert abs(np.mean([f.estimate_ for f in fits]) - 2.0) < 0.3


def test_slope_change_is_recovered_within_its_interval() -> None:
    fits = [SegmentedRegression(effect="slope").fit(segmented(seed, slope=0.2), 40) for seed in SEEDS]
    assert sum(_covers(f.ci_, 0.2) for f in fits) >= 17
    assert abs(np.mean([f.slope_change_ for f in fits]) - 0.2) < 0.05


def test_no_effect_series_gives_intervals_covering_zero() -> None:
    fits = [SegmentedRegression().fit(segmented(100 + seed), 40) for seed in SEEDS]
    assert sum(_covers(f.ci_, 0.0) for f in fits) >= 17


def test_fit_outputs_counterfactual_band_and_assumptions() -> None:
    y = segmented(1, level=3.0)
    model = SegmentedRegression().fit(y, 40)
    assert model.fitted_.shape == model.counterfactual_.shape == (60,)
    assert model.counterfactual_ci_.shape == (2, 60)
    assert np.all(model.counterfactual_ci_[0] <= model.counterfactual_)
    assert np.all(model.counterfactual_ <= model.counterfactual_ci_[1])
    # before the intervention the counterfactual is the fitted pre-trend itself
    np.testing.assert_allclose(model.counterfactual_[:40], model.fitted_[:40])
    # the level change is the gap between fitted and counterfactual at the intervention
    assert model.fitted_[40] - model.counterfactual_[40] == pytest.approx(model.level_change_)
    text = " ".join(model.assumptions_)
    assert f"{model.lags_} lags" in text and "Newey-West" in text and "Ljung-Box" in text
    assert "linear" in text and "seasonal" in text
    summary = model.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["estimate"] == model.estimate_ and summary["n_obs"] == 60
    assert len(summary["counterfactual_low"]) == 60


def test_curved_pre_trend_is_flagged() -> None:
    t = np.arange(60.0)
    y = 0.02 * (t - 20) ** 2 + np.random.default_rng(5).normal(0, 0.5, 60)
    model = SegmentedRegression().fit(y, 40)
    assert any("curves" in w for w in model.warnings_)


def test_empty_periods_are_left_out_and_said_so() -> None:
    y = segmented(2, level=2.0)
    y[[5, 17, 45]] = np.nan
    model = SegmentedRegression().fit(y, 40)
    assert model.n_obs_ == 57
    assert any("3 empty period" in w for w in model.warnings_)
    assert _covers(model.ci_, 2.0)
    assert np.all(np.isfinite(model.fitted_))


def test_maxlags_setting_is_used_and_stated() -> None:
    model = SegmentedRegression(maxlags=6).fit(segmented(3), 40)
    assert model.lags_ == 6
    assert any("6 lags (as set by maxlags)" in a for a in model.assumptions_)


@pytest.mark.parametrize(
    ("y", "intervention", "code"),
    [
        (np.ones((10, 2)), 5, "E621"),
        ("1,2,3", 1, "E621"),
        ([1.0, 2.0, float("inf"), 3.0], 2, "E621"),
        (["a", "b"], 1, "E621"),
        (np.arange(20.0), 0, "E622"),
        (np.arange(20.0), 20, "E622"),
        (np.arange(20.0), 3.5, "E622"),
        (np.arange(20.0), True, "E622"),
        (np.full(20, 4.0), 10, "E623"),
        (np.r_[np.zeros(10), np.arange(10.0)], 10, "E623"),
        (np.arange(6.0), 2, "E623"),
    ],
)
def test_bad_input_gives_a_coded_error(y: object, intervention: object, code: str) -> None:
    with pytest.raises(StudyMethodError) as info:
        SegmentedRegression().fit(y, intervention)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(("setting", "value"), [("effect", "both"), ("alpha", 1.5), ("alpha", "0.05"), ("maxlags", -1)])
def test_bad_settings_give_e620(setting: str, value: object) -> None:
    model = SegmentedRegression().set_params(**{setting: value})
    with pytest.raises(StudyMethodError) as info:
        model.fit(segmented(0), 40)
    assert info.value.code == "E620"
    assert setting in str(info.value)


def test_insufficient_error_carries_the_reason_and_pickles() -> None:
    with pytest.raises(InsufficientDataError) as info:
        SegmentedRegression().fit(np.full(20, 2.0), 10)
    assert "constant" in info.value.reason
    copy = pickle.loads(pickle.dumps(info.value))
    assert isinstance(copy, InsufficientDataError) and copy.reason == info.value.reason


def test_summary_before_fit_is_e625() -> None:
    with pytest.raises(StudyMethodError) as info:
        SegmentedRegression().summary()
    assert info.value.code == "E625"


# counts


def test_rate_ratio_is_recovered_on_overdispersed_counts() -> None:
    fits = [CountITS().fit(negbin_counts(seed, ratio=1.8), 40) for seed in SEEDS]
    assert sum(_covers(f.ci_, 1.8) for f in fits) >= 17
    assert sum(f.family_ == "negbin" for f in fits) >= 18
    assert all(f.estimate_ > 0 and f.scale == "ratio" for f in fits)


def test_no_effect_counts_give_intervals_covering_one() -> None:
    fits = [CountITS().fit(negbin_counts(200 + seed), 40) for seed in SEEDS]
    assert sum(_covers(f.ci_, 1.0) for f in fits) >= 17


def test_poisson_counts_stay_poisson_under_auto() -> None:
    rng = np.random.default_rng(8)
    fits = [CountITS().fit(rng.poisson(np.where(np.arange(60) >= 40, 30.0, 20.0)), 40) for _ in range(10)]
    assert sum(f.family_ == "poisson" for f in fits) >= 8
    assert sum(_covers(f.ci_, 1.5) for f in fits) >= 8
    assert all("overdispersion test" in " ".join(f.assumptions_) for f in fits)


def test_requested_family_is_kept_and_overdispersion_warned() -> None:
    model = CountITS(family="poisson").fit(negbin_counts(4, alpha=0.5), 40)
    assert model.family_ == "poisson"
    assert any("overdispersed" in w for w in model.warnings_)


def test_exposure_offset_separates_volume_from_effect() -> None:
    rng = np.random.default_rng(11)
    volume = np.where(np.arange(60) >= 40, 2000.0, 1000.0)
    counts = rng.poisson(volume * 0.02)  # the same share of all events before and after
    with_exposure = CountITS().fit(counts, 40, exposure=volume)
    without = CountITS().fit(counts, 40)
    assert _covers(with_exposure.ci_, 1.0)
    assert without.ci_ is not None and without.ci_[0] > 1.5
    assert any("exposure" in a for a in with_exposure.assumptions_)
    assert with_exposure.counterfactual_ci_.shape == (2, 60)


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        (np.r_[np.full(30, 5.0), -1.0, np.full(29, 5.0)], "E627"),
        (np.r_[np.full(30, 5.0), 2.5, np.full(29, 5.0)], "E627"),
        (np.r_[np.random.default_rng(0).poisson(5, 40), np.zeros(20)], "E623"),
        (np.r_[np.zeros(40), np.random.default_rng(0).poisson(5, 20)], "E623"),
        (np.r_[np.zeros(55), 1.0, 0.0, 1.0, 0.0, 1.0], "E623"),
    ],
)
def test_bad_counts_give_coded_errors(counts: np.ndarray, code: str) -> None:
    with pytest.raises(StudyMethodError) as info:
        CountITS().fit(counts, 40)
    assert info.value.code == code


def test_bad_exposure_gives_coded_errors() -> None:
    counts = negbin_counts(1)
    with pytest.raises(StudyMethodError) as info:
        CountITS().fit(counts, 40, exposure=np.ones(59))
    assert info.value.code == "E624"
    with pytest.raises(StudyMethodError) as info:
        CountITS().fit(counts, 40, exposure=np.r_[np.ones(10), 0.0, np.ones(49)])
    assert info.value.code == "E627"


def test_bad_family_is_e620() -> None:
    with pytest.raises(StudyMethodError) as info:
        CountITS(family="binomial").fit(negbin_counts(1), 40)
    assert info.value.code == "E620"
