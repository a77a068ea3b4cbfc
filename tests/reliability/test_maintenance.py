"""`dyadwatch check`, `backup` and `restore`: each problem the check knows is found with its
code and count; a backup restores to a store that passes the check and holds the same ids;
a damaged backup, an existing store and an existing backup folder are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli.main import app
from dyadwatch.datasets import import_dataset
from dyadwatch.errors import StoreError
from dyadwatch.store.maintenance import BACKUP_FILE, backup, check, restore
from tests.conftest import PROJECT_ROOT
from tests.reliability.crash import Content

LIBRARY = PROJECT_ROOT / "tests" / "library" / "data"
POLECAT = PROJECT_ROOT / "tests" / "datasets" / "data" / "polecat_sample.tsv"
ACLED = PROJECT_ROOT / "tests" / "datasets" / "data" / "acled_sample.csv"


@pytest.fixture
def full_store(tmp_path: Path) -> Path:
    """A store with documents, sentences, coded events, a table import, Parquet partitions
    and a search index."""
    path = tmp_path / "lib.duckdb"
    with dyadwatch.open(path) as lib:
        lib.ingest(str(LIBRARY), on_error="skip")
        lib.code()
        import_dataset(lib.store, "polecat", [str(POLECAT)], on_error="skip", storage="table")
        import_dataset(lib.store, "acled", [str(ACLED)], on_error="skip", storage="parquet")
        lib.search("Moscow")
    return path


def test_a_sound_store_passes_with_its_counts(full_store: Path) -> None:
    report = check(full_store)
    assert report.ok, report.findings
    with dyadwatch.open(full_store, read_only=True) as lib:
        assert report.counts["documents"] == lib.count_documents() > 0
        assert report.counts["events"] + report.counts["dataset_events"] == lib.store.summary()["events"]
    assert report.counts["dataset_events"] > 0 and report.counts["events"] > 0


def _damage(path: Path, *statements: str) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("statements", "code", "count"),
    [
        (["INSERT INTO sentences (doc_id, idx, start_char, end_char, paragraph, text) "
          "VALUES ('gone', 0, 0, 4, 0, 'lost'), ('gone', 1, 5, 9, 0, 'also')"], "E842", 2),
        (["UPDATE events SET doc_id = 'gone' WHERE event_id IN "
          "(SELECT event_id FROM events WHERE doc_id IS NOT NULL LIMIT 1)"], "E843", 1),
        (["INSERT INTO documents SELECT 'copy' || doc_id, title, text, url, publisher, author, published, "
          "date_source, language, source_kind, source, user_id, meta, collected_at, dup_group, minhash, run_id "
          "FROM documents LIMIT 1"], "E844", 1),
        (["UPDATE events SET sentence_idx = 9999 WHERE event_id IN "
          "(SELECT event_id FROM events WHERE doc_id IS NOT NULL LIMIT 1)"], "E845", 1),
        (["INSERT INTO coded_documents VALUES ('gone', 'dyadwatch-rules', '1', 0, now(), NULL)"], "E849", 1),
        (["UPDATE dyadwatch_meta SET value = 'x' WHERE key = 'schema_version'"], "E841", 1),
        (["UPDATE dyadwatch_meta SET value = '2' WHERE key = 'schema_version'", "DROP TABLE coded_documents"],
         "E841", 1),
    ],
    ids=["orphan-sentences", "event-without-document", "document-twice", "event-without-sentence",
         "coding-without-document", "schema-version", "table-missing"],
)
def test_each_problem_is_found_with_its_code_and_count(full_store: Path, statements: list[str], code: str,
                                                       count: int) -> None:
    _damage(full_store, *statements)
    report = check(full_store)
    assert not report.ok
    found = {f.code: f.count for f in report.findings}
    assert found.get(code) == count, report.findings


def test_an_older_schema_is_sound_and_noted(full_store: Path) -> None:
    """A store one migration behind (an old store, or an upgrade killed between migrations)."""
    _damage(full_store, "UPDATE dyadwatch_meta SET value = '2' WHERE key = 'schema_version'",
            "DROP TABLE dataset_extras")
    report = check(full_store)
    assert report.ok and report.schema_version == 2
    assert any("upgrades it to 3" in note for note in report.notes)


def test_an_empty_store_file_is_sound(tmp_path: Path) -> None:
    """A command killed while making the store leaves an empty database, made on the next open."""
    empty = tmp_path / "empty.duckdb"
    _damage(empty, "SELECT 1")
    report = check(empty)
    assert report.ok and report.counts == {} and report.notes
    with dyadwatch.open(empty) as lib:
        assert lib.count_documents() == 0
    assert check(empty).schema_version == 3


def test_events_stored_twice_across_table_and_partitions(full_store: Path) -> None:
    import pyarrow.parquet as pq

    folder = Path(str(full_store) + ".partitions")
    part = next(folder.glob("*/year=*/month=*/*.parquet"))
    rows = pq.read_table(part).num_rows
    ids = pq.read_table(part, columns=["event_id", "origin"]).to_pylist()
    values = ", ".join(f"('{r['event_id']}', '{r['origin']}')" for r in ids)
    _damage(full_store, f"INSERT INTO events (event_id, origin) VALUES {values}")
    report = check(full_store)
    assert {f.code: f.count for f in report.findings} == {"E847": rows}


def test_unreadable_and_missing_part_files(full_store: Path) -> None:
    folder = Path(str(full_store) + ".partitions")
    parts = sorted(folder.glob("*/year=*/month=*/*.parquet"))
    data = parts[0].read_bytes()
    parts[0].write_bytes(data[: len(data) // 2])
    report = check(full_store)
    assert [f.code for f in report.findings] == ["E846"]
    assert "parquet" in report.findings[0].message.lower()
    parts[0].unlink()
    assert [f.code for f in check(full_store).findings] == ["E846"]


def test_no_store_and_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as missing:
        check(tmp_path / "none.duckdb")
    assert missing.value.code == "E840"
    other = tmp_path / "other.duckdb"
    _damage(other, "CREATE TABLE t (x INTEGER)")
    with pytest.raises(StoreError) as foreign:
        check(other)
    assert foreign.value.code == "E101"


def test_cli_check_json_and_exit_code(full_store: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--store", str(full_store), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True and data["counts"]["documents"] > 0
    quick = runner.invoke(app, ["check", "--store", str(full_store), "--quick", "--json"])
    assert quick.exit_code == 0 and json.loads(quick.output)["counts"] == data["counts"]
    _damage(full_store, "INSERT INTO sentences (doc_id, idx, start_char, end_char, paragraph, text) "
                        "VALUES ('gone', 0, 0, 4, 0, 'lost')")
    result = runner.invoke(app, ["check", "--store", str(full_store)])
    assert result.exit_code == 1
    assert "E842" in result.output


# -- backup and restore ------------------------------------------------------------------------


def test_backup_restores_the_same_store(full_store: Path, tmp_path: Path) -> None:
    manifest = backup(full_store, tmp_path / "backup")
    names = {f.path for f in manifest.files}
    assert "lib.duckdb" in names
    assert any(n.startswith("lib.duckdb.partitions/") and n.endswith(".parquet") for n in names)
    assert "lib.duckdb.partitions/manifest.json" in names
    assert any(n.startswith("lib.duckdb.search/") for n in names)
    assert not any(".staging" in n or n.endswith(".lock") for n in names)
    (tmp_path / "elsewhere").mkdir()
    restored = restore(tmp_path / "backup", tmp_path / "elsewhere" / "copy.duckdb")
    report = check(restored)
    assert report.ok and report.counts == check(full_store).counts
    assert Content.read(restored) == Content.read(full_store)
    with dyadwatch.open(restored, read_only=True) as lib:
        assert len(lib.search("Moscow")) > 0


def test_restore_refuses_an_existing_store_unless_forced(full_store: Path, tmp_path: Path) -> None:
    backup(full_store, tmp_path / "backup")
    with dyadwatch.open(full_store) as lib:
        lib.ingest(str(PROJECT_ROOT / "examples" / "russia-afghanistan" / "library"), on_error="skip")
        grown = lib.count_documents()
    with pytest.raises(StoreError) as refused:
        restore(tmp_path / "backup", full_store)
    assert refused.value.code == "E854"
    assert check(full_store).counts["documents"] == grown
    restore(tmp_path / "backup", full_store, force=True)
    report = check(full_store)
    assert report.ok and report.counts["documents"] < grown
    assert not list(tmp_path.glob(".lib.duckdb.*"))  # no staging or set-aside folder is left


def test_damaged_backups_are_refused_and_change_nothing(full_store: Path, tmp_path: Path) -> None:
    backup(full_store, tmp_path / "backup")
    before = Content.read(full_store)
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    part = next(damaged.glob("lib.duckdb.partitions/*/year=*/month=*/*.parquet"))
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(StoreError) as bad:
        restore(damaged, full_store, force=True)
    assert bad.value.code == "E853" and "SHA-256" in str(bad.value)
    (damaged / BACKUP_FILE).unlink()
    with pytest.raises(StoreError) as none:
        restore(damaged, tmp_path / "new.duckdb")
    assert none.value.code == "E852"
    assert Content.read(full_store) == before
    with pytest.raises(StoreError) as exists:
        backup(full_store, tmp_path / "backup")
    assert exists.value.code == "E850"


def test_cli_backup_and_restore(full_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["backup", str(tmp_path / "b"), "--store", str(full_store)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    target = tmp_path / "restored.duckdb"
    result = runner.invoke(app, ["restore", str(tmp_path / "b"), "--store", str(target)])
    assert result.exit_code == 0, result.output
    assert "the check passed" in " ".join(result.output.split())
    result = runner.invoke(app, ["restore", str(tmp_path / "b"), "--store", str(target)])
    assert result.exit_code != 0
    assert isinstance(result.exception, StoreError) and result.exception.code == "E854"
