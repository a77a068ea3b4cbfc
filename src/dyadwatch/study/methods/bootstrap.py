"""Moving-block residual bootstrap intervals for an interrupted-time-series estimate.

Resampling the series itself would scramble the before/after design, so the bootstrap keeps
the fitted segmented model and resamples its residuals in moving blocks (block length
``round(n^(1/3))`` unless given), which keeps the short-range autocorrelation inside each
block. Residuals are inflated by sqrt(n / (n - 4)) for the four fitted coefficients. For
counts, Pearson residuals are resampled and put back on the count scale
(``round(max(0, mu + r sqrt(V(mu))))``).

The default interval is studentized (bootstrap-t): each replicate's estimate is divided by
its own (adjusted Newey-West) standard error, and the quantiles of that ratio set the
interval around the original estimate. Block resampling of a short series loses some of its
autocorrelation, which makes a plain percentile interval too narrow (coverage near 0.8 at
nominal 0.95 on 48 periods of AR(1) noise, see the benchmark); studentizing corrects most of
that. ``kind="percentile"`` gives the plain percentile interval. Rate ratios are bootstrapped
on the log scale.

>>> import numpy as np
>>> from dyadwatch.study.methods import SegmentedRegression
>>> rng = np.random.default_rng(4)
>>> y = 2 + 0.05 * np.arange(40) + 1.5 * (np.arange(40) >= 25) + rng.normal(0, 0.5, 40)
>>> low, high = bootstrap_ci(y, 25, SegmentedRegression(), n_boot=199)
>>> bool(low < 1.5 < high)
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.base import clone

from dyadwatch.errors import Errors

from .checks import InsufficientDataError, StudyMethodError, check_alpha, check_choice
from .its import CountITS, _SegmentedBase

__all__ = ["bootstrap_ci", "block_indices"]


def block_indices(n: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """Indices 0..n-1 drawn as consecutive blocks of length ``block`` from random starts, cut to n.

    >>> block_indices(7, 3, np.random.default_rng(0)).size
    7
    """
    count = math.ceil(n / block)
    starts = rng.integers(0, n - block + 1, size=count)
    return (starts[:, None] + np.arange(block)[None, :]).ravel()[:n]


def bootstrap_ci(
    y: Any,
    intervention: int,
    estimator: Any,
    n_boot: int = 999,
    block: int | None = None,
    random_state: int = 0,
    *,
    alpha: float | None = None,
    exposure: Any = None,
    kind: str = "studentized",
) -> tuple[float, float]:
    """The (1 - alpha) percentile interval of ``estimator``'s ``estimate_`` by moving-block residual bootstrap.

    ``estimator`` is an unfitted `SegmentedRegression` or `CountITS` (cloned, never changed);
    ``alpha`` defaults to the estimator's. Replicates whose refit fails are dropped; if more
    than a tenth fail, E623 says so rather than giving an interval from the rest.
    """
    if not isinstance(estimator, _SegmentedBase):
        raise StudyMethodError(Errors.E629, found=type(estimator).__name__)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 99:
        raise StudyMethodError(Errors.E620, name="n_boot", rule="a whole number, 99 or more", found=n_boot)
    level = check_alpha(estimator.alpha if alpha is None else alpha)
    check_choice("kind", kind, ("studentized", "percentile"))
    is_count = isinstance(estimator, CountITS)
    base = clone(estimator)
    base = base.fit(y, intervention, exposure) if is_count else base.fit(y, intervention)
    observed = base.observed_
    n_obs = int(observed.sum())
    if block is None:
        block = max(2, round(n_obs ** (1.0 / 3.0)))
    if isinstance(block, bool) or not isinstance(block, int) or not 1 <= block <= n_obs:
        raise StudyMethodError(Errors.E620, name="block", rule=f"a whole number of periods from 1 to {n_obs}", found=block)
    values = np.asarray(y, dtype=float)
    mu = base.fitted_[observed]
    inflate = math.sqrt(n_obs / (n_obs - base.n_params_))
    if is_count:
        sd = np.sqrt(mu + base.nb_alpha_ * mu**2)
        resid = (values[observed] - mu) / sd * inflate
    else:
        resid = (values[observed] - mu) * inflate
    rng = np.random.default_rng(random_state)
    ratio = base.scale == "ratio"
    centre = math.log(base.estimate_) if ratio else base.estimate_
    draws: list[float] = []
    failed = 0
    for _ in range(n_boot):
        draw = resid[block_indices(n_obs, block, rng)]
        replicate = np.full(values.size, np.nan)
        if is_count:
            replicate[observed] = np.round(np.maximum(mu + draw * sd, 0.0))
        else:
            replicate[observed] = mu + draw
        model = clone(estimator)
        model._light = True
        try:
            model = model.fit(replicate, intervention, exposure) if is_count else model.fit(replicate, intervention)
        except StudyMethodError:
            failed += 1
            continue
        value = math.log(model.estimate_) if ratio else model.estimate_
        if kind == "studentized":
            if not (math.isfinite(model.se_) and model.se_ > 0):
                failed += 1
                continue
            draws.append((value - centre) / model.se_)
        else:
            draws.append(value)
    if failed > n_boot / 10:
        raise InsufficientDataError(
            Errors.E623,
            method="the bootstrap",
            reason=f"{failed} of {n_boot} resampled series could not be fitted, so the interval would rest on the easy cases",
        )
    low_q, high_q = np.quantile(np.asarray(draws), [level / 2, 1 - level / 2])
    if kind == "studentized":
        low, high = centre - high_q * base.se_, centre - low_q * base.se_
    else:
        low, high = low_q, high_q
    if ratio:
        low, high = math.exp(low), math.exp(high)
    return float(low), float(high)
