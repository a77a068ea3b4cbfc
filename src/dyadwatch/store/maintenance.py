"""Keeping a store trustworthy: an integrity check, a consistent backup, a verified restore.

A researcher's library is years of collection, so three tools sit beside the store:

* :func:`check` reads the whole store (every table to its end, every Parquet part file) and
  reports each problem as a coded finding with a count: schema version, sentences without
  their document, events naming a missing document or sentence, documents, sentences or
  events stored twice, part files that cannot be read. It never writes, so it is safe on a
  store that another command is reading.
* :func:`backup` takes the store's write lock (so nothing writes meanwhile), checkpoints it,
  and copies the store file, the Parquet partitions named by their manifest and the search
  index into a new folder with ``BACKUP.json``: every file's size and SHA-256, and the
  counts the check saw.
* :func:`restore` verifies every checksum, rebuilds the store in a staging folder beside the
  target, checks it, and only then moves it into place; an existing store is replaced only
  with ``force`` and is kept aside until the new one is in place.

>>> import pathlib, tempfile
>>> from dyadwatch.store import Store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> Store(folder / "lib.duckdb").close()
>>> check(folder / "lib.duckdb").ok
True
>>> manifest = backup(folder / "lib.duckdb", folder / "copy")
>>> restored = restore(folder / "copy", folder / "again.duckdb")
>>> check(restored).ok
True
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dyadwatch.errors import Errors, StoreError
from dyadwatch.store.durable import file_digest, fsync_folder
from dyadwatch.store.schema import APP_ID, SCHEMA_VERSION
from dyadwatch.store.sql import sql_files

__all__ = [
    "BACKUP_FILE",
    "BACKUP_FORMAT",
    "CheckReport",
    "Finding",
    "backup",
    "check",
    "restore",
]

BACKUP_FILE = "BACKUP.json"
BACKUP_FORMAT = "dyadwatch-backup/1"
_PARTITIONS = ".partitions"
_SEARCH = ".search"
# the tables a full scan reads to their end (DuckDB verifies each block's checksum on read)
_TABLES = ("dyadwatch_meta", "documents", "sentences", "sources", "runs", "actors", "events",
           "corrections", "coded_documents", "dataset_extras")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem the check found: its code, how many rows or files, and what it means."""

    code: str
    count: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "count": self.count, "message": self.message}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What :func:`check` saw: counts, problems (``findings``) and harmless notes."""

    store: str
    schema_version: int | None
    counts: dict[str, int]
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the check found no problem (notes are not problems)."""
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "ok": self.ok,
            "schema_version": self.schema_version,
            "expected_schema_version": SCHEMA_VERSION,
            "counts": dict(self.counts),
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


# -- check -------------------------------------------------------------------------------


def check(path: str | os.PathLike[str], *, deep: bool = True) -> CheckReport:
    """Check a store file and its Parquet partitions; never writes.

    ``deep`` reads every row of every table and every part file (slower, and the only way
    to find damaged blocks); without it the check runs its queries and reads the part
    files' footers only. Raises ``E840`` when there is no store, ``E101`` when the file is
    not a dyadwatch store and ``E103`` when a writer holds it.
    """
    from dyadwatch.store.duckdb_store import _classify_open_error

    store = str(path)
    if not Path(store).is_file():
        raise StoreError(Errors.E840, where=store, detail="no such file")
    try:
        con = duckdb.connect(store, read_only=True)
    except (duckdb.Error, OSError) as exc:
        raise _classify_open_error(exc, store) from exc
    try:
        return _check(con, store, deep=deep)
    finally:
        con.close()


def _check(con: duckdb.DuckDBPyConnection, store: str, *, deep: bool) -> CheckReport:
    findings: list[Finding] = []
    notes: list[str] = []
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if not tables:
        # a command killed while making the store leaves it empty; the next one makes it
        return CheckReport(store, None, {}, (), ("the store is empty: no command has finished setting it up "
                                                 "yet (the next writing command does)",))
    if "dyadwatch_meta" not in tables:
        raise StoreError(Errors.E101, where=store, detail="it has no dyadwatch_meta table")
    meta = dict(con.execute("SELECT key, value FROM dyadwatch_meta").fetchall())
    if meta.get("app") != APP_ID:
        raise StoreError(Errors.E101, where=store, detail=f"app is {meta.get('app')!r}")
    try:
        version: int | None = int(meta.get("schema_version", ""))
    except ValueError:
        version = None
    if version is None or version < 1 or version > SCHEMA_VERSION:
        detail = (f"the store says schema version {meta.get('schema_version')!r}; this dyadwatch "
                  f"uses {SCHEMA_VERSION}")
        findings.append(_finding(Errors.E841, 1, detail=detail))
    elif version < SCHEMA_VERSION:
        # an older store (or an upgrade killed between two migrations, each atomic): sound
        notes.append(f"schema version {version}: the next writing command upgrades it to {SCHEMA_VERSION}")
    expected = {"documents", "sentences", "sources", "runs", "events"}
    if version is not None and version >= 2:
        expected.add("coded_documents")
    missing = sorted(expected - tables)
    if missing:
        findings.append(_finding(Errors.E841, len(missing), detail=f"missing tables {', '.join(missing)}"))
    counts: dict[str, int] = {}
    for table in _TABLES:
        if table not in tables:
            continue
        try:
            if deep:
                # hashing whole rows makes DuckDB read (and checksum) every block of the table
                row = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {table} t").fetchall()[0]
            else:
                row = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
        except duckdb.Error as exc:
            findings.append(_finding(Errors.E848, 1, detail=f"table {table}: {_first_line(exc)}"))
            continue
        counts[table] = int(row[0])
    have = tables.__contains__

    def scalar(sql: str) -> int:
        try:
            return int(con.execute(sql).fetchall()[0][0] or 0)
        except duckdb.Error as exc:
            findings.append(_finding(Errors.E848, 1, detail=_first_line(exc)))
            return 0

    if have("sentences") and have("documents"):
        orphans = scalar("SELECT count(*) FROM sentences s WHERE NOT EXISTS "
                         "(SELECT 1 FROM documents d WHERE d.doc_id = s.doc_id)")
        if orphans:
            findings.append(_finding(Errors.E842, orphans, detail="table sentences"))
        doubles = scalar("SELECT count(*) FROM (SELECT doc_id FROM documents GROUP BY doc_id HAVING count(*) > 1)")
        same_text = scalar("SELECT count(*) - count(DISTINCT md5(text)) FROM documents")
        sentence_doubles = scalar(
            "SELECT count(*) FROM (SELECT doc_id, idx FROM sentences GROUP BY doc_id, idx HAVING count(*) > 1)")
        if doubles or same_text or sentence_doubles:
            detail = (f"{doubles} document ids twice, {same_text} texts under a second id, "
                      f"{sentence_doubles} sentence keys twice")
            findings.append(_finding(Errors.E844, doubles + same_text + sentence_doubles, detail=detail))
        bare = scalar("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                      "(SELECT 1 FROM sentences s WHERE s.doc_id = d.doc_id)")
        if bare:
            notes.append(f"{bare} documents have no sentences")
    if have("events") and have("documents"):
        no_doc = scalar("SELECT count(*) FROM events e WHERE e.doc_id IS NOT NULL AND NOT EXISTS "
                        "(SELECT 1 FROM documents d WHERE d.doc_id = e.doc_id)")
        if no_doc:
            findings.append(_finding(Errors.E843, no_doc, detail="table events"))
        if have("sentences"):
            no_sentence = scalar(
                "SELECT count(*) FROM events e WHERE e.doc_id IS NOT NULL AND e.sentence_idx IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = e.doc_id) AND NOT EXISTS "
                "(SELECT 1 FROM sentences s WHERE s.doc_id = e.doc_id AND s.idx = e.sentence_idx)")
            if no_sentence:
                findings.append(_finding(Errors.E845, no_sentence, detail="table events"))
    if have("coded_documents") and have("documents"):
        coded = scalar("SELECT count(*) FROM coded_documents c WHERE NOT EXISTS "
                       "(SELECT 1 FROM documents d WHERE d.doc_id = c.doc_id)")
        if coded:
            findings.append(_finding(Errors.E849, coded, detail="table coded_documents"))
    if have("runs"):
        unfinished = scalar("SELECT count(*) FROM runs WHERE finished_at IS NULL")
        if unfinished:
            notes.append(f"{unfinished} runs never finished (killed or failed; their writes were rolled back "
                         "or committed batch by batch)")
    parts = _check_partitions(Path(store + _PARTITIONS), findings, notes, deep=deep)
    counts["dataset_events"] = sum(rows for _, rows in parts)
    event_ids = ["SELECT event_id FROM events"] if have("events") else []
    readable = [p for p, _ in parts]
    if readable:
        event_ids.append(f"SELECT event_id FROM read_parquet({sql_files(readable)}, union_by_name = true)")
    if event_ids:
        doubled = scalar(
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT event_id, count(*) AS n FROM "
            f"({' UNION ALL '.join(event_ids)}) GROUP BY event_id HAVING count(*) > 1)")
        if doubled:
            findings.append(_finding(Errors.E847, doubled, detail="the events table and the Parquet partitions"))
    return CheckReport(store, version, counts, tuple(findings), tuple(notes))


def _check_partitions(folder: Path, findings: list[Finding], notes: list[str], *,
                      deep: bool) -> list[tuple[Path, int]]:
    """The readable part files the manifest names, with their rows; problems to ``findings``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dyadwatch.store.parquet import MANIFEST, PartitionSet

    if not (folder / MANIFEST).exists():
        if folder.is_dir() and any(folder.glob("*/year=*/month=*/*.parquet")):
            notes.append(f"{folder} holds part files but no manifest (an import killed before its first commit)")
        return []
    try:
        manifest = PartitionSet(folder).manifest
    except StoreError as exc:
        findings.append(_finding(Errors.E846, 1, detail=f"{folder / MANIFEST}: {exc.detail}"))
        return []
    readable: list[tuple[Path, int]] = []
    bad: list[str] = []
    for rel, info in sorted(manifest.parts.items()):
        path = folder / rel
        try:
            handle = pq.ParquetFile(path)
            rows = handle.metadata.num_rows
            if deep:
                for _ in handle.iter_batches(batch_size=65_536):
                    pass
        except (OSError, pa.ArrowException) as exc:
            bad.append(f"{rel}: {_first_line(exc)}")
            continue
        if rows != int(info.get("rows", rows)):
            bad.append(f"{rel}: {rows} rows, the manifest says {info.get('rows')}")
            continue
        readable.append((path, rows))
    if bad:
        findings.append(_finding(Errors.E846, len(bad), detail="; ".join(bad[:5])))
    named = {(folder / rel).resolve() for rel in manifest.parts}
    stray = [p for p in folder.glob("*/year=*/month=*/*.parquet") if p.resolve() not in named]
    if stray:
        notes.append(f"{len(stray)} part files no manifest names (left by a killed import; the next "
                     "import removes them)")
    if (folder / ".staging").exists():
        notes.append("a staging folder is left by a killed import (the next import removes it)")
    return readable


def _finding(template: str, count: int, **values: Any) -> Finding:
    from dyadwatch.errors import DyadwatchError

    error = DyadwatchError(template, count=count, **values)
    return Finding(error.code, count, error.detail)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- backup ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A file of a backup: its path inside the backup folder, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BackupManifest:
    """``BACKUP.json``: what a backup holds and how to tell that it is whole."""

    store_name: str
    created_at: str
    dyadwatch_version: str
    schema_version: int | None
    counts: dict[str, int]
    files: tuple[BackupFile, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": BACKUP_FORMAT,
            "store_name": self.store_name,
            "created_at": self.created_at,
            "dyadwatch_version": self.dyadwatch_version,
            "schema_version": self.schema_version,
            "counts": dict(self.counts),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }

    @classmethod
    def load(cls, folder: Path) -> BackupManifest:
        path = folder / BACKUP_FILE
        if not folder.is_dir() or not path.is_file():
            raise StoreError(Errors.E852, where=str(folder), detail=f"no {BACKUP_FILE} in it")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != BACKUP_FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {BACKUP_FORMAT!r}")
            files = tuple(BackupFile(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"])
            return cls(str(data["store_name"]), str(data["created_at"]), str(data["dyadwatch_version"]),
                       data.get("schema_version"), {str(k): int(v) for k, v in data["counts"].items()}, files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(Errors.E852, where=str(path), detail=str(exc)) from exc


def backup(store_path: str | os.PathLike[str], dest: str | os.PathLike[str]) -> BackupManifest:
    """Copy a store, its Parquet partitions and its search index into the new folder ``dest``.

    The store is opened for writing for the whole copy, so no other process writes
    meanwhile (one that tries gets ``E103``), and checkpointed first, so the file holds
    every committed transaction. The copy is written to a temporary folder beside ``dest``
    and renamed into place at the end: a failed or killed backup leaves no half backup
    under ``dest``'s name. Raises ``E840`` (no store), ``E850`` (``dest`` exists), ``E851``
    (the copy failed).
    """
    from dyadwatch import __version__
    from dyadwatch.store.duckdb_store import _classify_open_error

    source = Path(store_path)
    target = Path(dest)
    if not source.is_file():
        raise StoreError(Errors.E840, where=str(source), detail="no such file")
    if target.exists():
        raise StoreError(Errors.E850, where=str(target), detail=str(target))
    # opened for writing, for its lock (nothing else writes until close), but never migrated:
    # the backup is the store as it is
    try:
        con = duckdb.connect(str(source))
    except (duckdb.Error, OSError) as exc:
        raise _classify_open_error(exc, str(source)) from exc
    try:
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise StoreError(Errors.E851, where=str(source), detail=_first_line(exc)) from exc
        report = _check(con, str(source), deep=False)
        work = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            work.mkdir(parents=True)
            copies = list(_store_files(source))
            _copy_files(copies, work)
            files = tuple(_describe(work, rel) for _, rel in copies)
            manifest = BackupManifest(
                store_name=source.name, created_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                dyadwatch_version=__version__, schema_version=report.schema_version,
                counts=report.counts, files=files,
            )
            _write_json(work / BACKUP_FILE, manifest.as_dict())
            os.replace(work, target)
            fsync_folder(target.parent)
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise StoreError(Errors.E851, where=str(target), detail=_os_detail(exc)) from exc
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        con.close()
    return manifest


def _store_files(source: Path) -> Iterator[tuple[Path, str]]:
    """(file, path inside the backup) for the store file, its WAL, the part files the
    manifest names (never staging leftovers) and the search index (never lock files)."""
    from dyadwatch.store.parquet import MANIFEST, PartitionSet

    name = source.name
    yield source, name
    wal = source.with_name(name + ".wal")
    if wal.is_file() and wal.stat().st_size:
        yield wal, name + ".wal"
    partitions = source.with_name(name + _PARTITIONS)
    if (partitions / MANIFEST).is_file():
        manifest = PartitionSet(partitions).manifest
        yield partitions / MANIFEST, f"{name}{_PARTITIONS}/{MANIFEST}"
        for rel in sorted(manifest.parts):
            yield partitions / rel, f"{name}{_PARTITIONS}/{rel}"
    search = source.with_name(name + _SEARCH)
    if search.is_dir():
        for path in sorted(search.rglob("*")):
            if path.is_file() and not path.name.endswith(".lock"):
                yield path, f"{name}{_SEARCH}/{path.relative_to(search).as_posix()}"


def _copy_files(copies: Sequence[tuple[Path, str]], work: Path) -> None:
    """Copy in a child process: closing a descriptor of the store file in this process would
    drop the lock DuckDB holds on it (POSIX record locks belong to the process)."""
    listing = work / ".copy-list.json"
    _write_json(listing, [[str(src), str(work / rel)] for src, rel in copies])
    script = (
        "import json, os, shutil, sys\n"
        "for src, dst in json.load(open(sys.argv[1])):\n"
        "    os.makedirs(os.path.dirname(dst), exist_ok=True)\n"
        "    shutil.copyfile(src, dst)\n"
        "    with open(dst, 'rb') as handle:\n"
        "        os.fsync(handle.fileno())\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(listing)], capture_output=True, text=True,
                            check=False)
    listing.unlink(missing_ok=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise OSError(lines[-1] if lines else f"the copy exited with {result.returncode}")


def _describe(folder: Path, rel: str) -> BackupFile:
    path = folder / rel
    size, sha256 = file_digest(path)
    return BackupFile(rel, size, sha256)


def _write_json(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())


def _os_detail(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return _first_line(exc)


# -- restore -----------------------------------------------------------------------------


def verify(backup_dir: str | os.PathLike[str]) -> BackupManifest:
    """Check that a backup folder holds every file its manifest names, unchanged (``E853``)."""
    folder = Path(backup_dir)
    manifest = BackupManifest.load(folder)
    names = {f.path for f in manifest.files}
    if manifest.store_name not in names:
        raise StoreError(Errors.E853, where=str(folder), detail=f"the manifest names no store file {manifest.store_name!r}")
    for item in manifest.files:
        path = (folder / item.path).resolve()
        if folder.resolve() not in path.parents:
            raise StoreError(Errors.E853, where=str(folder), detail=f"{item.path!r} points outside the backup")
        if not path.is_file():
            raise StoreError(Errors.E853, where=str(folder), detail=f"{item.path} is missing")
        if path.stat().st_size != item.size or file_digest(path)[1] != item.sha256:
            raise StoreError(Errors.E853, where=str(folder), detail=f"{item.path} does not match its SHA-256")
    return manifest


def restore(backup_dir: str | os.PathLike[str], store_path: str | os.PathLike[str], *,
            force: bool = False) -> Path:
    """Restore a backup to ``store_path``; return the path.

    Every file is verified against the manifest (``E853``) and the store is rebuilt and
    checked in a staging folder beside the target (``E855`` if the check fails) before
    anything at ``store_path`` changes. An existing store there is replaced only with
    ``force`` (``E854`` otherwise); it is moved aside and deleted once the new store is in
    place, and moved back if the swap fails.
    """
    from dyadwatch.store.duckdb_store import Store

    folder = Path(backup_dir)
    target = Path(store_path)
    manifest = verify(folder)
    related = [target, target.with_name(target.name + ".wal"), target.with_name(target.name + _PARTITIONS),
               target.with_name(target.name + _SEARCH)]
    present = [p for p in related if p.exists()]
    if present and not force:
        raise StoreError(Errors.E854, where=str(target), detail=str(present[0]))
    if not target.parent.is_dir():
        raise StoreError(Errors.E104, where=str(target), detail=f"folder {target.parent} does not exist")
    if target.exists():
        Store(target).close()  # E103 when another process has it open
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.restoring")
    aside = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.replaced")
    try:
        staging.mkdir()
        prefix = manifest.store_name
        for item in manifest.files:
            rel = target.name + item.path[len(prefix):]
            dst = staging / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / item.path, dst)
            with dst.open("rb") as handle:
                os.fsync(handle.fileno())
        report = check(staging / target.name)
        if not report.ok:
            detail = "; ".join(f"[{f.code}] {f.message}" for f in report.findings)
            raise StoreError(Errors.E855, where=str(target), detail=detail)
        if report.counts.get("documents") != manifest.counts.get("documents") or (
            report.counts.get("events") != manifest.counts.get("events")
        ):
            raise StoreError(Errors.E855, where=str(target), detail="its counts differ from the manifest's")
        moved: list[tuple[Path, Path]] = []
        if present:
            aside.mkdir()
            for path in present:
                keep = aside / path.name
                os.replace(path, keep)
                moved.append((keep, path))
        try:
            for path in sorted(staging.iterdir()):
                os.replace(path, target.with_name(path.name))
        except OSError:
            for keep, original in moved:
                with suppress(OSError):
                    os.replace(keep, original)
            raise
        fsync_folder(target.parent)
    except OSError as exc:
        raise StoreError(Errors.E104, where=str(target), detail=_os_detail(exc)) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)
    return target
