"""Change points: a single real break found without the date, none on series without one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dyadwatch.study.methods import ChangePoints, StudyMethodError

from ._series import ar1


def test_single_break_is_found_within_two_periods() -> None:
    found = 0
    for seed in range(15):
        y = ar1(np.random.default_rng(seed), 60, 0.2) + 2.5 * (np.arange(60) >= 35)
        cp = ChangePoints().fit(y)
        found += cp.near(35, tolerance=2) is not None
    assert found >= 13


def test_series_without_a_break_mostly_gives_none() -> None:
    alarms = sum(bool(ChangePoints().fit(ar1(np.random.default_rng(100 + s), 60, 0.2)).change_points_) for s in range(15))
    assert alarms <= 2


def test_break_in_a_trend_is_found_by_the_linear_model() -> None:
    t = np.arange(60.0)
    found = 0
    for seed in range(8):
        y = 0.1 * t + 1.0 * np.maximum(t - 30, 0) + np.random.default_rng(seed).normal(0, 1, 60)
        found += ChangePoints(model="linear").fit(y).near(30, tolerance=3) is not None
    assert found >= 7


def test_binseg_and_numeric_penalty_work() -> None:
    y = np.r_[np.zeros(25), np.full(25, 4.0)] + np.random.default_rng(2).normal(0, 1, 50)
    assert ChangePoints(method="binseg").fit(y).near(25) is not None
    assert ChangePoints(model="rbf", penalty=5.0).fit(y).near(25) is not None


def test_empty_periods_keep_original_indices() -> None:
    y = np.r_[np.zeros(30), np.full(30, 5.0)] + np.random.default_rng(3).normal(0, 0.8, 60)
    y[[2, 10, 20]] = np.nan
    cp = ChangePoints().fit(y)
    assert cp.near(30, tolerance=1) is not None
    assert cp.n_obs_ == 57 and any("3 empty" in w for w in cp.warnings_)


def test_summary_states_the_penalty_and_gives_no_interval() -> None:
    y = np.r_[np.zeros(30), np.full(30, 5.0)] + np.random.default_rng(4).normal(0, 1, 60)
    cp = ChangePoints().fit(y)
    summary = cp.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["ci"] is None and summary["p_value"] is None
    assert summary["change_points"] == cp.change_points_ and summary["estimate"] == len(cp.change_points_)
    assert len(summary["segment_means"]) == len(cp.change_points_) + 1
    assert any("Penalty per break" in a for a in cp.assumptions_)


@pytest.mark.parametrize(
    ("settings", "y", "code"),
    [
        ({"model": "ar"}, np.arange(30.0), "E620"),
        ({"model": "rbf"}, np.arange(30.0), "E620"),
        ({"penalty": -1.0}, np.arange(30.0), "E620"),
        ({"min_size": 1}, np.arange(30.0), "E620"),
        ({"method": "window"}, np.arange(30.0), "E620"),
        ({}, np.arange(5.0), "E623"),
        ({}, np.full(30, 2.0), "E623"),
        ({}, np.ones((30, 2)), "E621"),
    ],
)
def test_bad_input_gives_coded_errors(settings: dict[str, object], y: np.ndarray, code: str) -> None:
    with pytest.raises(StudyMethodError) as info:
        ChangePoints(**settings).fit(y)  # type: ignore[arg-type]
    assert info.value.code == code
