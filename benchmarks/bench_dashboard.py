"""The dashboard under load: 20 concurrent clients on loopback, a store of 1 million events.

Builds (once; cached in $DYADWATCH_BENCH_CACHE or /tmp/dyadwatch-bench-dashboard) a store with
2,000 documents and 1,000,000 synthetic events (own coding and two datasets, 20 countries,
2015-2025), starts `dyadwatch serve` on loopback in a subprocess, and sends a fixed number of
requests from 20 client threads over the common pages and API calls (the dyad varies among the
busiest 30). Prints p50/p95/p99 per page beside the target "< 200 ms p95", the first-hit (cold)
latencies, the snapshot copy time and the freshness: how long after a writer commits the
dashboard shows it. Stops by itself.

    python benchmarks/bench_dashboard.py [--events N] [--clients N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure  # noqa: E402

FORMAT = 1
COUNTRIES = ["RUS", "AFG", "CHN", "PAK", "IRN", "IND", "USA", "KAZ", "UZB", "TJK", "TKM", "KGZ", "TUR", "QAT",
             "SAU", "GBR", "FRA", "DEU", "UKR", "BLR"]
CODES = ["010", "020", "036", "040", "042", "043", "051", "057", "061", "070", "073", "111", "112", "120", "130",
         "138", "160", "173", "180", "190"]


def build_store(path: Path, n_events: int, n_docs: int = 2_000) -> None:
    """The synthetic store: documents through the store's own writer, events through SQL in bulk."""
    from dyadwatch.records import Document
    from dyadwatch.store import Store

    rng = random.Random(0)
    docs = []
    for i in range(n_docs):
        a, b = rng.sample(COUNTRIES, 2)
        text = (f"Officials of {a} met envoys of {b} on day {i}. They discussed trade, security and aid. "
                f"A statement followed in the evening of brief {i}.")
        docs.append(Document.from_text(text, title=f"Brief {i}", publisher=f"Wire {i % 12}",
                                       published=dt.date(2015, 1, 1) + dt.timedelta(days=i * 2), date_source="metadata"))
    spans = []
    for d in docs:
        cut1 = d.text.index(". ") + 1
        cut2 = d.text.index(". ", cut1 + 1) + 1
        spans.append([(0, cut1, 0), (cut1 + 1, cut2, 0), (cut2 + 1, len(d.text), 1)])
    tmp = path.with_suffix(".building")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    with Store(tmp) as store:
        store.add_documents(docs, spans, [None] * len(docs))
        with store.transaction() as con:
            con.execute(
                """
                INSERT INTO events (event_id, origin, date, source_country, target_country, cameo_code, cameo_root,
                                    goldstein, quad_class, negated, modality, doc_id, sentence_idx, sentence, coder,
                                    publisher, spans)
                SELECT 'b' || i,
                       CASE WHEN i % 10 = 0 THEN 'dyadwatch' WHEN i % 10 < 7 THEN 'gdelt2' ELSE 'icews' END,
                       DATE '2015-01-01' + CAST(hash(i) % 4000 AS INTEGER),
                       list_extract($countries, CAST(1 + hash(i * 3) % 20 AS INTEGER)),
                       list_extract($countries, CAST(1 + hash(i * 7 + 1) % 20 AS INTEGER)),
                       list_extract($codes, CAST(1 + hash(i * 11) % 20 AS INTEGER)),
                       substr(list_extract($codes, CAST(1 + hash(i * 11) % 20 AS INTEGER)), 1, 2),
                       (hash(i * 13) % 200) / 10.0 - 10.0,
                       CAST(1 + hash(i * 17) % 4 AS TINYINT), false, 'asserted',
                       CASE WHEN i % 10 = 0 THEN list_extract($docs, CAST(1 + hash(i) % $n_docs AS INTEGER)) END,
                       CASE WHEN i % 10 = 0 THEN 0 END,
                       CASE WHEN i % 10 = 0 THEN 'Synthetic evidence sentence ' || i END,
                       CASE WHEN i % 10 = 0 THEN 'rules 0.1' END,
                       'Wire ' || (i % 12),
                       CASE WHEN i % 10 = 0 THEN '{"source": [0, 9], "verb": [10, 13], "target": [14, 19]}' END
                FROM range($n) t(i)
                """,
                {"countries": COUNTRIES, "codes": CODES, "docs": [d.doc_id for d in docs], "n_docs": n_docs, "n": n_events},
            )
    tmp.replace(path)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)


def cached_store(n_events: int) -> Path:
    folder = Path(os.environ.get("DYADWATCH_BENCH_CACHE") or Path(tempfile.gettempdir()) / "dyadwatch-bench-dashboard")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"store-{n_events}-v{FORMAT}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        build_store(path, n_events)
        print(f"   built {path} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dyadwatch.cli.main", "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        try:
            if httpx.get(base + "/api/status", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start in time")


def plan(base: str, dyads: list[str], doc_ids: list[str], n: int, seed: int) -> list[tuple[str, str]]:
    """(page name, URL) pairs for one client: the common pages, the dyad drawn among the busiest."""
    rng = random.Random(seed)
    pages = [
        ("library", lambda: "/library"),
        ("document", lambda: f"/library/{rng.choice(doc_ids)}"),
        ("events", lambda: "/events"),
        ("events?dyad", lambda: f"/events?dyad={rng.choice(dyads)}"),
        ("dyads?dyad", lambda: f"/dyads?dyad={rng.choice(dyads)}"),
        ("api/events?dyad", lambda: f"/api/events?dyad={rng.choice(dyads)}&limit=50"),
        ("api/dyads/series", lambda: f"/api/dyads/series?dyad={rng.choice(dyads)}"),
        ("api/events/histogram", lambda: f"/api/events/histogram?dyad={rng.choice(dyads)}"),
        ("api/status", lambda: "/api/status"),
    ]
    return [(name, base + make()) for name, make in (rng.choice(pages) for _ in range(n))]


def run_load(base: str, clients: int, per_client: int, dyads: list[str], doc_ids: list[str]) -> tuple[dict[str, list[float]], list[float], int]:
    """``clients`` concurrent clients (asyncio tasks, one connection each), each sending its requests in turn."""
    timings: dict[str, list[float]] = {}
    cold: list[float] = []
    seen: set[str] = set()
    errors = 0

    async def client(seed: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=60, headers={"accept": "text/html"}) as http:
            for name, url in plan(base, dyads, doc_ids, per_client, seed):
                started = time.perf_counter()
                response = await http.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    errors += 1
                timings.setdefault(name, []).append(elapsed)
                if url not in seen:
                    seen.add(url)
                    cold.append(elapsed)

    async def everyone() -> None:
        await asyncio.gather(*(client(seed) for seed in range(clients)))

    asyncio.run(everyone())
    return timings, cold, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


WRITER = textwrap.dedent(
    """
    import sys, time
    from dyadwatch.records import Document
    from dyadwatch.store import Store
    with Store(sys.argv[1]) as store:
        doc = Document.from_text("A late brief written while the dashboard runs, at %f." % time.time(), title="late")
        store.add_documents([doc], [[(0, len(doc.text), 0)]], [None])
    print(time.time(), flush=True)
    """
)


def freshness(base: str, store: Path) -> float:
    """Seconds from a writer's commit (and exit) to the dashboard counting the new document."""
    before = httpx.get(base + "/api/status", timeout=30).json()["documents"]
    out = subprocess.run([sys.executable, "-c", WRITER, str(store)], capture_output=True, text=True, check=True).stdout
    committed = float(out.strip().splitlines()[-1])
    while httpx.get(base + "/api/status", timeout=30).json()["documents"] == before:
        if time.time() - committed > 120:
            raise RuntimeError("the dashboard did not catch up within 120 s")
        time.sleep(0.02)
    return time.time() - committed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per client")
    args = parser.parse_args()
    store = cached_store(args.events)
    work = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-serve-"))
    served = work / "store.duckdb"  # a copy: the freshness writer must not touch the cached store
    import shutil

    shutil.copyfile(store, served)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = start_server(served, port)
    try:
        wait_ready(base, proc)
        figure("dashboard start-up (snapshot + open)", time.perf_counter() - started, "informative", "s")
        status = httpx.get(base + "/api/status", timeout=30).json()
        figure("store events", status["events"], ">= 1,000,000")
        figure("snapshot copy", status["snapshot_copy_seconds"], "informative", "s")
        top = httpx.get(base + "/api/dyads/top?limit=30", timeout=120).json()
        dyads = [f"{d['source']}-{d['target']}" for d in top]
        docs = [d["doc_id"] for d in httpx.get(base + "/api/documents?limit=200", timeout=60).json()["items"]]
        # one client alone: the service time, without queueing behind the others
        alone, _, _ = run_load(base, 1, 60, dyads, docs)
        single = [t for values in alone.values() for t in values]
        figure("1 client: all pages p50", percentile(single, 50), "informative", "ms")
        figure("1 client: all pages p95", percentile(single, 95), "informative", "ms")
        cpu = cpu_seconds(proc.pid)
        wall = time.perf_counter()
        timings, cold, errors = run_load(base, args.clients, args.requests, dyads, docs)
        wall = time.perf_counter() - wall
        cpu = cpu_seconds(proc.pid) - cpu
        total = sum(len(v) for v in timings.values())
        figure("server CPU per request", cpu / total * 1000, "informative", "ms")
        figure("server CPU share during the load", cpu / wall, "informative (2 cores)", "cores")
        figure(f"requests ({args.clients} clients)", total, "informative")
        figure("throughput", total / wall, "informative", "req/s")
        figure("non-200 answers", errors, "0")
        everything = [t for values in timings.values() for t in values]
        for name in sorted(timings):
            values = timings[name]
            figure(f"{name} p50", percentile(values, 50), "informative", "ms")
            figure(f"{name} p95 (n={len(values)})", percentile(values, 95), "< 200 ms", "ms")
        figure("all pages p95", percentile(everything, 95), "< 200 ms", "ms")
        figure("all pages p99", percentile(everything, 99), "informative", "ms")
        figure("first hit of a URL (uncached) p95", percentile(cold, 95), "informative", "ms")
        figure("freshness: commit -> shown", freshness(base, served), "< 2 s (poll 0.5 s + copy)", "s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
