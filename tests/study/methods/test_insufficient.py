"""insufficient(): a plain reason for series too short or sparse for a verdict, None otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from dyadwatch.study.methods import insufficient

from ._series import segmented


@pytest.mark.parametrize(
    ("y", "intervention", "kwargs", "words"),
    [
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 3, {}, "only 3 period(s) with data before"),
        (np.arange(20.0), 18, {}, "only 2 period(s) with data after"),
        (np.r_[np.arange(8.0), [np.nan] * 4, [1.0, 2.0]], 8, {}, "only 2 period(s) with data after"),
        (np.zeros(20), 10, {}, "every period is zero"),
        (np.full(20, 7.5), 10, {}, "constant (every period is 7.5)"),
        (np.r_[np.zeros(10), np.arange(1.0, 11.0)], 10, {}, "before the intervention are all zero"),
        (np.r_[np.full(10, 3.0), np.arange(1.0, 11.0)], 10, {}, "before the intervention are constant"),
        (np.arange(20.0), 10, {"n_events": np.r_[np.ones(19), 0.0]}, "only 19 events"),
        (np.arange(20.0), 10, {"n_events": np.r_[np.zeros(11), np.full(9, 10)]}, "11 of the 20 periods hold no event"),
        (np.arange(20.0), 10, {"n_events": np.ones(19)}, "n_events has 19 periods"),
        ([], 0, {}, "the series has 0 periods"),
        (np.arange(20.0), 25, {}, "outside the series"),
    ],
)
def test_reasons(y: object, intervention: int, kwargs: dict[str, object], words: str) -> None:
    reason = insufficient(y, intervention, **kwargs)  # type: ignore[arg-type]
    assert reason is not None and words in reason


def test_enough_data_gives_none() -> None:
    assert insufficient(segmented(0), 40) is None
    assert insufficient(segmented(0), 40, n_events=np.full(60, 5)) is None


def test_thresholds_are_settings() -> None:
    y = segmented(1, n=20, t0=10)
    assert insufficient(y, 10) is None
    reason = insufficient(y, 10, min_pre=12)
    assert reason is not None and "at least 12" in reason
    reason = insufficient(y, 10, min_post=11)
    assert reason is not None and "at least 11" in reason
