"""A whole study over a store of generated events: the results files, as the report reads them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dyadwatch.records import Event
from dyadwatch.store import Store
from dyadwatch.study.run import FORMAT, run_study
from dyadwatch.study.spec import StudySpec

STUDY = """
title = "Generated"
question = "Does cooperation rise after the shock?"
sources = "all"
[variables]
independent = "the shock"
dependent = ["cooperation"]
[period]
start = 2019-01-01
end = 2022-12-31
unit = "month"
[actors]
Russia = ["RUS"]
Taliban = ["taliban"]
[[dyads]]
name = "Russia-Taliban"
source = "Russia"
target = "Taliban"
undirected = true
[[dyads]]
name = "Russia-Turkmenistan"
source = "RUS"
target = "TKM"
[[interventions]]
name = "shock"
date = 2021-01-01
[measures]
use = ["events", "cooperation", "goldstein_mean"]
[[hypotheses]]
id = "H1"
statement = "Cooperation rises after the shock."
measure = "cooperation"
dyad = "Russia-Taliban"
intervention = "shock"
expected = "increase"
[[hypotheses]]
id = "H2"
statement = "Cooperation with Turkmenistan rises."
measure = "cooperation"
dyad = "Russia-Turkmenistan"
intervention = "shock"
expected = "increase"
"""


def generated_events() -> list[Event]:
    """Monthly Russia-Taliban meetings: about 3 a month before 2021, 9 after; none with Turkmenistan."""
    rng = np.random.default_rng(11)
    events = []
    n = 0
    for month in range(48):
        year, mon = 2019 + month // 12, month % 12 + 1
        for _ in range(int(rng.poisson(3 if year < 2021 else 9))):
            n += 1
            events.append(Event(
                event_id=f"g{n}", origin="dyadwatch", date=dt.date(year, mon, 1 + n % 27), cameo_code="043",
                cameo_root="04", source_country="RUS", source_actor="rus", target_country="AFG",
                target_actor="taliban", goldstein=2.8, quad_class=1, story_group=f"s{n}",
                sentence=f"Russian diplomats received a Taliban delegation (meeting {n}).", coder="dyadwatch-rules 1.0.0",
            ))
    return events


@pytest.fixture
def study_store(tmp_path: Path) -> Path:
    path = tmp_path / "gen.duckdb"
    with Store(path) as store:
        store.add_events(generated_events())
    return path


def test_run_study_verdicts_evidence_and_provenance(study_store: Path, tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(STUDY, encoding="utf-8")
    spec = StudySpec.load(tmp_path / "study.toml")
    with Store(study_store, read_only=True) as store:
        results = run_study(store, spec)
    verdicts = results.verdicts()
    assert verdicts["H1"] == "supported"
    assert verdicts["H2"] == "inconclusive"
    h2 = results.document["hypotheses"][1]
    assert "Russia-Turkmenistan" in h2["reason"] and "no events" in h2["reason"]
    h1 = results.document["hypotheses"][0]
    assert len(h1["evidence"]) == 5 and all(e["date"] >= "2021-01-01" for e in h1["evidence"])
    assert h1["evidence"][0]["sentence"].startswith("Russian diplomats received")
    provenance = results.provenance
    assert provenance["origins"] == {"dyadwatch": len(generated_events())}
    assert provenance["events_used"] == len(generated_events())
    assert provenance["coders"] == [{"name": "dyadwatch-rules", "version": "1.0.0", "events": len(generated_events())}]
    edges = results.document["network"]["edges"]
    assert edges[0]["source"] == "Russia" and edges[0]["target"] == "Taliban" and edges[0]["events"] == len(generated_events())


def test_cli_writes_results_json_and_csv(study_store: Path, tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "study", str(study), "--out", str(out), "--store", str(study_store)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "H1 supported" in proc.stdout and str(out / "results.json") in proc.stdout
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["format"] == FORMAT
    assert set(document) == {"format", "dyadwatch_version", "run_at", "study", "provenance", "series", "hypotheses",
                             "frames", "network"}
    assert document["study"]["period"] == {"start": "2019-01-01", "end": "2022-12-31"}
    assert document["study"]["sha256"] and document["study"]["variables"]["dependent"] == ["cooperation"]
    hypothesis = document["hypotheses"][0]
    for key in ("id", "statement", "measure", "dyad", "intervention", "intervention_date", "expected", "method",
                "estimate", "ci", "p_value", "verdict", "reason", "sentence", "assumptions", "warnings", "fit",
                "change_points", "placebo", "comparison", "evidence"):
        assert key in hypothesis, key
    series = {(s["dyad"], s["measure"]): s for s in document["series"]}
    assert len(series[("Russia-Taliban", "cooperation")]["rows"]) == 48
    with (out / "series.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["dyad", "measure", "origin", "period", "value", "n_events"]
    coop = [r for r in rows if r["dyad"] == "Russia-Taliban" and r["measure"] == "cooperation"]
    assert sum(float(r["value"]) for r in coop) == len(generated_events())
    with (out / "hypotheses.csv").open(encoding="utf-8", newline="") as fh:
        hyp = list(csv.DictReader(fh))
    assert [h["verdict"] for h in hyp] == ["supported", "inconclusive"]
    with (out / "evidence.csv").open(encoding="utf-8", newline="") as fh:
        evidence = list(csv.DictReader(fh))
    assert {e["hypothesis"] for e in evidence} == {"H1"} and len(evidence) == 5
    assert (out / "frames.csv").read_text(encoding="utf-8").startswith("dyad,period,frame,share,n_sentences")


def test_cli_on_a_runners_workers_gives_the_local_results(study_store: Path, tmp_path: Path) -> None:
    # --workers 2: the measures computed per partition in a process pool and merged (the Dask
    # path uses the same partials; tests/runner compares it with a local cluster)
    study = tmp_path / "study.toml"
    study.write_text(STUDY, encoding="utf-8")
    documents = []
    for name, extra in (("here", []), ("pool", ["--runner", "local", "--workers", "2"])):
        out = tmp_path / name
        proc = subprocess.run(
            [sys.executable, "-m", "dyadwatch.cli.main", "study", str(study), "--out", str(out),
             "--store", str(study_store), *extra],
            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
        )
        assert proc.returncode == 0, proc.stderr
        document = json.loads((out / "results.json").read_text(encoding="utf-8"))
        document.pop("run_at")
        documents.append(document)
        if extra:
            assert "runner: local (2 processes)" in proc.stderr
    here, pool = documents
    # the same numbers, up to the order in which the workers' sums were added
    assert same(pool["series"], here["series"])
    assert same(pool["hypotheses"], here["hypotheses"])
    assert same(pool, here)


def same(a: object, b: object) -> bool:
    """Equal structures, floats equal to 1e-9 relative."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_a_store_without_events_of_the_sources_is_a_clear_error(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text(STUDY.replace('sources = "all"', 'sources = ["gdelt2"]'), encoding="utf-8")
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    proc = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "study", str(study), "--out", str(tmp_path / "o"), "--store", str(empty)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1 and "[E608]" in proc.stderr and "gdelt2" in proc.stderr
    assert "Traceback" not in proc.stderr
