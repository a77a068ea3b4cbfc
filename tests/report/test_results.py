"""Reading results folders: every problem is a coded error naming the file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dyadwatch.report import RESULTS_FORMAT, ReportError, load_results


def _edit(results_dir: Path, change: object) -> Path:
    path = results_dir / "results.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    change(raw)  # type: ignore[operator]
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_fixture_reads(results_dir: Path) -> None:
    results = load_results(results_dir)
    assert results.study["title"].startswith("Russia and Afghanistan")
    assert [h["id"] for h in results.hypotheses] == ["H1", "H2", "H4"]
    assert len(results.series[0]["rows"]) == 84  # monthly 2019-01 .. 2025-12


def test_folder_without_results_json(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as err:
        load_results(tmp_path)
    assert err.value.code == "E702" and str(tmp_path) in str(err.value)


def test_malformed_json_names_file_and_line(results_dir: Path) -> None:
    path = results_dir / "results.json"
    path.write_text('{"format": "dyadwatch-study-results/1",\n "study": {,}}', encoding="utf-8")
    with pytest.raises(ReportError) as err:
        load_results(results_dir)
    assert err.value.code == "E703" and str(path) in str(err.value) and "line 2" in str(err.value)


def test_nan_is_refused(results_dir: Path) -> None:
    path = results_dir / "results.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"estimate": 2.84', '"estimate": NaN'), encoding="utf-8")
    with pytest.raises(ReportError) as err:
        load_results(results_dir)
    assert err.value.code == "E703" and "NaN" in str(err.value)


def test_wrong_format_version(results_dir: Path) -> None:
    _edit(results_dir, lambda raw: raw.update(format="dyadwatch-study-results/2"))
    with pytest.raises(ReportError) as err:
        load_results(results_dir)
    assert err.value.code == "E704"
    assert "dyadwatch-study-results/2" in str(err.value) and RESULTS_FORMAT in str(err.value)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda raw: raw.pop("study"), "study"),
        (lambda raw: raw["hypotheses"][1].update(verdict="maybe"), "hypotheses[1].verdict"),
        (lambda raw: raw["hypotheses"][0]["fit"]["fitted"].pop(), "hypotheses[0].fit.fitted"),
        (lambda raw: raw["hypotheses"][0]["fit"].update(observed=None), "hypotheses[0].fit.observed"),
        (lambda raw: raw["hypotheses"][0]["evidence"][2].update(doc_id=7), "hypotheses[0].evidence[2].doc_id"),
        (lambda raw: raw["series"][0]["rows"][3].update(value="many"), "series[0].rows[3].value"),
        (lambda raw: raw["network"]["edges"][0].pop("target"), "network.edges[0]"),
    ],
)
def test_wrong_key_is_named(results_dir: Path, change: object, key: str) -> None:
    path = _edit(results_dir, change)
    with pytest.raises(ReportError) as err:
        load_results(results_dir)
    assert err.value.code == "E705" and f"Key '{key}'" in str(err.value) and str(path) in str(err.value)
