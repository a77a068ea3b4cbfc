"""``dyadwatch import``: dataset files into the store, streaming, in bounded memory.

A file is the unit of failure, as a source is for the library ingest: its rows are stored all
together or not at all. ``on_error="stop"`` (the default) stores the files read before the
first bad one, nothing of the bad one, and raises its first error (with file and line);
``"skip"`` stores the good rows of every file and lists what it left out. A file unchanged
since it was imported with the same options is skipped unread; a changed one replaces its
earlier rows. Nothing stored before is ever lost.

Where the rows go:

* ``storage="table"``: the ``events`` table, with the extras in ``dataset_extras``, one
  transaction per file (for small imports; needs a store with the ``dataset_extras`` table);
* ``storage="parquet"``: Parquet partitions beside the store (``store/parquet.py``), read
  through the ``dataset_events`` and ``all_events`` views, committed by a manifest;
* ``storage="auto"`` (default): the table when the files to read are small (at most
  :data:`SMALL_IMPORT_BYTES` of text, a compressed file counted at :data:`_COMPRESSION_RATIO`
  times its size) and read in this process; Parquet otherwise.

An event is stored once whichever way it came: a row whose event id another file already
stored (ICEWS's weekly files repeat rows of the yearly ones), in the table or in Parquet, is
counted as a duplicate and left out, so that a small import beside a large one never counts an
event twice. (GDELT's ids are unique by design: its large Parquet imports skip this check.)

With a parallel ``runner`` (:mod:`dyadwatch.runner`: a process pool or a Dask cluster) each
file is read on a worker into staged Parquet part files (the shards); this process takes
them in file order and commits them exactly as above, so the result is the same.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dyadwatch.datasets._common import ActorFilter, OnError, ReadContext, check_dataset
from dyadwatch.datasets._files import DataFile, expand, local_copy
from dyadwatch.errors import ConfigError, DatasetError, DyadwatchError, Errors
from dyadwatch.library.ingest import Skipped
from dyadwatch.library.sources import fingerprint
from dyadwatch.store import Store
from dyadwatch.store.parquet import (
    EXTRA_COLUMNS,
    PartitionSet,
    PartWriter,
    StagedPart,
    arrow_schema,
    has_extras_table,
    now_iso,
    partitions_folder,
    register_partitions,
)
from dyadwatch.store.schema import EVENT_COLUMNS
from dyadwatch.store.sql import sql_files, sql_literal

if TYPE_CHECKING:
    from dyadwatch.runner import Runner

log = logging.getLogger(__name__)

__all__ = ["STORAGE", "ImportReport", "import_dataset", "read_batches"]

STORAGE = ("auto", "table", "parquet")
# What DuckDB may hold in memory while a file's rows go into the events table.
TABLE_MEMORY = "600MB"


# A Parquet batch is committed (parts moved into place, manifest written) after this many rows.
_COMMIT_ROWS = 20_000_000

#: ``storage="auto"`` puts an import of at most this many bytes of text into the events table
#: (each file one transaction there; larger imports are faster and lighter as Parquet parts).
SMALL_IMPORT_BYTES = 32 * 1024 * 1024
# A compressed file (zip, gzip) counts as this many times its size: GDELT and ICEWS text
# compresses about 8 to 1.
_COMPRESSION_RATIO = 8


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts, where the rows went, and what it skipped."""

    dataset: str
    storage: str = ""
    files: int = 0
    files_unchanged: int = 0
    rows: int = 0  # data rows read (with --actors: the rows that passed the prefilter)
    events_added: int = 0
    rows_skipped: int = 0  # bad rows left out (--on-error skip)
    duplicates: int = 0  # identical rows collapsed, or events already stored from another file
    filtered_out: int = 0  # rows read that were not about --actors
    skipped: list[Skipped] = field(default_factory=list)
    run_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "storage": self.storage,
            "files": self.files,
            "files_unchanged": self.files_unchanged,
            "rows": self.rows,
            "events_added": self.events_added,
            "rows_skipped": self.rows_skipped,
            "duplicates": self.duplicates,
            "filtered_out": self.filtered_out,
            "skipped": len(self.skipped),
        }

    def __str__(self) -> str:
        text = (
            f"{self.events_added:,} {self.dataset} events added ({self.storage or 'nothing stored'}) from "
            f"{self.files - self.files_unchanged} files, {self.files_unchanged} unchanged; "
            f"{self.rows_skipped:,} bad rows skipped, {self.duplicates:,} duplicates"
        )
        if self.filtered_out:
            text += f", {self.filtered_out:,} rows about other actors"
        return text


def read_batches(dataset: str, path: Path, ctx: ReadContext) -> Generator[pa.Table | DatasetError, None, None]:
    """The rows of one local (plain or gzip) file of ``dataset`` as dataset tables, and its bad
    rows as errors. The one entry every reader goes through."""
    if dataset in ("gdelt1", "gdelt2"):
        from dyadwatch.datasets import gdelt

        yield from gdelt.batches(path, ctx)
    elif dataset == "icews":
        from dyadwatch.datasets import icews

        yield from icews.batches(path, ctx)
    elif dataset == "polecat":
        from dyadwatch.datasets import polecat

        yield from polecat.batches(path, ctx)
    elif dataset == "acled":
        from dyadwatch.datasets import acled

        yield from acled.batches(path, ctx)
    elif dataset == "ucdp":
        from dyadwatch.datasets import ucdp

        yield from ucdp.batches(path, ctx)
    else:  # check_dataset() stops this earlier
        raise ConfigError(Errors.E502, detail=dataset)


def import_dataset(
    store: Store,
    dataset: str,
    sources: Iterable[str],
    *,
    on_error: OnError = "stop",
    actors: Iterable[str] | str | None = None,
    dataset_version: str | None = None,
    storage: str = "auto",
    progress: Callable[[str, int], None] | None = None,
    runner: Runner | None = None,
) -> ImportReport:
    """Import dataset files (plain, .gz or .zip; folders and globs) into ``store``.

    ``actors`` keeps only events with one of these on either side (country codes, CAMEO group
    codes, actor ids; see :class:`ActorFilter`). ``dataset_version`` is recorded on each event
    (default: what the file name says, e.g. GDELT ``2.0-translingual``). ``progress(file,
    events_so_far)`` is called after each file. A parallel ``runner`` reads the files on its
    workers (they must see the files and the partitions folder).

    >>> import dyadwatch, pathlib, tempfile
    >>> from dyadwatch.datasets import import_dataset
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> row = ["1", "20211020", "202110", "2021", "2021.8", "RUS", "RUSSIA", "RUS"] + [""] * 7
    >>> row += ["TAL", "TALIBAN", "", "TAL"] + [""] * 6 + ["1", "043", "043", "04", "1", "2.8"]
    >>> row += ["4", "2", "4", "1.5"] + [""] * 24 + ["20211020120000", "https://example.org/a"]
    >>> _ = (folder / "20211020120000.export.CSV").write_text("\\t".join(row) + "\\n")
    >>> with dyadwatch.open(":memory:") as lib:
    ...     report = import_dataset(lib.store, "gdelt2", [str(folder)])
    ...     frame = lib.store.con.execute(
    ...         "SELECT source_country, target_country, target_actor, target_sector FROM all_events").fetchall()
    >>> report.events_added, frame
    (1, [('RUS', 'AFG', 'taliban', 'GOV')])
    """
    dataset = check_dataset(dataset)
    if on_error not in ("stop", "skip"):
        raise ConfigError(Errors.E518, name="on_error", allowed="'stop' or 'skip'", found=on_error)
    if storage not in STORAGE:
        raise ConfigError(Errors.E518, name="storage", allowed="one of " + ", ".join(STORAGE), found=storage)
    extras_table = has_extras_table(store)
    if storage == "table" and not extras_table:
        raise ConfigError(
            Errors.E518, name="storage", allowed="'parquet' or 'auto' for a store without the "
            "dataset_extras table (schema 3)", found=storage,
        )
    actor_filter = ActorFilter.parse(actors)
    report = ImportReport(dataset=dataset)
    files: list[DataFile] = []
    for item in expand(sources):
        if isinstance(item, DatasetError):
            if on_error == "stop":
                raise item
            report.skipped.append(_skipped(item, item.where or ""))
        else:
            files.append(item)
    report.run_id = store.start_run(
        "import",
        {"dataset": dataset, "files": [f.location for f in files], "on_error": on_error,
         "actors": list(actor_filter.given) if actor_filter else None, "dataset_version": dataset_version,
         "storage": storage},
    )
    options = f"{dataset}|{dataset_version or ''}|{','.join(sorted(actor_filter.given)) if actor_filter else ''}"
    parts_folder = partitions_folder(store, create=not store.read_only)
    assert parts_folder is not None
    partitions = PartitionSet(parts_folder)
    partitions.cleanup()
    known = store.known_fingerprints() | {
        str(meta.get("fingerprint")) for meta in partitions.manifest.sources.values()
    }
    todo: list[tuple[DataFile, str]] = []
    for datafile in files:
        report.files += 1
        key = _key(datafile, options)
        if key in known:
            report.files_unchanged += 1
            continue
        known.add(key)
        todo.append((datafile, key))
    if storage == "auto":
        storage = choose_storage([f for f, _ in todo], table_possible=extras_table,
                                 parallel=runner is not None and not runner.serial)
    report.storage = storage
    workdir = partitions.staging()  # unzipped files, prefiltered lines, DuckDB's spill
    sink: _Sink = (
        _TableSink(store, partitions, report) if storage == "table" else _ParquetSink(store, partitions, report)
    )
    try:
        if runner is not None and not runner.serial:
            _import_with_runner(runner, todo, sink, report, workdir, dataset=dataset, on_error=on_error,
                                version=dataset_version, actors=actor_filter, progress=progress)
            todo = []
        for datafile, key in todo:
            ctx = ReadContext(
                dataset, datafile.location, workdir, version=dataset_version, actors=actor_filter,
                run_id=report.run_id,
            )
            problems: list[DatasetError] = []
            failed: DatasetError | None = None  # the file as a whole cannot be read
            sink.begin(datafile)
            try:
                with local_copy(datafile, workdir) as path, closing(read_batches(dataset, path, ctx)) as items:
                    for item in items:
                        if isinstance(item, DatasetError):
                            problems.append(item)
                            if on_error == "stop":
                                break
                        else:
                            sink.write(item)
            except DatasetError as exc:
                failed = exc
            except BaseException:
                sink.abort()
                sink.close()
                raise
            report.rows += ctx.rows
            if failed is not None or (problems and on_error == "stop"):
                sink.abort()
                error = failed if failed is not None else problems[0]
                if on_error == "stop":
                    sink.close()
                    raise error
                report.skipped.append(_skipped(error, datafile.location))
                continue
            report.rows_skipped += ctx.bad
            report.duplicates += ctx.duplicates  # of a file stored (a failed one stores nothing)
            report.filtered_out += ctx.filtered
            report.skipped.extend(_skipped(p, datafile.location) for p in problems)
            sink.end(datafile, key, {"dataset": dataset, "rows": ctx.rows, "bad": ctx.bad,
                                     "dataset_version": dataset_version, "run_id": report.run_id})
            if progress:
                progress(datafile.location, report.events_added + sink.pending)
        sink.close()
    finally:
        sink.release()
        shutil.rmtree(workdir, ignore_errors=True)
        partitions.tidy()
        register_partitions(store)
        store.finish_run(report.run_id, report.as_dict())
    log.info("import %s: %s", dataset, report.as_dict())
    return report


def choose_storage(files: Iterable[DataFile], *, table_possible: bool = True, parallel: bool = False) -> str:
    """Where ``storage="auto"`` puts the rows of ``files``: ``"table"`` for a small import read
    here, ``"parquet"`` for a large one, one read by a parallel runner's workers (they write
    part files), or a store without the ``dataset_extras`` table.

    >>> import pathlib, tempfile
    >>> small = pathlib.Path(tempfile.mkdtemp()) / "events.2021.tab"
    >>> _ = small.write_text("Event ID\\tEvent Date\\n")
    >>> choose_storage([DataFile(small)]), choose_storage([DataFile(small)], parallel=True)
    ('table', 'parquet')
    """
    if not table_possible or parallel:
        return "parquet"
    total = sum(f.size * (_COMPRESSION_RATIO if f.compression else 1) for f in files)
    return "table" if total <= SMALL_IMPORT_BYTES else "parquet"


@dataclass(frozen=True, slots=True)
class _FileTask:
    """One dataset file to read on a worker into staged part files under ``stage``."""

    dataset: str
    datafile: DataFile
    stage: str
    on_error: OnError
    version: str | None
    actors: ActorFilter | None
    run_id: str | None


@dataclass(slots=True)
class _FileRead:
    """A worker's reading of one file: its staged parts (none if it failed), counts, problems."""

    parts: list[StagedPart]
    rows: int
    bad: int
    duplicates: int
    filtered: int
    problems: list[DatasetError]
    failed: DatasetError | None


def _read_file(task: _FileTask) -> _FileRead:
    """Read one file into staged part files (runs on a worker; the same reading as the local loop)."""
    stage = Path(task.stage)
    work = stage / "work"
    work.mkdir(parents=True, exist_ok=True)
    ctx = ReadContext(task.dataset, task.datafile.location, work, version=task.version, actors=task.actors,
                      run_id=task.run_id)
    writer = PartWriter(stage / "parts")
    problems: list[DatasetError] = []
    failed: DatasetError | None = None
    try:
        with local_copy(task.datafile, work) as path, closing(read_batches(task.dataset, path, ctx)) as items:
            for item in items:
                if isinstance(item, DatasetError):
                    problems.append(item)
                    if task.on_error == "stop":
                        break
                else:
                    writer.write(item)
    except DatasetError as exc:
        failed = exc
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed is not None or (problems and task.on_error == "stop"):
        writer.abort()
        parts: list[StagedPart] = []
    else:
        parts = writer.finish()
    return _FileRead(parts, ctx.rows, ctx.bad, ctx.duplicates, ctx.filtered, problems, failed)


def _import_with_runner(
    runner: Runner, todo: list[tuple[DataFile, str]], sink: _Sink, report: ImportReport, workdir: Path, *,
    dataset: str, on_error: OnError, version: str | None, actors: ActorFilter | None,
    progress: Callable[[str, int], None] | None,
) -> None:
    """Files read on the runner's workers, committed here in file order as by the local loop."""
    from dyadwatch.runner import ordered

    runner.check(paths=[workdir, *sorted({d.path.parent for d in (f for f, _ in todo)})[:20]])
    tasks = (
        _FileTask(dataset, datafile, str(workdir / f"file-{n:06d}"), on_error, version, actors, report.run_id)
        for n, (datafile, _) in enumerate(todo)
    )
    with closing(ordered(runner.map_batches(_read_file, tasks))) as results:
        for (datafile, key), (_, read) in zip(todo, results, strict=True):
            report.rows += read.rows
            if read.failed is not None or (read.problems and on_error == "stop"):
                error = read.failed if read.failed is not None else read.problems[0]
                if on_error == "stop":
                    sink.close()
                    raise error
                report.skipped.append(_skipped(error, datafile.location))
                continue
            report.rows_skipped += read.bad
            report.duplicates += read.duplicates
            report.filtered_out += read.filtered
            report.skipped.extend(_skipped(p, datafile.location) for p in read.problems)
            sink.add_parts(datafile, key, read.parts, {"dataset": dataset, "rows": read.rows, "bad": read.bad,
                                                      "dataset_version": version, "run_id": report.run_id})
            if progress:
                progress(datafile.location, report.events_added + sink.pending)


def _key(datafile: DataFile, options: str) -> str:
    """A token that changes when the file or the import options change."""
    token = f"{fingerprint(datafile.location)}|{options}"
    return hashlib.blake2b(token.encode("utf-8"), digest_size=16).hexdigest()


def _skipped(exc: DyadwatchError, where: str) -> Skipped:
    return Skipped(where=exc.where or where, code=exc.code, message=exc.detail)


# -- sinks ------------------------------------------------------------------------------------


class _Sink:
    pending = 0

    def begin(self, datafile: DataFile) -> None:
        raise NotImplementedError

    def write(self, table: pa.Table) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def end(self, datafile: DataFile, key: str, meta: dict[str, Any]) -> None:
        raise NotImplementedError

    def add_parts(self, datafile: DataFile, key: str, parts: list[StagedPart], meta: dict[str, Any]) -> None:
        """Take a file read elsewhere (a runner's worker) as staged part files."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def release(self) -> None:
        """Give back what the sink holds, whatever happened (called last, once closed or not)."""


class _ParquetSink(_Sink):
    """Rows to staged part files; committed in batches by the partition manifest."""

    def __init__(self, store: Store, partitions: PartitionSet, report: ImportReport) -> None:
        self.store = store
        self.partitions = partitions
        self.report = report
        self.batch = uuid.uuid4().hex[:12]
        self.stage: Path | None = None
        self.staged: dict[str, list[StagedPart]] = {}
        self.meta: dict[str, dict[str, Any]] = {}
        self.writer: PartWriter | None = None
        self.current: DataFile | None = None
        self.staged_rows = 0
        self._file_number = 0

    @property
    def pending(self) -> int:  # type: ignore[override]
        return self.staged_rows + (self.writer.rows if self.writer else 0)

    def begin(self, datafile: DataFile) -> None:
        if self.stage is None:
            self.stage = self.partitions.staging()
        self._file_number += 1
        self.writer = PartWriter(self.stage / f"file-{self._file_number:06d}")
        self.current = datafile

    def write(self, table: pa.Table) -> None:
        assert self.writer is not None
        self.writer.write(table)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
        self.writer = None

    def end(self, datafile: DataFile, key: str, meta: dict[str, Any]) -> None:
        assert self.writer is not None
        parts = self.writer.finish()
        self.writer = None
        self.add_parts(datafile, key, parts, meta)

    def add_parts(self, datafile: DataFile, key: str, parts: list[StagedPart], meta: dict[str, Any]) -> None:
        if self.report.dataset not in ("gdelt1", "gdelt2"):
            # ICEWS's weekly and yearly files overlap: a row already stored from another file (same
            # content, so the same event id) is not stored twice. GDELT's ids are unique by design.
            parts = self._drop_stored(parts, datafile.location)
        rows = sum(p.rows for p in parts)
        self.staged[datafile.location] = parts
        self.meta[datafile.location] = {**meta, "fingerprint": key, "events": rows, "imported_at": now_iso()}
        self.staged_rows += rows
        if self.staged_rows >= _COMMIT_ROWS:
            self._commit()

    def _drop_stored(self, parts: list[StagedPart], location: str) -> list[StagedPart]:
        """The staged parts without the events other files already stored: in Parquet in the
        same months, in this batch, or in the events table."""
        partitions = {p.partition for p in parts}
        stored = [*_parts_of_others(self.partitions, partitions, location),
                  *(str(p.path) for other, staged in self.staged.items() if other != location for p in staged
                    if p.partition in partitions)]
        in_table = _table_ids(self.store, self.report.dataset, location)
        if not stored and not in_table:
            return parts
        kept: list[StagedPart] = []
        with duckdb.connect() as con:
            con.execute("SET enable_progress_bar = false")
            con.register("_in_table", pa.table({"event_id": pa.array(sorted(in_table), pa.string())}))
            source = "SELECT event_id FROM _in_table"
            if stored:
                source += (f" UNION SELECT event_id FROM read_parquet({sql_files(stored)}) "
                           f"WHERE source_file <> {sql_literal(location)}")
            con.execute(f"CREATE TEMP TABLE known AS SELECT DISTINCT event_id FROM ({source})")
            for part in parts:
                table = pq.read_table(part.path)
                con.register("_part", table)
                fresh: pa.Table = con.sql("SELECT * FROM _part WHERE event_id NOT IN (SELECT event_id FROM known)").to_arrow_table()
                con.unregister("_part")
                self.report.duplicates += table.num_rows - fresh.num_rows
                if fresh.num_rows == table.num_rows:
                    kept.append(part)
                    continue
                part.path.unlink()
                if fresh.num_rows:
                    pq.write_table(fresh.cast(arrow_schema()), part.path, compression="zstd")
                    kept.append(StagedPart(part.origin, part.year, part.month, part.path, fresh.num_rows))
        return kept

    def _commit(self) -> None:
        if not self.meta:
            return
        sources = set(self.meta)
        self.partitions.commit(self.batch, self.staged, self.meta)
        self.report.events_added += self.staged_rows
        _forget_in_table(self.store, sources)
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
        self.batch = uuid.uuid4().hex[:12]
        self.stage = None
        self.staged, self.meta, self.staged_rows = {}, {}, 0

    def close(self) -> None:
        self._commit()
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None


class _TableSink(_Sink):
    """Rows to the events table and dataset_extras, one transaction per file.

    A file's rows are spooled to a Parquet file in the staging folder as they come, and stored
    from there by one SQL statement per table, so that a large file forced into the table
    (``storage="table"``) is held by DuckDB, which spills to disk, not in this process's memory.
    """

    def __init__(self, store: Store, partitions: PartitionSet, report: ImportReport) -> None:
        self.store = store
        self.partitions = partitions
        self.report = report
        self.stage: Path | None = None
        self.spool: Path | None = None
        self.writer: pq.ParquetWriter | None = None
        self.rows = 0
        # DuckDB's own default is most of the machine's memory: held to TABLE_MEMORY while the
        # rows are stored (it spills the rest to disk), as it was afterwards
        self.memory_limit = self._memory_limit()
        store.con.execute(f"SET memory_limit = '{TABLE_MEMORY}'")

    @property
    def pending(self) -> int:  # type: ignore[override]
        return self.rows

    def begin(self, datafile: DataFile) -> None:
        self.abort()
        if self.stage is None:
            self.stage = self.partitions.staging()
        self.spool = self.stage / f"table-{uuid.uuid4().hex[:12]}.parquet"

    def write(self, table: pa.Table) -> None:
        assert self.spool is not None
        if table.num_rows == 0:
            return
        schema = arrow_schema()
        table = table.select(schema.names)
        if table.schema != schema:
            table = table.cast(schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.spool, schema, compression="zstd")
        self.writer.write_table(table)
        self.rows += table.num_rows

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.spool is not None:
            self.spool.unlink(missing_ok=True)
            self.spool = None
        self.rows = 0

    def end(self, datafile: DataFile, key: str, meta: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        spooled = [self.spool] if self.spool is not None and self.rows else []
        try:
            self._store(datafile, key, spooled)
        finally:
            self.abort()

    def add_parts(self, datafile: DataFile, key: str, parts: list[StagedPart], meta: dict[str, Any]) -> None:
        try:
            self._store(datafile, key, [part.path for part in parts if part.rows])
        finally:
            for part in parts:
                part.path.unlink(missing_ok=True)

    def _store(self, datafile: DataFile, key: str, files: list[Path]) -> None:
        added, rows = add_dataset_rows(self.store, files, datafile.location, fingerprint=key,
                                       run_id=self.report.run_id,
                                       parquet_files=partial(_parts_of_others, self.partitions))
        self.report.events_added += added
        self.report.duplicates += rows - added
        if datafile.location in self.partitions.manifest.sources:  # it was in Parquet before
            self.partitions.forget([datafile.location])

    def close(self) -> None:
        self.release()

    def release(self) -> None:
        self.abort()
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None
        if self.memory_limit:
            # back to DuckDB's default exactly (it shows the limit rounded), or to a limit set before
            self.store.con.execute("RESET memory_limit")
            if self._memory_limit() != self.memory_limit:
                self.store.con.execute(f"SET memory_limit = '{self.memory_limit}'")
            self.memory_limit = ""

    def _memory_limit(self) -> str:
        return str(self.store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _parts_of_others(partitions: PartitionSet, months: set[str], location: str) -> list[str]:
    """The committed Parquet part files of these months (``origin/year=Y/month=M``) that hold
    rows of files other than ``location``."""
    return [str(partitions.folder / rel) for rel, info in partitions.manifest.parts.items()
            if rel.rsplit("/", 1)[0] in months and set(info["sources"]) - {location}]


def _table_ids(store: Store, origin: str, location: str) -> set[str]:
    """The ids of ``origin``'s events other files stored in the events table."""
    if not has_extras_table(store):
        return set()
    rows = store.con.execute(
        "SELECT DISTINCT e.event_id FROM events e JOIN dataset_extras x ON x.event_id = e.event_id "
        "WHERE e.origin = ? AND x.source_file <> ?", [origin, location]).fetchall()
    return {str(r[0]) for r in rows}


def add_dataset_rows(store: Store, files: list[Path], source_file: str, *, fingerprint: str,
                     run_id: str | None,
                     parquet_files: Callable[[set[str], str], list[str]] | None = None) -> tuple[int, int]:
    """Store one file's rows (spooled in the Parquet ``files`` of :func:`arrow_schema`) in the
    events table and ``dataset_extras``, replacing the rows an earlier import of the same file
    stored, in one transaction; record the file as imported.

    An event stored already from another file, in the table or (``parquet_files`` names the part
    files of given months) in the Parquet partitions, stays that file's: its row here is left out
    (a duplicate), as are repeats of one id within the file (the first is kept). Returns (events
    stored, rows read). (A Store method in waiting: it needs the ``dataset_extras`` table of
    schema 3.)
    """
    event_names = [name for name, _ in EVENT_COLUMNS]
    extra_names = [name for name, _ in EXTRA_COLUMNS]
    select = ", ".join(f"CAST({n} AS JSON)" if n == "spans" else n for n in event_names)
    rows = added = 0
    rows_sql = ""
    if files:
        listing = sql_files(files)
        rows = int(store.con.execute(f"SELECT count(*) FROM read_parquet({listing})").fetchall()[0][0])
        others: list[str] = []
        if parquet_files is not None:
            months = {f"{origin}/year={year}/month={month}" for origin, year, month in store.con.execute(
                f"SELECT DISTINCT origin, year(date), month(date) FROM read_parquet({listing})").fetchall()}
            others = parquet_files(months, source_file)
        elsewhere = (
            f"AND NOT EXISTS (SELECT 1 FROM read_parquet({sql_files(others)}) o "
            "WHERE o.event_id = r.event_id AND o.source_file <> $1) " if others else ""
        )
        # the first row of each event id that no other file stored
        rows_sql = (
            f"SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet({listing}, filename = true, "
            "file_row_number = true) r "
            "WHERE NOT EXISTS (SELECT 1 FROM dataset_extras x WHERE x.event_id = r.event_id AND x.source_file <> $1) "
            f"{elsewhere}"
            "QUALIFY row_number() OVER (PARTITION BY r.event_id ORDER BY filename, file_row_number) = 1"
        )
    with store.transaction() as tx:
        # the earlier rows of this file go; a failure rolls all back, the temporary table too
        tx.execute(
            "DELETE FROM events WHERE event_id IN (SELECT event_id FROM dataset_extras WHERE source_file = ?)",
            [source_file],
        )
        tx.execute("DELETE FROM dataset_extras WHERE source_file = ?", [source_file])
        tx.execute("DELETE FROM sources WHERE location = ? AND kind = 'dataset'", [source_file])
        if rows_sql:
            tx.execute(f"CREATE TEMP TABLE _dataset_rows AS {rows_sql}", [source_file])
            tx.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM _dataset_rows)")
            tx.execute("DELETE FROM dataset_extras WHERE event_id IN (SELECT event_id FROM _dataset_rows)")
            tx.execute(f"INSERT INTO events ({', '.join(event_names)}) SELECT {select} FROM _dataset_rows")
            tx.execute(
                f"INSERT INTO dataset_extras (event_id, {', '.join(extra_names)}) "
                f"SELECT event_id, {', '.join(extra_names)} FROM _dataset_rows"
            )
            added = int(tx.execute("SELECT count(*) FROM _dataset_rows").fetchall()[0][0])
            tx.execute("DROP TABLE _dataset_rows")
        store.record_sources([(fingerprint, source_file, "dataset", added)], run_id=run_id)
    return added, rows


def _forget_in_table(store: Store, sources: set[str]) -> None:
    """Remove the table rows of files that now live in Parquet (imported small before)."""
    if not has_extras_table(store) or not sources:
        return
    with store.transaction() as con:
        for source in sorted(sources):
            con.execute(
                "DELETE FROM events WHERE event_id IN (SELECT event_id FROM dataset_extras WHERE source_file = ?)",
                [source],
            )
            con.execute("DELETE FROM dataset_extras WHERE source_file = ?", [source])
            con.execute("DELETE FROM sources WHERE location = ? AND kind = 'dataset'", [source])
