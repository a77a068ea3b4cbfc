"""The typed records every stage passes on: frozen dataclasses that pickle (to worker
processes) and come back from the store unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path

import pytest

import dyadwatch
from dyadwatch.records import Actor, Document, Event, Mention, Role, Sentence
from dyadwatch.store import Store

SENTENCE = "Foreign Minister Sergei Lavrov met a Taliban delegation in Moscow on Wednesday."

RECORDS = [
    Document.from_text(
        SENTENCE,
        title="Lavrov meets Taliban envoys",
        url="https://wire.example/2021/10/20/lavrov",
        publisher="Steppe Wire",
        author="Staff",
        published=dt.date(2021, 10, 20),
        date_source="metadata",
        language="en",
        source_kind="jsonl",
        source="/data/wire.jsonl:3",
        user_id="w3",
        meta={"section": "Asia", "tags": ["russia", "afghanistan"]},
        collected_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
        dup_group="9f2c",
    ),
    Sentence(doc_id="9f2c", idx=0, start=0, end=len(SENTENCE), text=SENTENCE, paragraph=0),
    Mention(
        doc_id="9f2c", sentence_idx=0, start=17, end=30, text="Sergei Lavrov", actor_id="lavrov",
        country="RUS", sector="GOV", reason="alias 'Sergei Lavrov' of lavrov, role 2004-03-09..", confidence=0.97,
    ),
    Actor(
        actor_id="taliban", name="Taliban", kind="group", country="AFG", sector="INS",
        aliases=("Taliban", "Islamic Emirate of Afghanistan"),
        roles=(
            Role(country="AFG", sector="INS", end=dt.date(2021, 8, 14)),
            Role(country="AFG", sector="GOV", start=dt.date(2021, 8, 15), title="de facto government"),
        ),
        source="actors/afghanistan.toml",
    ),
    Event(
        event_id="e-9f2c-0-1", origin="dyadwatch", date=dt.date(2021, 10, 20), cameo_code="043",
        cameo_root="04", source_country="RUS", source_actor="lavrov", target_country="AFG",
        target_sector="GOV", target_actor="taliban", plover_type="CONSULT", goldstein=2.8, quad_class=1,
        doc_id="9f2c", sentence_idx=0, sentence=SENTENCE,
        spans={"source": (17, 30), "verb": (31, 34), "target": (37, 55)},
        coder="dyadwatch-rules 0.1.0", rule="meet-with", confidence=0.9, publisher="Steppe Wire",
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=[type(r).__name__ for r in RECORDS])
def test_each_record_is_frozen_and_pickles(record: object) -> None:
    assert dataclasses.is_dataclass(record)
    back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == record and type(back) is type(record)
    # fields left out of equality (a document's meta, an event's spans) survive too
    assert {f.name: getattr(back, f.name) for f in dataclasses.fields(back)} == {
        f.name: getattr(record, f.name) for f in dataclasses.fields(record)
    }
    name = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, "changed")


def test_records_read_back_from_the_store_are_the_records_stored(tmp_path: Path) -> None:
    doc = RECORDS[0]
    assert isinstance(doc, Document)
    with Store(tmp_path / "s.duckdb") as store:
        with store.transaction():
            store.add_documents([doc], [[(0, len(SENTENCE), 0)]], [None])
        event = RECORDS[-1]
        assert isinstance(event, Event)
        store.add_events([dataclasses.replace(event, doc_id=doc.doc_id)])
    with dyadwatch.open(tmp_path / "s.duckdb", read_only=True) as lib:
        back = lib.document(doc.doc_id)
        assert back is not None and back == doc and back.meta == doc.meta
        assert back.collected_at == doc.collected_at
        [sentence] = lib.document_sentences(doc.doc_id)
        assert sentence == Sentence(doc_id=doc.doc_id, idx=0, start=0, end=len(SENTENCE), text=SENTENCE)
        assert pickle.loads(pickle.dumps(back)) == back
        [row] = lib.events().to_dict("records")
        assert row["cameo_code"] == "043" and row["sentence"] == SENTENCE
