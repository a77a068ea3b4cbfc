"""Reading a store another process writes: writer detection, snapshots, the journal of corrections."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.errors import StoreError
from dyadwatch.store import Store
from dyadwatch.store.corrections import Correction
from dyadwatch.web.access import StoreAccess, writer_pid
from dyadwatch.web.journal import Journal

HOLD = textwrap.dedent(
    """
    import sys
    from dyadwatch.records import Document
    from dyadwatch.store import Store
    store = Store(sys.argv[1])
    doc = Document.from_text("Uzbekistan hosted an Afghan trade delegation in Termez.", title="late", publisher="Wire")
    store.add_documents([doc], [[(0, len(doc.text), 0)]], [None])
    print("holding", flush=True)
    sys.stdin.readline()
    store.close()
    """
)


def hold(path: Path) -> subprocess.Popen[str]:
    """Another process that opens the store for writing, adds a document and waits for a line."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    proc.communicate("done\n", timeout=60)  # closes the pipes too
    assert proc.returncode == 0


def wait_for(check: Any, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError("timed out")
        time.sleep(0.02)
    return time.monotonic() - started


def test_writer_pid_sees_another_process(web_store: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, _ = web_store
    assert writer_pid(path) is None
    assert writer_pid(tmp_path / "missing.duckdb") is None
    proc = hold(path)
    try:
        assert writer_pid(path) == proc.pid
    finally:
        release(proc)
    assert writer_pid(path) is None


def test_pages_and_corrections_while_a_writer_holds_the_store(web_store: tuple[Path, dict[str, Any]]) -> None:
    path, _ = web_store
    access = StoreAccess(path, poll_interval=0.05)
    access.start()
    try:
        proc = hold(path)
        try:
            status = access.status()
            assert status["writer_active"] and status["writer_pid"] == proc.pid
            with access.reader() as reader:  # still readable: the snapshot
                assert reader.con.execute("SELECT count(*) FROM documents").fetchall()[0][0] == 4
                assert reader.con.execute("SELECT count(*) FROM all_events").fetchall()[0][0] == 17
            access.record(Correction("c-during", "ev2", "reject", {}, "ana", None, None))
            access.sync_once()  # the writer is in the way: nothing is applied
            assert access.status()["pending_corrections"] == 1
            with access.reader() as reader:  # but the dashboard shows it at once
                assert reader.con.execute("SELECT count(*) FROM corrections").fetchall()[0][0] == 1
            before = access.status()["snapshot"]
        finally:
            release(proc)
        freshness = wait_for(lambda: access.status()["snapshot"] > before and access.status()["pending_corrections"] == 0)
        with access.reader() as reader:
            assert reader.con.execute("SELECT count(*) FROM documents").fetchall()[0][0] == 5
            assert reader.con.execute("SELECT count(*) FROM corrections").fetchall()[0][0] == 1
        assert freshness < 30
    finally:
        access.stop()
    with Store(path, read_only=True) as store:
        assert store.con.execute("SELECT correction_id, action FROM corrections").fetchall() == [("c-during", "reject")]


def test_start_while_a_writer_holds_a_new_store(web_store: tuple[Path, dict[str, Any]]) -> None:
    path, _ = web_store
    proc = hold(path)
    try:
        with pytest.raises(StoreError) as excinfo:
            StoreAccess(path, wait=0.3).start()
        assert excinfo.value.code == "E735"
    finally:
        release(proc)


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as excinfo:
        StoreAccess(tmp_path / "none.duckdb")
    assert excinfo.value.code == "E720"


def test_journal_is_durable_and_replayable(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    first = Correction("c1", "e1", "correct", {"cameo_code": "043"}, "ana", "why", None)
    journal.append(first)
    journal.append(Correction("c2", "e2", "accept", {}, "bo", None, None))
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"correction_id": "torn"')  # a crash in the middle of a line
    records, offset = journal.pending()
    assert [r.correction_id for r in records] == ["c1", "c2"] and records[0].changes == {"cameo_code": "043"}
    journal.mark_applied(offset)
    assert journal.pending()[0] == []
    assert journal.applied_offset() == offset
