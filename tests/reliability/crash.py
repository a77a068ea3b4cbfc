"""The crash harness: run the real CLI as a subprocess, SIGKILL it at random points, check
the store after every kill, run the command to its end, and compare with a clean run.

For each command (``ingest``, ``import``, ``code``, ``fetch``) a *trial* is: a fresh store
(prepared, for ``code``, by an ingest that is not killed), then ``kills`` runs of the command
each killed at a random point (a random time after its start, or the moment its write-ahead
log grows to a random size up to the clean run's largest), each followed by :func:`~dyadwatch.store.maintenance.check`; then one run to the
end. The store must pass the check after every kill and hold, at the end, exactly the
documents, sentences and events of the clean run (the same ids, each once).

``tests/reliability/test_crash.py`` runs a handful of kills; ``fuzz/run.py --crash`` runs
many and prints kills tried and survived per command.
"""

from __future__ import annotations

import io
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb

from dyadwatch.store.maintenance import check

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_SOURCES = [ROOT / "tests" / "library" / "data", ROOT / "examples" / "russia-afghanistan" / "library"]


@dataclass
class Tally:
    """What happened to one command over all its trials."""

    command: str
    kills: int = 0  # SIGKILLs delivered to a running command
    finished_first: int = 0  # runs that ended before their kill came
    survived: int = 0  # kills after which the store opened and passed the check
    trials: int = 0
    exact: int = 0  # trials whose final store matched the clean run exactly
    lost: int = 0  # documents + events of the clean run missing at the end
    duplicated: int = 0  # ... stored more than once (or extra)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "command": self.command, "kills": self.kills, "survived": self.survived,
            "finished_before_kill": self.finished_first, "trials": self.trials, "exact": self.exact,
            "lost": self.lost, "duplicated": self.duplicated, "problems": self.problems[:5],
        }


# -- the loopback file server (for fetch) -------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes], rate: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files = files
        self.rate = rate  # bytes per second, so that a kill can land mid-download
        self.drop_after: int | None = None  # cut every body after this many bytes

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed client is the point of the exercise


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.server.files.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and wanted.endswith("-") and wanted[6:-1].isdigit():
            start = min(int(wanted[6:-1]), len(body))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        kind = "text/html; charset=utf-8" if self.path.endswith(".html") else "application/zip"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        payload = body[start:]
        if self.server.drop_after is not None:
            payload = payload[: self.server.drop_after]
        chunk = max(1024, self.server.rate // 20)
        try:
            for offset in range(0, len(payload), chunk):
                self.wfile.write(payload[offset:offset + chunk])
                self.wfile.flush()
                time.sleep(chunk / self.server.rate)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@contextmanager
def file_server(files: dict[str, bytes], *, rate: int = 1 << 30) -> Iterator[_Server]:
    """Serve ``files`` (path -> bytes) on 127.0.0.1, at ``rate`` bytes per second."""
    server = _Server(files, rate)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def ucdp_zip(csv_bytes: bytes, version: str = "23.1") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"GEDEvent_v{version.replace('.', '_')}.csv", csv_bytes)
    return out.getvalue()


# -- commands --------------------------------------------------------------------------------


@dataclass
class Command:
    """A CLI command under test: its argv (``{store}`` and ``{work}`` filled in), what
    must happen before it (not killed), and the in-process clean run it is compared to."""

    name: str
    argv: list[str]
    prepare: list[list[str]] = field(default_factory=list)
    ok_codes: tuple[int, ...] = (0,)


def cli(argv: list[str], store: Path, work: Path) -> list[str]:
    filled = [a.replace("{store}", str(store)).replace("{work}", str(work)) for a in argv]
    return [sys.executable, "-m", "dyadwatch.cli.main", *filled]


def commands(shared: Path | None, server_url: str | None, *, quick: bool = False) -> dict[str, Command]:
    """The commands the harness kills; ``fetch`` needs the loopback server and shared data.

    ``quick`` (the test suite's run) keeps each small: the project's own library files, one
    ICEWS file into the table; the long run adds the UN General Debate subset to the
    library and a Parquet import on top of a table import."""
    sources = [str(p) for p in LIBRARY_SOURCES]
    if shared is not None and not quick:
        sources.append(str(shared / "ungdc" / "subset_RUS_AFG_CentralAsia"))
    ingest = ["ingest", *sources, "--store", "{store}", "--on-error", "skip"]
    data = ROOT / "tests" / "datasets" / "data"
    table = ["import", "polecat", str(data / "polecat_sample.tsv"), "--store", "{store}", "--on-error", "skip"]
    if shared is not None:
        table = ["import", "icews", str(shared / "icews" / "events.2018.sample.tab"), "--store", "{store}",
                 "--on-error", "skip", "--storage", "table"]
    found = {
        "ingest": Command("ingest", ingest),
        "import": Command("import", table),
        "code": Command("code", ["code", "--store", "{store}"], prepare=[ingest]),
    }
    if shared is not None and not quick:
        # Parquet partitions beside a store that already holds a table import
        found["import-parquet"] = Command(
            "import-parquet", ["import", "ucdp", str(shared / "ucdp-ged" / "ucdpged_sample_1000_v23.csv"),
                               "--store", "{store}", "--on-error", "skip", "--storage", "parquet"],
            prepare=[table])
    if server_url is not None and shared is not None:
        found["fetch"] = Command(
            "fetch", ["fetch", "ucdp", "--base-url", server_url + "/ged", "--dest", "{work}/downloads",
                      "--store", "{store}", "--import"],
        )
    return found


# -- the store's content -------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """The ids in a store, each with how often it is stored."""

    documents: dict[str, int]
    sentences: int
    events: dict[str, int]

    @classmethod
    def read(cls, store: Path) -> Content:
        con = duckdb.connect(str(store), read_only=True)
        try:
            docs = dict(con.execute("SELECT doc_id, count(*) FROM documents GROUP BY doc_id").fetchall())
            sentences = int(con.execute("SELECT count(*) FROM sentences").fetchall()[0][0])
            events = dict(con.execute("SELECT event_id, count(*) FROM events GROUP BY event_id").fetchall())
        finally:
            con.close()
        manifest = Path(str(store) + ".partitions") / "manifest.json"
        if manifest.exists():
            from dyadwatch.store.parquet import PartitionSet

            parts = [str(manifest.parent / rel) for rel in PartitionSet(manifest.parent).manifest.parts]
            if parts:
                con = duckdb.connect()
                try:
                    rows = con.execute(
                        "SELECT event_id, count(*) FROM read_parquet(?, union_by_name = true) GROUP BY event_id",
                        [parts],
                    ).fetchall()
                finally:
                    con.close()
                for event_id, count in rows:
                    events[event_id] = events.get(event_id, 0) + int(count)
        return cls(docs, sentences, events)

    def compare(self, reference: Content) -> tuple[int, int]:
        """(lost, duplicated or extra) ids, against the clean run's content."""
        lost = sum(1 for k in reference.documents if k not in self.documents)
        lost += sum(1 for k in reference.events if k not in self.events)
        extra = sum(n - 1 for n in self.documents.values() if n > 1) + sum(n - 1 for n in self.events.values() if n > 1)
        extra += sum(1 for k in self.documents if k not in reference.documents)
        extra += sum(1 for k in self.events if k not in reference.events)
        return lost, extra


# -- running -------------------------------------------------------------------------------------


def run(argv: list[str], *, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DYADWATCH_STORE"}
    env["COLUMNS"] = "200"
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def run_and_kill(argv: list[str], *, cwd: Path, store: Path, delay: float,
                 wal_bytes: int | None = None, timeout: float = 600) -> tuple[bool, float]:
    """Start the command and SIGKILL its process group at a point: ``delay`` seconds after
    its start or, with ``wal_bytes``, the moment its write-ahead log grows to that size (a
    point in its progress, whatever the machine's load). Returns whether the kill came
    before the command ended, and how long it ran."""
    env = {k: v for k, v in os.environ.items() if k != "DYADWATCH_STORE"}
    wal = Path(str(store) + ".wal")
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        if wal_bytes is not None:
            deadline = started + timeout
            while process.poll() is None and time.monotonic() < deadline and _size(wal) < wal_bytes:
                time.sleep(0.002)
        else:
            end = started + delay
            while process.poll() is None and time.monotonic() < end:
                time.sleep(0.005)
        if process.poll() is not None:
            return False, time.monotonic() - started
        os.killpg(process.pid, signal.SIGKILL)
        return True, time.monotonic() - started
    finally:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def trial(command: Command, tally: Tally, reference: Content, work: Path, *, kills: int,
          durations: list[float], wal_peak: int, rng: random.Random) -> None:
    """One trial: prepare a fresh store, kill the command ``kills`` times (each re-run of it
    killed again; up to three tries per kill, as a re-run has less left to do and may end
    first), finish it, compare with the clean run.

    ``durations`` holds the lengths of whole runs seen so far; a timed kill falls within
    the median of the last five, so that kills land inside runs however loaded the machine.
    """
    work.mkdir(parents=True, exist_ok=True)
    store = work / "lib.duckdb"
    for argv in command.prepare:
        result = run(cli(argv, store, work), cwd=work)
        if result.returncode != 0:
            raise RuntimeError(f"preparing {command.name} failed: {result.stderr[-2000:]}")
    tally.trials += 1
    delivered = 0
    for _ in range(kills * 3):
        if delivered == kills:
            break
        span = statistics.median(durations[-5:])
        # half the kills at a point of the WAL's growth, half at a point in time
        # (a WAL left by the last kill is replayed first: then only a timed kill means anything)
        fresh_wal = _size(Path(str(store) + ".wal")) == 0
        wal_bytes = rng.randint(1, wal_peak) if wal_peak > 0 and fresh_wal and rng.random() < 0.5 else None
        killed, elapsed = run_and_kill(cli(command.argv, store, work), cwd=work, store=store,
                                       delay=rng.uniform(0.05, 1.0) * span, wal_bytes=wal_bytes)
        if not killed:
            tally.finished_first += 1
            durations.append(elapsed)
            continue
        delivered += 1
        tally.kills += 1
        problem = _check_after_kill(store)
        if problem is None:
            tally.survived += 1
        else:
            tally.problems.append(f"after kill {tally.kills}: {problem}")
    result = run(cli(command.argv, store, work), cwd=work)
    if result.returncode not in command.ok_codes:
        tally.problems.append(f"the run after the kills failed ({result.returncode}): {result.stderr[-800:]}")
        return
    report = check(store)
    if not report.ok:
        tally.problems.append("final check: " + "; ".join(f"{f.code} {f.message}" for f in report.findings))
    lost, extra = Content.read(store).compare(reference)
    tally.lost += lost
    tally.duplicated += extra
    if lost == 0 and extra == 0 and report.ok:
        tally.exact += 1
    else:
        tally.problems.append(f"final content: {lost} lost, {extra} duplicated or extra")


def _check_after_kill(store: Path) -> str | None:
    if not store.exists():
        return None  # killed before the store was created: nothing to lose
    try:
        report = check(store)
    except Exception as exc:  # any failure to open is what the harness reports
        return f"{type(exc).__name__}: {exc}"
    if not report.ok:
        return "; ".join(f"{f.code} {f.message}" for f in report.findings)
    return None


def reference_run(command: Command, work: Path) -> tuple[Content, float, int]:
    """The clean run: the command run once, whole, on a fresh store; its content, how long
    it ran and the largest its WAL grew."""
    work.mkdir(parents=True, exist_ok=True)
    store = work / "lib.duckdb"
    for argv in command.prepare:
        result = run(cli(argv, store, work), cwd=work)
        if result.returncode != 0:
            raise RuntimeError(f"preparing {command.name} failed: {result.stderr[-2000:]}")
    wal = Path(str(store) + ".wal")
    env = {k: v for k, v in os.environ.items() if k != "DYADWATCH_STORE"}
    log = work / "clean-run.stderr"
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(cli(command.argv, store, work), cwd=work, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors)
        started = time.monotonic()
        peak = 0
        while process.poll() is None:
            peak = max(peak, _size(wal))
            time.sleep(0.002)
        ended = time.monotonic()
    stderr = log.read_text(encoding="utf-8", errors="replace")
    if process.returncode not in command.ok_codes:
        raise RuntimeError(f"the clean {command.name} run failed ({process.returncode}): {stderr[-2000:]}")
    report = check(store)
    if not report.ok:
        raise RuntimeError(f"the clean {command.name} run leaves a store that fails its check: {report.findings}")
    return Content.read(store), max(0.2, ended - started), peak


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def crash_test(names: list[str], *, shared: Path | None, base: Path, trials: int, kills: int,
               seed: int = 0, quick: bool = False, log: Callable[[str], None] | None = None) -> dict[str, Tally]:
    """Run ``trials`` x ``kills`` kills of each named command; the tallies by command."""
    rng = random.Random(seed)
    tallies: dict[str, Tally] = {}
    files: dict[str, bytes] = {}
    if shared is not None:
        files["/ged/ged231-csv.zip"] = ucdp_zip((shared / "ucdp-ged" / "ucdpged_sample_1000_v23.csv").read_bytes())
    with file_server(files, rate=60_000) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        available = commands(shared, url, quick=quick)
        for name in names:
            command = available.get(name)
            if command is None:
                continue
            tally = Tally(name)
            reference, span, peak = reference_run(command, base / f"{name}-clean")
            durations = [span]
            for number in range(trials):
                trial(command, tally, reference, base / f"{name}-{number}", kills=kills, durations=durations,
                      wal_peak=peak, rng=rng)
            tallies[name] = tally
            if log is not None:
                log(f"{name}: {tally.as_dict()}")
    return tallies
