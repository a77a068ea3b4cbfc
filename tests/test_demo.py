"""End to end: `dyadwatch demo` into a temporary folder, as a new user runs it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

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
        for row in dyad.itertuples():
            assert row.sentence and row.sentence[:40] in proc.stdout.replace("\n      ", " ")
        # each event's evidence is a stored sentence, and its spans fall inside it
        orphans = store.con.execute(
            "SELECT count(*) FROM events e LEFT JOIN sentences s "
            "ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx WHERE s.text IS NULL OR s.text <> e.sentence"
        ).fetchall()
        assert orphans == [(0,)]
    # a second run starts from a fresh store and gives the same library
    again = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "demo", "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )
    assert again.returncode == 0, again.stderr
    with Store(out / "dyadwatch.duckdb", read_only=True) as store:
        assert store.summary()["documents"] == summary["documents"]
