"""Placebo interventions: how large an "effect" the method finds at dates where nothing happened.

The estimator is refitted with the intervention moved to placebo dates. Placebos before the real
intervention are fitted on the pre-intervention data only (and placebos after it on the
post-intervention data only), so the real change cannot leak into them. The real estimate is
then ranked among the placebo estimates by its distance from "no effect" (|b| for a
difference, |log RR| for a rate ratio); the p-value is that rank,
``(1 + #placebos at least as far from no effect) / (1 + m)``. Placebos from one series are
correlated, so the rank is not an exact test; with every fittable pre-period date as a placebo
it is conservative (see the benchmark).

>>> import numpy as np
>>> from dyadwatch.study.methods import SegmentedRegression
>>> rng = np.random.default_rng(2)
>>> y = rng.normal(0, 1, 60) + 3.0 * (np.arange(60) >= 45)
>>> test = PlaceboTest(SegmentedRegression()).fit(y, 45)
>>> len(test.placebo_estimates_), test.p_value_ < 0.1
(40, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from dyadwatch.errors import Errors

from .checks import (
    EffectEstimator,
    InsufficientDataError,
    StudyMethodError,
    as_series,
    check_intervention,
    require_sufficient,
)
from .its import FIT_MIN_POST, FIT_MIN_PRE, _SegmentedBase

__all__ = ["PlaceboTest"]


class PlaceboTest(EffectEstimator):
    """Refit ``estimator`` at placebo intervention indices and rank the real estimate among them.

    ``estimator``: an unfitted `SegmentedRegression` or `CountITS` (cloned, never changed).
    ``placebo``: ``"all"`` (every pre-intervention index that leaves the estimator at least
    three pre-intervention periods on each side) or a list of period indices (before or after the real
    intervention). After ``fit(y, intervention)``: ``estimate_``, ``ci_`` and ``n_obs_`` of the
    real fit, ``p_value_`` (the placebo rank), ``placebo_indices_``, ``placebo_estimates_``,
    ``real_`` (the fitted real estimator), ``assumptions_``, ``warnings_``.
    """

    method_name = "placebo interventions (rank test)"

    def __init__(self, estimator: Any = None, *, placebo: str | list[int] = "all") -> None:
        self.estimator = estimator
        self.placebo = placebo

    def fit(self, y: Any, intervention: int) -> PlaceboTest:
        if not isinstance(self.estimator, _SegmentedBase):
            raise StudyMethodError(
                Errors.E620, name="estimator", rule="a SegmentedRegression or CountITS", found=type(self.estimator).__name__
            )
        values = as_series(y)
        n = values.size
        t0 = check_intervention(intervention, n)
        real = clone(self.estimator).fit(values, t0)
        warnings_: list[str] = []
        candidates = self._candidates(n, t0)
        indices: list[int] = []
        estimates: list[float] = []
        skipped = 0
        for p in candidates:
            segment, at = (values[:t0], p) if p < t0 else (values[t0:], p - t0)
            model = clone(self.estimator)
            model._light = True
            try:
                fitted = model.fit(segment, at)
            except StudyMethodError:
                skipped += 1
                continue
            indices.append(p)
            estimates.append(float(fitted.estimate_))
        if skipped:
            warnings_.append(f"{skipped} placebo date(s) left out: too few periods on one side of them")
        m = len(estimates)
        if m == 0:
            require_sufficient(self.method_name, "no placebo date leaves enough periods on both sides for a fit")
        real_distance = real.distance_from_null(real.estimate_)
        at_least = sum(1 for e in estimates if real.distance_from_null(e) >= real_distance - 1e-12)
        p_value = (1 + at_least) / (1 + m)
        floor = 1 / (1 + m)
        if floor > 0.05:
            warnings_.append(f"with {m} placebo dates the smallest attainable p-value is {floor:.3f}, above 0.05: this test alone cannot reject at 5%")
        self.real_ = real
        self.placebo_indices_ = indices
        self.placebo_estimates_ = estimates
        self.estimate_ = float(real.estimate_)
        self.ci_ = real.ci_
        self.p_value_ = float(p_value)
        self.n_obs_ = real.n_obs_
        where = "before the real intervention, fitted on the pre-intervention periods only" if all(p < t0 for p in indices) else "away from the real intervention, each fitted on the data on its own side of it"
        self.assumptions_ = [
            f"Nothing happened at the {m} placebo dates ({where}), so their estimates show how large an effect this method finds by chance in this series.",
            f"The p-value is the rank of the real estimate's distance from no effect among the placebo estimates, (1 + {at_least}) / (1 + {m}); its smallest possible value is 1/{m + 1} = {floor:.3f}.",
            "Placebo estimates at neighbouring dates overlap and are correlated, and placebo fits near the ends of the pre-period rest on few periods, so the rank is approximate and usually conservative.",
        ]
        self.warnings_ = warnings_ + [f"real fit: {w}" for w in real.warnings_]
        return self

    def _candidates(self, n: int, t0: int) -> list[int]:
        if isinstance(self.placebo, str):
            if self.placebo != "all":
                raise StudyMethodError(Errors.E620, name="placebo", rule="'all' or a list of period indices", found=self.placebo)
            # every pre-intervention date the estimator can be fitted at. Dates near the ends give
            # noisy placebo estimates, which makes the rank conservative; leaving them out (or
            # ranking t-statistics instead) made it anti-conservative in the benchmark (8-9% false
            # positives at 5%), because placebos from one series are correlated with each other
            found = list(range(FIT_MIN_PRE, t0 - FIT_MIN_POST + 1))
            if not found:
                raise InsufficientDataError(
                    Errors.E623, method=self.method_name, reason=f"only {t0} periods before the intervention: too few for any placebo date"
                )
            return found
        chosen: list[int] = []
        for p in self.placebo:
            if isinstance(p, bool) or not isinstance(p, int | np.integer):
                raise StudyMethodError(Errors.E628, found=p, detail="not a whole number")
            if not 0 < int(p) < n:
                raise StudyMethodError(Errors.E628, found=p, detail=f"outside the series of {n} periods")
            if int(p) == t0:
                raise StudyMethodError(Errors.E628, found=p, detail="it is the real intervention")
            chosen.append(int(p))
        if not chosen:
            raise StudyMethodError(Errors.E628, found=self.placebo, detail="the list is empty")
        return chosen

    def _extras(self) -> dict[str, Any]:
        return {
            "scale": self.real_.scale,
            "null_value": self.real_.null_value,
            "method": f"{self.method_name} of {self.real_.method_name}",
            "placebo_indices": list(self.placebo_indices_),
            "placebo_estimates": list(self.placebo_estimates_),
        }

