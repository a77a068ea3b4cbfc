"""What each chart shows, computed once from the results, for both renderers.

The interactive report (plotly) and the PNG/SVG files (matplotlib) draw the same data:
building it here keeps the two from drifting apart. A hypothesis chart falls back on the
study's series when the test produced no fit (an inconclusive verdict), so every
hypothesis gets a chart of what was observed.

>>> chart = hypothesis_chart({"id": "H1", "measure": "m", "dyad": "A-B", "fit": None},
...     [{"dyad": "A-B", "measure": "m", "origin": "all",
...       "rows": [{"period": "2021-01-01", "value": 1.0}, {"period": "2021-02-01", "value": None}]}],
...     [{"name": "War", "date": "2021-01-15"}])
>>> chart.observed, chart.fitted
([1.0, None], None)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FrameChart", "HypothesisChart", "NetworkChart", "frame_charts", "hypothesis_chart", "network_chart"]

Values = list[float | None]


@dataclass(frozen=True, slots=True)
class HypothesisChart:
    """A hypothesis's series by period, the ITS fit and counterfactual band, the dated marks."""

    slug: str  # file and element name: "h1"
    title: str
    ylabel: str
    periods: list[str]
    observed: Values
    fitted: Values | None = None
    counterfactual: Values | None = None
    band_low: Values | None = None
    band_high: Values | None = None
    counterfactual_label: str = "counterfactual (pre-trend)"
    versus: Values | None = None  # the measure a "versus" hypothesis compares against, when not in the fit
    versus_label: str = ""
    interventions: list[tuple[str, str]] = field(default_factory=list)  # (name, date)
    change_points: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.observed)


@dataclass(frozen=True, slots=True)
class FrameChart:
    """The share of a dyad's sentences carrying each frame, by period."""

    periods: list[str]
    shares: dict[str, Values]  # frame -> one share per period (None where not measured)
    dyad: str = ""

    @property
    def slug(self) -> str:
        return "frames" + (f"-{slug_of(self.dyad)}" if self.dyad else "")


@dataclass(frozen=True, slots=True)
class NetworkChart:
    """Actors placed by a force layout; directed edges weighted by their event counts."""

    nodes: list[tuple[str, str, int, float, float]]  # id, label, events, x, y
    edges: list[tuple[str, str, int, float | None]]  # source, target, events, goldstein mean
    undirected: frozenset[tuple[str, str]] = frozenset()  # edges drawn without an arrowhead


def slug_of(text: str) -> str:
    """A file- and id-safe name: letters, digits and dashes."""
    out = "".join(ch.lower() if ch.isascii() and ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part) or "chart"


def _values(raw: object, n: int) -> Values | None:
    if not isinstance(raw, list) or len(raw) != n:
        return None
    return [float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None for v in raw]


def hypothesis_chart(
    hyp: Mapping[str, Any], series: Sequence[Mapping[str, Any]], interventions: Sequence[Mapping[str, Any]]
) -> HypothesisChart:
    """The chart data of one hypothesis: its fit when there is one, else its observed series."""
    hid = str(hyp.get("id") or "H")
    measure = str(hyp.get("measure") or "")
    dyad = str(hyp.get("dyad") or "")
    title = f"{hid}: {measure} — {dyad}" if measure or dyad else hid
    marks = [(str(i.get("name") or "intervention"), str(i.get("date"))) for i in interventions if i.get("date")]
    own = hyp.get("intervention_date")
    if own and all(date != own for _, date in marks):
        marks.insert(0, (str(hyp.get("intervention") or "intervention"), str(own)))
    slug = slug_of(hid)
    ylabel = measure or "value"
    change_points = [str(d) for d in hyp.get("change_points") or []]
    fit = hyp.get("fit")
    if isinstance(fit, Mapping) and isinstance(fit.get("periods"), list) and fit["periods"]:
        periods = [str(p) for p in fit["periods"]]
        n = len(periods)
        # a "versus" test puts the other measure where a counterfactual would be
        fit_versus = fit.get("versus")
        return HypothesisChart(
            slug=slug, title=title, ylabel=ylabel, interventions=marks, change_points=change_points,
            periods=periods, observed=_values(fit.get("observed"), n) or [None] * n,
            fitted=_values(fit.get("fitted"), n), counterfactual=_values(fit.get("counterfactual"), n),
            band_low=_values(fit.get("counterfactual_low"), n), band_high=_values(fit.get("counterfactual_high"), n),
            counterfactual_label=f"versus {fit_versus}" if isinstance(fit_versus, str) else "counterfactual (pre-trend)",
        )
    periods, observed = _series_values(series, dyad, measure)
    versus_name = hyp.get("versus")
    versus: Values | None = None
    if isinstance(versus_name, str) and versus_name:
        other_periods, other = _series_values(series, dyad, versus_name)
        lookup = dict(zip(other_periods, other, strict=True))
        versus = [lookup.get(p) for p in periods] if other_periods else None
    return HypothesisChart(
        slug=slug, title=title, ylabel=ylabel, interventions=marks, change_points=change_points,
        periods=periods, observed=observed, versus=versus,
        versus_label=f"versus {versus_name}" if versus is not None else "",
    )


def _series_values(series: Sequence[Mapping[str, Any]], dyad: str, measure: str) -> tuple[list[str], Values]:
    """The periods and values of one measure of one dyad (the pooled origin preferred)."""
    matches = [s for s in series if s.get("dyad") == dyad and s.get("measure") == measure]
    matches.sort(key=lambda s: s.get("origin") != "all")
    rows = (matches[0].get("rows") or []) if matches else []
    periods = [str(r.get("period")) for r in rows]
    return periods, _values([r.get("value") for r in rows], len(rows)) or []


def frame_charts(frames: Mapping[str, Any] | None) -> list[FrameChart]:
    """Frame shares by period, one chart per dyad, frames in the study's order."""
    if not frames:
        return []
    rows = [r for r in frames.get("rows") or [] if isinstance(r, Mapping)]
    dyads: list[str] = []
    for r in rows:
        if str(r.get("dyad") or "") not in dyads:
            dyads.append(str(r.get("dyad") or ""))
    charts = []
    for dyad in dyads:
        chart = _frame_chart([r for r in rows if str(r.get("dyad") or "") == dyad], frames.get("names") or [], dyad)
        if chart.shares:
            charts.append(chart)
    return charts


def _frame_chart(rows: list[Mapping[str, Any]], order: Sequence[object], dyad: str) -> FrameChart:
    periods = sorted({str(r["period"]) for r in rows})
    names = [str(n) for n in order]
    for r in rows:
        if str(r["frame"]) not in names:
            names.append(str(r["frame"]))
    index = {p: i for i, p in enumerate(periods)}
    shares: dict[str, Values] = {name: [None] * len(periods) for name in names}
    for r in rows:
        share = r.get("share")
        if isinstance(share, int | float) and not isinstance(share, bool) and math.isfinite(share):
            shares[str(r["frame"])][index[str(r["period"])]] = float(share)
    return FrameChart(periods=periods, shares={k: v for k, v in shares.items() if any(x is not None for x in v)},
                      dyad=dyad)


def network_chart(network: Mapping[str, Any] | None, *, seed: int = 7) -> NetworkChart | None:
    """Place the actors with a seeded spring layout (the same picture on every run)."""
    if not network:
        return None
    import networkx as nx

    graph = nx.DiGraph()
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for node in network.get("nodes") or []:
        nid = str(node["id"])
        graph.add_node(nid)
        labels[nid] = str(node.get("label") or nid)
        counts[nid] = int(node.get("events") or 0)
    edges = []
    undirected = set()
    for edge in network.get("edges") or []:
        src, dst = str(edge["source"]), str(edge["target"])
        events = int(edge.get("events") or 0)
        for nid in (src, dst):
            if nid not in graph:
                graph.add_node(nid)
                labels.setdefault(nid, nid)
                counts.setdefault(nid, 0)
        graph.add_edge(src, dst, weight=max(events, 1))
        gold = edge.get("goldstein_mean")
        edges.append((src, dst, events, float(gold) if isinstance(gold, int | float) else None))
        if edge.get("undirected") is True:
            undirected.add((src, dst))
    if graph.number_of_nodes() == 0:
        return None
    pos = nx.spring_layout(graph.to_undirected(), weight="weight", seed=seed) if len(graph) > 1 else {
        next(iter(graph)): (0.0, 0.0)
    }
    nodes = [(nid, labels[nid], counts[nid], float(pos[nid][0]), float(pos[nid][1])) for nid in graph.nodes]
    return NetworkChart(nodes=nodes, edges=edges, undirected=frozenset(undirected))
