"""The DuckDB store: schema versions, refusals, transactions, a kill mid-write."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dyadwatch.errors import Errors, StoreError
from dyadwatch.library.segment import segment
from dyadwatch.records import Document
from dyadwatch.store import SCHEMA_VERSION, Store


def _doc(text: str, **fields: object) -> Document:
    return Document.from_text(text, title=text[:20], published=dt.date(2021, 8, 15), date_source="metadata", **fields)  # type: ignore[arg-type]


def _add(store: Store, *docs: Document) -> None:
    spans = [[(s.start, s.end, s.paragraph) for s in segment(d.doc_id, d.text)] for d in docs]
    with store.transaction():
        store.add_documents(list(docs), spans, [None] * len(docs))


def test_new_store_has_current_schema(store: Store, store_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    reopened = Store(store_path)
    assert reopened.schema_version == SCHEMA_VERSION
    assert reopened.summary()["documents"] == 0
    reopened.close()


def test_documents_and_sentences_round_trip(store: Store) -> None:
    doc = _doc(
        "The Taliban entered Kabul on Sunday. Russia kept its embassy open.",
        publisher="Steppe Wire",
        url="https://example.org/a",
        meta={"based_on": "wire report"},
    )
    _add(store, doc)
    back = store.get_document(doc.doc_id)
    assert back is not None
    assert back.text == doc.text and back.publisher == "Steppe Wire"
    assert back.published == dt.date(2021, 8, 15)
    assert back.meta == {"based_on": "wire report"}
    sents = store.get_sentences(doc.doc_id)
    assert [s.text for s in sents] == ["The Taliban entered Kabul on Sunday.", "Russia kept its embassy open."]
    assert all(doc.text[s.start : s.end] == s.text for s in sents)


def test_adding_a_stored_document_again_is_refused_by_the_key(store: Store) -> None:
    doc = _doc("Moscow hosted the extended troika on Afghanistan.")
    _add(store, doc)
    with pytest.raises(duckdb.ConstraintException):
        _add(store, doc)
    # the failed transaction left nothing behind
    assert store.count("documents") == 1
    assert store.count("sentences") == 1


def test_transaction_rolls_back_on_error(store: Store) -> None:
    _add(store, _doc("First brief about the CSTO exercises in Tajikistan."))
    with pytest.raises(RuntimeError), store.transaction():
        store.add_documents([_doc("Second brief, never committed.")], [[]], [None])
        raise RuntimeError("boom")
    assert store.count("documents") == 1


def test_not_a_duckdb_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StoreError) as info:
        Store(bogus)
    assert info.value.code == "E101"
    assert str(bogus) in str(info.value)


def test_other_duckdb_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE things (x INTEGER)")
    con.close()
    with pytest.raises(StoreError) as info:
        Store(other)
    assert info.value.code == "E101"
    assert "not a dyadwatch store" in str(info.value)


def test_newer_schema_is_refused(store_path: Path) -> None:
    s = Store(store_path)
    with s.transaction() as con:
        con.execute("UPDATE dyadwatch_meta SET value = '99' WHERE key = 'schema_version'")
    s.close()
    with pytest.raises(StoreError) as info:
        Store(store_path)
    assert info.value.code == "E102"
    assert "99" in str(info.value) and "Upgrade dyadwatch" in str(info.value)


def test_read_only_store_refuses_writes(store_path: Path) -> None:
    Store(store_path).close()
    ro = Store(store_path, read_only=True)
    with pytest.raises(StoreError) as info, ro.transaction():
        pass
    assert info.value.code == "E105"
    ro.close()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "no" / "such" / "folder" / "x.duckdb")
    assert info.value.code == "E104"


def test_store_locked_by_another_process(store_path: Path) -> None:
    Store(store_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from dyadwatch.store import Store
            s = Store({str(store_path)!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError) as info:
            Store(store_path)
        assert info.value.code == "E103"
        assert "another process" in str(info.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


def test_kill_in_the_middle_of_a_batch_leaves_store_as_before(store_path: Path) -> None:
    s = Store(store_path)
    _add(s, _doc("A brief stored before the crash."))
    s.close()
    # a process that writes half a batch of documents inside a transaction, then dies hard
    script = textwrap.dedent(f"""
        import os, signal
        from dyadwatch.records import Document
        from dyadwatch.store import Store
        s = Store({str(store_path)!r})
        docs = [Document.from_text(f"Brief number {{i}} about Termez.") for i in range(300)]
        with s.transaction():
            s.add_documents(docs[:150], [[]] * 150, [None] * 150)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9
    reopened = Store(store_path)
    assert reopened.count("documents") == 1
    assert reopened.count("sentences") == 1
    reopened.close()


def test_errors_pickle_with_their_code() -> None:
    err = StoreError(Errors.E102, where="x.duckdb", found=3, supported=1)
    back = pickle.loads(pickle.dumps(err))
    assert back.code == "E102" and str(back) == str(err)


def test_duckdb_draws_no_progress_bar_into_the_commands_output(tmp_path: Path) -> None:
    """A long query (a large import into the table) made DuckDB print its progress bar on
    standard output, into the commands' tables and JSON: the store turns it off."""
    from dyadwatch.store import Store

    with Store(tmp_path / "s.duckdb") as store:
        assert store.con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]
