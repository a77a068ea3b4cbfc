"""Interrupted time series: segmented regression (measures) and Poisson / negative binomial (counts).

Both fit the same segmented design on period index ``t`` with the intervention at ``t0``::

    y_t = b0 + b1 (t - t0) + b2 post_t + b3 (t - t0) post_t        (post_t = 1 when t >= t0)

``b2`` is the level change (the jump at the first post-intervention period between the
extended pre-trend and the post line) and ``b3`` the slope change per period. The
counterfactual is the pre-trend extended, ``b0 + b1 (t - t0)``. Errors are Newey-West (HAC)
so that autocorrelated periods do not make the interval look tighter than it is; the lag
count follows a stated rule (see `checks.hac_lags`), and a small-sample adjustment (see
`checks.NeweyWest`) keeps the false-positive rate near its nominal level on short series. Counts use a log link, so ``exp(b2)``
is a rate ratio.

>>> import numpy as np
>>> rng = np.random.default_rng(3)
>>> y = 10 + 0.1 * np.arange(48) + 4.0 * (np.arange(48) >= 30) + rng.normal(0, 1, 48)
>>> model = SegmentedRegression(effect="level").fit(y, 30)
>>> model.ci_[0] < 4.0 < model.ci_[1], model.p_value_ < 0.05
(True, True)
>>> counts = rng.poisson(np.where(np.arange(48) >= 30, 20.0, 10.0))
>>> rr = CountITS(family="poisson").fit(counts, 30)
>>> rr.ci_[0] < 2.0 < rr.ci_[1]
True
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.stattools import durbin_watson

from dyadwatch.errors import Errors

from .checks import (
    EffectEstimator,
    InsufficientDataError,
    NeweyWest,
    StudyMethodError,
    as_series,
    captured_warnings,
    check_alpha,
    check_choice,
    check_intervention,
    finite_or_fail,
    fmt_p,
    hac_lags,
    insufficient,
    require_sufficient,
)

__all__ = ["CountITS", "SegmentedRegression"]

# The fit-level minimum (the verdict applies its own, stricter one through `insufficient`):
# four coefficients need at least three periods on each side to leave residual degrees of freedom.
FIT_MIN_PRE = 3
FIT_MIN_POST = 3
N_PARAMS = 4


def design(n: int, t0: int) -> np.ndarray:
    """The segmented design for periods 0..n-1: columns 1, t-t0, post, (t-t0)*post.

    >>> design(4, 2).tolist()
    [[1.0, -2.0, 0.0, -0.0], [1.0, -1.0, 0.0, -0.0], [1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]]
    """
    t = np.arange(n, dtype=float) - t0
    post = (np.arange(n) >= t0).astype(float)
    return np.column_stack([np.ones(n), t, post, t * post])


def _check_maxlags(maxlags: Any) -> int | None:
    if maxlags is None:
        return None
    if isinstance(maxlags, bool) or not isinstance(maxlags, int | np.integer) or maxlags < 0:
        raise StudyMethodError(Errors.E620, name="maxlags", rule="None or a whole number of lags, 0 or more", found=maxlags)
    return int(maxlags)


def _lag_sentence(lags: int, maxlags: int | None, n_obs: int) -> str:
    rule = "as set by maxlags" if maxlags is not None else f"rule floor(4(n/100)^(2/9)) with n={n_obs}"
    return f"Residual autocorrelation handled with Newey-West (HAC) errors, {lags} lag{'s' if lags != 1 else ''} ({rule})."


def _residual_checks(resid: np.ndarray, lags: int, warnings_: list[str]) -> list[str]:
    """Durbin-Watson and Ljung-Box sentences on the residuals (and a warning when autocorrelation remains)."""
    sentences = []
    dw = float(durbin_watson(resid))
    lb_lag = max(1, min(10, resid.size // 5))
    if resid.size > lb_lag + 2 and float(np.var(resid)) > 0:
        p = ljung_box(resid, lb_lag)
        if math.isfinite(p):
            if p >= 0.05:
                verdict = "no autocorrelation beyond the Newey-West correction is evident"
            else:
                verdict = f"the residuals are autocorrelated; {lags} Newey-West lag{'s' if lags != 1 else ''} may not capture all of it, so treat the interval as approximate"
                warnings_.append(f"residual autocorrelation (Ljung-Box up to lag {lb_lag}, {fmt_p(p)}): the interval may be too narrow")
            sentences.append(f"Residual check: Durbin-Watson {dw:.2f}; Ljung-Box up to lag {lb_lag} {fmt_p(p)}: {verdict}.")
            return sentences
    sentences.append(f"Residual check: Durbin-Watson {dw:.2f} (too few periods for a Ljung-Box test).")
    return sentences


def ljung_box(resid: np.ndarray, lags: int) -> float:
    """The Ljung-Box portmanteau p-value for autocorrelation up to ``lags`` (chi-squared, ``lags`` df).

    >>> round(ljung_box(np.tile([1.0, -1.0], 20), 2), 4)
    0.0
    """
    e = resid - resid.mean()
    n = e.size
    denom = float(e @ e)
    q = 0.0
    for k in range(1, lags + 1):
        r = float(e[k:] @ e[:-k]) / denom
        q += r * r / (n - k)
    q *= n * (n + 2)
    return float(stats.chi2.sf(q, lags))


def _pretrend_linearity(y: np.ndarray, tt: np.ndarray, warnings_: list[str]) -> str:
    """Test a quadratic term in the pre-period: curvature undermines the extended linear trend."""
    if y.size < 6:
        return "The pre-intervention trend is assumed linear and to continue unchanged (too few pre-periods to test its curvature)."
    X = np.column_stack([np.ones_like(tt), tt, tt**2])
    with captured_warnings(warnings_):
        res = sm.OLS(y, X).fit()
    p = float(res.pvalues[2])
    if not math.isfinite(p):
        return "The pre-intervention trend is assumed linear and to continue unchanged (its curvature could not be tested)."
    if p >= 0.05:
        return f"The pre-intervention trend is assumed linear and to continue unchanged; a quadratic pre-trend term has {fmt_p(p)}, so no curvature is evident."
    warnings_.append(f"the pre-intervention trend curves (quadratic term {fmt_p(p)}): the linear counterfactual is doubtful")
    return f"The pre-intervention trend is assumed linear and to continue unchanged; a quadratic pre-trend term has {fmt_p(p)}, so the trend curves and this assumption is doubtful."


_COMMON_ASSUMPTIONS = [
    "No other change coincided with the intervention (this series alone cannot test it; a comparison dyad or placebo dates speak to it).",
    "Residuals are assumed stationary around the segmented trend; no seasonal terms are modelled, so a seasonal pattern would show up as residual autocorrelation.",
]


class _SegmentedBase(EffectEstimator):
    """What both ITS estimators share: the design, the counterfactual attributes, the summary extras."""

    n_params_: ClassVar[int] = N_PARAMS
    effect: str
    maxlags: int | None
    alpha: float

    intervention_: int
    fitted_: np.ndarray
    counterfactual_: np.ndarray
    counterfactual_ci_: np.ndarray
    level_change_: float
    slope_change_: float
    lags_: int
    observed_: np.ndarray

    def _extras(self) -> dict[str, Any]:
        return {
            "effect": self.effect,
            "intervention": self.intervention_,
            "level_change": self.level_change_,
            "slope_change": self.slope_change_,
            "hac_lags": self.lags_,
            "fitted": self.fitted_,
            "counterfactual": self.counterfactual_,
            "counterfactual_low": self.counterfactual_ci_[0],
            "counterfactual_high": self.counterfactual_ci_[1],
        }

    def _settings(self) -> tuple[float, int | None]:
        check_choice("effect", self.effect, ("level", "slope"))
        return check_alpha(self.alpha), _check_maxlags(self.maxlags)


class SegmentedRegression(_SegmentedBase):
    """Interrupted time series by segmented OLS with Newey-West errors, for a measure per period.

    ``effect="level"`` reports the level change ``b2`` (units of the measure), ``"slope"``
    the slope change ``b3`` (units per period). ``maxlags`` overrides the lag rule. After
    ``fit(y, intervention)``: ``estimate_``, ``se_``, ``ci_`` (1 - alpha), ``p_value_`` (two-sided
    t with ``dof_`` Satterthwaite degrees of freedom; see `checks.NeweyWest`), ``fitted_``, ``counterfactual_`` (pre-trend extended over
    every period), ``counterfactual_ci_`` (2 x n: the confidence band of that mean line, from
    the covariance of ``b0, b1``), ``level_change_``, ``slope_change_``, ``assumptions_``,
    ``warnings_``. Empty periods (NaN) are left out of the fit.

    >>> import numpy as np
    >>> y = np.r_[np.linspace(5, 6, 20), np.linspace(9, 10, 20)] + np.tile([0.3, -0.3], 20)
    >>> m = SegmentedRegression().fit(y, 20)
    >>> round(m.level_change_, 1), m.lags_, m.n_obs_
    (3.0, 3, 40)
    """

    method_name = "segmented regression (interrupted time series, Newey-West errors)"

    def __init__(self, *, effect: str = "level", maxlags: int | None = None, alpha: float = 0.05) -> None:
        self.effect = effect
        self.maxlags = maxlags
        self.alpha = alpha

    def fit(self, y: Any, intervention: int) -> SegmentedRegression:
        alpha, maxlags = self._settings()
        values = as_series(y)
        n = values.size
        t0 = check_intervention(intervention, n)
        require_sufficient(self.method_name, insufficient(values, t0, FIT_MIN_PRE, FIT_MIN_POST))
        observed = ~np.isnan(values)
        X_full = design(n, t0)
        X, yy, n_obs, lags, warnings_ = _observed(self.method_name, X_full, values, observed, maxlags)
        with captured_warnings(warnings_):
            res = sm.OLS(yy, X).fit()
        params = np.asarray(res.params)
        resid = np.asarray(res.resid)
        if float(np.sum(resid**2)) <= 1e-12 * max(1.0, float(np.sum(yy**2))):
            require_sufficient(self.method_name, "the model fits every period exactly: no noise is left to judge an effect by")
        index = 2 if self.effect == "level" else 3
        nw = NeweyWest(X, resid, np.flatnonzero(observed).astype(float), lags)
        se, ci, p, dof = nw.test(np.eye(N_PARAMS)[index], float(params[index]), alpha)
        finite_or_fail(self.method_name, estimate=float(params[index]), ci_low=ci[0], ci_high=ci[1], p_value=p)
        counterfactual, low, high = _band(nw, X_full, params, alpha)

        self.intervention_ = t0
        self.observed_ = observed
        self.lags_ = lags
        self.n_obs_ = n_obs
        self.estimate_ = float(params[index])
        self.se_ = se
        self.ci_ = (float(ci[0]), float(ci[1]))
        self.p_value_ = p
        self.level_change_ = float(params[2])
        self.slope_change_ = float(params[3])
        self.params_ = params
        self.dof_ = dof
        self.fitted_ = X_full @ params
        self.counterfactual_ = counterfactual
        self.counterfactual_ci_ = np.vstack([low, high])
        self.resid_ = resid
        pre_mask = observed[:t0]
        effect_text = (
            "the level change at the intervention (b2): the jump between the extended pre-trend and the post-intervention line, in units of the measure"
            if self.effect == "level"
            else "the slope change (b3): how much the per-period trend differs after the intervention"
        )
        if getattr(self, "_light", False):  # an internal refit (bootstrap, placebo): no descriptive checks
            self.assumptions_, self.warnings_ = [], warnings_
            return self
        self.assumptions_ = [
            f"The effect is {effect_text}.",
            _pretrend_linearity(values[:t0][pre_mask], X_full[:t0, 1][pre_mask], warnings_),
            *_COMMON_ASSUMPTIONS,
            _lag_sentence(lags, maxlags, n_obs),
            nw.sentence(),
            *_residual_checks(resid, lags, warnings_),
        ]
        self.warnings_ = warnings_
        return self


class CountITS(_SegmentedBase):
    """Interrupted time series for event counts: Poisson or negative binomial GLM with a log link.

    ``family="auto"`` fits Poisson, tests for overdispersion (Cameron-Trivedi regression
    test, one-sided, 5%; the Pearson chi2/df is reported too) and switches to negative
    binomial (NB2, dispersion by maximum likelihood) when the counts are overdispersed.
    ``estimate_`` is a rate ratio: ``exp(b2)`` for ``effect="level"`` (post / counterfactual
    rate at the intervention) or ``exp(b3)`` for ``"slope"`` (the change in the per-period
    growth factor); 1 means no effect. ``exposure`` (e.g. the total event volume of the
    source per period) enters as a log offset, so the model is of the rate per unit of
    exposure. Errors are Newey-West (HAC) on the Pearson scale, with the same small-sample
    adjustment as `SegmentedRegression`, which also keeps the interval honest if the variance
    function is wrong. ``se_`` is the standard error of the log rate ratio. Extra attributes:
    ``family_``, ``dispersion_`` (Pearson chi2/df of the Poisson fit), ``overdispersion_p_``,
    ``nb_alpha_`` (0 for Poisson).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> counts = rng.negative_binomial(5, 5 / (5 + np.where(np.arange(60) >= 40, 30.0, 15.0)))
    >>> m = CountITS().fit(counts, 40)
    >>> m.family_, m.ci_[0] < 2.0 < m.ci_[1]
    ('negbin', True)
    """

    method_name = "count interrupted time series (log-link GLM, Newey-West errors)"
    null_value = 1.0
    scale = "ratio"

    family_: str
    dispersion_: float
    overdispersion_p_: float
    nb_alpha_: float
    exposure_: np.ndarray | None

    def __init__(self, *, family: str = "auto", effect: str = "level", maxlags: int | None = None, alpha: float = 0.05) -> None:
        self.family = family
        self.effect = effect
        self.maxlags = maxlags
        self.alpha = alpha

    def fit(self, counts: Any, intervention: int, exposure: Any = None) -> CountITS:
        check_choice("family", self.family, ("auto", "poisson", "negbin"))
        alpha, maxlags = self._settings()
        values = as_series(counts, "The counts")
        n = values.size
        t0 = check_intervention(intervention, n)
        observed = ~np.isnan(values)
        for i in np.flatnonzero(observed):
            v = values[i]
            if v < 0 or abs(v - round(v)) > 1e-9:
                raise StudyMethodError(Errors.E627, what="The counts", found=float(v), index=int(i))
        offset_full: np.ndarray | None = None
        if exposure is not None:
            volume = as_series(exposure, "The exposure")
            if volume.size != n:
                raise StudyMethodError(Errors.E624, found=n, expected=volume.size)
            for i in np.flatnonzero(observed & ~np.isnan(volume)):
                if volume[i] <= 0:
                    raise StudyMethodError(Errors.E627, what="The exposure", found=float(volume[i]), index=int(i))
            observed &= ~np.isnan(volume)
            with np.errstate(divide="ignore", invalid="ignore"):
                offset_full = np.where(volume > 0, np.log(np.where(volume > 0, volume, 1.0)), np.nan)
        masked = np.where(observed, values, np.nan)
        require_sufficient(self.method_name, insufficient(masked, t0, FIT_MIN_PRE, FIT_MIN_POST))
        post_counts = values[t0:][observed[t0:]]
        if np.all(post_counts == 0):
            require_sufficient(self.method_name, "every period after the intervention has zero events: the rate ratio is 0 and has no interval")
        if float(np.sum(values[observed])) < 10:
            require_sufficient(self.method_name, f"only {np.sum(values[observed]):.0f} events in all; a rate ratio needs at least 10")

        X_full = design(n, t0)
        X, yy, n_obs, lags, warnings_ = _observed(self.method_name, X_full, values, observed, maxlags)
        offset = None if offset_full is None else offset_full[observed]

        with captured_warnings(warnings_):
            poisson = sm.GLM(yy, X, family=sm.families.Poisson(), offset=offset).fit()
        mu = np.asarray(poisson.fittedvalues)
        dispersion = float(np.sum((yy - mu) ** 2 / mu) / max(poisson.df_resid, 1))
        ct_alpha, ct_p = _cameron_trivedi(yy, mu)
        overdispersed = ct_p < 0.05
        family = self.family if self.family != "auto" else ("negbin" if overdispersed else "poisson")
        nb_alpha = 0.0
        if family == "negbin":
            nb_alpha = _nb_alpha(yy, X, offset, ct_alpha, warnings_)
            glm_family: Any = sm.families.NegativeBinomial(alpha=nb_alpha)
        else:
            glm_family = sm.families.Poisson()
        with captured_warnings(warnings_):
            res = sm.GLM(yy, X, family=glm_family, offset=offset).fit()
        params = np.asarray(res.params)
        mu = np.asarray(res.fittedvalues)
        variance = mu + nb_alpha * mu**2
        pearson = (yy - mu) / np.sqrt(variance)
        weighted = X * np.sqrt(mu**2 / variance)[:, None]
        index = 2 if self.effect == "level" else 3
        nw = NeweyWest(weighted, pearson, np.flatnonzero(observed).astype(float), lags)
        se, ci_log, p, dof = nw.test(np.eye(N_PARAMS)[index], float(params[index]), alpha)
        if not (all(math.isfinite(c) for c in ci_log) and abs(params[index]) < 20 and math.isfinite(p)):
            raise InsufficientDataError(
                Errors.E623,
                method=self.method_name,
                reason="the rate ratio runs to a boundary (near-empty segment), so it has no usable interval",
            )
        finite_or_fail(self.method_name, estimate=math.exp(params[index]), ci_low=math.exp(ci_log[0]), ci_high=math.exp(ci_log[1]))
        offset_all = np.zeros(n) if offset_full is None else offset_full
        eta_cf, eta_low, eta_high = _band(nw, X_full, params, alpha)

        self.intervention_ = t0
        self.observed_ = observed
        self.exposure_ = None if offset_full is None else np.exp(offset_full)
        self.lags_ = lags
        self.n_obs_ = n_obs
        self.family_ = family
        self.dispersion_ = dispersion
        self.overdispersion_p_ = ct_p
        self.nb_alpha_ = nb_alpha
        self.params_ = params
        self.estimate_ = math.exp(params[index])
        self.se_ = se
        self.ci_ = (math.exp(ci_log[0]), math.exp(ci_log[1]))
        self.p_value_ = p
        self.level_change_ = math.exp(params[2])
        self.slope_change_ = math.exp(params[3])
        self.dof_ = dof
        self.fitted_ = np.exp(X_full @ params + offset_all)
        self.counterfactual_ = np.exp(eta_cf + offset_all)
        self.counterfactual_ci_ = np.vstack([np.exp(eta_low + offset_all), np.exp(eta_high + offset_all)])
        self.resid_ = pearson

        if getattr(self, "_light", False):  # an internal refit (bootstrap, placebo): no descriptive checks
            self.assumptions_, self.warnings_ = [], warnings_
            return self
        family_text = (
            f"Counts are modelled as negative binomial (NB2, dispersion alpha={nb_alpha:.3g})"
            if family == "negbin"
            else "Counts are modelled as Poisson"
        )
        choice = "chosen automatically" if self.family == "auto" else "as requested"
        od_text = (
            f"overdispersion test (Cameron-Trivedi) {fmt_p(ct_p)}, Pearson chi2/df {dispersion:.2f}"
        )
        if family == "poisson" and overdispersed:
            warnings_.append(f"the counts are overdispersed ({od_text}) but a Poisson model was requested; the Newey-West errors partly make up for it")
        effect_text = (
            "the rate ratio at the intervention, exp(b2): the post-intervention rate over the extended pre-trend rate"
            if self.effect == "level"
            else "the ratio of per-period growth factors after and before the intervention, exp(b3)"
        )
        self.assumptions_ = [
            f"The effect is {effect_text}; 1 means no change.",
            f"{family_text}, {choice}: {od_text}.",
            "The log of the expected count follows a linear pre-intervention trend that would have continued unchanged (the counterfactual).",
            *(
                ["Counts are modelled per unit of exposure (log offset), so changes in total volume are not read as effects."]
                if offset_full is not None
                else ["No exposure was given: a change in the total volume of reporting would be read as an effect."]
            ),
            *_COMMON_ASSUMPTIONS,
            _lag_sentence(lags, maxlags, n_obs),
            nw.sentence(),
            *_residual_checks(pearson, lags, warnings_),
        ]
        self.warnings_ = warnings_
        return self

    def _extras(self) -> dict[str, Any]:
        extras = super()._extras()
        extras.update(
            family=self.family_,
            pearson_dispersion=self.dispersion_,
            overdispersion_p=self.overdispersion_p_,
            nb_alpha=self.nb_alpha_,
        )
        return extras


def _observed(method: str, X_full: np.ndarray, values: np.ndarray, observed: np.ndarray,
              maxlags: int | None) -> tuple[np.ndarray, np.ndarray, int, int, list[str]]:
    """The design and values of the periods with data, their number, the Newey-West lags, and
    the warnings so far; too few periods for the four coefficients is refused (E623)."""
    X, yy = X_full[observed], values[observed]
    n_obs = int(yy.size)
    warnings_: list[str] = []
    if n_obs - N_PARAMS < 2:
        require_sufficient(method, f"only {n_obs} periods with data for a four-coefficient model")
    if not observed.all():
        warnings_.append(
            f"{values.size - n_obs} empty period(s) left out; the Newey-West weights use the true distance "
            "in time between the remaining periods"
        )
    return X, yy, n_obs, min(hac_lags(n_obs, maxlags), n_obs - 1), warnings_


def _band(nw: NeweyWest, X_full: np.ndarray, params: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The extended pre-trend b0 + b1 (t - t0) over every period and its (1 - alpha) confidence band.

    The band is for the mean line (from the adjusted covariance of b0 and b1), not for single
    periods; its degrees of freedom are those at the last period, where the band is widest.
    """
    contrasts = np.zeros_like(X_full)
    contrasts[:, :2] = X_full[:, :2]
    line = contrasts @ params
    variances = np.maximum(np.nan_to_num(nw.variances(contrasts), nan=0.0), 0.0)
    dof = nw.dof(contrasts[-1])  # the far end of the extension, where the band is widest
    crit = float(stats.t.ppf(1 - alpha / 2, dof))
    half = crit * np.sqrt(variances)
    return line, line - half, line + half


def _cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    """Cameron and Trivedi's (1990) regression test of Var(y) = mu + a mu^2 against a = 0.

    Regress ((y - mu)^2 - y) / mu on mu without a constant; a one-sided t-test of the slope.
    Returns (a, p).
    """
    aux = ((y - mu) ** 2 - y) / mu
    res = sm.OLS(aux, mu).fit()
    a = float(np.asarray(res.params)[0])
    t = float(np.asarray(res.tvalues)[0])
    if not math.isfinite(t):
        return a, 1.0
    return a, float(stats.t.sf(t, res.df_resid))


def _nb_alpha(y: np.ndarray, X: np.ndarray, offset: np.ndarray | None, fallback: float, warnings_: list[str]) -> float:
    """The NB2 dispersion by maximum likelihood; the Cameron-Trivedi moment estimate if that fails."""
    notes: list[str] = []
    try:
        with captured_warnings(notes):
            res = sm.NegativeBinomial(y, X, offset=offset, loglike_method="nb2").fit(disp=0, maxiter=200)
        a = float(np.asarray(res.params)[-1])
        if math.isfinite(a) and 1e-8 < a < 1e3 and not notes:
            return a
    except (np.linalg.LinAlgError, ValueError):
        pass
    warnings_.append("the negative binomial dispersion was taken from the overdispersion regression (its likelihood fit did not converge)")
    return float(min(max(fallback, 1e-6), 1e3))
