"""A small store with documents, sentences and coded events, and a dashboard over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dyadwatch.records import Document, Event
from dyadwatch.store import Store

TOKEN = "test-token-0123456789"
SCRIPT_TEXT = 'Officials said <script>alert("pwned")</script> nothing. Russia praised the Taliban on Tuesday.'

DOCS = [
    ("Russia hosted a Taliban delegation in Moscow. The talks covered trade and security.", "Steppe Wire", dt.date(2021, 10, 20)),
    ("Russia criticised the Taliban over the border clashes. Kazakhstan opened a trade centre.", "Eurasia Brief", dt.date(2022, 3, 4)),
    ("China sent aid to Afghanistan after the earthquake. Pakistan accused the Taliban of shelling.", "Steppe Wire", dt.date(2022, 6, 25)),
    (SCRIPT_TEXT, "Eurasia Brief", dt.date(2023, 1, 10)),
]


def _spans(text: str) -> list[tuple[int, int, int]]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            out.append((start, i + 1, 0))
            start = i + 2
    return out


def build_store(path: Path) -> dict[str, Any]:
    """The fixture store; returns the ids of what is in it."""
    docs = [Document.from_text(text, title=f"Brief {i}", publisher=pub, published=day, date_source="metadata")
            for i, (text, pub, day) in enumerate(DOCS)]
    spans = [_spans(d.text) for d in docs]
    events: list[Event] = []
    plan = [  # doc, sentence, code, source, target, (source span, verb span, target span) as words
        (0, 0, "042", "RUS", "AFG", ("Russia", "hosted", "Taliban")),
        (1, 0, "111", "RUS", "AFG", ("Russia", "criticised", "Taliban")),
        (2, 0, "070", "CHN", "AFG", ("China", "sent aid", "Afghanistan")),
        (2, 1, "112", "PAK", "AFG", ("Pakistan", "accused", "Taliban")),
        (3, 1, "051", "RUS", "AFG", ("Russia", "praised", "Taliban")),
    ]
    for n, (d, s, code, src, tgt, words) in enumerate(plan):
        doc = docs[d]
        start, end, _ = spans[d][s]
        sentence = doc.text[start:end]
        marks = {role: (sentence.index(w), sentence.index(w) + len(w)) for role, w in zip(("source", "verb", "target"), words, strict=True)}
        events.append(Event(
            event_id=f"ev{n}", origin="dyadwatch", date=doc.published, cameo_code=code, cameo_root=code[:2],
            source_country=src, target_country=tgt, quad_class=1 if code < "06" else (2 if code < "09" else 3),
            goldstein=3.0 if code < "09" else -2.0, doc_id=doc.doc_id, sentence_idx=s, sentence=sentence,
            spans=marks, coder="rules 0.1", publisher=doc.publisher, target_actor="taliban" if n == 3 else None,
        ))
    # a dataset's events (no evidence sentence), for the "sources side by side"
    for n in range(12):
        events.append(Event(
            event_id=f"gd{n}", origin="gdelt2", date=dt.date(2021, 9 + n // 4, 1 + n), cameo_code="040", cameo_root="04",
            source_country="RUS", target_country="AFG", quad_class=1, goldstein=1.0,
            url="javascript:alert(1)" if n == 0 else f"https://example.org/{n}",
        ))
    with Store(path) as store:
        store.add_documents(docs, spans, [None] * len(docs))
        store.add_events(events)
    return {"docs": [d.doc_id for d in docs], "script_doc": docs[3].doc_id, "events": [e.event_id for e in events]}


@pytest.fixture
def web_store(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "web.duckdb"
    return path, build_store(path)


@pytest.fixture
def client(web_store: tuple[Path, dict[str, Any]]) -> Iterator[TestClient]:
    """A read-write dashboard (edits allowed, the token known)."""
    from dyadwatch.web.app import create_app

    app = create_app(web_store[0], allow_edits=True, token=TOKEN, poll_interval=0.05)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c


@pytest.fixture
def readonly_client(web_store: tuple[Path, dict[str, Any]]) -> Iterator[TestClient]:
    from dyadwatch.web.app import create_app

    app = create_app(web_store[0], poll_interval=0.05)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c
