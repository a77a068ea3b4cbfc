"""End to end: `dyadwatch demo` into a temporary folder, as a new user runs it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from markupsafe import escape

from dyadwatch.store import Store


def test_demo_ingests_the_example_library(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "demo", "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "documents" in proc.stdout and str(out / "dyadwatch.duckdb") in proc.stdout
    with Store(out / "dyadwatch.duckdb", read_only=True) as store:
        summary = store.summary()
        assert summary["documents"] >= 80
        assert summary["sentences"] > 4 * summary["documents"]
        # the example carries near-duplicate wire stories: grouped, not deleted
        assert summary["duplicate_groups"] >= 3
        assert summary["stories"] < summary["documents"]
        assert summary["date_from"] <= dt.date(2017, 12, 31)
        assert summary["date_to"] >= dt.date(2025, 7, 3)
        # every figure printed matches the store
        assert f"{summary['documents']}" in proc.stdout
        # the example is coded, and the Russia-Taliban events are printed with their evidence
        assert summary["events"] >= 50
        dyad = store.events_frame(dyad=("RUS", "taliban"), undirected=True)
        assert len(dyad) >= 5
        assert f"Russia-Taliban events ({len(dyad)})" in proc.stdout
        printed = proc.stdout.replace("\n      ", " ")
        for row in dyad.head(20).itertuples():  # the demo prints the first 20 and counts the rest
            assert row.sentence and row.sentence[:40] in printed
        if len(dyad) > 20:
            assert f"... and {len(dyad) - 20} more" in printed
        # each event's evidence is a stored sentence, and its spans fall inside it
        orphans = store.con.execute(
            "SELECT count(*) FROM events e LEFT JOIN sentences s "
            "ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx WHERE s.text IS NULL OR s.text <> e.sentence"
        ).fetchall()
        assert orphans == [(0,)]
        # the example study ran into OUT/study: the four hypotheses of the case, each with a
        # verdict, a reason and evidence that points at stored sentences
        results = json.loads((out / "study" / "results.json").read_text(encoding="utf-8"))
        assert results["format"] == "dyadwatch-study-results/1"
        assert results["provenance"]["documents"] == summary["documents"]
        hypotheses = {h["id"]: h for h in results["hypotheses"]}
        assert {key[:2] for key in hypotheses} == {"H1", "H2", "H3", "H4"}
        for h in hypotheses.values():
            assert h["verdict"] in ("supported", "not supported", "inconclusive")
            assert h["reason"] and h["sentence"].startswith(h["id"])
            for evidence in h["evidence"]:
                stored = store.con.execute(
                    "SELECT s.text, d.title FROM sentences s JOIN documents d USING (doc_id) "
                    "WHERE s.doc_id = ? AND s.idx = ?", [evidence["doc_id"], evidence["sentence_idx"]],
                ).fetchall()
                assert stored == [(evidence["sentence"], evidence["title"])]
        # H1: Russia-Taliban cooperation is measured from coded events and rises after Kabul falls
        assert hypotheses["H1"]["method"] == "CountITS" and hypotheses["H1"]["estimate"] > 1
        assert hypotheses["H1"]["evidence"]
        for name in ("series.csv", "hypotheses.csv", "evidence.csv", "frames.csv"):
            assert (out / "study" / name).stat().st_size > 0
    # ... and the demo ends by writing the study's report and printing where it is
    index = out / "study" / "report" / "index.html"
    assert str(index) in proc.stdout
    page = index.read_text(encoding="utf-8")
    assert str(escape(results["study"]["title"])) in page
    for h in hypotheses.values():
        assert h["id"] in page
    assert (out / "study" / "report" / "references.bib").stat().st_size > 0
    # a second run starts from a fresh store and gives the same library
    again = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "demo", "--out", str(out), "--no-pdf"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )
    assert again.returncode == 0, again.stderr
    with Store(out / "dyadwatch.duckdb", read_only=True) as store:
        assert store.summary()["documents"] == summary["documents"]
