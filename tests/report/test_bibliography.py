"""The references: numbering, keys, BibTeX parsed back, CSL JSON checked, store metadata."""

from __future__ import annotations

import datetime as dt
import json
import re

from dyadwatch.records import Document
from dyadwatch.report.bibliography import (
    bibtex_escape,
    collect_citations,
    link_url,
    to_bibtex,
    to_csl_json,
)
from dyadwatch.store import Store

HYPOTHESES = [
    {"id": "H1", "evidence": [
        {"doc_id": "d2", "title": "Second", "publisher": "Steppe Wire", "date": "2021-10-20", "weight": 1.0},
        {"doc_id": "d1", "title": "The Talks in Moscow", "publisher": "Steppe Wire", "date": "2021-10-19",
         "url": "https://example.org/talks?a=1&b=%7B", "weight": 5.0},
    ]},
    {"id": "H2", "evidence": [
        {"doc_id": "d1", "title": "The Talks in Moscow", "publisher": "Steppe Wire", "date": "2021-10-19", "weight": 9.0},
        {"doc_id": "d3", "title": "Talks again", "publisher": "Steppe Wire", "date": "2021-05-01", "weight": 2.0},
        {"doc_id": "d4", "title": "50% {of} the $ & #1_x \\ ~^", "publisher": "Pamir Ledger", "date": "bad"},
    ]},
]


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """A small BibTeX reader: (type, key, fields); raises on unbalanced braces or junk."""
    entries = []
    pos = 0
    head = re.compile(r"\s*@(\w+)\{([^,\s{}]+),")
    field = re.compile(r"\s*(\w+)\s*=\s*\{")
    while pos < len(text.rstrip()):
        m = head.match(text, pos)
        assert m, f"no entry at {text[pos:pos + 40]!r}"
        kind, key, pos = m.group(1), m.group(2), m.end()
        fields: dict[str, str] = {}
        while True:
            fm = field.match(text, pos)
            if not fm:
                break
            depth, i = 1, fm.end()
            while depth:
                ch = text[i]
                if ch == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(ch, 0)
                i += 1
            fields[fm.group(1)] = text[fm.end():i - 1]
            pos = i
            rest = re.match(r"\s*,?", text[pos:])
            pos += rest.end() if rest else 0
        close = re.match(r"\s*\}\s*", text[pos:])
        assert close, f"entry {key} not closed at {text[pos:pos + 40]!r}"
        pos += close.end()
        entries.append((kind, key, fields))
    return entries


def test_citations_numbered_by_first_quote_strongest_first() -> None:
    cites = collect_citations(HYPOTHESES)
    assert [c.doc_id for c in cites] == ["d1", "d2", "d3", "d4"]
    assert [c.number for c in cites] == [1, 2, 3, 4]
    assert [c.key for c in cites] == ["steppewire2021talks", "steppewire2021second", "steppewire2021talksa", "pamirledgernd50"]


def test_bibtex_parses_back_with_escapes() -> None:
    cites = collect_citations(HYPOTHESES, accessed=dt.date(2026, 11, 25))
    entries = parse_bibtex(to_bibtex(cites))
    assert [(k, t) for k, t, _ in entries] == [("online", "steppewire2021talks"), ("article", "steppewire2021second"),
                                               ("article", "steppewire2021talksa"), ("article", "pamirledgernd50")]
    online = entries[0][2]
    assert online["url"] == "https://example.org/talks?a=1&b=%7B"
    assert online["urldate"] == "2026-11-25" and online["organization"] == "Steppe Wire" and online["year"] == "2021"
    odd = entries[3][2]
    assert odd["title"] == "{50\\% \\{of\\} the \\$ \\& \\#1\\_x \\textbackslash{} \\textasciitilde{}\\textasciicircum{}}"
    assert "year" not in odd and odd["journal"] == "Pamir Ledger"


def test_bibtex_escape_balances_braces() -> None:
    text = bibtex_escape("}{ {{ }")
    assert text.count("\\{") == 3 and text.count("\\}") == 2
    assert text.replace("\\{", "").replace("\\}", "").strip() == ""


def test_csl_json_shape() -> None:
    items = to_csl_json(collect_citations(HYPOTHESES, accessed=dt.date(2026, 11, 25)))
    json.dumps(items)  # serialisable
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item["type"] in {"article-newspaper", "webpage"}
        assert isinstance(item["title"], str) and item["container-title"]
        for key in ("issued", "accessed"):
            if key in item:
                parts = item[key]["date-parts"]
                assert len(parts) == 1 and 1 <= len(parts[0]) <= 3 and all(isinstance(p, int) for p in parts[0])
    assert items[0]["URL"] == "https://example.org/talks?a=1&b=%7B"
    assert items[0]["issued"] == {"date-parts": [[2021, 10, 19]]}
    assert "issued" not in items[3]


def test_unsafe_links_dropped() -> None:
    assert link_url("javascript:alert(1)") is None
    assert link_url("data:text/html,<b>") is None
    assert link_url("https://ex ample.org") is None
    assert link_url("ftp://example.org/x") is None
    assert link_url(" https://example.org/x ") == "https://example.org/x"


def test_store_fills_missing_metadata(store: Store) -> None:
    doc = Document.from_text(
        "Moscow hosted the talks.", title="Moscow hosts talks", publisher="Eurasia Brief", author="A. Writer",
        url="https://example.org/moscow", published=dt.date(2021, 10, 20),
        collected_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
    )
    store.add_documents([doc], [[(0, 24, 0)]], [None])
    cites = collect_citations([{"evidence": [{"doc_id": doc.doc_id, "sentence": "Moscow hosted the talks."}]}], store=store)
    (cite,) = cites
    assert (cite.title, cite.publisher, cite.author) == ("Moscow hosts talks", "Eurasia Brief", "A. Writer")
    assert cite.issued == dt.date(2021, 10, 20) and cite.url == "https://example.org/moscow"
    assert cite.accessed == dt.date(2026, 1, 2)
    assert parse_bibtex(to_bibtex(cites))[0][2]["author"] == "A. Writer"
