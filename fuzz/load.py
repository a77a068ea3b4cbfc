"""The load the dashboard holds: a real uvicorn server on 127.0.0.1 and concurrent clients.

``fuzz/run.py`` calls :func:`measure` (also ``python fuzz/load.py [SECONDS] [CLIENTS]``): a
store with the web tests' documents and events plus an ICEWS sample when ``../shared/data``
is there, then CLIENTS threads requesting a mix of API calls and pages for SECONDS, while an
ingest writes the same store in another process halfway through. Printed: requests,
requests per second, median and 95th-percentile latency, answers by status class, and
server errors (which must be zero).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATHS = [
    "/api/status", "/api/events?limit=50", "/api/events?origin=icews&limit=20", "/api/events/histogram",
    "/api/dyads/series?source=RUS&target=AFG", "/api/dyads/top", "/api/documents", "/api/search?q=Russia",
    "/library", "/events", "/dyads", "/api/events?date_from=not-a-date",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(seconds: float = 10.0, clients: int = 8) -> dict[str, Any]:
    import httpx
    import uvicorn
    from tests.conftest import shared_data_dir
    from tests.web.conftest import build_store

    from dyadwatch.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="dyadwatch-load-") as tmp:
        store = Path(tmp) / "web.duckdb"
        build_store(store)
        shared = shared_data_dir()
        if shared is not None:
            from dyadwatch.datasets import import_files

            import_files(store, "icews", [shared / "icews" / "events.2018.sample.tab"], on_error="skip",
                         storage="table")
        app = create_app(store, poll_interval=0.2)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                               access_log=False, lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def client(number: int) -> None:
            with httpx.Client(base_url=base, timeout=30.0) as http:
                turn = number
                while time.monotonic() < stop:
                    path = PATHS[turn % len(PATHS)]
                    turn += 1
                    started = time.monotonic()
                    try:
                        response = http.get(path, headers={"Accept": "text/html"} if not path.startswith("/api") else {})
                        kind = f"{response.status_code // 100}xx"
                    except httpx.HTTPError as exc:
                        kind = "failed"
                        with lock:
                            errors.append(f"{path}: {exc}")
                    with lock:
                        latencies.append(time.monotonic() - started)
                        statuses[kind] = statuses.get(kind, 0) + 1

        writer = None
        workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        began = time.monotonic()
        for worker in workers:
            worker.start()
        time.sleep(seconds / 3)
        # a writer meanwhile: the dashboard reads snapshots and must keep answering
        writer = subprocess.Popen([sys.executable, "-m", "dyadwatch.cli.main", "ingest",
                                   str(ROOT / "tests" / "library" / "data"), "--store", str(store),
                                   "--on-error", "skip"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - began
        writer.wait(timeout=600)
        server.should_exit = True
        thread.join(timeout=30)
    ordered = sorted(latencies)
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1) if ordered else None,
        "statuses": statuses, "server_errors": statuses.get("5xx", 0), "failed": len(errors),
        "writer_exit": writer.returncode if writer is not None else None, "errors": errors[:5],
    }


def print_load(result: dict[str, Any]) -> int:
    print(f"\ndashboard load: {result['clients']} clients for {result['seconds']} s, an ingest writing meanwhile")
    print(f"  requests {result['requests']:,} ({result['per_second']}/s), median {result['median_ms']} ms, "
          f"95th percentile {result['p95_ms']} ms")
    print(f"  answers: {result['statuses']}; server errors {result['server_errors']}, failed requests "
          f"{result['failed']}; the ingest exited {result['writer_exit']}")
    for error in result["errors"]:
        print(f"    {error}")
    return int(result["server_errors"]) + int(result["failed"])


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    sys.exit(1 if print_load(measure(seconds, clients)) else 0)
