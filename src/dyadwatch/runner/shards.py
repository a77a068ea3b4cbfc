"""Run folders and shards: where workers put their results until the commit step takes them.

A run that goes through a parallel runner gets a folder beside the store::

    dyadwatch.duckdb.runs/<run_id>/
      batch-000000.parquet      one worker's result for one batch (written to a temporary
      batch-000001.parquet      name, then renamed: a shard is complete or absent)
      committed.txt             the batches already brought into the store, one per line

The commit step (in the process that holds the store) reads each finished shard and stores
it in one transaction per batch, with keys that make a second commit of the same batch
change nothing (document ids hash the text; event ids hash the evidence). A worker lost
mid-batch leaves no shard, or a temporary file that is ignored; the task runs again
elsewhere and rewrites the same shard. When the run ends the folder goes; a folder left by
a crashed run is removed by the next run on the same store (the store's write lock means
no other run can be using it).

For a cluster, the folder must be on storage every worker and the committing process see
(``runs_dir`` / ``--runs-dir``, e.g. on the cluster's shared file system).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dyadwatch.errors import Errors
from dyadwatch.records import Event
from dyadwatch.runner.base import RunnerError
from dyadwatch.store.schema import EVENT_COLUMNS

__all__ = ["RunFolder", "events_from_table", "events_table", "read_shard", "write_shard"]

_LEDGER = "committed.txt"
_EVENT_FIELDS = {f.name for f in dataclasses.fields(Event)}
_TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(), "goldstein": pa.float64(), "quad_class": pa.int8(), "negated": pa.bool_(),
    "latitude": pa.float64(), "longitude": pa.float64(), "sentence_idx": pa.int32(), "confidence": pa.float64(),
}
EVENT_SCHEMA = pa.schema(
    [pa.field(name, _TYPES.get(name, pa.string())) for name, _ in EVENT_COLUMNS if name != "run_id"]
)


class RunFolder:
    """The shards of one run, beside the store (or under ``runs_dir``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, store_path: str, run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> RunFolder:
        """A fresh folder for ``run_id``; leftovers of earlier (crashed) runs of this store go."""
        base = Path(runs_dir) if runs_dir else _default_base(store_path)
        base.mkdir(parents=True, exist_ok=True)
        for old in base.iterdir():
            if old.is_dir() and old.name != run_id and (old / ".dyadwatch-run").exists():
                shutil.rmtree(old, ignore_errors=True)
        folder = base / run_id
        folder.mkdir(exist_ok=True)
        (folder / ".dyadwatch-run").write_text(store_path + "\n", encoding="utf-8")
        return cls(folder)

    def shard(self, batch: int, kind: str = "batch") -> Path:
        return self.path / f"{kind}-{batch:06d}.parquet"

    def committed(self) -> set[int]:
        ledger = self.path / _LEDGER
        if not ledger.exists():
            return set()
        return {int(line) for line in ledger.read_text(encoding="utf-8").split() if line.strip().isdigit()}

    def mark_committed(self, batch: int) -> None:
        with (self.path / _LEDGER).open("a", encoding="utf-8") as handle:
            handle.write(f"{batch}\n")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        base = self.path.parent
        if base.exists() and not any(base.iterdir()):
            base.rmdir()


def _default_base(store_path: str) -> Path:
    if store_path == ":memory:":
        return Path(tempfile.gettempdir()) / "dyadwatch-memory.runs"
    return Path(store_path + ".runs")


def write_shard(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write ``table`` at ``path`` atomically: a temporary name in the same folder, then a rename."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def read_shard(path: str | os.PathLike[str]) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise RunnerError(Errors.E808, path=str(path), detail=str(exc).splitlines()[0],
                          folder=str(Path(path).parent)) from exc


def events_table(events: Sequence[Event]) -> pa.Table:
    """Events as an Arrow table (the event columns without ``run_id``; spans as JSON).

    >>> import datetime as dt
    >>> e = Event(event_id="e1", origin="dyadwatch", date=dt.date(2021, 10, 20), cameo_code="043",
    ...           spans={"verb": (6, 12)})
    >>> events_from_table(events_table([e])) == [e], events_from_table(events_table([e]))[0].spans
    (True, {'verb': (6, 12)})
    """
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_SCHEMA.names}
    for event in events:
        for name in EVENT_SCHEMA.names:
            if name == "spans":
                spans = event.spans
                columns[name].append(json.dumps({k: list(v) for k, v in spans.items()}) if spans else None)
            else:
                columns[name].append(getattr(event, name))
    return pa.table({name: pa.array(values, EVENT_SCHEMA.field(name).type) for name, values in columns.items()},
                    schema=EVENT_SCHEMA)


def events_from_table(table: pa.Table) -> list[Event]:
    """The events of a shard written by :func:`events_table`."""
    events = []
    for row in table.to_pylist():
        spans = row.pop("spans", None)
        values = {k: v for k, v in row.items() if k in _EVENT_FIELDS}
        if isinstance(values.get("date"), dt.datetime):
            values["date"] = values["date"].date()
        values["spans"] = {k: (int(v[0]), int(v[1])) for k, v in json.loads(spans).items()} if spans else {}
        events.append(Event(**values))
    return events
