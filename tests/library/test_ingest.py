"""The ingest: idempotence, a failure mid-batch, stop and skip on bad sources, the CLI."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli._common import console
from dyadwatch.cli.main import app
from dyadwatch.errors import SourceError
from dyadwatch.store import Store

BRIEFS = [
    (
        "2021-08-15",
        "Steppe Wire",
        "Taliban enter Kabul",
        "Taliban fighters entered Kabul on Sunday as the government of Ashraf Ghani collapsed.\n\n"
        "Russia's foreign ministry said its embassy would keep working. Zamir Kabulov, the Kremlin's "
        "envoy for Afghanistan, told reporters that Moscow saw no reason to evacuate its diplomats.",
    ),
    (
        "2021-10-20",
        "Eurasia Brief",
        "Moscow Format meets with Taliban delegation",
        "Moscow hosted a round of the Moscow Format consultations on Afghanistan on Wednesday, with a "
        "Taliban delegation led by Abdul Salam Hanafi. Foreign Minister Sergei Lavrov opened the talks "
        "and called for humanitarian aid to the Afghan people. Mr. Lavrov said recognition was not on the table.",
    ),
    (
        "2022-09-05",
        "Hindu Kush Monitor",
        "Blast at Russian embassy in Kabul",
        "A suicide bomber struck outside the Russian embassy in Kabul on Monday, killing two embassy staff. "
        "The Islamic State's Khorasan branch claimed the attack. Taliban officials promised an investigation.",
    ),
]


def _write_library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"id": f"b{i}", "date": d, "publisher": p, "title": t, "text": x})
        for i, (d, p, t, x) in enumerate(BRIEFS)
    ]
    (folder / "briefs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "note.md").write_text(
        "---\ntitle: CSTO drills in Tajikistan\ndate: 2021-10-22\npublisher: Central Asia Desk\n---\n\n"
        "# CSTO drills in Tajikistan\n\nTroops of the CSTO member states held exercises near the Afghan border "
        "in Tajikistan this week. The drills rehearsed the defence of the border against armed groups.\n",
        encoding="utf-8",
    )
    return folder


def test_ingest_stores_documents_and_sentences(tmp_path: Path) -> None:
    lib_dir = _write_library(tmp_path / "library")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(lib_dir))
        assert report.documents_added == 4
        docs = lib.documents()
        assert set(docs["publisher"]) == {"Steppe Wire", "Eurasia Brief", "Hindu Kush Monitor", "Central Asia Desk"}
        assert str(docs["published"].min())[:10] == "2021-08-15"
        assert set(docs["date_source"]) == {"metadata"}
        kabul = lib.document("b0")
        assert kabul is not None and kabul.user_id == "b0" and kabul.language == "en"
        sents = lib.document_sentences(kabul.doc_id)
        assert len(sents) == 3
        assert [s.paragraph for s in sents] == [0, 1, 1]
        assert all(kabul.text[s.start : s.end] == s.text for s in sents)


def test_reingest_adds_nothing(tmp_path: Path) -> None:
    lib_dir = _write_library(tmp_path / "library")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        first = lib.ingest(str(lib_dir))
        counts = (lib.store.count("documents"), lib.store.count("sentences"))
        second = lib.ingest(str(lib_dir))
        assert second.documents_added == 0
        assert second.sources_unchanged == 2
        assert (lib.store.count("documents"), lib.store.count("sentences")) == counts
        # touching the file makes it re-read, but its documents are already stored
        (lib_dir / "briefs.jsonl").write_text((lib_dir / "briefs.jsonl").read_text() + "\n")
        third = lib.ingest(str(lib_dir))
        assert third.documents_added == 0 and third.documents_existing == 3
        assert (lib.store.count("documents"), lib.store.count("sentences")) == counts
        assert first.documents_added == 4


def test_same_text_in_two_files_is_stored_once(tmp_path: Path) -> None:
    text = "Uzbekistan reinforced its border with Afghanistan near Termez on Monday."
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text("  " + text.replace(" ", "  ") + "\n")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
        assert report.documents_added == 1 and report.documents_existing == 1


def test_failure_mid_run_keeps_committed_batches_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"brief{i:02d}.txt").write_text(
            f"Brief {i}: Russian border guards in Tajikistan reported incident number {i} near the Afghan frontier."
        )
    store_path = tmp_path / "s.duckdb"
    # a process that dies hard (SIGKILL) while committing its third batch
    script = textwrap.dedent(f"""
        import os, signal
        import dyadwatch
        from dyadwatch.library import ingest as ingest_module
        from dyadwatch.store import Store
        calls = {{"n": 0}}
        original = Store.add_documents
        def add_then_die(self, *args, **kwargs):
            calls["n"] += 1
            original(self, *args, **kwargs)
            if calls["n"] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        Store.add_documents = add_then_die
        lib = dyadwatch.open({str(store_path)!r})
        ingest_module.ingest(lib.store, [{str(folder)!r}], batch_size=10)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    with Store(store_path) as store:
        # two batches of ten committed; the third, killed before its commit, left nothing
        assert store.count("documents") == 20
        assert store.count("sources") == 20
    with dyadwatch.open(store_path) as lib:
        report = lib.ingest(str(folder))
        assert report.sources_unchanged == 20 and report.documents_added == 10
        assert lib.store.count("documents") == 30
        assert lib.store.count("sentences") == 30


def test_stop_on_error_keeps_earlier_sources_and_stores_nothing_of_the_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "a_good.txt"
    good.write_text("Kazakhstan hosted an SCO meeting on Afghanistan in Astana.")
    bad = tmp_path / "b_bad.jsonl"
    bad.write_text(
        json.dumps({"text": "A good line about Tajikistan and the CSTO."}) + "\n{not json\n", encoding="utf-8"
    )
    later = tmp_path / "c_later.txt"
    later.write_text("Turkmenistan kept its border with Afghanistan open to trade.")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        with pytest.raises(SourceError) as info:
            lib.ingest(str(good), str(bad), str(later))
        assert info.value.code == "E204"
        assert "b_bad.jsonl:2" in str(info.value)
        titles = list(lib.documents(with_text=True)["text"])
        assert titles == ["Kazakhstan hosted an SCO meeting on Afghanistan in Astana."]


def test_skip_on_error_stores_the_good_ones_and_lists_the_bad(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Kyrgyzstan joined CSTO drills near the Tajik-Afghan border.")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03PK\x00\x00" * 64)
    (tmp_path / "nocol.csv").write_text("headline,body\nA,B\n")
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"text": "Iran and Russia discussed Afghan refugees."}) + "\n{broken\n" + json.dumps({"title": "x"}) + "\n"
    )
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(tmp_path), on_error="skip")
        assert report.documents_added == 2
        codes = sorted(item.code for item in report.skipped)
        assert codes == ["E202", "E203", "E204", "E205", "E206"]
        wheres = {item.code: item.where for item in report.skipped}
        assert wheres["E204"].endswith("lines.jsonl:2") and wheres["E205"].endswith("lines.jsonl:3")


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EFBIG])
def test_no_room_on_the_disk_is_said_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    # a full disk while a source is read (a library unpacking its model, a temporary file) is the
    # machine's problem: a coded error that says to free space, nothing stored of the source
    from dyadwatch.library import ingest as ingest_module

    def no_room(*args: object) -> list[object]:
        raise OSError(number, os.strerror(number))

    (tmp_path / "a.txt").write_text("Kyrgyzstan joined CSTO drills near the Tajik-Afghan border.")
    monkeypatch.setattr(ingest_module, "segment", no_room)
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(tmp_path / "a.txt"), on_error="skip")
        assert report.documents_added == 0
        [problem] = report.skipped
        assert problem.code == "E231" and "Free disk space" in str(problem)
        assert str(tmp_path / "a.txt") in str(problem)
        assert lib.count_documents() == 0


def test_cli_ingest_library_show_and_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 200)
    lib_dir = _write_library(tmp_path / "library")
    store = str(tmp_path / "cli.duckdb")
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(lib_dir), "--store", store])
    assert result.exit_code == 0, result.output
    assert "4 documents added" in result.output
    result = runner.invoke(app, ["library", "--store", store])
    assert result.exit_code == 0 and "Moscow Format meets" in result.output
    result = runner.invoke(app, ["library", "show", "b1", "--store", store])
    assert result.exit_code == 0 and "Mr. Lavrov said recognition was not on the table." in result.output
    result = runner.invoke(app, ["search", "embassy", "--store", store, "--from", "2022-01-01"])
    assert result.exit_code == 0, result.output
    assert "suicide bomber" in result.output and "keep working" not in result.output


def test_cli_reports_a_bad_source_with_its_code(tmp_path: Path) -> None:
    bad = tmp_path / "press.csv"
    bad.write_text("headline,body\nTalks,Moscow hosted talks\n")
    proc = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "ingest", str(bad), "--store", str(tmp_path / "x.duckdb")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "[E203]" in proc.stderr and "press.csv" in proc.stderr and "headline" in proc.stderr


def test_search_shows_a_story_once_with_its_copies(tmp_path: Path) -> None:
    story = (
        "A suicide bomber struck outside the Russian embassy in Kabul on Monday, killing two embassy staff "
        "and several Afghans waiting for visas. The Islamic State's Khorasan branch claimed the attack. "
        "Taliban officials promised an investigation and more guards at foreign missions."
    )
    rows = [
        {"id": "a", "publisher": "Steppe Wire", "date": "2022-09-05", "text": story},
        {"id": "b", "publisher": "Eurasia Brief", "date": "2022-09-05", "text": story + " Moscow demanded protection."},
        {"id": "c", "publisher": "Pamir Ledger", "date": "2022-09-06", "text": "Uzbekistan opened a trade centre in Termez."},
    ]
    (tmp_path / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(tmp_path / "wire.jsonl"))
        assert report.duplicates_grouped == 1
        collapsed = lib.search("Khorasan claimed")
        assert list(collapsed["copies"]) == [2]
        every = lib.search("Khorasan claimed", collapse=False)
        assert sorted(every["publisher"]) == ["Eurasia Brief", "Steppe Wire"]


def test_ingest_of_a_feed_served_on_loopback(tmp_path: Path, news_site: Any, fetcher: Any) -> None:
    """A feed URL end to end: its entries' pages fetched, stored; a failing page skipped and
    counted; a second run stores nothing new."""
    feed = news_site.url("/feed.rss")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        with pytest.raises(SourceError) as info:
            lib.ingest(feed, fetcher=fetcher)
        assert info.value.code == "E221" and (info.value.where or "").startswith(news_site.url("/news/"))
        assert lib.count_documents() == 0  # stop: nothing of the failing feed is stored
        report = lib.ingest(feed, fetcher=fetcher, on_error="skip")
        assert report.documents_added >= 2
        assert report.skipped and {s.code for s in report.skipped} == {"E221"}
        docs = lib.documents()
        assert docs["url"].str.startswith(news_site.base).all()
        assert set(docs["source_kind"]) == {"feed"} or set(docs["source_kind"]) == {"url"}
        again = lib.ingest(feed, fetcher=fetcher, on_error="skip")
        assert again.documents_added == 0 and again.documents_existing == report.documents_added


def test_a_copy_ingested_later_joins_the_group_of_the_first(tmp_path: Path) -> None:
    """Near-duplicates across runs: the wire story stored last week is the group of the
    rewrite that arrives today; both are kept; an unrelated story stays alone."""
    story = (
        "Russia's foreign ministry said on Thursday that Moscow would accept a Taliban envoy as the "
        "representative of Afghanistan at its embassy, the first state to take such a step since the "
        "movement returned to power. The envoy presented his credentials to deputy foreign minister "
        "Andrei Rudenko at a ceremony in Moscow. Officials in Kabul welcomed the decision."
    )
    (tmp_path / "first.txt").write_text(story)
    rewrite = story.replace("on Thursday", "on Thursday, in a statement,") + " Diplomats in Tashkent expect others to follow."
    (tmp_path / "second.txt").write_text(rewrite)
    (tmp_path / "other.txt").write_text(
        "Uzbekistan and Turkmenistan signed an agreement on water use from the Amu Darya river on Friday, "
        "setting quotas for the irrigation season and a joint commission to watch the canals."
    )
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        lib.ingest(str(tmp_path / "first.txt"))
        report = lib.ingest(str(tmp_path / "second.txt"), str(tmp_path / "other.txt"))
        assert report.documents_added == 2 and report.duplicates_grouped == 1
        docs = lib.documents(with_text=True).set_index("text")
        first_id = docs.loc[story, "doc_id"]
        assert docs.loc[rewrite, "dup_group"] == first_id == docs.loc[story, "dup_group"]
        other = docs.index[docs.index.str.startswith("Uzbekistan")][0]
        assert docs.loc[other, "dup_group"] == docs.loc[other, "doc_id"]
        assert lib.summary()["stories"] == 2 and lib.count_documents() == 3


def test_after_a_full_disk_the_next_run_stores_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """E231 says: free space and run again. The run again must read the source, not skip it
    as unchanged."""
    from dyadwatch.library import ingest as ingest_module

    real_segment = ingest_module.segment
    full = {"disk": True}

    def segment_or_no_room(doc_id: str, text: str) -> Any:
        if full["disk"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_segment(doc_id, text)

    (tmp_path / "a.txt").write_text("Kyrgyzstan joined CSTO drills near the Tajik-Afghan border.")
    monkeypatch.setattr(ingest_module, "segment", segment_or_no_room)
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        first = lib.ingest(str(tmp_path / "a.txt"), on_error="skip")
        assert [s.code for s in first.skipped] == ["E231"] and lib.count_documents() == 0
        full["disk"] = False
        second = lib.ingest(str(tmp_path / "a.txt"), on_error="skip")
        assert second.sources_unchanged == 0 and second.documents_added == 1 and not second.skipped
        third = lib.ingest(str(tmp_path / "a.txt"), on_error="skip")
        assert third.sources_unchanged == 1 and third.documents_added == 0
