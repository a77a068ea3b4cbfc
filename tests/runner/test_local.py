"""The runner seam with the local runner: choice and options, ordering, per-process set-up,
shards, and coding through a process pool giving the events of the in-process run."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

import dyadwatch
from dyadwatch.coding.pipeline import code_store
from dyadwatch.errors import ConfigError
from dyadwatch.records import Event
from dyadwatch.runner import LocalRunner, RunnerError, get_runner, ordered
from dyadwatch.runner.shards import (
    RunFolder,
    events_from_table,
    events_table,
    read_shard,
    write_shard,
)
from tests.runner.helpers import SlowCoder, coder_identity, news_corpus

setup_calls: list[int] = []


def _record_setup() -> None:
    setup_calls.append(os.getpid())


def _pid_of(_: object) -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalRunner]:
    """One pool of two processes for the module: starting one costs seconds."""
    with LocalRunner(processes=2) as runner:
        yield runner


def test_get_runner_names_and_options() -> None:
    assert get_runner().serial and get_runner("LOCAL", workers=2).parallelism == 2
    with pytest.raises(RunnerError, match=r"\[E801\] Unknown runner 'ray'"):
        get_runner("ray")
    with pytest.raises(ConfigError, match=r"\[E802\] Runner option workers must be a whole number"):
        get_runner("local", workers=0)
    with pytest.raises(ConfigError, match=r"--scheduler must be used with --runner dask"):
        get_runner("local", scheduler="tcp://127.0.0.1:8786")


def test_ordered_holds_results_back_until_their_turn() -> None:
    assert list(ordered([(2, "c"), (0, "a"), (3, "d"), (1, "b")])) == [(0, "a"), (1, "b"), (2, "c"), (3, "d")]


def test_serial_runner_runs_setup_once_and_every_batch_here() -> None:
    setup_calls.clear()
    runner = LocalRunner()
    results = list(runner.map_batches(_pid_of, range(5), setup=_record_setup))
    list(runner.map_batches(_pid_of, range(2), setup=_record_setup))
    assert [i for i, _ in results] == [0, 1, 2, 3, 4]
    assert {pid for _, pid in results} == {os.getpid()}
    assert setup_calls == [os.getpid()]


def test_pool_runner_uses_other_processes_and_returns_every_batch(pool: LocalRunner) -> None:
    results = dict(pool.map_batches(_pid_of, range(8), window=3))
    assert sorted(results) == list(range(8))
    assert os.getpid() not in set(results.values())


def test_pool_workers_keep_their_coder_between_calls(pool: LocalRunner) -> None:
    import pickle

    from dyadwatch.coding.coder import RuleCoder

    blob = pickle.dumps(RuleCoder(max_chars=500))
    seen = [r for _, r in pool.map_batches(coder_identity, [blob] * 6)]
    seen += [r for _, r in pool.map_batches(coder_identity, [blob] * 6)]
    by_process: dict[int, set[int]] = {}
    for pid, ident in seen:
        by_process.setdefault(pid, set()).add(ident)
    assert len(by_process) <= 2 and all(len(idents) == 1 for idents in by_process.values())


def _fail_on_three(value: int) -> int:
    if value == 3:
        raise ZeroDivisionError("batch three is bad")
    return value


def test_a_failing_batch_is_named(pool: LocalRunner) -> None:
    with pytest.raises(RunnerError, match=r"\[E807\] Batch 3 failed .*batch three is bad"):
        list(pool.map_batches(_fail_on_three, range(6)))


def test_event_shards_round_trip_exactly(tmp_path: Path) -> None:
    events = [
        Event(event_id="e1", origin="dyadwatch", date=dt.date(2021, 10, 20), cameo_code="043", cameo_root="04",
              goldstein=2.8, quad_class=1, spans={"verb": (6, 12), "source": (0, 5)}, sentence_idx=3),
        Event(event_id="e2", origin="dyadwatch", date=None, negated=True, modality="intended"),
    ]
    path = tmp_path / "batch-000000.parquet"
    write_shard(events_table(events), path)
    back = events_from_table(read_shard(path))
    assert back == events and [e.spans for e in back] == [e.spans for e in events]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_damaged_shard_gives_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "batch-000001.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(RunnerError, match=r"\[E808\] Shard .*batch-000001.parquet cannot be read"):
        read_shard(path)


def test_run_folder_ledger_and_leftovers(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    crashed = RunFolder.create(store, "crashed")
    write_shard(pa.table({"x": [1]}), crashed.shard(0))
    run = RunFolder.create(store, "fresh")
    assert not crashed.path.exists()  # a crashed run's shards go with the next run
    run.mark_committed(0)
    run.mark_committed(2)
    assert run.committed() == {0, 2}
    run.remove()
    assert not Path(store + ".runs").exists()


def test_pool_coding_stores_the_events_of_the_serial_run(pool: LocalRunner, tmp_path: Path) -> None:
    corpus = news_corpus(tmp_path / "corpus", documents=24)
    stored = {}
    for name, runner in (("serial", None), ("pool", pool)):
        with dyadwatch.open(tmp_path / f"{name}.duckdb") as lib:
            lib.ingest(str(corpus))
            coder = SlowCoder(str(tmp_path / f"{name}.log"), delay=0.0)
            report = code_store(lib.store, coder, batch_documents=5, runner=runner)
            assert report.documents == 24
            stored[name] = lib.store.con.execute(
                "SELECT * EXCLUDE (run_id) FROM events ORDER BY event_id").fetchall()
            assert lib.store.count("coded_documents") == 24
        if runner is not None:
            assert not (tmp_path / f"{name}.duckdb.runs").exists()
    assert stored["pool"] == stored["serial"] and len(stored["serial"]) > 0


def test_records_and_errors_pickle_for_workers(tmp_path: Path) -> None:
    import pickle

    from dyadwatch.errors import Errors, SourceError
    from dyadwatch.library.ingest import prepare_source
    from dyadwatch.library.sources import SourceRef

    note = tmp_path / "note.txt"
    note.write_text("Moscow hosted talks on Afghanistan on 20 October 2021. The Taliban attended.")
    prepared = prepare_source(SourceRef(str(note), "text"))
    back = pickle.loads(pickle.dumps(prepared))
    assert back.docs == prepared.docs and back.spans == prepared.spans and back.signatures == prepared.signatures
    error = pickle.loads(pickle.dumps(SourceError(Errors.E202, where=str(note))))
    assert error.code == "E202" and str(note) in str(error)


def test_cli_code_with_a_local_pool(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dyadwatch.cli.main import app

    corpus = news_corpus(tmp_path / "corpus", documents=6)
    store = str(tmp_path / "cli.duckdb")
    cli = CliRunner()
    assert cli.invoke(app, ["ingest", str(corpus), "--store", store, "--runner", "local", "--workers", "2"]).exit_code == 0
    result = cli.invoke(app, ["code", "--store", store, "--runner", "local", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "runner: local (2 processes)" in result.output and "6 documents" in result.output
    bad = cli.invoke(app, ["code", "--store", store, "--runner", "spark"])
    assert isinstance(bad.exception, RunnerError) and bad.exception.code == "E801"


@pytest.mark.parametrize("storage", ["table", "parquet"])
def test_pool_import_stores_the_rows_of_the_serial_import(pool: LocalRunner, tmp_path: Path, storage: str) -> None:
    from dyadwatch.datasets import import_dataset

    data = Path(__file__).resolve().parents[1] / "datasets" / "data"
    rows = {}
    for name, runner in (("serial", None), ("pool", pool)):
        with dyadwatch.open(tmp_path / f"{name}.duckdb") as lib:
            report = import_dataset(lib.store, "acled", [str(data / "acled_sample.csv")], storage=storage, runner=runner)
            again = import_dataset(lib.store, "acled", [str(data / "acled_sample.csv")], storage=storage, runner=runner)
            assert report.events_added == 5 and again.files_unchanged == 1
            rows[name] = lib.store.con.execute(
                "SELECT * EXCLUDE (run_id, source_file) FROM all_events ORDER BY event_id").fetchall()
    assert rows["pool"] == rows["serial"] and len(rows["serial"]) == 5
