"""Large dataset imports as Parquet partitions beside the store, read through views.

A multi-year GDELT pull does not fit in memory, nor should it sit in the DuckDB file: it is
written as Parquet files (zstd) partitioned by dataset, year and month in a folder beside the
store, and the store reads them through views, so a query touches only the columns and months
it needs. Small imports go straight into the ``events`` table instead.

The folder::

    dyadwatch.duckdb.partitions/
      manifest.json                       which source file made which part files
      gdelt2/year=2021/month=10/part-<batch>.parquet
      .staging/                           work in progress; cleared by the next import

The manifest is the commit point. Part files are written to ``.staging`` first, moved into
place, and only then named in a new manifest (written to a temporary file and renamed over the
old one): a crash or a kill at any moment leaves the views showing the state before the import,
and the next import removes the leftovers. Re-importing a changed source file replaces its rows.

Views (temporary, made on every open by :func:`register_partitions`):

``dataset_events``
    every event column, the dataset extras (:data:`EXTRA_COLUMNS`) and ``year``, ``month``
    (partition columns: filter on them to skip whole months);
``all_events``
    the ``events`` table (with its extras, where the store has the ``dataset_extras`` table)
    and ``dataset_events``, one relation with the same columns.

>>> from dyadwatch.store import Store
>>> store = Store(":memory:")
>>> register_partitions(store)
>>> store.con.execute("SELECT count(*) FROM all_events").fetchall()
[(0,)]
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dyadwatch.errors import Errors, StoreError
from dyadwatch.store.durable import fsync_file, fsync_folder
from dyadwatch.store.schema import EVENT_COLUMNS, EXTRA_COLUMNS, EXTRAS_DDL
from dyadwatch.store.sql import sql_files

if TYPE_CHECKING:
    from dyadwatch.store.duckdb_store import Store

log = logging.getLogger(__name__)

__all__ = [
    "DATASET_COLUMNS",
    "EXTRAS_DDL",
    "EXTRA_COLUMNS",
    "MANIFEST",
    "PartitionSet",
    "StagedPart",
    "arrow_schema",
    "has_extras_table",
    "partitions_folder",
    "register_partitions",
]

# What a dataset row has that the event record has not, kept for comparison and audit.
def _base_type(sql: str) -> str:
    return sql.split()[0]


# The columns of a dataset part file, in order: the event columns, then the extras.
DATASET_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, "VARCHAR" if name == "spans" else _base_type(kind)) for name, kind in EVENT_COLUMNS
) + EXTRA_COLUMNS

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "TINYINT": pa.int8(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "JSON": pa.string(),
}


def arrow_schema() -> pa.Schema:
    """The Arrow schema of a dataset part file (:data:`DATASET_COLUMNS`)."""
    return pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in DATASET_COLUMNS])


MANIFEST = "manifest.json"
_STAGING = ".staging"
_FORMAT = 1

# Columns queries filter on: only they get min/max statistics (computing them for URLs and
# names costs time and prunes nothing).
_STATISTICS_COLUMNS = [
    "origin", "date", "source_country", "source_sector", "source_actor", "target_country", "target_sector",
    "target_actor", "cameo_code", "cameo_root", "plover_type", "quad_class", "location_country", "source_file",
]

# Columns with few distinct values, worth a dictionary page; the others (ids, URLs, names)
# are written plain, which is faster and as small once compressed.
_DICTIONARY_COLUMNS = [
    "origin", "date", "date_source", "source_country", "source_sector", "source_actor",
    "target_country", "target_sector", "target_actor", "cameo_code", "cameo_root", "plover_type",
    "plover_mode", "goldstein", "quad_class", "negated", "modality", "location_country", "coder",
    "rule", "publisher", "dataset_version", "run_id", "source_file", "dataset_event_type",
    "dataset_goldstein", "dataset_quad_class", "is_root_event",
]

# Temporary folders of in-memory stores, removed when the store object goes.
_MEMORY_FOLDERS: weakref.WeakKeyDictionary[Store, Path] = weakref.WeakKeyDictionary()


def partitions_folder(store: Store, *, create: bool = False) -> Path | None:
    """The folder of a store's Parquet partitions (``<store file>.partitions``; the downloads of ``dyadwatch fetch`` are elsewhere, in ``<store name>.datasets``).

    An in-memory store gets a temporary folder that lives as long as the store object; None
    until one is asked for with ``create``.
    """
    from dyadwatch.store.duckdb_store import MEMORY

    if store.path == MEMORY:
        folder = _MEMORY_FOLDERS.get(store)
        if folder is None and create:
            folder = Path(tempfile.mkdtemp(prefix="dyadwatch-partitions-"))
            weakref.finalize(store, shutil.rmtree, str(folder), True)
            _MEMORY_FOLDERS[store] = folder
        return folder
    folder = Path(store.path + ".partitions")
    if create:
        folder.mkdir(exist_ok=True)
    return folder


def has_extras_table(store: Store) -> bool:
    """Whether the store has the ``dataset_extras`` table (migration 3)."""
    rows = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name = 'dataset_extras'"
    ).fetchall()
    return bool(rows[0][0])


def register_partitions(store: Store, *, strict: bool = False) -> None:
    """(Re)create the temporary views ``dataset_events`` and ``all_events`` on ``store``.

    Call it when the store opens and after each import; it reads only the manifest, never
    the part files, so it is cheap. Works on read-only stores (the views are temporary).
    An unreadable manifest raises ``[E519]`` with ``strict``; else it is logged as a warning and
    the views show the table alone, so that the rest of the store still opens.
    """
    folder = partitions_folder(store)
    parts: list[str] = []
    if folder is not None and (folder / MANIFEST).exists():
        try:
            manifest = PartitionSet(folder).manifest
        except StoreError as exc:
            if strict:
                raise
            log.warning("%s", exc)
            manifest = Manifest()
        parts = [str(folder / rel) for rel in sorted(manifest.parts)]
    names = [name for name, _ in DATASET_COLUMNS]
    if parts:
        files = sql_files(parts)
        source = (
            f"SELECT {', '.join(names)}, year, month FROM read_parquet({files}, "
            "hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER}, "
            "union_by_name = true)"
        )
    else:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in DATASET_COLUMNS)
        source = f"SELECT {nulls}, CAST(NULL AS INTEGER) AS year, CAST(NULL AS INTEGER) AS month WHERE false"
    store.con.execute(f"CREATE OR REPLACE TEMP VIEW dataset_events AS {source}")
    event_names = [name for name, _ in EVENT_COLUMNS]
    if has_extras_table(store):
        extras = ", ".join(f"x.{name}" for name, _ in EXTRA_COLUMNS)
        table = (
            f"SELECT {', '.join('e.' + n for n in event_names)}, {extras} "
            "FROM events e LEFT JOIN dataset_extras x ON x.event_id = e.event_id"
        )
    else:
        extras = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in EXTRA_COLUMNS)
        table = f"SELECT {', '.join(event_names)}, {extras} FROM events"
    store.con.execute(
        f"CREATE OR REPLACE TEMP VIEW all_events AS {table} "
        f"UNION ALL BY NAME SELECT {', '.join(names)} FROM dataset_events"
    )


@dataclass
class Manifest:
    """What is stored: the part files, and the source files they were made from."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"format": _FORMAT, "sources": self.sources, "parts": self.parts}


@dataclass(frozen=True, slots=True)
class StagedPart:
    """A part file written to staging for one source file: its partition and row count."""

    origin: str
    year: int
    month: int
    path: Path
    rows: int

    @property
    def partition(self) -> str:
        return f"{self.origin}/year={self.year}/month={self.month}"


class PartitionSet:
    """The Parquet partitions of one store: manifest, staging, commit and cleanup.

    Only one process writes at a time: the import holds the store open for writing, and
    DuckDB lets no other process open it meanwhile.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = self._load()

    def _load(self) -> Manifest:
        path = self.folder / MANIFEST
        if not path.exists():
            return Manifest()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                raise ValueError(f"manifest format {data.get('format')!r}")
            return Manifest(sources=dict(data["sources"]), parts=dict(data["parts"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(Errors.E519, where=str(path), detail=str(exc), folder=str(self.folder)) from exc

    # -- staging ---------------------------------------------------------------------

    def staging(self) -> Path:
        """A fresh staging folder for one import batch."""
        path = self.folder / _STAGING / uuid.uuid4().hex[:12]
        path.mkdir(parents=True)
        return path

    def tidy(self) -> None:
        """Remove the staging folder once nothing is in it."""
        _remove_if_empty(self.folder / _STAGING)

    def cleanup(self) -> int:
        """Remove staging leftovers and part files no manifest names (a crashed import's).

        Returns how many files were removed.
        """
        removed = 0
        staging = self.folder / _STAGING
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        known = set(self.manifest.parts)
        for path in self.folder.glob("*/year=*/month=*/*.parquet"):
            if path.relative_to(self.folder).as_posix() not in known:
                path.unlink(missing_ok=True)
                removed += 1
        for folder in sorted(self.folder.glob("*/year=*/month=*"), reverse=True):
            _remove_if_empty(folder)
        for folder in self.folder.glob("*/year=*"):
            _remove_if_empty(folder)
        if removed:
            log.info("removed %d part files left by an interrupted import", removed)
        return removed

    # -- commit ----------------------------------------------------------------------

    def commit(
        self,
        batch: str,
        staged: Mapping[str, Sequence[StagedPart]],
        sources: Mapping[str, Mapping[str, Any]],
        *,
        forget: Iterable[str] = (),
    ) -> None:
        """Move a batch's staged parts into place and name them in a new manifest.

        ``staged`` maps each source file to its staged parts, ``sources`` to what the manifest
        keeps about it (dataset, fingerprint, rows ...). Sources in ``forget`` (re-imported
        files, or files now stored in the table) lose their earlier rows first: a part file
        made of them alone goes, one shared with other sources is rewritten without them.
        """
        manifest = Manifest(
            sources={k: dict(v) for k, v in self.manifest.sources.items()},
            parts={k: {"rows": v["rows"], "sources": list(v["sources"])} for k, v in self.manifest.parts.items()},
        )
        obsolete: list[Path] = []
        forget_set = set(forget) | (set(staged) & set(manifest.sources))
        if forget_set:
            obsolete += self._forget(manifest, forget_set, batch)
        by_partition: dict[str, list[tuple[str, StagedPart]]] = {}
        for source, parts in staged.items():
            for part in parts:
                by_partition.setdefault(part.partition, []).append((source, part))
        for partition, members in sorted(by_partition.items()):
            rel = f"{partition}/part-{batch}.parquet"
            target = self.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if len(members) == 1:
                os.replace(members[0][1].path, target)
            else:
                _merge([m.path for _, m in members], target)
            manifest.parts[rel] = {
                "rows": sum(m.rows for _, m in members),
                "sources": sorted({s for s, _ in members}),
            }
        for source, meta in sources.items():
            entry = dict(meta)
            entry["parts"] = sorted(rel for rel, info in manifest.parts.items() if source in info["sources"])
            manifest.sources[source] = entry
        self._write(manifest)
        self.manifest = manifest
        for path in obsolete:
            path.unlink(missing_ok=True)
            _remove_if_empty(path.parent)

    def forget(self, sources: Iterable[str]) -> None:
        """Drop the rows of some source files from the partitions (commit of nothing new)."""
        wanted = set(sources) & set(self.manifest.sources)
        if wanted:
            self.commit(uuid.uuid4().hex[:12], {}, {}, forget=wanted)

    def _forget(self, manifest: Manifest, sources: set[str], batch: str) -> list[Path]:
        obsolete: list[Path] = []
        for rel, info in sorted(manifest.parts.items()):
            members = set(info["sources"])
            if not members & sources:
                continue
            old = self.folder / rel
            obsolete.append(old)
            del manifest.parts[rel]
            keep = members - sources
            if not keep:
                continue
            new_rel = f"{rel.rsplit('/', 1)[0]}/part-{batch}-kept-{uuid.uuid4().hex[:6]}.parquet"
            rows = _rewrite_without(old, self.folder / new_rel, sources)
            manifest.parts[new_rel] = {"rows": rows, "sources": sorted(keep)}
        for source in sources:
            manifest.sources.pop(source, None)
        return obsolete

    def _write(self, manifest: Manifest) -> None:
        path = self.folder / MANIFEST
        temporary = path.with_name(f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(manifest.as_json(), handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_folder(self.folder)

    # -- reading -------------------------------------------------------------------------

    def source(self, location: str) -> Mapping[str, Any] | None:
        return self.manifest.sources.get(location)


class PartWriter:
    """Writes one source file's rows into staged part files, one per (origin, year, month).

    Rows are buffered per partition so that row groups are not tiny, with a bound on what
    is held in memory in all.
    """

    ROW_GROUP = 131_072
    MAX_BUFFERED = 196_608

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.schema = arrow_schema()
        self._writers: dict[tuple[str, int, int], pq.ParquetWriter] = {}
        self._buffers: dict[tuple[str, int, int], list[pa.Table]] = {}
        self._buffered: dict[tuple[str, int, int], int] = {}
        self._rows: dict[tuple[str, int, int], int] = {}

    def write(self, table: pa.Table) -> None:
        """Add rows (a table of :func:`arrow_schema`, whose dates are all set)."""
        if table.num_rows == 0:
            return
        table = table.select(self.schema.names)
        if table.schema != self.schema:
            table = table.cast(self.schema)
        origins = table.column("origin")
        if pc.count_distinct(origins).as_py() > 1:  # never from one dataset file; kept correct anyway
            for origin in pc.unique(origins).to_pylist():
                self.write(table.filter(pc.equal(origins, origin)))
            return
        origin = str(origins[0].as_py())
        dates = table.column("date")
        keys = pc.add(pc.multiply(pc.year(dates), 100), pc.month(dates))
        if pc.count_distinct(keys).as_py() == 1:
            key = int(keys[0].as_py())
            self._add((origin, key // 100, key % 100), table)
            return
        # one sort of the keys, then one take per month: every row is copied once, and no
        # month's rows pin the whole batch while they wait in the buffer
        values = keys.to_numpy()
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        cuts = [0, *(np.flatnonzero(np.diff(ordered)) + 1).tolist(), len(ordered)]
        for start, end in itertools.pairwise(cuts):
            key = int(ordered[start])
            self._add((origin, key // 100, key % 100), table.take(pa.array(order[start:end])))

    def _add(self, key: tuple[str, int, int], rows: pa.Table) -> None:
        self._buffers.setdefault(key, []).append(rows)
        self._buffered[key] = self._buffered.get(key, 0) + rows.num_rows
        if self._buffered[key] >= self.ROW_GROUP:
            self._flush(key)
        while sum(self._buffered.values()) > self.MAX_BUFFERED:
            self._flush(max(self._buffered, key=lambda k: self._buffered[k]))

    def _flush(self, key: tuple[str, int, int]) -> None:
        tables = self._buffers.pop(key, [])
        self._buffered.pop(key, None)
        if not tables:
            return
        writer = self._writers.get(key)
        if writer is None:
            origin, year, month = key
            path = self.folder / origin / f"year={year}" / f"month={month}" / "data.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                path, self.schema, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS,
                write_statistics=_STATISTICS_COLUMNS,
            )
            self._writers[key] = writer
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._rows[key] = self._rows.get(key, 0) + table.num_rows

    def finish(self) -> list[StagedPart]:
        """Flush and close every part file; return them."""
        for key in list(self._buffers):
            self._flush(key)
        parts = []
        for key, writer in self._writers.items():
            writer.close()
            origin, year, month = key
            path = self.folder / origin / f"year={year}" / f"month={month}" / "data.parquet"
            fsync_file(path)
            parts.append(StagedPart(origin, year, month, path, self._rows[key]))
        self._writers.clear()
        return sorted(parts, key=lambda p: (p.origin, p.year, p.month))

    def abort(self) -> None:
        """Close and delete everything written."""
        for writer in self._writers.values():
            try:
                writer.close()
            except (OSError, pa.ArrowException):  # the file goes anyway
                log.debug("closing a part writer on abort failed", exc_info=True)
        self._writers.clear()
        self._buffers.clear()
        self._buffered.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def rows(self) -> int:
        return sum(self._rows.values()) + sum(self._buffered.values())


def _merge(paths: Sequence[Path], target: Path) -> None:
    """Concatenate part files of one partition into one file (row groups copied through)."""
    temporary = target.with_name(target.name + ".tmp")
    schema = arrow_schema()
    with pq.ParquetWriter(temporary, schema, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS,
                          write_statistics=_STATISTICS_COLUMNS) as writer:
        pending: list[pa.RecordBatch] = []
        count = 0
        for path in paths:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=PartWriter.ROW_GROUP):
                pending.append(batch)
                count += batch.num_rows
                if count >= PartWriter.ROW_GROUP:
                    writer.write_table(pa.Table.from_batches(pending, schema=schema))
                    pending, count = [], 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending, schema=schema))
    fsync_file(temporary)
    os.replace(temporary, target)
    for path in paths:
        path.unlink(missing_ok=True)


def _rewrite_without(old: Path, new: Path, sources: set[str]) -> int:
    """Copy a part file without the rows of some source files; return the rows kept."""
    schema = arrow_schema()
    temporary = new.with_name(new.name + ".tmp")
    kept = 0
    drop = pa.array(sorted(sources), pa.string())
    with pq.ParquetWriter(temporary, schema, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS,
                          write_statistics=_STATISTICS_COLUMNS) as writer:
        for batch in pq.ParquetFile(old).iter_batches(batch_size=PartWriter.ROW_GROUP):
            table = pa.Table.from_batches([batch]).cast(schema)
            table = table.filter(pc.invert(pc.is_in(table.column("source_file"), value_set=drop)))
            if table.num_rows:
                writer.write_table(table)
                kept += table.num_rows
    fsync_file(temporary)
    os.replace(temporary, new)
    return kept


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):  # not empty, or gone
        folder.rmdir()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
