"""Fuzzing the library readers (text, Markdown, HTML, PDF, JSONL, CSV, feeds, URL lists,
fetched pages): every mutated input ends in documents or a coded error, and what the
readers give ends in the store exactly once."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

import dyadwatch
from dyadwatch.errors import DyadwatchError
from dyadwatch.library.readers import read
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document
from dyadwatch.store.maintenance import check
from tests.conftest import shared_data_dir
from tests.reliability._fuzzing import check_reader, check_seeds
from tests.reliability.targets import BY_NAME, mutate, names, random_ops, seeds_of

EXAMPLES = {"pdf": 15, "remote": 20, "sniffed": 20}


@pytest.mark.parametrize("name", names("library"))
def test_fuzzed_library_inputs_give_documents_or_coded_errors(name: str, request: pytest.FixtureRequest) -> None:
    check_reader(name, request, EXAMPLES.get(name, 30))


@pytest.mark.parametrize("name", names("library"))
def test_library_seeds_read_to_documents(name: str, request: pytest.FixtureRequest) -> None:
    check_seeds(name, request)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "text"])
def test_fuzzed_sources_end_in_the_store_once(kind: str, tmp_path: Path) -> None:
    """Ingest mutated sources with --on-error skip: each document the reader gives is stored
    once (re-ingesting adds none), every skipped item has a code, and the check passes."""
    target = BY_NAME[kind]
    seeds = seeds_of(target, shared_data_dir())
    rng = random.Random(f"store-{kind}")
    expected: set[str] = set()
    logging.disable(logging.WARNING)
    try:
        with dyadwatch.open(tmp_path / "lib.duckdb") as lib:
            for number in range(12):
                path = tmp_path / f"{number}-{target.filename}"
                path.write_bytes(mutate(rng.choice(seeds), random_ops(rng, 4)))
                docs: set[str] = set()
                try:
                    for item in read(SourceRef(location=str(path), kind=target.name)):
                        if isinstance(item, Document):
                            docs.add(item.doc_id)
                except DyadwatchError:
                    pass
                report = lib.ingest(str(path), on_error="skip")
                assert all(s.code.startswith("E") for s in report.skipped)
                expected |= docs
                assert lib.count_documents() == len(expected)
                again = lib.ingest(str(path), on_error="skip")
                assert again.documents_added == 0
        assert len(expected) > 0
    finally:
        logging.disable(logging.NOTSET)
    report = check(tmp_path / "lib.duckdb")
    assert report.ok, report.findings
    assert report.counts["documents"] == len(expected)
