"""`dyadwatch library` and `dyadwatch search` with their filters, and the Python API that
mirrors them (`dyadwatch.open(path)`: ingest, documents, document, sentences, search)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli._common import console
from dyadwatch.cli.main import app

BRIEFS = [
    ("k1", "2021-08-15", "Steppe Wire", "Taliban enter Kabul",
     "Taliban fighters entered Kabul on Sunday. Russia said its embassy in Kabul would keep working."),
    ("k2", "2021-10-20", "Eurasia Brief", "Moscow Format meets",
     "Moscow hosted the Moscow Format talks with a Taliban delegation. Mr. Lavrov opened the talks."),
    ("k3", "2022-09-05", "Hindu Kush Monitor", "Blast at the embassy",
     "A suicide bomber struck outside the Russian embassy in Kabul on Monday. Two embassy staff were killed."),
    ("k4", "2024-06-01", "Steppe Wire", "Trade forum in Kazan",
     "A Taliban delegation attended a trade forum in Kazan. The embassy in Moscow hosted a reception."),
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(console, "width", 220)
    path = tmp_path / "briefs.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": i, "date": d, "publisher": p, "title": t, "text": x}) for i, d, p, t, x in BRIEFS)
        + "\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(app, ["ingest", str(path), "--store", store])
    assert result.exit_code == 0, result.output
    return store


def _titles(output: str) -> set[str]:
    return {title for _, _, _, title, _ in BRIEFS if title in output}


def test_library_list_and_its_filters(store: str) -> None:
    runner = CliRunner()
    every = runner.invoke(app, ["library", "list", "--store", store])
    assert every.exit_code == 0 and _titles(every.output) == {b[3] for b in BRIEFS}
    lines = [line for line in every.output.splitlines() if "20" in line and any(b[3] in line for b in BRIEFS)]
    assert [next(b[1] for b in BRIEFS if b[3] in line) for line in lines] == sorted(b[1] for b in BRIEFS)  # oldest first
    by_publisher = runner.invoke(app, ["library", "--store", store, "--publisher", "Steppe Wire"])
    assert _titles(by_publisher.output) == {"Taliban enter Kabul", "Trade forum in Kazan"}
    assert "2 of 4 documents" in by_publisher.output
    by_date = runner.invoke(app, ["library", "list", "--store", store, "--from", "2021-09-01", "--to", "2023-12-31"])
    assert _titles(by_date.output) == {"Moscow Format meets", "Blast at the embassy"}
    limited = runner.invoke(app, ["library", "list", "--store", store, "--limit", "1"])
    assert _titles(limited.output) == {"Taliban enter Kabul"}
    bad_date = runner.invoke(app, ["library", "list", "--store", store, "--from", "20 Aug 2021"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output


def test_library_show_a_document_with_its_sentences(store: str) -> None:
    runner = CliRunner()
    with dyadwatch.open(store, read_only=True) as lib:
        doc = lib.document("k2")
        assert doc is not None
        sentences = lib.document_sentences(doc.doc_id)
    shown = runner.invoke(app, ["library", "show", doc.doc_id[:8], "--store", store])
    assert shown.exit_code == 0, shown.output
    assert "Moscow Format meets" in shown.output and "Eurasia Brief" in shown.output
    assert "2021-10-20 (from metadata)" in shown.output
    for sentence in sentences:
        assert f"[{sentence.start}:{sentence.end}] {sentence.text}" in shown.output
    assert [s.text for s in sentences][1] == "Mr. Lavrov opened the talks."
    missing = runner.invoke(app, ["library", "show", "nosuchdoc", "--store", store])
    assert missing.exit_code == 1 and "No document matches 'nosuchdoc'" in missing.output


def test_search_ranks_sentences_and_filters_by_date_and_publisher(store: str) -> None:
    runner = CliRunner()
    every = runner.invoke(app, ["search", "embassy", "--store", store])
    assert every.exit_code == 0
    for phrase in ("keep working", "suicide bomber", "Two embassy staff", "hosted a reception"):
        assert phrase in every.output
    published = runner.invoke(app, ["search", "embassy", "--store", store, "--publisher", "Steppe Wire"])
    assert "keep working" in published.output and "hosted a reception" in published.output
    assert "suicide bomber" not in published.output
    dated = runner.invoke(app, ["search", "embassy", "--store", store, "--from", "2022-01-01", "--to", "2022-12-31"])
    assert "suicide bomber" in dated.output and "keep working" not in dated.output
    assert "hosted a reception" not in dated.output
    nothing = runner.invoke(app, ["search", "Tashkent", "--store", store])
    assert nothing.exit_code == 0 and "No sentence matches 'Tashkent'" in nothing.output


def test_the_python_api_mirrors_the_commands(store: str, tmp_path: Path) -> None:
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "note.md").write_text(
        "---\ntitle: Border drills\ndate: 2023-03-01\npublisher: Central Asia Desk\n---\n\n"
        "Tajik and Russian troops held drills near the Afghan border. The embassy in Dushanbe was not involved.\n",
        encoding="utf-8",
    )
    with dyadwatch.open(store) as lib:
        report = lib.ingest(tmp_path / "more")  # dyadwatch ingest
        assert report.documents_added == 1 and report.sources == 1 and not report.skipped
        docs = lib.documents()  # dyadwatch library list
        assert list(docs["published"].astype(str).str[:10]) == ["2021-08-15", "2021-10-20", "2022-09-05", "2023-03-01", "2024-06-01"]
        assert list(lib.documents(publisher="Steppe Wire")["title"]) == ["Taliban enter Kabul", "Trade forum in Kazan"]
        assert list(lib.documents(date_from="2022-01-01", date_to="2023-12-31")["title"]) == ["Blast at the embassy", "Border drills"]
        doc = lib.document("k3")  # dyadwatch library show
        assert doc is not None and doc.title == "Blast at the embassy"
        sents = lib.sentences(doc.doc_id)
        assert list(sents["text"]) == [s.text for s in lib.document_sentences(doc.doc_id)]
        assert all(doc.text[r.start_char : r.end_char] == r.text for r in sents.itertuples())
        steppe = lib.sentences(publisher="Steppe Wire")
        assert set(steppe["publisher"]) == {"Steppe Wire"} and len(steppe) == 4
        hits = lib.search("embassy", date_from="2022-01-01", publisher="Central Asia Desk")  # dyadwatch search
        assert list(hits["text"]) == ["The embassy in Dushanbe was not involved."]
        ranked = lib.search("embassy staff")
        assert ranked["text"].iloc[0] == "Two embassy staff were killed."
        assert list(ranked["score"]) == sorted(ranked["score"], reverse=True)
        summary = lib.summary()
        assert (summary["documents"], summary["publishers"]) == (5, 4)
        assert str(summary["date_from"]) == "2021-08-15" and str(summary["date_to"]) == "2024-06-01"
