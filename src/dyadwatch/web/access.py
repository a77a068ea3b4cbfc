"""How the dashboard reads a store that other processes write.

DuckDB lets one process write a database file, and while it does no other process may open
the file at all, not even to read. The dashboard therefore never holds the store open:

* It serves every page from a **snapshot**: a private copy of the store file (and its WAL),
  taken when no writer holds the file, opened once and shared by the request threads (each
  request gets its own cursor). A request never waits for ``dyadwatch ingest`` or
  ``dyadwatch code``.
* A background thread polls the store file (every ``poll_interval`` seconds). When the file
  changed and no writer holds it, it copies it again (optimistically, without taking a lock:
  the copy is kept only if no writer appeared and the file did not change meanwhile, so the
  dashboard never stops a writer from starting) and swaps the new snapshot in. While a writer
  is active the pages say "showing the store as of HH:MM; a writer is active".
* Corrections made in the dashboard are written to an append-only journal (fsynced) and into
  the current snapshot at once, then applied to the store by the same thread as soon as no
  writer holds it. Applying is idempotent per ``correction_id``: a correction lands once.

Whether a writer holds the file is asked of the kernel (``fcntl(F_GETLK)``: DuckDB takes a
POSIX write lock on the file), which tests for a lock without taking one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dyadwatch.errors import Errors, StoreError
from dyadwatch.store import EVENT_COLUMNS, Store
from dyadwatch.store.corrections import Correction, add_corrections
from dyadwatch.web.journal import Journal

log = logging.getLogger(__name__)

__all__ = ["Snapshot", "StoreAccess", "writer_pid"]

_FLOCK = "hhqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid (+ padding)
Stamp = tuple[tuple[int, int, int] | None, ...]


def writer_pid(path: str | os.PathLike[str]) -> int | None:
    """The process id of the writer holding the DuckDB file, or None (also when there is no file).

    Asks whether a read lock could be taken, without taking it, so asking never gets in
    the way of a writer that is starting. Locks of this process are not seen.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        request = struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, request)
        kind, _, _, _, pid = struct.unpack(_FLOCK, answer)
        return int(pid) if kind != fcntl.F_UNLCK else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(eq=False)
class Snapshot:
    """One copy of the store, shared by the requests that started while it was current."""

    number: int
    path: Path
    store: Store
    taken_at: dt.datetime
    stamp: Stamp
    copy_seconds: float
    refs: int = 0
    retired: bool = False
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        self.store.close()
        for suffix in ("", ".wal", ".partitions"):
            target = Path(str(self.path) + suffix)
            with contextlib.suppress(OSError):
                if target.is_symlink() or target.is_file():
                    target.unlink()


@dataclass(frozen=True, slots=True)
class Reader:
    """What a request reads through: a cursor on the snapshot, and which snapshot it is."""

    con: duckdb.DuckDBPyConnection
    snapshot: Snapshot


class StoreAccess:
    """Snapshots of a store for reading, and a journal for the dashboard's writes.

    ``folder`` (default ``<store>.web``, beside the store) holds the snapshots, the journal,
    the search index and the studies. Call :meth:`start` before reading and :meth:`stop` at the end.
    """

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        *,
        folder: str | os.PathLike[str] | None = None,
        poll_interval: float = 0.5,
        wait: float = 30.0,
    ) -> None:
        self.store_path = str(Path(store_path).resolve())
        if not Path(self.store_path).is_file():
            raise StoreError(Errors.E720, where=self.store_path, detail="no such file")
        self.folder = Path(folder) if folder is not None else Path(self.store_path + ".web")
        self.poll_interval = poll_interval
        self.wait = wait
        self.journal = Journal(self.folder)
        self._snapshots = self.folder / "snapshots"
        self._lock = threading.Lock()  # guards _current and refcounts
        self._sync_lock = threading.Lock()  # one sync at a time
        self._current: Snapshot | None = None
        self._number = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_applied_at: dt.datetime | None = None
        # bumped after each correction lands in the snapshot: results that depend on the
        # corrections are cached under (snapshot, version)
        self.corrections_version = 0
        self.last_checked_at: dt.datetime | None = None

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> None:
        """Take the first snapshot (waiting up to ``wait`` s for a writer) and start the sync thread."""
        self.folder.mkdir(exist_ok=True)
        self._snapshots.mkdir(exist_ok=True)
        for leftover in self._snapshots.iterdir():  # from a dashboard that was killed
            with contextlib.suppress(OSError):
                if leftover.is_symlink() or leftover.is_file():
                    leftover.unlink()
        deadline = time.monotonic() + self.wait
        while True:
            self._apply_journal()
            if self._refresh(force=True):
                break
            if time.monotonic() >= deadline:
                pid = writer_pid(self.store_path)
                raise StoreError(Errors.E735, where=self.store_path, detail=f"process {pid}" if pid else "busy")
            time.sleep(min(0.2, self.poll_interval))
        self._thread = threading.Thread(target=self._run, name="dyadwatch-web-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._apply_journal()  # a last chance for pending corrections
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.sync_once()
            except Exception:  # the thread must outlive any one failure; the next tick retries
                log.exception("dashboard sync failed; retrying")

    def sync_once(self) -> None:
        """Apply pending corrections and refresh the snapshot, where no writer is in the way."""
        with self._sync_lock:
            self._apply_journal()
            self._refresh(force=False)
            self.last_checked_at = dt.datetime.now(dt.UTC)

    # -- reading ---------------------------------------------------------------------

    @contextlib.contextmanager
    def reader(self) -> Iterator[Reader]:
        """A cursor on the current snapshot, for one request."""
        with self._lock:
            snap = self._current
            if snap is None:
                raise StoreError(Errors.E735, where=self.store_path, detail="the dashboard is stopped")
            snap.refs += 1
        cur = snap.store.con.cursor()
        try:
            yield Reader(cur, snap)
        finally:
            with contextlib.suppress(duckdb.Error):
                cur.close()
            self._release(snap)

    def status(self) -> dict[str, Any]:
        """What the banner and /api/status say: the snapshot's age, the writer, pending corrections."""
        with self._lock:
            snap = self._current
        pid = writer_pid(self.store_path)
        return {
            "store": self.store_path,
            "snapshot": snap.number if snap else 0,
            "snapshot_taken_at": snap.taken_at if snap else None,
            "snapshot_copy_seconds": snap.copy_seconds if snap else None,
            "writer_active": pid is not None,
            "writer_pid": pid,
            "stale": pid is not None or (snap is not None and snap.stamp != self._stamp()),
            "pending_corrections": self.journal.pending_count(),
            "last_applied_at": self.last_applied_at,
        }

    # -- writing ---------------------------------------------------------------------

    def record(self, correction: Correction) -> None:
        """Journal a correction (durable on return), show it at once, apply it to the store soon."""
        self.journal.append(correction)
        with self._lock:
            snap = self._current
            if snap is not None:
                snap.refs += 1
        if snap is not None:
            try:
                with snap.write_lock:
                    add_corrections(snap.store, [correction])
                    self.corrections_version += 1
            finally:
                self._release(snap)
        self._wake.set()

    # -- internals -------------------------------------------------------------------

    def _release(self, snap: Snapshot) -> None:
        with self._lock:
            snap.refs -= 1
            done = snap.retired and snap.refs == 0
        if done:
            snap.close()

    def _stamp(self) -> Stamp:
        # the file, its WAL, and the manifest of the Parquet partitions beside it
        return (
            _stat(self.store_path), _stat(self.store_path + ".wal"),
            _stat(os.path.join(self.store_path + ".partitions", "manifest.json")),
        )

    def _refresh(self, *, force: bool) -> bool:
        """Copy the store into a new snapshot if it changed and no writer holds it; True if taken."""
        with self._lock:
            current = self._current
        before = self._stamp()
        if not force and current is not None and current.stamp == before:
            return False
        if writer_pid(self.store_path) is not None:
            return False
        self._number += 1
        number = self._number
        target = self._snapshots / f"snapshot-{number}.duckdb"
        started = time.perf_counter()
        try:
            shutil.copyfile(self.store_path, target)
            if before[1] is not None:
                shutil.copyfile(self.store_path + ".wal", str(target) + ".wal")
        except OSError as exc:
            log.info("snapshot copy failed (%s); retrying later", exc)
            _remove(target)
            return False
        copy_seconds = time.perf_counter() - started
        if writer_pid(self.store_path) is not None or self._stamp() != before:
            _remove(target)  # a writer started, or the file changed, while copying
            return False
        partitions = Path(self.store_path + ".partitions")
        if partitions.is_dir():
            os.symlink(partitions, str(target) + ".partitions")
        try:
            store = Store(target)  # a private copy: opened for writing, so an older schema upgrades here
            _share_views(store)
            pending = self.journal.all()
            if pending:
                add_corrections(store, pending)
        except (StoreError, duckdb.Error) as exc:
            log.warning("cannot open the snapshot of %s: %s", self.store_path, exc)
            _remove(target)
            return False
        snap = Snapshot(number, target, store, dt.datetime.now(dt.UTC), before, copy_seconds)
        with self._lock:
            old, self._current = self._current, snap
            close_old = False
            if old is not None:
                old.retired = True
                close_old = old.refs == 0
        if old is not None and close_old:
            old.close()
        log.info("snapshot %d of %s taken (%.3f s)", number, self.store_path, copy_seconds)
        return True

    def _apply_journal(self) -> None:
        pending, offset = self.journal.pending()
        if not pending:
            if offset != self.journal.applied_offset():
                self.journal.mark_applied(offset)
            return
        if writer_pid(self.store_path) is not None:
            return
        try:
            store = Store(self.store_path)
        except StoreError as exc:  # a writer got in first: next tick
            log.info("corrections wait for the store: %s", exc)
            return
        try:
            added = add_corrections(store, pending)
        finally:
            store.close()
        self.journal.mark_applied(offset)
        self.last_applied_at = dt.datetime.now(dt.UTC)
        log.info("%d corrections applied to %s", added, self.store_path)


def _share_views(store: Store) -> None:
    """Make the store's temporary views (all_events, dataset_events) plain views of the copy,
    so that every cursor sees them (temporary views belong to one connection), and add web_events."""
    rows = store.con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE temporary AND view_name IN ('dataset_events', 'all_events')"
    ).fetchall()
    definitions = dict(rows)
    with store.transaction() as con:
        for name in ("dataset_events", "all_events"):
            sql = definitions.get(name)
            prefix = f"CREATE TEMP VIEW {name} AS"
            if sql is None or not sql.startswith(prefix):
                raise StoreError(Errors.E104, where=store.path, detail=f"unexpected view {name}")
            con.execute(f"CREATE OR REPLACE VIEW main.{name} AS" + sql[len(prefix):])
        # what the pages read: the event columns only (all_events also joins the dataset extras
        # to every row, which a count over a million events pays for)
        columns = ", ".join(f'"{name}"' for name, _ in EVENT_COLUMNS)
        con.execute(
            f"CREATE OR REPLACE VIEW main.web_events AS SELECT {columns} FROM main.events "
            f"UNION ALL BY NAME SELECT {columns} FROM main.dataset_events"
        )


def _remove(target: Path) -> None:
    for suffix in ("", ".wal", ".partitions"):
        path = Path(str(target) + suffix)
        with contextlib.suppress(OSError):
            if path.is_symlink() or path.is_file():
                path.unlink()
