"""From a hypothesis and its series to a verdict: estimate, interval, p-value and one sentence.

The rules, stated once (docs/studies.md repeats them for users):

* A count measure is tested with :class:`~dyadwatch.study.methods.CountITS` (the estimate is a
  rate ratio, 1 = no change); every other measure with
  :class:`~dyadwatch.study.methods.SegmentedRegression` (a level change, 0 = no change).
  A hypothesis with a ``versus`` measure and an intervention compares the two series with
  :class:`~dyadwatch.study.methods.DifferenceInDifferences` (the measure against the versus
  measure); one with ``versus`` and no intervention compares their levels period by period
  (mean paired difference, t interval).
* The first post-intervention period is the one holding the intervention when the date falls
  in its first half, else the next one: a period mostly before the event counts as before.
* ``supported``: the interval lies wholly on the expected side of "no change" (for
  ``change``: excludes it). ``not supported``: the data suffice but the interval includes no
  change or lies on the other side. ``inconclusive``: the data are too sparse or too short
  (the reason says which), or the method could not fit; never a confident verdict on a
  handful of events.
* Change points (no date given) are always reported; placebo dates and comparison dyads,
  where the study names them, give a placebo rank and a second estimate.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadwatch.study.spec import Hypothesis, MeasureDef, StudySpec

log = logging.getLogger(__name__)

__all__ = ["Series", "evaluate", "first_post_index", "verdict_of"]


@dataclass(frozen=True, slots=True)
class Series:
    """One measure of one dyad per period: values (NaN where undefined) and the events behind them."""

    periods: list[dt.date]
    values: np.ndarray
    n_events: np.ndarray
    measure: MeasureDef
    dyad: str


def first_post_index(periods: Sequence[dt.date], day: dt.date) -> int:
    """The index of the first period counted as after ``day`` (see the module's rules).

    >>> import datetime as dt
    >>> months = [dt.date(2021, m, 1) for m in range(1, 13)]
    >>> first_post_index(months, dt.date(2021, 8, 15)), first_post_index(months, dt.date(2021, 8, 30))
    (7, 8)
    """
    for i, start in enumerate(periods):
        end = periods[i + 1] if i + 1 < len(periods) else start + (start - periods[i - 1] if i else dt.timedelta(days=30))
        if start <= day < end:
            half = start + (end - start) / 2
            return i if day < half else i + 1
    return len(periods) if periods and day >= periods[-1] else 0


def verdict_of(expected: str, ci: tuple[float, float] | None, null: float) -> tuple[str, str]:
    """The verdict and its reason from an interval and the value of "no change".

    >>> verdict_of("increase", (1.2, 3.0), 1.0)
    ('supported', 'the interval lies above no change (1)')
    >>> verdict_of("increase", (0.8, 3.0), 1.0)[0]
    'not supported'
    """
    if ci is None or not all(math.isfinite(v) for v in ci):
        return "inconclusive", "the method gave no finite interval"
    lo, hi = ci
    above, below = lo > null, hi < null
    shown = f"{null:g}"
    if expected == "increase":
        if above:
            return "supported", f"the interval lies above no change ({shown})"
        if below:
            return "not supported", f"the interval lies below no change ({shown}): the measure fell"
        return "not supported", f"the interval includes no change ({shown})"
    if expected == "decrease":
        if below:
            return "supported", f"the interval lies below no change ({shown})"
        if above:
            return "not supported", f"the interval lies above no change ({shown}): the measure rose"
        return "not supported", f"the interval includes no change ({shown})"
    if above or below:
        return "supported", f"the interval excludes no change ({shown})"
    return "not supported", f"the interval includes no change ({shown})"


def _clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities become None, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fmt(value: float | None, ratio: bool) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.2f}" if ratio or abs(value) < 100 else f"{value:.0f}"


def evaluate(
    hypothesis: Hypothesis,
    spec: StudySpec,
    series: Series,
    *,
    versus: Series | None = None,
    comparisons: Sequence[Series] = (),
) -> dict[str, Any]:
    """Test one hypothesis on its series; the JSON-ready hypothesis record of results.json
    (without evidence, which :mod:`dyadwatch.study.run` adds)."""
    intervention = spec.intervention(hypothesis.intervention) if hypothesis.intervention else None
    record: dict[str, Any] = {
        "id": hypothesis.id, "statement": hypothesis.statement, "measure": hypothesis.measure,
        "versus": hypothesis.versus, "dyad": hypothesis.dyad,
        "intervention": hypothesis.intervention, "intervention_date": intervention.date.isoformat() if intervention else None,
        "expected": hypothesis.expected, "method": None, "estimate": None, "ci": None, "p_value": None,
        "verdict": "inconclusive", "reason": "", "sentence": "", "assumptions": [], "warnings": [],
        "fit": None, "change_points": [], "placebo": [], "comparison": None, "evidence": [],
        "n_events": int(np.nansum(series.n_events)),
    }
    try:
        from dyadwatch.study import methods
    except ImportError as exc:  # the estimators are part of the package; a broken install says so
        record["reason"] = f"the study methods could not be imported ({exc})"
        record["sentence"] = _sentence(record, series, spec)
        return record
    record["change_points"] = _change_points(methods, series)
    if intervention is None:
        assert versus is not None
        _compare_levels(record, series, versus, spec)
    else:
        t0 = first_post_index(series.periods, intervention.date)
        reason = _sparse(methods, series, t0, spec)
        # the versus measure is a baseline, not a series to test: it may be zero before the
        # intervention (recognition that has not happened yet); the DiD fit checks what it needs
        if reason is not None:
            record["reason"] = reason
        elif versus is not None:
            _fit(record, methods.DifferenceInDifferences(alpha=spec.alpha), series, t0, spec, control=versus)
        else:
            estimator = (
                methods.CountITS(alpha=spec.alpha) if series.measure.kind == "count"
                else methods.SegmentedRegression(effect="level", alpha=spec.alpha)
            )
            if _fit(record, estimator, series, t0, spec):
                _placebo(record, methods, estimator, series, hypothesis, spec)
        if comparisons:
            record["comparison"] = _comparison(methods, series, comparisons, t0, spec)
    record["assumptions"] = _counting(series, spec) + list(record["assumptions"])
    record["sentence"] = _sentence(record, series, spec)
    return _clean(record)


def _counting(series: Series, spec: StudySpec) -> list[str]:
    """The counting rules behind the series, as sentences for the report's methods."""
    if series.measure.kind == "frame":
        return ["Frame shares: sentences about the dyad per period, each near-duplicate story counted once."]
    left_out = [w for w, on in (("negated events", not spec.include_negated),
                                ("intended, threatened and conditional events", spec.asserted_only)) if on]
    return [
        "Own-coded events counted once per story (copies of one story with the same date, actors and "
        "CAMEO code count once); dataset rows as the dataset gives them."
        + (f" Left out: {' and '.join(left_out)}." if left_out else " Negated and non-asserted events included.")
    ]


def _sparse(methods: Any, series: Series, t0: int, spec: StudySpec, *, role: str = "") -> str | None:
    """Why this series cannot carry a verdict, or None. Our own checks come first: an empty dyad
    or too few events is said in the study's terms, not the estimator's."""
    total = int(np.nansum(series.n_events))
    what = f"the {role} measure '{series.measure.name}'" if role else f"the dyad '{series.dyad}'"
    if series.measure.kind == "frame":
        if total == 0:
            return f"no sentences about the dyad '{series.dyad}' in the study period, so no frame shares"
    elif total == 0:
        return f"{what} has no events in the study period from the sources {', '.join(spec.sources)}"
    elif total < spec.min_events:
        return f"{what} has only {total} events in the study period; at least {spec.min_events} are needed"
    values = series.values
    if series.measure.kind == "count":
        counted = float(np.nansum(values))
        if counted < spec.min_events and not series.measure.normalised:
            return (f"only {counted:.0f} events count towards '{series.measure.name}' for the dyad '{series.dyad}'; "
                    f"at least {spec.min_events} are needed")
    kwargs: dict[str, Any] = {}
    if series.measure.kind != "frame":
        kwargs = {"n_events": series.n_events.astype("float64"), "min_events": spec.min_events}
    reason = methods.insufficient(values.astype("float64"), t0, **kwargs)
    return str(reason) if reason else None


def _fit(record: dict[str, Any], estimator: Any, series: Series, t0: int, spec: StudySpec,
         *, control: Series | None = None) -> bool:
    from dyadwatch.study.methods import StudyMethodError

    y = series.values.astype("float64")
    try:
        if control is not None:
            estimator.fit(y, control.values.astype("float64"), t0)
        else:
            estimator.fit(y, t0)
    except StudyMethodError as exc:
        record["reason"] = getattr(exc, "reason", None) or exc.detail
        record["method"] = type(estimator).__name__
        return False
    summary = estimator.summary()
    null = float(summary.get("null_value", 1.0 if type(estimator).__name__ == "CountITS" else 0.0))
    ci = tuple(estimator.ci_) if estimator.ci_ is not None else None
    record.update({
        "method": type(estimator).__name__, "method_description": summary.get("method"),
        "scale": summary.get("scale"), "null_value": null,
        "estimate": float(estimator.estimate_), "ci": list(ci) if ci else None,
        "p_value": estimator.p_value_, "assumptions": list(estimator.assumptions_),
        "warnings": list(estimator.warnings_), "n_obs": estimator.n_obs_,
    })
    record["verdict"], record["reason"] = verdict_of(record["expected"], ci, null)
    too_wide = _too_wide(ci, null, y)
    if too_wide:
        record["verdict"], record["reason"] = "inconclusive", too_wide
    cf = getattr(estimator, "counterfactual_", None)
    cf_ci = getattr(estimator, "counterfactual_ci_", None)
    fitted = getattr(estimator, "fitted_", None)
    record["fit"] = {
        "periods": [p.isoformat() for p in series.periods],
        "observed": y.tolist(),
        "fitted": None if fitted is None else np.asarray(fitted, dtype="float64").tolist(),
        "counterfactual": None if cf is None else np.asarray(cf, dtype="float64").tolist(),
        "counterfactual_low": None if cf_ci is None else np.asarray(cf_ci[0], dtype="float64").tolist(),
        "counterfactual_high": None if cf_ci is None else np.asarray(cf_ci[1], dtype="float64").tolist(),
        "intervention_index": t0,
    }
    if control is not None:
        record["fit"]["control"] = control.values.astype("float64").tolist()
    return True


def _too_wide(ci: tuple[float, float] | None, null: float, y: np.ndarray) -> str | None:
    """An interval so wide that it says nothing (a rate ratio from 0.01 to 100, a level change
    wider than twice the range of the data) is no basis for "not supported": inconclusive."""
    if ci is None or not all(math.isfinite(v) for v in ci):
        return None
    lo, hi = ci
    if null == 1.0 and lo > 0 and hi / lo > 100:
        return (f"the interval ({lo:.2g} to {hi:.2g}) spans more than a hundredfold: the measure has too few "
                "events to tell an effect from none")
    spread = float(np.nanmax(y) - np.nanmin(y)) if np.isfinite(y).any() else 0.0
    if null == 0.0 and spread > 0 and hi - lo > 2 * spread:
        return (f"the interval ({lo:.3g} to {hi:.3g}) is wider than twice the range of the measure: "
                "too little data to tell an effect from none")
    return None


def _change_points(methods: Any, series: Series) -> list[str]:
    y = series.values.astype("float64")
    if np.isnan(y).all() or np.nanstd(y) == 0 or len(y) < 6:
        return []
    filled = np.where(np.isnan(y), np.nanmean(y), y)
    try:
        found = methods.ChangePoints(penalty="bic", min_size=3).fit(filled).change_points_
    except Exception as exc:  # noqa: BLE001 - change points are context, never a reason to fail a verdict
        log.info("change points for %s/%s: %s", series.dyad, series.measure.name, exc)
        return []
    return [series.periods[int(i)].isoformat() for i in found if 0 < int(i) < len(series.periods)]


def _placebo(record: dict[str, Any], methods: Any, estimator: Any, series: Series, hypothesis: Hypothesis,
             spec: StudySpec) -> None:
    dates = hypothesis.placebo_dates or spec.placebo_dates
    if not dates:
        return
    t0 = record["fit"]["intervention_index"]
    # a placebo at the first period, at the intervention itself or outside the series cannot be fitted
    indices = sorted({i for i in (first_post_index(series.periods, d) for d in dates)
                      if 0 < i < len(series.periods) and i != t0})
    if not indices:
        record["warnings"].append("placebo test not run: no placebo date falls inside the series "
                                  "(away from its first period and the intervention)")
        return
    try:
        test = methods.PlaceboTest(type(estimator)(**estimator.get_params()), placebo=indices).fit(
            series.values.astype("float64"), t0
        )
    except Exception as exc:  # noqa: BLE001 - a placebo that cannot fit is a warning, not a failure
        record["warnings"].append(f"placebo test not run: {getattr(exc, 'detail', exc)}")
        return
    # placebos that could not be fitted are skipped: pair the estimates with the indices fitted
    fitted = list(getattr(test, "placebo_indices_", []))
    estimates = list(getattr(test, "placebo_estimates_", []))
    record["placebo"] = [
        {"date": series.periods[i].isoformat(), "estimate": est}
        for i, est in zip(fitted, estimates, strict=True)
    ]
    record["placebo_p_value"] = getattr(test, "p_value_", None)


def _comparison(methods: Any, series: Series, comparisons: Sequence[Series], t0: int,
                spec: StudySpec) -> dict[str, Any] | None:
    out: list[dict[str, Any]] = []
    for control in comparisons:
        entry: dict[str, Any] = {"dyad": control.dyad, "method": "DifferenceInDifferences",
                                 "estimate": None, "ci": None, "p_value": None, "reason": ""}
        reason = _sparse(methods, control, t0, spec)
        if reason:
            entry["reason"] = f"inconclusive: {reason}"
        else:
            try:
                did = methods.DifferenceInDifferences(alpha=spec.alpha).fit(
                    series.values.astype("float64"), control.values.astype("float64"), t0)
                entry.update({"estimate": did.estimate_, "ci": list(did.ci_), "p_value": did.p_value_,
                              "assumptions": list(did.assumptions_), "warnings": list(did.warnings_)})
            except methods.StudyMethodError as exc:
                entry["reason"] = f"inconclusive: {getattr(exc, 'reason', None) or exc.detail}"
        out.append(entry)
    if not out:
        return None
    first = dict(out[0])
    if len(out) > 1:
        first["others"] = out[1:]
    return first


def _compare_levels(record: dict[str, Any], series: Series, versus: Series, spec: StudySpec) -> None:
    """Without an intervention: does the measure exceed the versus measure, period by period?"""
    from scipy import stats

    a, b = series.values.astype("float64"), versus.values.astype("float64")
    both = ~np.isnan(a) & ~np.isnan(b)
    diff = (a - b)[both]
    record["method"] = "PairedDifference"
    record["method_description"] = "paired difference of levels per period (t interval)"
    record["fit"] = {"periods": [p.isoformat() for p in series.periods], "observed": a.tolist(),
                     "fitted": None, "counterfactual": b.tolist(), "counterfactual_low": None,
                     "counterfactual_high": None, "versus": versus.measure.name}
    minimum = 6
    if diff.size < minimum:
        record["reason"] = (f"only {diff.size} periods have both '{series.measure.name}' and "
                            f"'{versus.measure.name}'; at least {minimum} are needed")
        return
    total = int(np.nansum(series.n_events[both]))
    if series.measure.kind == "frame" and total < spec.min_events:
        record["reason"] = f"only {total} sentences about the dyad; at least {spec.min_events} are needed"
        return
    if np.std(diff) == 0:
        record["reason"] = "the two measures differ by the same amount in every period: no variation to test"
        return
    mean = float(diff.mean())
    sem = float(diff.std(ddof=1) / math.sqrt(diff.size))
    t = float(stats.t.ppf(1 - spec.alpha / 2, diff.size - 1))
    ci = (mean - t * sem, mean + t * sem)
    alternative = {"increase": "greater", "decrease": "less"}.get(record["expected"], "two-sided")
    p = float(stats.ttest_1samp(diff, 0.0, alternative=alternative).pvalue)
    record.update({"estimate": mean, "ci": list(ci), "p_value": p, "null_value": 0.0, "n_obs": int(diff.size),
                   "assumptions": [
                       f"The {diff.size} periods with both measures are treated as independent paired "
                       "observations (no correction for autocorrelation).",
                       "'increase' reads as: the measure exceeds the versus measure on average.",
                   ]})
    record["verdict"], record["reason"] = verdict_of(record["expected"], ci, 0.0)


def _sentence(record: dict[str, Any], series: Series, spec: StudySpec) -> str:
    """One plain-language sentence a reader can quote, e.g. "H1 supported: after Kabul falls
    (2021-08-15), Russia-Taliban 'cooperation' (cooperation events, ...) ran at 3.96 times its
    pre-trend (95% interval 2.54 to 6.17, p < 0.001)."."""
    measure = series.measure
    what = f"{series.dyad} '{measure.name}' ({measure.description})"
    verdict = record["verdict"]
    if verdict == "inconclusive":
        return f"{record['id']} inconclusive: {what}: {record['reason']}."
    est, ci = record["estimate"], record["ci"]
    ratio = record.get("scale") == "ratio"
    p = record.get("p_value")
    ptext = ""
    if isinstance(p, float) and math.isfinite(p):
        ptext = ", p < 0.001" if p < 0.001 else f", p = {p:.3f}"
    interval = f"{100 * (1 - spec.alpha):.0f}% interval {_fmt(ci[0], ratio)} to {_fmt(ci[1], ratio)}{ptext}"
    when = f"after {record['intervention']} ({record['intervention_date']})"
    if record["intervention"] is None:
        core = f"{what} exceeded '{record['versus']}' by {_fmt(est, False)} per {spec.unit} on average ({interval})"
    elif record.get("versus"):
        core = f"{when}, {what} changed by {est:+.2f} per {spec.unit} relative to '{record['versus']}' ({interval})"
    elif ratio:
        core = f"{when}, {what} ran at {_fmt(est, True)} times its pre-trend ({interval})"
    else:
        core = f"{when}, the level of {what} changed by {_fmt(est, False)} ({interval})"
    return f"{record['id']} {verdict}: {core}; {record['reason']}."


def series_from_frame(long: pd.DataFrame, spec: StudySpec, dyad: str, measure: str) -> Series:
    """A :class:`Series` from the long measures frame (rows for one dyad and measure)."""
    rows = long[(long["dyad"] == dyad) & (long["measure"] == measure)].sort_values("period")
    periods = spec.periods()
    values = rows.set_index("period")["value"].reindex(periods)
    counts = rows.set_index("period")["n_events"].reindex(periods).fillna(0)
    return Series(
        periods=periods, values=values.to_numpy(dtype="float64"),
        n_events=counts.to_numpy(dtype="float64"), measure=spec.measure(measure), dyad=dyad,
    )
