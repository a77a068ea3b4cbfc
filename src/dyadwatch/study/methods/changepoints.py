"""Change points found without being told the date (ruptures, PELT or binary segmentation).

The penalty per break follows a BIC-type rule scaled to the series' noise: ``c * s2 * log(n)``
where ``s2`` is a robust long-run noise variance. The noise level comes from the median
absolute deviation of first differences (a mean shift touches only one difference, so it
barely moves that estimate); the lag-1 autocorrelation ``rho`` of the noise comes from the
(winsorised) first differences too, using corr(dy_t, dy_t-1) = -(1 - rho) / 2 for AR(1) noise,
and inflates the variance by (1 + rho) / (1 - rho)^2, because autocorrelated noise wanders
in runs that look like breaks. ``c`` is 3 for piecewise-constant means (``l2``; plain BIC
would be 2, the margin holds false alarms near 5% on 24-120 periods, see the benchmark) and
4.5 for piecewise-linear trends (``linear``, one more coefficient per segment).

>>> import numpy as np
>>> rng = np.random.default_rng(7)
>>> y = np.r_[rng.normal(0, 1, 30), rng.normal(3, 1, 30)]
>>> ChangePoints().fit(y).change_points_
[30]
>>> ChangePoints().fit(rng.normal(0, 1, 60)).change_points_
[]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import ruptures as rpt

from dyadwatch.errors import Errors

from .checks import (
    EffectEstimator,
    StudyMethodError,
    as_series,
    check_choice,
    require_sufficient,
)

__all__ = ["ChangePoints", "noise_scale"]

# Penalty multipliers of s2 * log(n) per break (see the module docstring); "normal" cost is
# already a -2 log-likelihood, so its multiplier applies to log(n) alone.
_BIC_FACTOR = {"l2": 3.0, "linear": 4.5, "normal": 4.5}
_MODELS = ("l2", "linear", "normal", "rbf", "l1")
# Above this many periods, candidate break positions are searched on a grid (see `fit`).
MAX_EXACT_N = 400


def noise_scale(y: np.ndarray) -> tuple[float, float]:
    """(sigma, rho): a robust noise standard deviation and lag-1 autocorrelation from first differences.

    >>> rng = np.random.default_rng(0)
    >>> sigma, rho = noise_scale(rng.normal(0, 2, 400))
    >>> 1.7 < sigma < 2.3, rho < 0.2
    (True, True)
    """
    d = np.diff(y)
    med = float(np.median(d))
    mad = float(np.median(np.abs(d - med)))
    sigma = mad / 0.6745 / math.sqrt(2.0)
    if sigma == 0.0:  # many equal steps (small counts): fall back on the plain spread
        sigma = float(np.std(d)) / math.sqrt(2.0)
    if d.size < 4 or sigma == 0.0:
        return sigma, 0.0
    spread = 3.0 * 1.4826 * mad if mad > 0 else 3.0 * float(np.std(d))
    clipped = np.clip(d, med - spread, med + spread)
    if float(np.std(clipped[1:])) == 0.0 or float(np.std(clipped[:-1])) == 0.0:
        return sigma, 0.0
    r = float(np.corrcoef(clipped[1:], clipped[:-1])[0, 1])
    rho = min(max(1.0 + 2.0 * r, 0.0), 0.9) if math.isfinite(r) else 0.0
    return sigma, rho


class ChangePoints(EffectEstimator):
    """Breaks in a series by penalised segmentation, with no date given.

    ``model``: ``"l2"`` (shifts in the mean, the default), ``"linear"`` (breaks in a linear
    trend), ``"normal"`` (shifts in mean or variance), ``"rbf"`` / ``"l1"`` (need a numeric
    ``penalty``). ``penalty``: ``"bic"`` (the noise-scaled rule) or a number. ``method``:
    ``"pelt"`` (exact) or ``"binseg"``. ``min_size``: the fewest periods in a segment.

    After ``fit(y)``: ``change_points_`` (the first index of each new segment, in the
    original indexing even when empty periods were left out), ``estimate_`` (how many breaks,
    as a float), ``segment_means_``, ``penalty_``, ``sigma_``, ``rho_``, ``assumptions_``,
    ``warnings_``. No interval or p-value (``ci_`` and ``p_value_`` are None): detected
    breaks are a description, to be set beside the tested intervention with `near`.
    """

    method_name = "change-point detection (ruptures, penalised segmentation)"

    def __init__(self, *, model: str = "l2", penalty: str | float = "bic", min_size: int = 3, method: str = "pelt") -> None:
        self.model = model
        self.penalty = penalty
        self.min_size = min_size
        self.method = method

    def fit(self, y: Any) -> ChangePoints:
        check_choice("model", self.model, _MODELS)
        check_choice("method", self.method, ("pelt", "binseg"))
        if isinstance(self.min_size, bool) or not isinstance(self.min_size, int | np.integer) or self.min_size < 2:
            raise StudyMethodError(Errors.E620, name="min_size", rule="a whole number of periods, 2 or more", found=self.min_size)
        numeric = isinstance(self.penalty, int | float) and not isinstance(self.penalty, bool)
        if not (self.penalty == "bic" or (numeric and math.isfinite(float(self.penalty)) and float(self.penalty) > 0)):
            raise StudyMethodError(Errors.E620, name="penalty", rule="'bic' or a positive number", found=self.penalty)
        if self.penalty == "bic" and self.model not in _BIC_FACTOR:
            raise StudyMethodError(
                Errors.E620, name="penalty", rule=f"a number for model {self.model!r} ('bic' is defined for l2, linear and normal)", found=self.penalty
            )
        values = as_series(y)
        observed = np.flatnonzero(~np.isnan(values))
        kept = values[observed]
        n = int(kept.size)
        min_size = int(self.min_size)
        if n < 2 * min_size + 1:
            require_sufficient(self.method_name, f"only {n} periods with data; finding a break needs at least {2 * min_size + 1} (min_size={min_size})")
        if np.ptp(kept) <= 1e-9 * max(1.0, float(np.max(np.abs(kept)))):
            require_sufficient(self.method_name, "the series is constant: there is no variation in which to find a break")
        sigma, rho = noise_scale(kept)
        long_run = sigma**2 * (1.0 + rho) / (1.0 - rho) ** 2
        if self.penalty == "bic":
            if self.model == "normal":
                pen = _BIC_FACTOR["normal"] * math.log(n)
            else:
                if long_run <= 0.0:
                    require_sufficient(self.method_name, "the noise level is zero, so no penalty can be scaled to it")
                pen = _BIC_FACTOR[self.model] * long_run * math.log(n)
        else:
            pen = float(self.penalty)
        if self.model == "linear":
            t = np.arange(n, dtype=float)
            signal = np.column_stack([kept, np.ones(n), t])
        else:
            signal = kept.reshape(-1, 1)
        algo_cls = rpt.Pelt if self.method == "pelt" else rpt.Binseg
        # PELT over every position is quadratic in pure Python; long series search a grid
        jump = 1 if n <= MAX_EXACT_N else math.ceil(n / MAX_EXACT_N)
        algo = algo_cls(model=self.model, min_size=max(min_size, jump), jump=jump)
        breaks = algo.fit(signal).predict(pen=pen)
        positions = [int(b) for b in breaks[:-1]]
        self.change_points_ = [int(observed[p]) for p in positions]
        bounds = [0, *positions, n]
        self.segment_means_ = [float(np.mean(kept[a:b])) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        self.penalty_ = pen
        self.sigma_ = sigma
        self.rho_ = rho
        self.n_obs_ = n
        self.estimate_ = float(len(positions))
        self.ci_ = None
        self.p_value_ = None
        warnings_: list[str] = []
        if n < values.size:
            warnings_.append(f"{values.size - n} empty period(s) left out; break indices refer to the full series")
        shape = {
            "l2": "piecewise-constant mean",
            "linear": "piecewise-linear trend",
            "normal": "piecewise-constant mean and variance",
            "rbf": "changes in distribution (kernel cost)",
            "l1": "piecewise-constant median",
        }[self.model]
        rule = (
            f"a BIC-type rule, {_BIC_FACTOR[self.model]:g} x long-run noise variance x log(n)"
            if self.penalty == "bic" and self.model != "normal"
            else ("a BIC-type rule, 4.5 x log(n)" if self.penalty == "bic" else "as given")
        )
        self.assumptions_ = [
            f"The series is a sequence of segments with a {shape}; breaks are found without the intervention date ({self.method.upper()} search, at least {min_size} periods per segment).",
            f"Penalty per break {pen:.3g} ({rule}); noise sd {sigma:.3g} from the median absolute deviation of first differences, lag-1 autocorrelation {rho:.2f} allowed for.",
            "Between breaks the noise is stationary; stronger or longer-range autocorrelation than AR(1) raises the false-alarm rate.",
        ]
        if jump > 1:
            warnings_.append(f"{n} periods: break positions were searched every {jump} periods, so each is accurate to {jump} periods")
        self.warnings_ = warnings_
        return self

    def near(self, index: int, tolerance: int = 2) -> int | None:
        """The detected break closest to ``index`` if within ``tolerance`` periods, else None.

        >>> import numpy as np
        >>> noise = np.random.default_rng(1).normal(0, 1, 40)
        >>> cp = ChangePoints().fit(np.r_[np.zeros(20), np.full(20, 5.0)] + noise)
        >>> cp.near(21), cp.near(30)
        (20, None)
        """
        self._check_fitted()
        close = [c for c in self.change_points_ if abs(c - index) <= tolerance]
        return min(close, key=lambda c: abs(c - index)) if close else None

    def _extras(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "change_points": list(self.change_points_),
            "segment_means": list(self.segment_means_),
            "penalty": self.penalty_,
            "noise_sd": self.sigma_,
            "noise_rho": self.rho_,
        }
