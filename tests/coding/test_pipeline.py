"""`dyadwatch code` mechanics with a small coder of our own: incremental, idempotent,
resumable after a kill, recoding by a newer version; `dyadwatch events` exports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli.main import app
from dyadwatch.coding.export import GDELT2_COLUMNS
from dyadwatch.records import Event, Sentence
from dyadwatch.store import Store

HOST_VERBS = {"hosted": "043", "met": "036", "sent": "0233"}


class KeywordCoder:
    """Codes 'Russia <verb> ... Taliban' sentences: enough to exercise the pipeline."""

    name = "keyword-test"

    def __init__(self, version: str = "1") -> None:
        self.version = version

    def code(
        self,
        sentences: Iterable[Sentence],
        *,
        doc_dates: Mapping[str, Any],
        doc_meta: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Event]:
        for sent in sentences:
            for verb, code in HOST_VERBS.items():
                at = sent.text.find(verb)
                if at < 0 or "Russia" not in sent.text or "Taliban" not in sent.text:
                    continue
                key = f"{self.name}|{sent.doc_id}|{sent.idx}|{code}".encode()
                yield Event(
                    event_id=hashlib.sha256(key).hexdigest()[:32], origin="dyadwatch",
                    date=doc_dates.get(sent.doc_id), date_source="document",
                    source_country="RUS", target_country="AFG", target_actor="taliban",
                    cameo_code=code, cameo_root=code[:2], quad_class=1 if code < "06" else 2,
                    doc_id=sent.doc_id, sentence_idx=sent.idx, sentence=sent.text,
                    spans={"verb": (at, at + len(verb))}, coder=f"{self.name} {self.version}",
                    rule=f"keyword:{verb}", confidence=0.5,
                )


def _library(folder: Path, n: int = 12) -> Path:
    folder.mkdir()
    lines = []
    for i in range(n):
        verb = list(HOST_VERBS)[i % 3]
        text = f"Russia {verb} a Taliban delegation in round {i}. The talks covered trade and security."
        lines.append(json.dumps({"id": f"d{i}", "date": f"2022-0{1 + i % 9}-1{i % 10}", "publisher": "Steppe Wire", "text": text}))
    (folder / "docs.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_code_is_incremental_and_idempotent(tmp_path: Path) -> None:
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        lib.ingest(str(_library(tmp_path / "lib")))
        first = lib.code(KeywordCoder(), limit=5)
        assert first.documents == 5 and first.events == 5
        rest = lib.code(KeywordCoder())
        assert rest.documents == 7 and rest.documents_already_coded == 5
        again = lib.code(KeywordCoder())
        assert again.documents == 0 and again.events == 0
        frame = lib.events(dyad="RUS-taliban")
        assert len(frame) == 12
        assert set(frame["publisher"]) == {"Steppe Wire"}  # filled from the document
        assert frame["story_group"].notna().all()
        assert set(frame["cameo_code"]) == {"043", "036", "0233"}


def test_a_newer_coder_version_replaces_only_its_own_events(tmp_path: Path) -> None:
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        lib.ingest(str(_library(tmp_path / "lib")))
        lib.code(KeywordCoder("1"))
        other = KeywordCoder("1")
        other.name = "other-test"
        lib.code(other)
        report = lib.code(KeywordCoder("2"))
        assert report.documents == 12
        coders = lib.store.con.execute("SELECT coder, count(*) FROM events GROUP BY coder ORDER BY coder").fetchall()
        assert coders == [("keyword-test 2", 12), ("other-test 1", 12)]


def test_code_resumes_after_a_kill(tmp_path: Path) -> None:
    store_path = tmp_path / "s.duckdb"
    with dyadwatch.open(store_path) as lib:
        lib.ingest(str(_library(tmp_path / "lib", n=30)))
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_pipeline import KeywordCoder
        from dyadwatch.coding.pipeline import code_store
        from dyadwatch.store import Store
        calls = {{"n": 0}}
        original = Store.replace_coded
        def replace_then_die(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:  # dies inside the third batch's transaction
                with self.transaction():
                    self.con.execute("DELETE FROM events")
                    os.kill(os.getpid(), signal.SIGKILL)
            original(self, *args, **kwargs)
        Store.replace_coded = replace_then_die
        code_store(Store({str(store_path)!r}), KeywordCoder(), batch_documents=10)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    with Store(store_path) as store:
        assert store.count("coded_documents") == 20 and store.count("events") == 20
    with dyadwatch.open(store_path) as lib:
        report = lib.code(KeywordCoder())
        assert report.documents == 10
        assert lib.store.count("events") == 30
        assert lib.events()["event_id"].is_unique


def test_events_cli_filters_and_exports(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    with dyadwatch.open(store) as lib:
        lib.ingest(str(_library(tmp_path / "lib")))
        lib.code(KeywordCoder())
    runner = CliRunner()
    for fmt in ("csv", "jsonl", "parquet", "gdelt"):
        out = tmp_path / f"events.{fmt}"
        result = runner.invoke(app, ["events", "--store", store, "--dyad", "RUS-AFG", "--code", "04", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "4 events written" in result.output
    csv = pd.read_csv(tmp_path / "events.csv", dtype={"cameo_code": str})
    assert set(csv["cameo_code"]) == {"043"}
    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert lines[0]["spans"]["verb"] == [7, 13] and lines[0]["date"].startswith("2022-")
    assert set(pd.read_parquet(tmp_path / "events.parquet")["target_actor"]) == {"taliban"}
    rows = [line.split("\t") for line in (tmp_path / "events.gdelt").read_text().splitlines()]
    assert all(len(row) == len(GDELT2_COLUMNS) == 61 for row in rows)
    assert {row[GDELT2_COLUMNS.index("EventCode")] for row in rows} == {"043"}
    assert {row[GDELT2_COLUMNS.index("Actor1CountryCode")] for row in rows} == {"RUS"}
    result = runner.invoke(app, ["events", "--store", store, "--dyad", "RUSAFG"])
    assert result.exit_code == 2 and "SOURCE-TARGET" in result.output
    result = runner.invoke(app, ["events", "--store", store, "--quad", "1", "--format", "jsonl"])
    assert result.exit_code == 0 and len(result.output.splitlines()) == 12
    result = runner.invoke(app, ["events", "--store", store, "--quad", "4", "--format", "jsonl"])
    assert result.exit_code == 0 and result.output == ""


@pytest.mark.parametrize("date", [dt.date(2022, 1, 10)])
def test_events_filter_by_date(tmp_path: Path, date: dt.date) -> None:
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        lib.ingest(str(_library(tmp_path / "lib")))
        lib.code(KeywordCoder())
        assert set(lib.events(date_from=date, date_to=date)["sentence"].str.slice(0, 6)) == {"Russia"}
        assert len(lib.events(date_from=date, date_to=date)) == 1
