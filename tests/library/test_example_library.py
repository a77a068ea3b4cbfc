"""The bundled example library (examples/russia-afghanistan/library), ingested as a user
would: at least 80 dated briefs with publisher-style metadata from 2017 to 2025, its
near-duplicate wire stories grouped (not deleted) exactly as its README lists them, and
its few irrelevant briefs kept, each a story of its own."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import dyadwatch

LIBRARY = Path(__file__).resolve().parents[2] / "examples" / "russia-afghanistan" / "library"
# from examples/russia-afghanistan/README.md
GROUPS = [{"ra-018", "ra-019"}, {"ra-079", "ra-080", "ra-081"}, {"ra-122", "ra-123", "ra-124"}]
IRRELEVANT = {"ra-007", "ra-016", "ra-031", "ra-070", "ra-088"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dyadwatch.Library]:
    with dyadwatch.open(tmp_path_factory.mktemp("example") / "example.duckdb") as lib:
        report = lib.ingest(str(LIBRARY))
        # every line is its own text: nothing skipped, nothing stored twice
        assert not report.skipped and report.documents_existing == 0 and report.documents_added >= 80
        yield lib


def test_at_least_80_dated_briefs_with_publisher_metadata(library: dyadwatch.Library) -> None:
    docs = library.documents()
    assert len(docs) >= 80
    assert docs["publisher"].notna().all() and docs["title"].notna().all()
    assert set(docs["date_source"]) == {"metadata"}
    days = [d.date() for d in docs["published"]]
    assert min(days).year == 2017 and max(days).year == 2025
    assert len({day.year for day in days}) == 9  # every year from 2017 to 2025
    assert min(days) >= dt.date(2017, 1, 1) and max(days) <= dt.date(2025, 12, 31)
    assert set(docs["language"]) == {"en"}
    # an address only where the README says one is certain; the rest name no address
    with_url = set(docs.loc[docs["url"].notna(), "user_id"])
    assert with_url == {"ra-030", "ra-056", "ra-069", "ra-073", "ra-091", "ra-094"}
    assert docs["url"].dropna().str.startswith("https://").all()


def test_near_duplicates_are_grouped_as_the_readme_says(library: dyadwatch.Library) -> None:
    docs = library.documents()
    groups = docs.groupby("dup_group")["user_id"].apply(frozenset)
    grouped = sorted((set(members) for members in groups if len(members) > 1), key=sorted)
    assert grouped == sorted(GROUPS, key=sorted)
    # each copy is kept: a story is counted once by its group, not lost
    summary = library.summary()
    assert summary["duplicate_groups"] == len(GROUPS)
    assert summary["stories"] == summary["documents"] - sum(len(g) - 1 for g in GROUPS)
    publishers = {frozenset(docs.loc[docs["user_id"].isin(group), "publisher"]) for group in GROUPS}
    assert all(len(p) > 1 for p in publishers)  # the same wire story from several outlets


def test_irrelevant_briefs_are_kept_and_stand_alone(library: dyadwatch.Library) -> None:
    docs = library.documents(with_text=True).set_index("user_id")
    for key in IRRELEVANT:
        assert docs.loc[key, "dup_group"] == docs.loc[key, "doc_id"]
        text = docs.loc[key, "text"]
        assert not any(word in text for word in ("Afghan", "Taliban", "Kabul", "CSTO"))
    hits = library.search("Taliban Afghanistan", limit=200)
    assert hits["doc_id"].isin(docs.loc[list(IRRELEVANT), "doc_id"]).sum() == 0


def test_the_example_file_is_the_documented_format() -> None:
    rows = [json.loads(line) for line in (LIBRARY / "briefs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert {"id", "title", "date", "publisher", "based_on", "text"} <= set(row)
        assert row["based_on"] and "http" not in row["based_on"]  # the kind of source, no invented address
