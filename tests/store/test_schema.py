"""The store's schema (the tables the issue names), its migrations from every older
version, refusals, and where the store lives: ./dyadwatch.duckdb, --store or DYADWATCH_STORE."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli.main import app
from dyadwatch.errors import StoreError
from dyadwatch.store import DEFAULT_STORE, Store, default_store_path
from dyadwatch.store import duckdb_store as store_module
from dyadwatch.store.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION

BRIEF = "Moscow hosted the Moscow Format consultations on Afghanistan on 20 October 2021."

# table -> columns the issue (and the later stages) rely on
EXPECTED = {
    "documents": {
        "doc_id", "title", "text", "url", "publisher", "published", "date_source", "language",
        "source_kind", "collected_at", "dup_group",
    },
    "sentences": {"doc_id", "idx", "start_char", "end_char", "text"},
    "events": {
        "event_id", "origin", "date", "source_country", "target_country", "cameo_code", "goldstein",
        "quad_class", "doc_id", "sentence_idx", "sentence", "spans", "coder", "rule", "run_id",
    },
    "actors": {"actor_id", "name", "kind", "country", "sector"},
    "corrections": {"correction_id", "event_id", "action", "changes", "reviewer", "created_at"},
}


def _columns(store: Store, table: str) -> set[str]:
    rows = store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def test_the_tables_the_issue_names(store: Store) -> None:
    for table, columns in EXPECTED.items():
        assert columns <= _columns(store, table), table
    keys = store.con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert ("documents", ["doc_id"]) in keys and ("sentences", ["doc_id", "idx"]) in keys


def _store_at_version(path: Path, version: int) -> None:
    """A store as an older dyadwatch left it: the first ``version`` migrations, one document."""
    con = duckdb.connect(str(path))
    for migration in MIGRATIONS[:version]:
        for statement in migration:
            con.execute(statement)
    con.execute("INSERT INTO dyadwatch_meta VALUES ('app', ?), ('schema_version', ?)", [APP_ID, str(version)])
    con.execute(
        "INSERT INTO documents (doc_id, text, date_source, source_kind, collected_at, dup_group) "
        "VALUES ('d1', ?, 'none', 'text', now(), 'd1')",
        [BRIEF],
    )
    con.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_older_version_is_migrated_keeping_its_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.duckdb"
    _store_at_version(path, version)
    with pytest.raises(StoreError) as info:  # read-only cannot upgrade: it says how to
        Store(path, read_only=True)
    assert info.value.code == "E106"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.con.execute("SELECT text FROM documents").fetchall() == [(BRIEF,)]
        for table, columns in EXPECTED.items():
            assert columns <= _columns(store, table)
    with Store(path, read_only=True) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_a_failed_migration_leaves_the_store_at_the_version_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    broken = (*MIGRATIONS, ("CREATE TABLE later_stage (x INTEGER)", "CREATE TABLE documents (x INTEGER)"))
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == "E104" and str(path) in str(info.value)
    assert f"stays at version {SCHEMA_VERSION}" in str(info.value)
    monkeypatch.undo()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert "later_stage" not in store._tables()  # the half-run migration left nothing


def test_a_store_of_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE dyadwatch_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO dyadwatch_meta VALUES ('app', 'someone-else'), ('schema_version', '1')")
    con.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.code == "E101" and "someone-else" in str(info.value)


def test_the_store_path_argument_then_the_environment_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DYADWATCH_STORE", raising=False)
    assert default_store_path() == DEFAULT_STORE == "dyadwatch.duckdb"
    monkeypatch.setenv("DYADWATCH_STORE", "/data/study.duckdb")
    assert default_store_path() == "/data/study.duckdb"
    assert default_store_path("mine.duckdb") == "mine.duckdb"


def test_the_cli_and_the_api_find_the_same_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "brief.txt").write_text(BRIEF, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DYADWATCH_STORE", raising=False)
    runner = CliRunner()
    # no option, no variable: ./dyadwatch.duckdb in the working folder
    assert runner.invoke(app, ["ingest", "brief.txt"]).exit_code == 0
    assert (tmp_path / "dyadwatch.duckdb").is_file()
    with dyadwatch.open() as lib:
        assert lib.store.path == "dyadwatch.duckdb" and lib.count_documents() == 1
    # DYADWATCH_STORE
    env_store = tmp_path / "from-env.duckdb"
    result = runner.invoke(app, ["ingest", "brief.txt"], env={"DYADWATCH_STORE": str(env_store)})
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("DYADWATCH_STORE", str(env_store))
    with dyadwatch.open() as lib:
        assert lib.store.path == str(env_store) and lib.count_documents() == 1
    # --store beats the variable
    option_store = tmp_path / "option.duckdb"
    assert runner.invoke(app, ["ingest", "brief.txt", "--store", str(option_store)]).exit_code == 0
    with Store(option_store, read_only=True) as store:
        assert store.count("documents") == 1
    listed = runner.invoke(app, ["library", "--store", str(option_store)])
    assert listed.exit_code == 0 and "1 of 1 documents" in listed.output


def test_the_command_line_refuses_a_foreign_or_newer_store_with_its_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    notes = tmp_path / "notes.duckdb"
    notes.write_text("my notes, not a database\n" * 100)
    newer = tmp_path / "newer.duckdb"
    with Store(newer) as store, store.transaction() as con:
        con.execute("UPDATE dyadwatch_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    for path, code, advice in ((notes, "E101", "not a dyadwatch store"), (newer, "E102", "Upgrade dyadwatch")):
        proc = subprocess.run(
            [sys.executable, "-m", "dyadwatch.cli.main", "library", "--store", str(path)],
            capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 1
        assert f"[{code}] {path}" in proc.stderr.replace("\n", "") and advice in proc.stderr
        assert "Traceback" not in proc.stderr
    assert notes.read_text().startswith("my notes")  # left as it was
