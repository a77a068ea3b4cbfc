"""The interactive charts of the HTML report, as plotly figures.

Figures are built with plotly's graph objects (which check every attribute) and handed to
the page as JSON; plotly.js itself is inlined once by the template, so the report opens
offline. Any text that came from a study file goes through :func:`label`, because
plotly renders a subset of HTML in names and titles.

>>> from dyadwatch.report.charts import FrameChart
>>> fig = frame_figure(FrameChart(periods=["2021-01-01"], shares={"drugs <b>": [0.5]}))
>>> fig["data"][0]["name"]
'drugs &lt;b&gt;'
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from dyadwatch.report.charts import FrameChart, HypothesisChart, NetworkChart

__all__ = ["figure_json", "frame_figure", "hypothesis_figure", "label", "network_figure"]

PALETTE = ["#1f5f8b", "#c2571a", "#2f8f5b", "#8d3b72", "#b8942a", "#4b6b8f", "#a33b3b", "#5c5c5c", "#3f9fb0"]
_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    "height": 420,
    "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.18},
}


def label(text: object) -> str:
    """Text for plotly: its HTML subset (<b>, <a href>) neutralised."""
    return html.escape(str(text), quote=False)


def _to_dict(fig: Any) -> dict[str, Any]:
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


def hypothesis_figure(chart: HypothesisChart) -> dict[str, Any]:
    """Observed series, fit, counterfactual with its band; interventions and change points as lines."""
    import plotly.graph_objects as go

    fig = go.Figure()
    x = chart.periods
    if chart.band_low is not None and chart.band_high is not None:
        fig.add_trace(go.Scatter(x=x, y=chart.band_high, mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip", name="band high"))
        fig.add_trace(go.Scatter(x=x, y=chart.band_low, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor="rgba(194,87,26,0.18)", name="counterfactual 95% band"))
    if chart.counterfactual is not None:
        fig.add_trace(go.Scatter(x=x, y=chart.counterfactual, mode="lines", name=label(chart.counterfactual_label),
                                 line={"color": PALETTE[1], "dash": "dash"}))
    if chart.versus is not None:
        fig.add_trace(go.Scatter(x=x, y=chart.versus, mode="lines+markers", name=label(chart.versus_label),
                                 line={"color": PALETTE[3], "width": 1}, marker={"size": 4}))
    if chart.fitted is not None:
        fig.add_trace(go.Scatter(x=x, y=chart.fitted, mode="lines", name="ITS fit", line={"color": PALETTE[2]}))
    fig.add_trace(go.Scatter(x=x, y=chart.observed, mode="lines+markers", name="observed",
                             line={"color": PALETTE[0], "width": 1}, marker={"size": 4}))
    shapes, notes = [], []
    for name, date in chart.interventions:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": date, "x1": date, "y0": 0, "y1": 1,
                       "line": {"color": "#a33b3b", "width": 2}})
        notes.append({"x": date, "y": 1.0, "xref": "x", "yref": "paper", "text": label(name), "showarrow": False,
                      "xanchor": "left", "yanchor": "bottom", "font": {"color": "#a33b3b", "size": 11}})
    for date in chart.change_points:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": date, "x1": date, "y0": 0, "y1": 1,
                       "line": {"color": "#555555", "width": 1, "dash": "dot"}})
    if chart.change_points:  # a legend entry for the dotted lines
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="change point",
                                 line={"color": "#555555", "dash": "dot"}))
    fig.update_layout(**_LAYOUT, title={"text": label(chart.title)}, shapes=shapes, annotations=notes,
                      yaxis={"title": {"text": label(chart.ylabel)}}, xaxis={"type": "date"})
    return _to_dict(fig)


def frame_figure(chart: FrameChart) -> dict[str, Any]:
    """One line per frame: its share of the dyad's sentences by period."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, (name, values) in enumerate(chart.shares.items()):
        fig.add_trace(go.Scatter(x=chart.periods, y=values, mode="lines+markers", name=label(name),
                                 line={"color": PALETTE[i % len(PALETTE)]}, marker={"size": 4}))
    title = "Frame shares by period" + (f" — {chart.dyad}" if chart.dyad else "")
    fig.update_layout(**_LAYOUT, title={"text": label(title)},
                      yaxis={"title": {"text": "share of sentences"}, "tickformat": ".0%", "rangemode": "tozero"},
                      xaxis={"type": "date"})
    return _to_dict(fig)


def goldstein_colour(value: float | None) -> str:
    """Red for conflict, grey for neutral, blue for cooperation (Goldstein -10..10)."""
    if value is None:
        return "#888888"
    t = max(-1.0, min(1.0, value / 10.0))
    if t >= 0:
        return f"rgb({int(136 - 105 * t)},{int(136 - 41 * t)},{int(136 + 3 * t)})"
    return f"rgb({int(136 + 54 * -t)},{int(136 - 77 * -t)},{int(136 - 77 * -t)})"


def edge_offset(chart: NetworkChart, src: str, dst: str) -> tuple[float, float]:
    """A small sideways shift for an edge whose reverse also exists, so both stay visible."""
    pairs = {(s, t) for s, t, _, _ in chart.edges}
    if (dst, src) not in pairs:
        return 0.0, 0.0
    pos = {nid: (x, y) for nid, _, _, x, y in chart.nodes}
    (x0, y0), (x1, y1) = pos[src], pos[dst]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return -(y1 - y0) / length * 0.03, (x1 - x0) / length * 0.03


def network_figure(chart: NetworkChart) -> dict[str, Any]:
    """Actors as circles sized by their events; arrows for dyads (two-headed when undirected), width by events."""
    import plotly.graph_objects as go

    pos = {nid: (x, y) for nid, _, _, x, y in chart.nodes}
    most = max([e[2] for e in chart.edges] + [1])
    fig = go.Figure()
    notes = []
    for src, dst, events, gold in chart.edges:
        dx, dy = edge_offset(chart, src, dst)
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        colour = goldstein_colour(gold)
        gold_text = "n/a" if gold is None else f"{gold:.1f}"
        fig.add_trace(go.Scatter(
            x=[x0 + dx, x1 + dx], y=[y0 + dy, y1 + dy], mode="lines", showlegend=False,
            line={"width": 1 + 7 * events / most, "color": colour}, hoverinfo="text",
            text=label(f"{src} → {dst}: {events} events, Goldstein mean {gold_text}"),
        ))
        notes.append({"x": x1 + dx, "y": y1 + dy, "ax": x0 + dx, "ay": y0 + dy, "xref": "x", "yref": "y",
                      "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowsize": 1.2,
                      "arrowcolor": colour, "standoff": 14, "startstandoff": 14, "text": "",
                      "arrowside": "end+start" if (src, dst) in chart.undirected else "end"})
    biggest = max([n[2] for n in chart.nodes] + [1])
    fig.add_trace(go.Scatter(
        x=[n[3] for n in chart.nodes], y=[n[4] for n in chart.nodes], mode="markers+text", name="actors",
        text=[label(n[1]) for n in chart.nodes], textposition="top center",
        hovertext=[label(f"{n[1]} ({n[0]}): {n[2]} events") for n in chart.nodes], hoverinfo="text",
        marker={"size": [12 + 28 * math.sqrt(n[2] / biggest) for n in chart.nodes], "color": PALETTE[0],
                "line": {"color": "white", "width": 1}},
        showlegend=False,
    ))
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_layout(**{**_LAYOUT, "height": 480}, title={"text": "Actor network of the dyads' events"},
                      xaxis=hidden, yaxis=hidden, annotations=notes)
    return _to_dict(fig)


def figure_json(figures: dict[str, dict[str, Any]]) -> str:
    """All figures as one JSON text that is safe inside a <script> element."""
    text = json.dumps(figures, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
