"""Synthetic series with a known break and effect, shared by the method tests."""

from __future__ import annotations

import numpy as np


def ar1(rng: np.random.Generator, n: int, rho: float, sd: float = 1.0) -> np.ndarray:
    """Stationary AR(1) noise with marginal standard deviation ``sd``."""
    shocks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + shocks[i]
    return x


def segmented(seed: int, n: int = 60, t0: int = 40, level: float = 0.0, slope: float = 0.0, rho: float = 0.3) -> np.ndarray:
    """Trend 5 + 0.05 t, a level change and a slope change at t0, AR(1) noise of sd 1."""
    t = np.arange(n)
    post = t >= t0
    return 5 + 0.05 * t + level * post + slope * (t - t0) * post + ar1(np.random.default_rng(seed), n, rho)


def negbin_counts(seed: int, n: int = 60, t0: int = 40, ratio: float = 1.0, mean: float = 20.0, alpha: float = 0.15) -> np.ndarray:
    """Negative binomial (NB2) counts whose mean jumps by ``ratio`` at t0."""
    rng = np.random.default_rng(seed)
    mu = mean * np.where(np.arange(n) >= t0, ratio, 1.0)
    size = 1.0 / alpha
    return rng.negative_binomial(size, size / (size + mu)).astype(float)
