"""The sentence search index: ranking, phrases, filters, incremental adds, reopening, errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.errors import ConfigError, StoreError
from dyadwatch.library.search import SentenceIndex, refresh_index

D = dt.date

ROWS: list[tuple[int, str, int, str, dt.date | None, str | None]] = [
    (
        1,
        "doc-a",
        0,
        "Russia and the Taliban held talks in Moscow on Wednesday.",
        D(2021, 10, 20),
        "Steppe Wire",
    ),
    (
        2,
        "doc-a",
        1,
        "Sanctions, sanctions: the envoy spoke of nothing else.",
        D(2021, 10, 20),
        "Steppe Wire",
    ),
    (
        3,
        "doc-b",
        0,
        "The European Union said on Monday that it would extend its sanctions against Russian banks "
        "and energy companies for another six months, after a meeting of foreign ministers in Brussels "
        "that also discussed aid to Afghanistan and the situation on the Tajik border.",
        D(2022, 3, 14),
        "Eurasia Brief",
    ),
    (
        4,
        "doc-c",
        0,
        "Moscow said talks with the Taliban were useful.",
        D(2022, 3, 15),
        "Kabul Times",
    ),
    (
        5,
        "doc-c",
        1,
        "The talks in Doha collapsed after the Taliban walked out.",
        D(2022, 3, 15),
        "Kabul Times",
    ),
    (6, "doc-d", 0, "Kazakhstan closed its border with Afghanistan for a week.", None, None),
    (
        7,
        "doc-e",
        0,
        "Uzbekistan will supply electricity to Afghanistan under a new contract.",
        D(2023, 1, 9),
        "Steppe Wire",
    ),
]


@pytest.fixture
def index() -> Iterator[SentenceIndex]:
    idx = SentenceIndex(None)
    idx.add(ROWS)
    idx.commit()
    yield idx
    idx.close()


def keys(hits: list[Any]) -> list[tuple[str, int]]:
    return [(h.doc_id, h.sentence_idx) for h in hits]


def test_bm25_prefers_repeated_terms_in_short_sentences(index: SentenceIndex) -> None:
    hits = index.search("sanctions")
    # the short sentence naming it twice before the long one naming it once
    assert keys(hits) == [("doc-a", 1), ("doc-b", 0)]
    assert hits[0].score > hits[1].score > 0
    assert hits[0].seq == 2 and hits[0].text == ROWS[1][3]


def test_words_are_stemmed_and_any_word_matches(index: SentenceIndex) -> None:
    assert keys(index.search("sanction")) == keys(index.search("SANCTIONS"))
    found = keys(index.search("Kazakhstan Uzbekistan"))
    assert sorted(found) == [("doc-d", 0), ("doc-e", 0)]


def test_phrase_and_boolean_queries(index: SentenceIndex) -> None:
    assert keys(index.search('"talks with the Taliban"')) == [("doc-c", 0)]
    assert keys(index.search('"Taliban talks"')) == []
    assert set(keys(index.search("talks AND Moscow"))) == {("doc-a", 0), ("doc-c", 0)}
    assert keys(index.search("talks -Moscow")) == [("doc-c", 1)]
    assert set(keys(index.search("Doha OR Brussels"))) == {("doc-c", 1), ("doc-b", 0)}


def test_highlights_are_character_offsets_of_the_matched_words(index: SentenceIndex) -> None:
    (hit,) = index.search('"talks in Doha"')
    assert [hit.text[a:b] for a, b in hit.highlights] == ["talks", "in", "Doha"]
    assert index.search("Doha", highlight=False)[0].highlights == ()


def test_date_and_publisher_filters(index: SentenceIndex) -> None:
    talks = "talks OR sanctions OR Afghanistan"
    in_2022 = index.search(talks, date_from=D(2022, 1, 1), date_to=D(2022, 12, 31))
    assert set(keys(in_2022)) == {("doc-b", 0), ("doc-c", 0), ("doc-c", 1)}
    # bounds are inclusive days; a document without a date is left out by a date filter
    assert set(keys(index.search(talks, date_from=D(2022, 3, 15)))) == {
        ("doc-c", 0),
        ("doc-c", 1),
        ("doc-e", 0),
    }
    assert set(keys(index.search(talks, date_to=D(2021, 10, 20)))) == {("doc-a", 0), ("doc-a", 1)}
    by_publisher = index.search(talks, publisher="steppe wire")
    assert set(keys(by_publisher)) == {("doc-a", 0), ("doc-a", 1), ("doc-e", 0)}
    assert set(keys(index.search(talks, publisher=["Kabul Times", "Eurasia Brief"]))) == {
        ("doc-b", 0),
        ("doc-c", 0),
        ("doc-c", 1),
    }
    both = index.search(talks, publisher="Steppe Wire", date_from=D(2022, 1, 1))
    assert keys(both) == [("doc-e", 0)]


def test_date_filters_beyond_the_index_span_are_clamped(index: SentenceIndex) -> None:
    # tantivy's dates reach from 1677 to 2262; a bound beyond them means "no bound", not an error
    talks = "talks OR sanctions OR Afghanistan"
    everything = set(keys(index.search(talks, date_from=D(2000, 1, 1))))
    assert set(keys(index.search(talks, date_from=D(1, 1, 1), date_to=D(9999, 12, 31)))) == everything
    assert index.search(talks, date_from=D(9000, 1, 1)) == []


def test_filters_do_not_change_scores(index: SentenceIndex) -> None:
    plain = {(h.doc_id, h.sentence_idx): h.score for h in index.search("talks")}
    filtered = index.search("talks", publisher="Kabul Times", date_from=D(2022, 1, 1))
    assert filtered and all(
        h.score == pytest.approx(plain[(h.doc_id, h.sentence_idx)]) for h in filtered
    )


def test_limit_and_blank_query(index: SentenceIndex) -> None:
    assert len(index.search("Afghanistan OR talks", limit=2)) == 2
    assert index.search("   ") == []
    with pytest.raises(ConfigError, match="limit"):
        index.search("talks", limit=0)


def test_apostrophes_and_lone_dashes_are_text() -> None:
    idx = SentenceIndex(None)
    idx.add(
        [
            (1, "d1", 0, "Russia's envoy met O'Brien in Kabul.", None, None),
            (2, "d1", 1, "The envoy met the ministers' aides.", None, None),
            (3, "d2", 0, "Kabul and Moscow signed the deal.", None, None),
        ]
    )
    idx.commit()
    assert keys(idx.search("Russia's")) == [("d1", 0)]
    assert keys(idx.search('"Russia\'s envoy"')) == [("d1", 0)]
    assert keys(idx.search("O'Brien")) == [("d1", 0)]
    assert keys(idx.search("ministers'")) == [("d1", 1)]
    assert set(keys(idx.search("'envoy met'"))) == {("d1", 0), ("d1", 1)}  # a single-quoted phrase
    assert set(keys(idx.search("Kabul - Moscow"))) == {("d1", 0), ("d2", 0)}


@pytest.mark.parametrize(
    "query", ['"talks in Doha', "talks AND", "(talks", "nosuchfield:talks", "-talks"]
)
def test_bad_query_raises_e230(index: SentenceIndex, query: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E230\]") as info:
        index.search(query)
    assert info.value.code == "E230"


def test_incremental_add_and_last_seq(tmp_path: Path) -> None:
    folder = tmp_path / "store.duckdb.search"
    idx = SentenceIndex(folder)
    assert idx.last_seq() == 0 and len(idx) == 0
    assert idx.add(ROWS[:4]) == 4
    assert idx.search("Moscow") == []  # nothing is searchable before the commit
    idx.commit()
    assert idx.last_seq() == 4 and len(idx) == 4
    # replaying a batch adds nothing; only newer rows go in
    assert idx.add(ROWS[:5]) == 1
    idx.commit()
    assert idx.last_seq() == 5 and len(idx) == 5
    assert json.loads((folder / "dyadwatch-search.json").read_text())["last_seq"] == 5
    idx.add(ROWS[5:])
    idx.rollback()
    assert idx.last_seq() == 5 and len(idx) == 5
    idx.close()


def test_reopen_from_disk(tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    with SentenceIndex(folder) as idx:
        idx.add(ROWS[:3])
    again = SentenceIndex(folder)
    assert again.last_seq() == 3
    again.add(
        {"seq": s, "doc_id": d, "idx": i, "text": t, "published": p, "publisher": pub}
        for s, d, i, t, p, pub in ROWS[3:]
    )
    again.commit()
    assert again.last_seq() == 7
    assert set(keys(again.search("Taliban"))) == {("doc-a", 0), ("doc-c", 0), ("doc-c", 1)}
    assert keys(again.search("Uzbekistan", publisher="Steppe Wire", date_from=D(2023, 1, 1))) == [
        ("doc-e", 0)
    ]
    again.close()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    first = SentenceIndex(tmp_path / "idx")
    second = SentenceIndex(tmp_path / "idx")
    first.add(ROWS[:1])
    with pytest.raises(StoreError, match="E103"):
        second.add(ROWS[1:2])
    first.commit()  # gives the writer back
    assert second.add(ROWS[1:2]) == 1
    second.commit()
    assert len(first) == 2


def test_damaged_index_starts_again_and_reset(tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    with SentenceIndex(folder) as idx:
        idx.add(ROWS)
    (folder / "meta.json").write_text("{not json", encoding="utf-8")
    reopened = SentenceIndex(folder)
    assert reopened.last_seq() == 0 and len(reopened) == 0
    reopened.add(ROWS[:2])
    reopened.commit()
    assert reopened.last_seq() == 2
    reopened.reset()
    assert reopened.last_seq() == 0 and reopened.search("sanctions") == []
    reopened.add(ROWS)
    reopened.commit()
    assert reopened.last_seq() == 7


def test_index_of_another_format_is_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    with SentenceIndex(folder) as idx:
        idx.add(ROWS)
    meta = json.loads((folder / "dyadwatch-search.json").read_text())
    (folder / "dyadwatch-search.json").write_text(json.dumps({**meta, "format": 0}))
    assert SentenceIndex(folder).last_seq() == 0


def test_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a dyadwatch search index"):
        SentenceIndex(tmp_path)
    assert (tmp_path / "notes.txt").exists()


class FakeStore:
    """The three store methods refresh_index uses, over a list of rows."""

    def __init__(self, path: Path, rows: list[tuple[Any, ...]]) -> None:
        self.search_index_path = path
        self.rows = rows

    def max_sentence_seq(self) -> int:
        return max((r[0] for r in self.rows), default=0)

    def sentences_after(self, seq: int, batch: int = 2) -> Iterator[list[tuple[Any, ...]]]:
        newer = [r for r in self.rows if r[0] > seq]
        for i in range(0, len(newer), batch):
            yield newer[i : i + batch]


def test_refresh_index_adds_what_is_missing_and_rebuilds_when_ahead(tmp_path: Path) -> None:
    store = FakeStore(tmp_path / "s.search", list(ROWS[:4]))
    idx = refresh_index(store)
    assert idx.last_seq() == 4
    store.rows = list(ROWS)
    assert refresh_index(store, idx) is idx and idx.last_seq() == 7
    # a store replaced by a smaller one: the index is ahead, so it is rebuilt
    store.rows = list(ROWS[:2])
    idx = refresh_index(store, idx)
    assert idx.last_seq() == 2 and len(idx) == 2
