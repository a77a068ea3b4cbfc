"""The dashboard's reads: parameterised SQL over a snapshot cursor, returning plain rows.

Every value from a request goes in as a parameter (``?``); only whitelisted words (a period
unit, a column list built here) are ever put into the SQL text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from dyadwatch.store.duckdb_store import event_filters

__all__ = [
    "DocFilters",
    "EventFilters",
    "count_events",
    "document",
    "document_events",
    "documents",
    "dyad_series",
    "event",
    "events",
    "histogram",
    "sentences",
]

EVENT_FIELDS = (
    "event_id", "origin", "date", "source_country", "source_sector", "source_actor", "source_name",
    "target_country", "target_sector", "target_actor", "target_name", "cameo_code", "plover_type",
    "goldstein", "quad_class", "negated", "modality", "doc_id", "sentence_idx", "sentence", "coder",
    "rule", "confidence", "url", "publisher",
)
_EVENT_SELECT = ", ".join(f'"{name}"' for name in EVENT_FIELDS)
UNITS = {"week": "week", "month": "month", "quarter": "quarter", "year": "year"}


@dataclass(frozen=True, slots=True)
class EventFilters:
    """The filters of the events table (all optional); hashable, so results can be cached."""

    dyad: tuple[str, str] | None = None
    undirected: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    code: str | None = None
    quad_class: int | None = None
    origin: str | None = None
    coder: str | None = None
    review: str | None = None  # "unreviewed" or "reviewed": whether a correction judges the event

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = event_filters(date_from=self.date_from, date_to=self.date_to)
        if self.dyad is not None:
            source, target = self.dyad
            forward = f"({_side('source', source)} AND {_side('target', target)})"
            if self.undirected:
                backward = f"({_side('source', target)} AND {_side('target', source)})"
                clauses.append(f"({forward} OR {backward})")
                params += [source, target, target, source]
            else:
                clauses.append(forward)
                params += [source, target]
        if self.code:
            clauses.append("starts_with(cameo_code, ?)")
            params.append(self.code)
        if self.quad_class is not None:
            clauses.append("quad_class = ?")
            params.append(int(self.quad_class))
        if self.origin:
            clauses.append("origin = ?")
            params.append(self.origin)
        if self.coder:
            clauses.append("split_part(coder, ' ', 1) = ?")
            params.append(self.coder)
        if self.review == "unreviewed":
            clauses.append("event_id NOT IN (SELECT event_id FROM corrections)")
        elif self.review == "reviewed":
            clauses.append("event_id IN (SELECT event_id FROM corrections)")
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def query_string(self) -> dict[str, str]:
        """The filters as URL parameters (for links and exports)."""
        out: dict[str, str] = {}
        if self.dyad:
            out["dyad"] = "-".join(self.dyad)
        if self.undirected:
            out["undirected"] = "true"
        for name in ("date_from", "date_to", "code", "origin", "coder"):
            value = getattr(self, name)
            if value:
                out[name] = str(value)
        if self.quad_class is not None:
            out["quad"] = str(self.quad_class)
        if self.review:
            out["review"] = self.review
        return out


def _side(role: str, code: str) -> str:
    """The condition for one side of a dyad, with one ``?``.

    The same as the store's ``event_filters`` (a country code or an actor id), but a country
    code is upper case and an actor id lower case (the dictionary enforces both), so only the
    column that can match is compared: a plain equality lets DuckDB skip row groups.
    """
    if code.isupper():
        return f"{role}_country = ?"
    if code.islower():
        return f"{role}_actor = ?"
    return f"list_contains([{role}_country, {role}_actor], ?)"


@dataclass(frozen=True, slots=True)
class DocFilters:
    publisher: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.publisher:
            clauses.append("d.publisher = ?")
            params.append(self.publisher)
        if self.date_from:
            clauses.append("d.published >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("d.published <= ?")
            params.append(self.date_to)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def clean(value: Any) -> Any:
    """A value fit for JSON: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    return [{k: clean(v) for k, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


# -- events ------------------------------------------------------------------------------


def events(con: duckdb.DuckDBPyConnection, filters: EventFilters, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of events, newest first."""
    where, params = filters.where()
    cursor = con.execute(
        f"SELECT {_EVENT_SELECT} FROM web_events {where} ORDER BY date DESC NULLS LAST, event_id LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)],
    )
    return _rows(cursor)


def count_events(con: duckdb.DuckDBPyConnection, filters: EventFilters) -> int:
    where, params = filters.where()
    return int(con.execute(f"SELECT count(*) FROM web_events {where}", params).fetchall()[0][0])


def iter_events(con: duckdb.DuckDBPyConnection, filters: EventFilters, *, batch: int = 5_000) -> Any:
    """Every matching event, oldest first, in batches of dicts (for exports)."""
    where, params = filters.where()
    cursor = con.execute(f"SELECT {_EVENT_SELECT} FROM web_events {where} ORDER BY date NULLS LAST, event_id", params)
    names = [d[0] for d in cursor.description or ()]
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        yield [{k: clean(v) for k, v in zip(names, row, strict=True)} for row in rows]


def event(con: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any] | None:
    found = _rows(con.execute(f"SELECT {_EVENT_SELECT}, spans FROM web_events WHERE event_id = ? LIMIT 1", [event_id]))
    return found[0] if found else None


def histogram(con: duckdb.DuckDBPyConnection, filters: EventFilters, *, unit: str = "month") -> list[dict[str, Any]]:
    """Events per period and quad class."""
    where, params = filters.where()
    extra = "date IS NOT NULL"
    where = f"{where} AND {extra}" if where else f"WHERE {extra}"
    cursor = con.execute(
        f"SELECT CAST(date_trunc('{UNITS[unit]}', date) AS DATE) AS period, quad_class, count(*) AS events "
        f"FROM web_events {where} GROUP BY ALL ORDER BY period, quad_class",
        params,
    )
    return _rows(cursor)


def dyad_series(
    con: duckdb.DuckDBPyConnection, filters: EventFilters, *, unit: str = "month"
) -> list[dict[str, Any]]:
    """Per source (origin) and period: events, mean Goldstein, share of cooperation (quad 1-2)."""
    where, params = filters.where()
    extra = "date IS NOT NULL"
    where = f"{where} AND {extra}" if where else f"WHERE {extra}"
    cursor = con.execute(
        f"SELECT origin, CAST(date_trunc('{UNITS[unit]}', date) AS DATE) AS period, count(*) AS events, "
        "avg(goldstein) AS goldstein_mean, avg(CASE WHEN quad_class IN (1, 2) THEN 1.0 "
        "WHEN quad_class IN (3, 4) THEN 0.0 END) AS cooperation_share "
        f"FROM web_events {where} GROUP BY ALL ORDER BY origin, period",
        params,
    )
    return _rows(cursor)


def facet(con: duckdb.DuckDBPyConnection, column: str, *, limit: int = 50) -> list[str]:
    """The most common values of a filter column (origins, coders, publishers), for the forms."""
    if column == "origin":
        sql = "SELECT origin FROM web_events GROUP BY 1 ORDER BY count(*) DESC LIMIT ?"
    elif column == "coder":
        sql = (
            "SELECT split_part(coder, ' ', 1) FROM events WHERE coder IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT ?"
        )
    elif column == "publisher":
        sql = "SELECT publisher FROM documents WHERE publisher IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT ?"
    else:
        raise ValueError(f"column must be origin, coder or publisher. Got {column!r} instead.")
    return [str(r[0]) for r in con.execute(sql, [limit]).fetchall() if r[0] is not None]


# -- documents --------------------------------------------------------------------------


def documents(con: duckdb.DuckDBPyConnection, filters: DocFilters, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    where, params = filters.where()
    total = int(con.execute(f"SELECT count(*) FROM documents d {where}", params).fetchall()[0][0])
    cursor = con.execute(
        "SELECT d.doc_id, d.title, d.published, d.publisher, d.url, d.source_kind, d.language, "
        "coalesce(e.n, 0) AS events FROM ("
        f" SELECT * FROM documents d {where} ORDER BY d.published DESC NULLS LAST, d.doc_id LIMIT ? OFFSET ?"
        ") d LEFT JOIN (SELECT doc_id, count(*) AS n FROM events WHERE doc_id IS NOT NULL GROUP BY doc_id) e "
        "USING (doc_id) ORDER BY d.published DESC NULLS LAST, d.doc_id",
        [*params, int(limit), int(offset)],
    )
    return total, _rows(cursor)


def document(con: duckdb.DuckDBPyConnection, doc_id: str) -> dict[str, Any] | None:
    found = _rows(
        con.execute(
            "SELECT doc_id, title, published, publisher, url, source_kind, language, author, "
            "(SELECT count(*) FROM events WHERE doc_id = ?) AS events FROM documents WHERE doc_id = ?",
            [doc_id, doc_id],
        )
    )
    return found[0] if found else None


def sentences(con: duckdb.DuckDBPyConnection, doc_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute("SELECT idx, paragraph, text FROM sentences WHERE doc_id = ? ORDER BY idx", [doc_id]))


def document_events(con: duckdb.DuckDBPyConnection, doc_id: str) -> list[dict[str, Any]]:
    rows = _rows(
        con.execute(
            f"SELECT {_EVENT_SELECT}, CAST(spans AS VARCHAR) AS spans FROM events WHERE doc_id = ? "
            "ORDER BY sentence_idx, event_id",
            [doc_id],
        )
    )
    for row in rows:
        row["spans"] = parse_spans(row.get("spans"))
    return rows


def documents_by_id(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not doc_ids:
        return {}
    rows = _rows(
        con.execute(
            "SELECT doc_id, title, published, publisher FROM documents WHERE list_contains(?, doc_id)",
            [list(doc_ids)],
        )
    )
    return {row["doc_id"]: row for row in rows}


def parse_spans(raw: Any) -> dict[str, tuple[int, int]]:
    """The source, verb and target spans of an event (other keys are left out), if well formed."""
    if not raw:
        return {}
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    spans: dict[str, tuple[int, int]] = {}
    if isinstance(data, dict):
        for role in ("source", "verb", "target"):
            value = data.get(role)
            if (
                isinstance(value, list | tuple) and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                and 0 <= value[0] < value[1]
            ):
                spans[role] = (int(value[0]), int(value[1]))
    return spans


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    row = con.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM web_events), (SELECT count(*) FROM corrections)"
    ).fetchall()[0]
    return {"documents": int(row[0]), "events": int(row[1]), "corrections": int(row[2])}


def count_corrections(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM corrections").fetchall()[0][0])
