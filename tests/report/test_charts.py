"""What the charts show, before any renderer: fits, fallbacks, frames per dyad, the network."""

from __future__ import annotations

import json
from pathlib import Path

from dyadwatch.report import build_report
from dyadwatch.report.charts import frame_charts, hypothesis_chart, network_chart
from dyadwatch.report.interactive import hypothesis_figure, network_figure

SERIES = [
    {"dyad": "A-B", "measure": "coop", "origin": "dyadwatch",
     "rows": [{"period": "2021-01-01", "value": 1.0}, {"period": "2021-04-01", "value": 3.0}]},
    {"dyad": "A-B", "measure": "coop", "origin": "all",
     "rows": [{"period": "2021-01-01", "value": 2.0}, {"period": "2021-04-01", "value": 5.0}]},
    {"dyad": "A-B", "measure": "recog", "origin": "all", "rows": [{"period": "2021-04-01", "value": 0.0}]},
]


def test_without_fit_the_pooled_series_and_versus_are_charted() -> None:
    hyp = {"id": "H4", "measure": "coop", "versus": "recog", "dyad": "A-B", "fit": None,
           "intervention": "war", "intervention_date": "2021-02-01"}
    chart = hypothesis_chart(hyp, SERIES, [{"name": "peace", "date": "2021-03-01"}])
    assert chart.observed == [2.0, 5.0]  # origin "all" preferred
    assert chart.versus == [None, 0.0] and chart.versus_label == "versus recog"
    assert chart.interventions == [("war", "2021-02-01"), ("peace", "2021-03-01")]
    names = [t["name"] for t in hypothesis_figure(chart)["data"]]
    assert names == ["versus recog", "observed"]


def test_versus_fit_labels_the_other_measure() -> None:
    fit = {"periods": ["2021-01-01", "2021-04-01"], "observed": [0.5, 0.6], "fitted": None,
           "counterfactual": [0.2, 0.3], "counterfactual_low": None, "counterfactual_high": None, "versus": "frame:aid"}
    chart = hypothesis_chart({"id": "H3", "measure": "frame:threat", "dyad": "A-B", "fit": fit}, [], [])
    assert chart.fitted is None and chart.band_low is None and chart.counterfactual == [0.2, 0.3]
    assert [t["name"] for t in hypothesis_figure(chart)["data"]] == ["versus frame:aid", "observed"]


def test_frames_one_chart_per_dyad() -> None:
    rows = [{"dyad": d, "period": p, "frame": f, "share": s, "n_sentences": 4}
            for d, p, f, s in [("A-B", "2021-01-01", "drugs", 0.5), ("A-B", "2021-04-01", "drugs", 0.25),
                               ("A-B", "2021-04-01", "aid", 0.1), ("C-D", "2021-01-01", "aid", None)]]
    charts = frame_charts({"names": ["aid", "drugs"], "rows": rows})
    assert [c.dyad for c in charts] == ["A-B"]  # C-D has no measured share
    assert charts[0].shares == {"aid": [None, 0.1], "drugs": [0.5, 0.25]} and charts[0].slug == "frames-a-b"


def test_network_layout_is_seeded_and_undirected_edges_two_headed() -> None:
    network = {"nodes": [{"id": "RUS", "label": "Russia", "events": 9}],
               "edges": [{"source": "RUS", "target": "TAL", "events": 5, "goldstein_mean": 3.0, "undirected": True},
                         {"source": "TAL", "target": "CHN", "events": 1, "goldstein_mean": None}]}
    first, second = network_chart(network), network_chart(network)
    assert first is not None and first == second
    assert [n[0] for n in first.nodes] == ["RUS", "TAL", "CHN"]  # nodes only named by edges are added
    notes = network_figure(first)["layout"]["annotations"]
    assert [n["arrowside"] for n in notes] == ["end+start", "end"]


def test_duplicate_hypothesis_slugs_get_distinct_charts(results_dir: Path, tmp_path: Path) -> None:
    path = results_dir / "results.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["hypotheses"][1]["id"] = "h1"
    path.write_text(json.dumps(raw), encoding="utf-8")
    html = build_report(results_dir, tmp_path / "out", pdf=False, figures=False).index.read_text(encoding="utf-8")
    assert html.count('id="chart-h1"') == 1 and 'id="chart-h1-' in html
