"""The report's figures as PNG and SVG files, drawn with matplotlib.

matplotlib rather than plotly's image export: kaleido needs a browser of its own, while
matplotlib draws the same data (from :mod:`dyadwatch.report.charts`) with nothing else
installed. Figures are built on ``matplotlib.figure.Figure`` directly, never through
pyplot, so no global state or display backend is touched. SVG files carry no date, so the
same results give the same files.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from dyadwatch.report.charts import FrameChart, HypothesisChart, NetworkChart
from dyadwatch.report.interactive import PALETTE, edge_offset

__all__ = ["save_figure", "frame_plot", "hypothesis_plot", "network_plot"]


def _text(value: object) -> str:
    # '$' would start matplotlib's mathtext
    return str(value).replace("$", r"\$")


def _days(periods: list[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(p[:10]) for p in periods]


def _nan(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _new(width: float = 9.0, height: float = 4.2) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def hypothesis_plot(chart: HypothesisChart) -> Any:
    """The same chart as the report's: observed, fit, counterfactual band, marks."""
    fig, ax = _new()
    x = _days(chart.periods)
    if chart.band_low is not None and chart.band_high is not None:
        ax.fill_between(x, _nan(chart.band_low), _nan(chart.band_high), color=PALETTE[1], alpha=0.18,
                        linewidth=0, label="counterfactual 95% band")
    if chart.counterfactual is not None:
        ax.plot(x, _nan(chart.counterfactual), color=PALETTE[1], linestyle="--", label=_text(chart.counterfactual_label))
    if chart.versus is not None:
        ax.plot(x, _nan(chart.versus), color=PALETTE[3], linewidth=1, marker="o", markersize=2.5,
                label=_text(chart.versus_label))
    if chart.fitted is not None:
        ax.plot(x, _nan(chart.fitted), color=PALETTE[2], label="ITS fit")
    ax.plot(x, _nan(chart.observed), color=PALETTE[0], linewidth=1, marker="o", markersize=2.5, label="observed")
    for name, date in chart.interventions:
        day = dt.date.fromisoformat(date[:10])
        ax.axvline(day, color="#a33b3b", linewidth=1.5)
        ax.annotate(_text(name), (day, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", color="#a33b3b", fontsize=8)
    for i, date in enumerate(chart.change_points):
        ax.axvline(dt.date.fromisoformat(date[:10]), color="#555555", linestyle=":", linewidth=1,
                   label="change point" if i == 0 else None)
    ax.set_title(_text(chart.title))
    ax.set_ylabel(_text(chart.ylabel))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def frame_plot(chart: FrameChart) -> Any:
    fig, ax = _new()
    x = _days(chart.periods)
    for i, (name, values) in enumerate(chart.shares.items()):
        ax.plot(x, _nan(values), color=PALETTE[i % len(PALETTE)], marker="o", markersize=2.5, label=_text(name))
    ax.set_title(_text("Frame shares by period" + (f" — {chart.dyad}" if chart.dyad else "")))
    ax.set_ylabel("share of sentences")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncols=2)
    return fig


def network_plot(chart: NetworkChart) -> Any:
    from dyadwatch.report.interactive import goldstein_colour

    fig, ax = _new(7.5, 6.0)
    pos = {nid: (x, y) for nid, _, _, x, y in chart.nodes}
    most = max([e[2] for e in chart.edges] + [1])
    for src, dst, events, gold in chart.edges:
        dx, dy = edge_offset(chart, src, dst)
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        rgb = goldstein_colour(gold)
        colour = tuple(int(c) / 255 for c in rgb[4:-1].split(",")) if rgb.startswith("rgb(") else rgb
        ax.annotate("", xy=(x1 + dx, y1 + dy), xytext=(x0 + dx, y0 + dy),
                    arrowprops={"arrowstyle": "<|-|>" if (src, dst) in chart.undirected else "-|>", "color": colour, "linewidth": 1 + 5 * events / most,
                                "shrinkA": 12, "shrinkB": 12})
    biggest = max([n[2] for n in chart.nodes] + [1])
    ax.scatter([n[3] for n in chart.nodes], [n[4] for n in chart.nodes],
               s=[120 + 900 * n[2] / biggest for n in chart.nodes], color=PALETTE[0], edgecolors="white", zorder=3)
    for _nid, name, _events, x, y in chart.nodes:
        ax.annotate(_text(name), (x, y), xytext=(0, 12), textcoords="offset points", ha="center", fontsize=9)
    ax.set_title("Actor network of the dyads' events")
    ax.margins(0.15)
    ax.set_axis_off()
    return fig


def save_figure(fig: Any, folder: Path, name: str) -> list[Path]:
    """Write name.png (150 dpi) and name.svg into folder; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    fig.savefig(png, dpi=150, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]
