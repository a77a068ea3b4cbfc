"""End to end on the bundled example: ingest, code, study, then the report of its real results.

The frame shares use the lexicon classifier here: the sentence-embedding model costs half a
minute on a loaded CI machine and the report reads frame shares the same way either way.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli.main import app
from tests.browser import screenshot
from tests.conftest import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "russia-afghanistan"


@pytest.fixture(scope="module")
def example_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dyadwatch.study import frames as frames_module
    from dyadwatch.study.run import run_study, write_results
    from dyadwatch.study.spec import StudySpec

    folder = tmp_path_factory.mktemp("example")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(frames_module, "FrameClassifier",
                   functools.partial(frames_module.FrameClassifier, method="lexicon"))
        with dyadwatch.open(folder / "store.duckdb") as lib:
            lib.ingest(str(EXAMPLE / "library" / "briefs.jsonl"))
            lib.code()
            results = run_study(lib.store, StudySpec.load(EXAMPLE / "study.toml"))
        write_results(results, folder / "results")
    return folder / "results"


@pytest.mark.slow
def test_example_report(example_results: Path, tmp_path: Path, browser: Any) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", str(example_results), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    raw = json.loads((example_results / "results.json").read_text(encoding="utf-8"))
    html = (out / "index.html").read_text(encoding="utf-8")
    for hyp in raw["hypotheses"]:
        assert f'id="chart-{hyp["id"].lower()}"' in html
        assert (out / "figures" / f"hypothesis-{hyp['id'].lower()}.svg").is_file()
    # the store named in the results filled in the references (the example's briefs have publishers)
    csl = json.loads((out / "references.json").read_text(encoding="utf-8"))
    cited = {e["doc_id"] for h in raw["hypotheses"] for e in h["evidence"]}
    assert len(csl) == len(cited) > 0 and all(item.get("container-title") for item in csl)
    assert f"dyadwatch-rules version {raw['provenance']['coders'][0]['version']}" in html

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto((out / "index.html").as_uri())
        page.wait_for_function("window.dyadwatchReady === true", timeout=30_000)
        counts = page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".map(gd => [gd.data.length, gd.querySelectorAll('svg.main-svg path').length])"
        )
        assert len(counts) >= len(raw["hypotheses"]) + 1
        assert all(traces > 0 and paths > 10 for traces, paths in counts)
        screenshot(page, "report-example")
    finally:
        page.close()
