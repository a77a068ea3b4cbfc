"""Statistical methods for study hypotheses, each stating its assumptions in its output.

Estimators follow the scikit-learn contract: settings in ``__init__``, ``fit`` returns self,
results in attributes ending in ``_`` (``estimate_``, ``ci_``, ``p_value_``, ``n_obs_``,
``assumptions_``, ``warnings_``) and ``summary()`` as a JSON-ready dict. See docs/methods.md.

- `SegmentedRegression`: interrupted time series for a measure, Newey-West errors.
- `CountITS`: the same for counts, Poisson or negative binomial (rate ratios).
- `DifferenceInDifferences`: a treated dyad against a comparison dyad.
- `ChangePoints`: breaks found without being told the date (ruptures).
- `PlaceboTest`: the real estimate ranked among estimates at placebo dates.
- `bootstrap_ci`: a moving-block residual bootstrap interval for an estimate.
- `insufficient`: the reason a series is too short or sparse for a verdict.
"""

from .bootstrap import bootstrap_ci
from .changepoints import ChangePoints
from .checks import InsufficientDataError, StudyMethodError, insufficient
from .did import DifferenceInDifferences
from .its import CountITS, SegmentedRegression
from .placebo import PlaceboTest

__all__ = [
    "ChangePoints",
    "CountITS",
    "DifferenceInDifferences",
    "InsufficientDataError",
    "PlaceboTest",
    "SegmentedRegression",
    "StudyMethodError",
    "bootstrap_ci",
    "insufficient",
]
