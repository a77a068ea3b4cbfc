"""Difference-in-differences: a treated dyad against a comparison dyad over the same periods.

With two series the two-way fixed-effects DiD reduces to a regression on the gap between them,
``d_t = treated_t - control_t = c + delta post_t + e_t``: ``delta`` is how much the gap moved
after the intervention. Fitting the gap as one time series lets Newey-West errors handle the
autocorrelation within it. The identifying assumption, parallel trends, is checked on the
pre-period: a trend in the gap before the intervention (the difference between the two
pre-period slopes) is tested and reported.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> t = np.arange(40)
>>> control = 5 + 0.05 * t + rng.normal(0, 0.5, 40)
>>> treated = control + 1 + 2.0 * (t >= 25) + rng.normal(0, 0.5, 40)
>>> did = DifferenceInDifferences().fit(treated, control, 25)
>>> did.ci_[0] < 2.0 < did.ci_[1], did.parallel_trends_p_ > 0.05
(True, True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import stats

from dyadwatch.errors import Errors

from .checks import (
    EffectEstimator,
    NeweyWest,
    StudyMethodError,
    as_series,
    captured_warnings,
    check_alpha,
    check_intervention,
    finite_or_fail,
    fmt_p,
    hac_lags,
    insufficient,
    require_sufficient,
)
from .its import _check_maxlags, _lag_sentence, _residual_checks

__all__ = ["DifferenceInDifferences"]

FIT_MIN_PRE = 3
FIT_MIN_POST = 2


class DifferenceInDifferences(EffectEstimator):
    """DiD of a treated series against a comparison series, Newey-West errors on the gap.

    After ``fit(treated, control, intervention)``: ``estimate_`` (the change in the gap, in
    units of the measure), ``ci_``, ``p_value_``, ``pre_gap_`` (mean gap before),
    ``parallel_trends_slope_`` and ``parallel_trends_p_`` (the pre-period trend of the gap:
    treated slope minus comparison slope, per period, and its p-value; None with fewer than
    four pre-periods), ``fitted_`` and ``counterfactual_`` for the treated series
    (comparison + pre-gap, with ``counterfactual_ci_``). Periods where either series is
    empty (NaN) are left out.
    """

    method_name = "difference-in-differences against a comparison dyad (Newey-West errors)"

    parallel_trends_slope_: float | None
    parallel_trends_p_: float | None

    def __init__(self, *, maxlags: int | None = None, alpha: float = 0.05) -> None:
        self.maxlags = maxlags
        self.alpha = alpha

    def fit(self, treated: Any, control: Any, intervention: int) -> DifferenceInDifferences:
        alpha = check_alpha(self.alpha)
        maxlags = _check_maxlags(self.maxlags)
        a = as_series(treated, "The treated series")
        b = as_series(control, "The comparison series")
        if a.size != b.size:
            raise StudyMethodError(Errors.E624, found=a.size, expected=b.size)
        n = a.size
        t0 = check_intervention(intervention, n)
        for label, series in (("treated series", a), ("comparison series", b)):
            reason = insufficient(series, t0, FIT_MIN_PRE, FIT_MIN_POST)
            if reason is not None:
                require_sufficient(self.method_name, f"the {label}: {reason}")
        gap = a - b
        observed = ~np.isnan(gap)
        reason = insufficient(gap, t0, FIT_MIN_PRE, FIT_MIN_POST)
        if reason is not None and "period" in reason and "with data" in reason:
            require_sufficient(self.method_name, f"periods where both series have data: {reason}")
        d = gap[observed]
        if np.ptp(d) <= 1e-9 * max(1.0, float(np.max(np.abs(d)))):
            require_sufficient(self.method_name, "the two series differ by the same amount in every period: there is no variation left to test")
        warnings_: list[str] = []
        if not observed.all():
            warnings_.append(f"{n - int(observed.sum())} period(s) where a series is empty left out; the Newey-West weights use the true distance in time between the remaining periods")
        post = (np.arange(n) >= t0).astype(float)
        X = np.column_stack([np.ones(n), post])[observed]
        n_obs = int(d.size)
        lags = min(hac_lags(n_obs, maxlags), n_obs - 1)
        with captured_warnings(warnings_):
            res = sm.OLS(d, X).fit()
        params = np.asarray(res.params)
        resid = np.asarray(res.resid)
        times = np.flatnonzero(observed).astype(float)
        nw = NeweyWest(X, resid, times, lags)
        _, ci, p, _ = nw.test(np.array([0.0, 1.0]), float(params[1]), alpha)
        finite_or_fail(self.method_name, estimate=float(params[1]), ci_low=ci[0], ci_high=ci[1], p_value=p)

        slope, slope_p, trend_text = self._parallel_trends(gap[:t0], observed[:t0], t0, warnings_)
        var0 = float(nw.variances(np.array([1.0, 0.0]))[0])
        crit = float(stats.t.ppf(1 - alpha / 2, nw.dof(np.array([1.0, 0.0]))))
        half = crit * math.sqrt(var0) if math.isfinite(var0) and var0 > 0 else 0.0
        self.n_obs_ = n_obs
        self.lags_ = lags
        self.intervention_ = t0
        self.estimate_ = float(params[1])
        self.ci_ = (float(ci[0]), float(ci[1]))
        self.p_value_ = p
        self.pre_gap_ = float(params[0])
        self.parallel_trends_slope_ = slope
        self.parallel_trends_p_ = slope_p
        self.counterfactual_ = b + params[0]
        self.counterfactual_ci_ = np.vstack([self.counterfactual_ - half, self.counterfactual_ + half])
        self.fitted_ = self.counterfactual_ + params[1] * post
        self.assumptions_ = [
            "The effect is the change in the gap between the treated and the comparison dyad after the intervention (difference-in-differences), in units of the measure.",
            trend_text,
            "The comparison dyad was not affected by the intervention, and nothing else changed for one dyad but not the other at that time.",
            _lag_sentence(lags, maxlags, n_obs),
            nw.sentence(),
            *_residual_checks(resid, lags, warnings_),
        ]
        self.warnings_ = warnings_
        return self

    def _parallel_trends(
        self, gap_pre: np.ndarray, observed_pre: np.ndarray, t0: int, warnings_: list[str]
    ) -> tuple[float | None, float | None, str]:
        d = gap_pre[observed_pre]
        if d.size < 4:
            return None, None, "Parallel pre-intervention trends are assumed (too few pre-periods to test them)."
        t = (np.arange(t0, dtype=float) - t0)[observed_pre]
        X = np.column_stack([np.ones_like(t), t])
        lags = min(hac_lags(d.size, self.maxlags), d.size - 1)
        with captured_warnings(warnings_):
            res = sm.OLS(d, X).fit()
        slope = float(np.asarray(res.params)[1])
        nw = NeweyWest(X, np.asarray(res.resid), t, lags)
        _, _, p, _ = nw.test(np.array([0.0, 1.0]), slope, 0.05)
        if not math.isfinite(p):
            return slope, None, "Parallel pre-intervention trends are assumed (the test could not be computed)."
        text = (
            f"Parallel pre-intervention trends: the treated minus comparison pre-period slope is "
            f"{slope:.3g} per period ({fmt_p(p)})"
        )
        if p < 0.05:
            warnings_.append(f"the pre-intervention trends are not parallel (slope difference {slope:.3g} per period, {fmt_p(p)}): the DiD estimate mixes the effect with the diverging trends")
            return slope, p, text + ", so the assumption is rejected and the estimate is doubtful."
        return slope, p, text + ", so no divergence is evident."

    def _extras(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention_,
            "pre_gap": self.pre_gap_,
            "parallel_trends_slope": self.parallel_trends_slope_,
            "parallel_trends_p": self.parallel_trends_p_,
            "hac_lags": self.lags_,
            "fitted": self.fitted_,
            "counterfactual": self.counterfactual_,
            "counterfactual_low": self.counterfactual_ci_[0],
            "counterfactual_high": self.counterfactual_ci_[1],
        }
