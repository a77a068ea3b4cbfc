"""Gold from the store's corrections, and predictions read from the store's events (real DuckDB)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest

from dyadwatch.coding.evaluate import (
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    evaluate,
    gold_from_corrections,
    predictions_from_store,
)
from dyadwatch.records import Document
from dyadwatch.store import Store

SENTENCES = [
    "Russian Foreign Minister Sergei Lavrov hosted a Taliban delegation in Moscow on Wednesday.",
    "The Taliban accused Pakistan of shelling villages in Kunar province.",
    "Markets in Kabul reopened after the Eid holiday.",
    "Uzbekistan opened a trade centre at Termez.",
]


def add_sentences(store: Store, texts: list[str]) -> list[tuple[str, int]]:
    """One document per text, one sentence each; their (doc_id, idx)."""
    docs = [Document.from_text(text, title=f"fixture {i}") for i, text in enumerate(texts)]
    store.add_documents(docs, [[(0, len(d.text), 0)] for d in docs], [None] * len(docs))
    return [(d.doc_id, 0) for d in docs]


def add_event(store: Store, event_id: str, key: tuple[str, int], code: str, source: str | None, target: str | None,
              *, coder: str = "rules 0.1", sentence: str | None = None, spans: dict[str, list[int]] | None = None) -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO events (event_id, origin, date, source_country, target_country, cameo_code, cameo_root, "
            "doc_id, sentence_idx, sentence, coder, negated, modality, spans) "
            "VALUES (?, 'dyadwatch', ?, ?, ?, ?, ?, ?, ?, ?, ?, false, 'asserted', CAST(? AS JSON))",
            [event_id, dt.date(2021, 10, 20), source, target, code, code[:2], key[0], key[1], sentence, coder,
             json.dumps(spans) if spans else None],
        )


def add_correction(store: Store, correction_id: str, event_id: str, action: str, changes: dict[str, Any] | None = None,
                   *, minute: int = 0, reviewer: str = "analyst") -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO corrections VALUES (?, ?, ?, CAST(? AS JSON), ?, NULL, ?)",
            [correction_id, event_id, action, json.dumps(changes) if changes is not None else None, reviewer,
             dt.datetime(2024, 5, 1, 12, minute)],
        )


@pytest.fixture
def reviewed(store: Store) -> tuple[Store, list[tuple[str, int]]]:
    keys = add_sentences(store, SENTENCES)
    add_event(store, "e1", keys[0], "042", "RUS", "AFG", sentence=SENTENCES[0])
    add_event(store, "e2", keys[1], "120", "AFG", "PAK")  # no sentence text: the sentences table has it
    add_event(store, "e3", keys[2], "010", "AFG", None, sentence=SENTENCES[2])
    add_event(store, "e4", keys[3], "060", "UZB", None, sentence=SENTENCES[3])
    add_event(store, "e5", keys[3], "043", "UZB", "AFG", sentence=SENTENCES[3])  # never reviewed
    add_event(store, "e6", keys[0], "040", "RUS", "AFG", coder="ml 0.2", sentence=SENTENCES[0])  # another coder
    add_correction(store, "c1", "e1", "accept")
    add_correction(store, "c2", "e2", "reject", minute=1)
    add_correction(store, "c2b", "e2", "correct", {"cameo_code": "112"}, minute=2)  # the later one counts
    add_correction(store, "c3", "e3", "rejected", minute=3)
    add_correction(store, "c4", "e4", "accepted", minute=4)
    add_correction(store, "c5", "new-1", "add", {"doc_id": keys[0][0], "sentence_idx": 0, "cameo_code": "036",
                                                  "source_country": "AFG", "target_country": "RUS"}, minute=5)
    return store, keys


def test_corrections_become_gold(reviewed: tuple[Store, list[tuple[str, int]]]) -> None:
    store, keys = reviewed
    gold = {s.id: s for s in gold_from_corrections(store)}
    # the Uzbek sentence has an unreviewed event (e5): left out by default
    assert sorted(gold) == sorted(f"{d}:{i}" for d, i in keys[:3])
    lavrov = gold[f"{keys[0][0]}:0"]
    assert lavrov.text == SENTENCES[0] and lavrov.origin == "corrections" and lavrov.date == dt.date(2021, 10, 20)
    assert set(lavrov.events or ()) == {
        GoldEvent("RUS", "AFG", "042", source_code="RUS", target_code="AFG"),  # accepted
        GoldEvent("AFG", "RUS", "036", source_code="AFG", target_code="RUS"),  # added
    }
    assert lavrov.meta["accept"] == 1 and lavrov.meta["add"] == 1 and lavrov.meta["reviewers"] == ["analyst"]
    accused = gold[f"{keys[1][0]}:0"]
    assert accused.text == SENTENCES[1]  # from the sentences table
    assert accused.events == (GoldEvent("AFG", "PAK", "112", source_code="AFG", target_code="PAK"),)  # corrected
    assert gold[f"{keys[2][0]}:0"].events == ()  # rejected: not an event


def test_unreviewed_events_policies(reviewed: tuple[Store, list[tuple[str, int]]], caplog: pytest.LogCaptureFixture) -> None:
    store, keys = reviewed
    with caplog.at_level(logging.WARNING):
        gold_from_corrections(store)
    assert "1 sentences left out" in caplog.text
    uzbek = f"{keys[3][0]}:0"
    ignored = {s.id: s for s in gold_from_corrections(store, unreviewed="ignore")}
    assert [e.cameo_code for e in ignored[uzbek].events or ()] == ["060"]
    kept = {s.id: s for s in gold_from_corrections(store, unreviewed="keep")}
    assert sorted(e.cameo_code or "" for e in kept[uzbek].events or ()) == ["043", "060"]
    assert kept[uzbek].meta["unreviewed_kept"] == 1
    # the other coder's event in the Lavrov sentence is not this review's business
    assert len(kept[f"{keys[0][0]}:0"].events or ()) == 2
    with pytest.raises(ValueError, match="unreviewed must be"):
        gold_from_corrections(store, unreviewed="all")  # type: ignore[arg-type]


def test_corrections_of_one_coder(reviewed: tuple[Store, list[tuple[str, int]]]) -> None:
    store, _ = reviewed
    add_correction(store, "c6", "e6", "reject", minute=6)
    mine = gold_from_corrections(store, coder="ml")
    # only e6 is judged for "ml", plus the added event (adds belong to no coder)
    assert [len(s.events or ()) for s in mine] == [1]
    assert mine[0].events is not None and mine[0].events[0].cameo_code == "036"


@pytest.mark.parametrize(
    ("action", "changes", "words"),
    [
        ("approve", None, "unknown action 'approve'"),
        ("correct", {"cameo_code": "43"}, "unknown CAMEO code '43'"),
        ("correct", {"colour": "red"}, "unknown field(s) 'colour'"),
        ("correct", ["043"], "must be a JSON object"),
        ("add", {"cameo_code": "043"}, "needs 'doc_id' and 'sentence_idx'"),
    ],
)
def test_bad_correction_names_it(store: Store, action: str, changes: Any, words: str) -> None:
    keys = add_sentences(store, SENTENCES[:1])
    add_event(store, "e1", keys[0], "042", "RUS", "AFG", sentence=SENTENCES[0])
    add_correction(store, "bad-1", "new-9" if action == "add" else "e1", action, changes)
    with pytest.raises(GoldFormatError) as excinfo:
        gold_from_corrections(store)
    assert excinfo.value.code == "E407" and "Correction 'bad-1'" in str(excinfo.value) and words in str(excinfo.value)


def test_corrections_of_events_gone_or_without_sentence(store: Store) -> None:
    keys = add_sentences(store, SENTENCES[:1])
    add_correction(store, "c1", "deleted-event", "accept")
    with store.transaction() as con:  # a dataset event: no sentence to score a coder on
        con.execute("INSERT INTO events (event_id, origin, date, cameo_code) VALUES ('g1', 'gdelt2', DATE '2021-10-20', '043')")
    add_correction(store, "c2", "g1", "accept", minute=1)
    assert gold_from_corrections(store) == []
    assert keys  # the sentence exists but no judged event points at it


def test_predictions_from_store_join_by_text(store: Store) -> None:
    keys = add_sentences(store, SENTENCES)
    add_event(store, "e1", keys[0], "042", "RUS", "AFG", spans={"source": [0, 38]})  # text from sentences
    add_event(store, "e2", keys[1], "112", "AFG", "PAK", sentence=SENTENCES[1])
    add_event(store, "e3", keys[1], "112", "AFG", "PAK", coder="ml 0.2", sentence=SENTENCES[1])
    add_event(store, "e4", keys[3], "060", "UZB", None, sentence=SENTENCES[3])  # not in the gold
    gold = [
        GoldSentence("g1", "Russian Foreign Minister  Sergei Lavrov hosted a Taliban delegation\nin Moscow on Wednesday.",
                     events=(GoldEvent("RUS", "AFG", "043"),)),
        GoldSentence("g2", SENTENCES[1], events=(GoldEvent("AFG", "PAK", "112"),)),
        GoldSentence("g3", SENTENCES[2], events=()),
    ]
    found = predictions_from_store(store, gold, coder="rules")
    assert {k: [e.event_id for e in v] for k, v in found.events.items()} == {"g1": ["e1"], "g2": ["e2"]}
    assert found.events["g1"][0].spans == {"source": (0, 38)} and found.events["g1"][0].sentence is not None
    result = evaluate(gold, found)
    assert (result.measures["root"].tp, result.measures["root"].fp, result.measures["root"].fn) == (2, 0, 0)
    assert predictions_from_store(store, gold, coder="nobody").count == 0
