"""The event table: inserts that never duplicate, a coder's events replaced, migrations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from dyadwatch.records import Document, Event
from dyadwatch.store import SCHEMA_VERSION, Store
from dyadwatch.store.schema import APP_ID, MIGRATIONS


def _event(event_id: str, doc_id: str, code: str = "043", coder: str = "dyadwatch-rules 0.1.0", **fields: object) -> Event:
    defaults: dict[str, object] = {
        "origin": "dyadwatch",
        "date": dt.date(2021, 10, 20),
        "cameo_code": code,
        "cameo_root": code[:2],
        "source_country": "RUS",
        "target_country": "AFG",
        "target_actor": "taliban",
        "quad_class": 1,
        "goldstein": 2.8,
        "doc_id": doc_id,
        "sentence_idx": 0,
        "spans": {"source": (0, 6), "verb": (7, 13), "target": (14, 21)},
        "coder": coder,
    }
    defaults.update(fields)
    return Event(event_id=event_id, **defaults)  # type: ignore[arg-type]


def _with_doc(store: Store, text: str) -> str:
    doc = Document.from_text(text)
    with store.transaction():
        store.add_documents([doc], [[(0, len(text), 0)]], [None])
    return doc.doc_id


def test_events_round_trip_and_are_never_duplicated(store: Store) -> None:
    doc_id = _with_doc(store, "Moscow hosted the Taliban.")
    events = [_event("e1", doc_id), _event("e2", doc_id, code="036", quad_class=1)]
    assert store.add_events(events) == 2
    assert store.add_events(events + [_event("e1", doc_id)]) == 0
    frame = store.events_frame(dyad=("RUS", "taliban"))
    assert list(frame["event_id"]) == ["e1", "e2"]
    assert frame.loc[0, "cameo_code"] == "043"  # a string with its zero
    assert store.events_frame(dyad=("AFG", "RUS")).empty
    assert len(store.events_frame(dyad=("AFG", "RUS"), undirected=True)) == 2
    assert list(store.events_frame(code="03")["event_id"]) == ["e2"]


def test_recoding_replaces_only_that_coders_events(store: Store) -> None:
    doc_a = _with_doc(store, "Moscow hosted the Taliban.")
    doc_b = _with_doc(store, "Russia sent wheat to Afghanistan.")
    store.replace_coded("dyadwatch-rules", "0.1.0", [doc_a, doc_b], [_event("a1", doc_a), _event("b1", doc_b)])
    store.add_events([_event("g1", doc_a, origin="gdelt2", coder=None)])
    store.add_events([_event("o1", doc_a, coder="other-coder 2.0")])
    assert store.documents_to_code("dyadwatch-rules", "0.1.0") == []
    assert sorted(store.documents_to_code("dyadwatch-rules", "0.2.0")) == sorted([doc_a, doc_b])
    # a newer version recodes doc_a: its old event goes, the new one (same id even) comes
    store.replace_coded(
        "dyadwatch-rules", "0.2.0", [doc_a],
        [_event("a1", doc_a, coder="dyadwatch-rules 0.2.0"), _event("a2", doc_a, code="0871", coder="dyadwatch-rules 0.2.0")],
    )
    ids = set(store.events_frame()["event_id"])
    assert ids == {"a1", "a2", "b1", "g1", "o1"}
    coder_of = dict(store.con.execute("SELECT event_id, coder FROM events").fetchall())
    assert coder_of["a1"] == "dyadwatch-rules 0.2.0" and coder_of["b1"] == "dyadwatch-rules 0.1.0"
    assert store.documents_to_code("dyadwatch-rules", "0.2.0") == [doc_b]


def test_an_older_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO dyadwatch_meta VALUES ('app', ?), ('schema_version', '1')", [APP_ID])
    con.execute(
        "INSERT INTO documents (doc_id, text, date_source, source_kind, collected_at, dup_group) "
        "VALUES ('d1', 'Kept text.', 'none', 'text', now(), 'd1')"
    )
    con.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count("documents") == 1
        assert store.count("coded_documents") == 0
        version = store.con.execute("SELECT value FROM dyadwatch_meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
