"""Scale-out: documents coded per second by the local runner (1 and 2 processes) and by Dask
(a LocalCluster of 2 workers), the overhead of Dask against local on the same work, the
single driver's ceiling, and a projection of the cluster for 10 million documents in an hour.

Corpus: the NGEC synthetic news stories (../shared/data/ngec, ~1,300 characters each, the
length of a wire story), ingested into a temporary store that is copied once per run, so
every run codes the same documents from the same state. Without ../shared/data a generated
corpus of short stories stands in (and the figures say so). Each run is end to end
(``code_store``): reading batches from the store, coding, committing; the parallel runs load
each runner's workers load the model first, on a spare copy (a long run amortises that
load; it is the steady state that scales). The Dask cluster's start is timed apart (a real
cluster is started once for many runs).

The projection, from measured per-document cost: the CPU seconds the 1-process run spends per
document (CPU time, which the other jobs on a shared machine do not inflate as they do wall
time), times 10 M documents, times 1 + the measured Dask overhead, over 3,600 s: the number of
single-core workers that code 10 M documents in one hour. The one process that commits (the
driver) must keep up too: its rate is timed by reading and committing every batch of the
corpus without coding; past it, split the corpus into stores coded side by side.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, shared_data_dir  # noqa: E402

import dyadwatch  # noqa: E402
from dyadwatch.coding.coder import RuleCoder  # noqa: E402
from dyadwatch.coding.pipeline import _load_batch, code_store  # noqa: E402
from dyadwatch.runner import LocalRunner  # noqa: E402
from dyadwatch.runner.shards import events_from_table  # noqa: E402

DOCUMENTS = int(os.environ.get("DYADWATCH_BENCH_RUNNER_DOCS", "600"))
BATCH = 50
ROUNDS = 2
TARGET_DOCS = 10_000_000


def corpus(folder: Path) -> tuple[Path, str]:
    """A JSONL corpus of DOCUMENTS stories, and what it is."""
    data = shared_data_dir()
    path = folder / "stories.jsonl"
    rows = []
    stories = data / "ngec" / "gpt_synthetic_events_2023-10-19_19.csv.gz" if data else None
    if stories is not None and stories.exists():
        with gzip.open(stories, "rt", encoding="utf-8", newline="") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                if i >= DOCUMENTS:
                    break
                rows.append({"id": f"s{i}", "title": row["title"], "text": row["text"],
                             "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", "publisher": "NGEC synthetic"})
        what = "NGEC synthetic news stories"
    else:
        parts = ("Russia hosted a Taliban delegation in Moscow.", "Lavrov held talks with Muttaqi on Tuesday.",
                 "The talks covered trade, security and the border.", "Uzbekistan sent aid to Afghanistan.",
                 "Officials said further meetings were planned.")
        for i in range(DOCUMENTS):
            text = " ".join(parts[(i + k) % len(parts)] for k in range(8)) + f" Story {i}."
            rows.append({"id": f"s{i}", "text": text, "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}"})
        what = "generated stories (../shared/data absent)"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path, what


def warm_up(store_path: Path, runner: object) -> None:
    """Load the model in every worker (a few batches of a spare copy), outside the clock."""
    with dyadwatch.open(store_path) as lib:
        code_store(lib.store, RuleCoder(), batch_documents=BATCH // 5, limit=BATCH, runner=runner)  # type: ignore[arg-type]


def timed_code(store_path: Path, runner: object | None) -> tuple[float, float, int, int]:
    """Wall seconds, this process's CPU seconds, documents and events of one coding run."""
    with dyadwatch.open(store_path) as lib:
        started, cpu = time.perf_counter(), time.process_time()
        report = code_store(lib.store, RuleCoder(), batch_documents=BATCH, runner=runner)  # type: ignore[arg-type]
        return time.perf_counter() - started, time.process_time() - cpu, report.documents, report.events


def driver_ceiling(coded: Path, fresh: Path, batch_documents: int = 200) -> float:
    """Documents per CPU second the committing process handles alone: read each batch (as it
    does to send it out), commit its events."""
    with dyadwatch.open(coded, read_only=True) as lib:
        table = lib.store.con.sql(
            "SELECT * EXCLUDE (run_id) REPLACE (CAST(spans AS VARCHAR) AS spans) FROM events").to_arrow_table()
    events = events_from_table(table)
    by_doc: dict[str, list] = {}
    for event in events:
        by_doc.setdefault(event.doc_id or "", []).append(event)
    with dyadwatch.open(fresh) as lib:
        todo = lib.store.documents_to_code("driver-check", "1")
        started = time.process_time()
        for start in range(0, len(todo), batch_documents):
            batch = todo[start : start + batch_documents]
            _load_batch(lib.store, batch)
            batch_events = [e for d in batch for e in by_doc.get(d, [])]
            lib.store.replace_coded("driver-check", "1", batch, batch_events)
        return len(todo) / (time.process_time() - started)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-runner-"))
    try:
        source, what = corpus(work)
        base = work / "base.duckdb"
        with dyadwatch.open(base) as lib:
            lib.ingest(str(source))
            documents = lib.store.count("documents")
        names = ("local1", "driver", "warm2", "warmd", *(f"{r}-{i}" for r in ("local2", "dask2") for i in range(ROUNDS)))
        copies = {name: work / f"{name}.duckdb" for name in names}
        for path in copies.values():
            shutil.copy(base, path)
        figure("runner.corpus_documents", documents, "report", what)
        figure("runner.load_average_1min", os.getloadavg()[0], "report", f"on {os.cpu_count()} CPUs, before the runs")
        RuleCoder().code_text("Lavrov met Muttaqi in Moscow.", "2021-10-20")  # this process's model, before the clock

        seconds1, cpu1, docs1, events1 = timed_code(copies["local1"], None)
        figure("runner.docs_per_s.local1", docs1 / seconds1, "report", f"docs/s, {events1} events")
        try:
            from dyadwatch.runner.dask_runner import DaskRunner
        except ImportError:
            figure("runner.docs_per_s.dask2", 0.0, "report", "dask not installed")
            return
        with LocalRunner(processes=2) as pool:
            warm_up(copies["warm2"], pool)
            started = time.perf_counter()
            cluster = DaskRunner(workers=2, dashboard_address=None)
            try:
                figure("runner.dask_cluster_start_s", time.perf_counter() - started, "report", "s, once per cluster")
                warm_up(copies["warmd"], cluster)
                # alternate the two, best of ROUNDS each: a shared machine's load comes and goes
                local2, dask2 = [], []
                for i in range(ROUNDS):
                    local2.append(timed_code(copies[f"local2-{i}"], pool)[0])
                    dask2.append(timed_code(copies[f"dask2-{i}"], cluster)[0])
            finally:
                cluster.close()
        seconds2, seconds_d = min(local2), min(dask2)
        figure("runner.docs_per_s.local2", documents / seconds2, "report", f"docs/s, 2 processes, best of {ROUNDS}")
        figure("runner.docs_per_s.dask2", documents / seconds_d, "report", f"docs/s, 2 workers, best of {ROUNDS}")
        overhead = (seconds_d - seconds2) / seconds2
        figure("runner.dask_overhead_vs_local2", overhead, "< 0.15", "share of the local 2-process time")
        per_doc = cpu1 / docs1  # CPU time, not wall time: what a dedicated core would spend
        figure("runner.cpu_s_per_doc.local1", per_doc, "report", "CPU seconds per document, end to end")
        figure("runner.core_hours_per_million_docs", 1e6 * per_doc / 3600, "report", "core-hours")
        workers = math.ceil(TARGET_DOCS * per_doc * (1 + max(0.0, overhead)) / 3600)
        figure("runner.projection_workers_10M_docs_1h", workers, "report",
               f"1-core workers: 10 M x {per_doc:.4f} s x (1 + {max(0.0, overhead):.2f}) / 3,600 s")
        ceiling = driver_ceiling(copies["local1"], copies["driver"])
        figure("runner.driver_docs_per_cpu_s", ceiling, f">= {TARGET_DOCS / 3600:,.0f} (10 M/h)",
               "read + commit, the one driver process, batches of 200 (the default)")
        figure("runner.drivers_10M_docs_1h", math.ceil(TARGET_DOCS / 3600 / ceiling), "report",
               "stores coded side by side (one driver each)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
