"""Writing and reading reviewers' corrections (the ``corrections`` table).

A correction judges one event: ``accept``, ``correct`` (with ``changes``: field -> new value)
or ``reject``. Corrections are only ever added, never updated: the coder's event stays as it
was, and the latest correction of an event is the one that counts (``dyadwatch evaluate
--corrections`` reads them as gold). Adding is idempotent on ``correction_id``, so a journal
replayed twice stores each correction once.

>>> import datetime as dt
>>> from dyadwatch.store import Store
>>> store = Store(":memory:")
>>> record = Correction("c1", "e1", "accept", {}, "ana", None, dt.datetime(2024, 5, 1, 12, 0))
>>> add_corrections(store, [record, record])
1
>>> add_corrections(store, [record])
0
>>> [c.reviewer for c in read_corrections(store.con)]
['ana']
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from dyadwatch.store.duckdb_store import Store, _unregister

__all__ = ["Correction", "add_corrections", "latest_corrections", "read_corrections"]


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer's judgement of one event, as stored."""

    correction_id: str
    event_id: str
    action: str
    changes: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    reviewer: str = ""
    note: str | None = None
    created_at: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (the journal's and the export's line)."""
        return {
            "correction_id": self.correction_id,
            "event_id": self.event_id,
            "action": self.action,
            "changes": dict(self.changes),
            "reviewer": self.reviewer,
            "note": self.note,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Correction:
        created = data.get("created_at")
        return cls(
            correction_id=str(data["correction_id"]),
            event_id=str(data["event_id"]),
            action=str(data["action"]),
            changes=dict(data.get("changes") or {}),
            reviewer=str(data.get("reviewer") or ""),
            note=data.get("note"),
            created_at=dt.datetime.fromisoformat(created) if created else None,
        )


def add_corrections(store: Store, corrections: Sequence[Correction]) -> int:
    """Insert the corrections whose id is not stored yet, in one transaction; return how many."""
    if not corrections:
        return 0
    table = pa.table(
        {
            "correction_id": pa.array([c.correction_id for c in corrections], pa.string()),
            "event_id": pa.array([c.event_id for c in corrections], pa.string()),
            "action": pa.array([c.action for c in corrections], pa.string()),
            "changes": pa.array(
                [json.dumps(dict(c.changes), sort_keys=True) if c.changes else None for c in corrections],
                pa.string(),
            ),
            "reviewer": pa.array([c.reviewer for c in corrections], pa.string()),
            "note": pa.array([c.note for c in corrections], pa.string()),
            "created_at": pa.array([_naive_utc(c.created_at) for c in corrections], pa.timestamp("us")),
        }
    )
    with store.transaction() as con:
        con.register("_corrections", table)
        try:
            before = _count(con)
            con.execute(
                "INSERT INTO corrections SELECT correction_id, event_id, action, CAST(changes AS JSON), "
                "reviewer, note, created_at FROM (SELECT DISTINCT ON (correction_id) * FROM _corrections) n "
                "WHERE NOT EXISTS (SELECT 1 FROM corrections c WHERE c.correction_id = n.correction_id)"
            )
            return _count(con) - before
        finally:
            _unregister(con, "_corrections")


def read_corrections(
    con: duckdb.DuckDBPyConnection, *, event_id: str | None = None, limit: int | None = None
) -> list[Correction]:
    """Corrections, newest first (optionally of one event)."""
    sql = (
        "SELECT correction_id, event_id, action, CAST(changes AS VARCHAR), reviewer, note, created_at "
        "FROM corrections"
    )
    params: list[Any] = []
    if event_id is not None:
        sql += " WHERE event_id = ?"
        params.append(event_id)
    sql += " ORDER BY created_at DESC, correction_id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_record(row) for row in con.execute(sql, params).fetchall()]


def latest_corrections(con: duckdb.DuckDBPyConnection, event_ids: Sequence[str]) -> dict[str, Correction]:
    """The latest correction of each of these events that has one."""
    if not event_ids:
        return {}
    rows = con.execute(
        "SELECT correction_id, event_id, action, CAST(changes AS VARCHAR), reviewer, note, created_at FROM ("
        " SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY created_at DESC, correction_id DESC) AS r"
        " FROM corrections WHERE list_contains(?, event_id)) WHERE r = 1",
        [list(event_ids)],
    ).fetchall()
    return {row[1]: _record(row) for row in rows}


def _record(row: Sequence[Any]) -> Correction:
    changes = json.loads(row[3]) if row[3] else {}
    return Correction(
        correction_id=row[0], event_id=row[1], action=row[2],
        changes=changes if isinstance(changes, dict) else {}, reviewer=row[4], note=row[5], created_at=row[6],
    )


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM corrections").fetchall()[0][0])


def _naive_utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
