"""Measures of a dyad over time, aggregated in DuckDB from the store's events.

Aggregation is split in two so that it scales out: :func:`partial_aggregates` runs one SQL
query over a relation (the store's ``all_events`` view, or ``read_parquet('part-*.parquet')``
for one partition) and returns only *additive* columns — counts and sums per dyad, period and
origin. Partials from disjoint partitions can be concatenated; :func:`finalise` sums them and
derives the ratios (cooperation share, Goldstein mean, counts per 1,000 events of the source).

What counts:

* Own-coded events (origin ``dyadwatch``) count once per story: the copies of one wire story
  (the store's ``story_group``) that yield the same event — same date, actors and CAMEO code —
  count as one. Dataset rows count as the dataset gives them. (Deduplication happens inside
  one partition: own coding lives in the store's events table, never split.)
* Negated events and events that are not asserted (intended, threatened, conditional) are left
  out unless the study sets ``include_negated = true`` / ``asserted_only = false``; reported
  events count.
* A dyad side matches an event side whose country code (``source_country``) or dictionary id
  (``source_actor``) is one of its codes, so ``RUS`` matches every Russian actor and
  ``taliban`` the Taliban alone. An undirected dyad counts both directions, each event once.

>>> import duckdb, datetime as dt
>>> from dyadwatch.study.spec import Dyad, MeasureDef, StudySpec
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE ev AS SELECT * FROM (VALUES "
...     "('dyadwatch', DATE '2021-01-05', 'RUS', 'rus', 'AFG', 'taliban', '043', 1, 2.8, 'g1', 'e1'), "
...     "('dyadwatch', DATE '2021-01-05', 'RUS', 'rus', 'AFG', 'taliban', '043', 1, 2.8, 'g1', 'e2'), "
...     "('dyadwatch', DATE '2021-02-09', 'AFG', 'taliban', 'RUS', 'rus', '190', 4, -10.0, 'g2', 'e3')"
...     ") t(origin, date, source_country, source_actor, target_country, target_actor, cameo_code, "
...     "quad_class, goldstein, story_group, event_id)")
>>> spec = StudySpec(title="t", start=dt.date(2021, 1, 1), end=dt.date(2021, 3, 31), unit="month",
...     dyads=(Dyad("RUS-TAL", ("RUS",), ("taliban",), undirected=True),),
...     measures=(MeasureDef("cooperation", "count", "", quad=(1, 2)),))
>>> finalise(partial_aggregates(con, "ev", spec), spec)[["period", "value", "n_events"]].to_string(index=False)
'    period  value  n_events\\n2021-01-01    1.0         1\\n2021-02-01    0.0         1\\n2021-03-01    0.0         0'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd

from dyadwatch.store.sql import sql_literal
from dyadwatch.study.spec import Dyad, MeasureDef, StudySpec

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ADDITIVE",
    "ANY",
    "VOLUME",
    "compute_measures",
    "dyad_condition",
    "filter_conditions",
    "finalise",
    "measure_condition",
    "measure_column",
    "partial_aggregates",
    "to_polars",
    "venue_pattern",
    "wide",
]

VOLUME = "*"  # the dyad name of the rows holding every event of the source in the period
ANY = "+"  # the dyad name of the rows holding the events of any of the study's dyads (each once)
ADDITIVE = (
    "n_events", "n_quad1", "n_quad2", "n_quad3", "n_quad4", "goldstein_sum", "goldstein_n", "coop_goldstein_sum",
)
_COLUMNS = (
    "origin", "date", "source_country", "source_actor", "target_country", "target_actor", "cameo_code",
    "quad_class", "goldstein",
)


def _in(column: str, codes: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(sql_literal(c) for c in codes)})"


def _side(prefix: str, codes: Sequence[str]) -> str:
    countries = [c for c in codes if c.isupper()]
    actors = [c for c in codes if not c.isupper()]
    parts = []
    if countries:
        parts.append(_in(f"{prefix}_country", countries))
    if actors:
        parts.append(_in(f"{prefix}_actor", actors))
    return "(" + " OR ".join(parts or ["false"]) + ")"


def dyad_condition(dyad: Dyad) -> str:
    """The SQL condition selecting a dyad's events (codes come validated from the study file)."""
    forward = f"({_side('source', dyad.source)} AND {_side('target', dyad.target)})"
    if not dyad.undirected:
        return forward
    backward = f"({_side('source', dyad.target)} AND {_side('target', dyad.source)})"
    return f"({forward} OR {backward})"


def filter_conditions(spec: StudySpec) -> list[str]:
    """Conditions every counted event meets: the period, the sources, negation and modality."""
    clauses = [f"date >= DATE '{spec.start.isoformat()}'", f"date <= DATE '{spec.end.isoformat()}'"]
    if spec.sources != ("all",):
        clauses.append(_in("origin", spec.sources))
    if not spec.include_negated:
        clauses.append("NOT coalesce(negated, false)")
    if spec.asserted_only:
        clauses.append("coalesce(modality, 'asserted') IN ('asserted', 'reported')")
    return clauses


def venue_pattern(venue: str) -> str:
    """A regular expression for the names of a venue (actor id) in a sentence, from the dictionary."""
    names: list[str] = []
    try:
        from dyadwatch.actors import ActorDictionary

        dictionary = ActorDictionary.load()
        if venue in dictionary:
            names = [dictionary[venue].name] + [a.text for a in dictionary.aliases_of(venue)]
    except Exception:  # noqa: BLE001 - a broken dictionary must not stop a count; actor ids still match
        names = []
    names = sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True)
    if not names:
        return ""
    return r"\b(" + "|".join(re.escape(n) for n in names) + r")\b"


def measure_condition(measure: MeasureDef, *, with_text: bool = True) -> str | None:
    """The SQL condition selecting the events a count measure counts (None: every event).

    A venue matches an event whose source or target is the venue, or (``with_text``) whose
    evidence sentence names it.
    """
    parts = []
    if measure.codes:
        parts.append("(" + " OR ".join(f"starts_with(cameo_code, {sql_literal(c)})" for c in measure.codes) + ")")
    if measure.quad:
        parts.append(_in("quad_class", [str(q) for q in measure.quad]).replace("'", ""))
    if measure.venue:
        about = f"source_actor = {sql_literal(measure.venue)} OR target_actor = {sql_literal(measure.venue)}"
        pattern = venue_pattern(measure.venue)
        if pattern and with_text:
            about += f" OR regexp_matches(coalesce(sentence, ''), {sql_literal(pattern)})"
        parts.append(f"({about})")
    return " AND ".join(parts) if parts else None


def measure_column(measure: MeasureDef) -> str | None:
    """The partial column a count measure reads (None for derived or frame measures)."""
    if measure.kind == "frame":
        return None
    if measure.normalised:
        return None
    simple = {"events": "n_events", "quad1": "n_quad1", "quad2": "n_quad2", "quad3": "n_quad3", "quad4": "n_quad4"}
    if measure.name in simple:
        return simple[measure.name]
    if measure.kind == "count":
        return "m_" + re.sub(r"[^a-z0-9]+", "_", measure.name.lower())
    return None


def _count_measures(spec: StudySpec) -> dict[str, MeasureDef]:
    """The extra count columns the partials need, by column name."""
    out: dict[str, MeasureDef] = {}
    for measure in spec.measures:
        column = measure_column(measure)
        if column and column.startswith("m_"):
            out[column] = measure
    return out


def partial_aggregates(con: duckdb.DuckDBPyConnection, relation: str, spec: StudySpec) -> pd.DataFrame:
    """Additive counts and sums per (dyad, period, origin) over ``relation``, in one query.

    ``relation`` is a table or view name (``all_events``) or a table expression such as
    ``read_parquet('events/*.parquet')``; it needs the event columns of DESIGN.md (``story_group``,
    ``event_id``, ``negated``, ``modality`` and ``sentence`` where present). The rows with dyad
    ``"*"`` hold every event of the source in the period: the volume that normalised counts
    divide by; those with dyad ``"+"`` the events of any of the study's dyads, each once.
    """
    available = _relation_columns(con, relation)
    counts = _count_measures(spec)
    needs_sentence = any(m.venue for m in counts.values()) and "sentence" in available
    columns = list(_COLUMNS) + (["sentence"] if needs_sentence else [])
    select = ", ".join(columns)
    where = filter_conditions(spec)
    where = [c for c in where if _uses_available(c, available)]
    where_sql = " AND ".join(where)
    if "story_group" in available and "event_id" in available:
        key = "coalesce(story_group, " + ("doc_id, " if "doc_id" in available else "") + "event_id)"
        base = (
            f"SELECT {select} FROM {relation} WHERE {where_sql} AND origin <> 'dyadwatch' "
            f"UNION ALL SELECT {select} FROM {relation} WHERE {where_sql} AND origin = 'dyadwatch' "
            f"QUALIFY row_number() OVER (PARTITION BY {key}, date, source_country, source_actor, "
            "target_country, target_actor, cameo_code ORDER BY event_id) = 1"
        )
    else:
        base = f"SELECT {select} FROM {relation} WHERE {where_sql}"
    unit = {"week": "week", "month": "month", "quarter": "quarter"}[spec.unit]
    aggregates = [
        "count(*) AS n_events",
        *(f"count(*) FILTER (WHERE quad_class = {q}) AS n_quad{q}" for q in (1, 2, 3, 4)),
        "coalesce(sum(goldstein), 0) AS goldstein_sum",
        "count(goldstein) AS goldstein_n",
        "coalesce(sum(goldstein) FILTER (WHERE quad_class IN (1, 2)), 0) AS coop_goldstein_sum",
    ]
    for column, measure in counts.items():
        condition = measure_condition(measure, with_text=needs_sentence)
        aggregates.append(f"count(*) FILTER (WHERE {condition or 'true'}) AS {column}")
    # One scan: each event gets a bit mask of the dyads it belongs to (dyads may overlap:
    # RUS-AFG holds RUS-taliban), the scan groups by period, origin and mask, and the few
    # groups are spread over the dyads here. Up to 62 dyads per query; more run in chunks.
    frames = []
    dyads = list(spec.dyads)
    for first in range(0, max(len(dyads), 1), 62):
        chunk = dyads[first:first + 62]
        mask = " + ".join(f"(CASE WHEN {dyad_condition(d)} THEN {1 << i} ELSE 0 END)" for i, d in enumerate(chunk)) or "0"
        sql = (
            f"WITH base AS ({base}) "
            f"SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, origin, CAST({mask} AS BIGINT) AS mask, "
            f"{', '.join(aggregates)} FROM base GROUP BY ALL"
        )
        grouped = con.execute(sql).df()
        numeric = [c for c in grouped.columns if c not in ("period", "origin", "mask")]
        masks = grouped["mask"].to_numpy(dtype="int64")
        for i, dyad in enumerate(chunk):
            rows = grouped[(masks & (1 << i)) != 0]
            part = rows.groupby(["period", "origin"], as_index=False)[numeric].sum()
            part.insert(0, "dyad", dyad.name)
            frames.append(part)
        if first == 0:
            for name, rows in ((VOLUME, grouped), (ANY, grouped[masks != 0])):
                part = rows.groupby(["period", "origin"], as_index=False)[numeric].sum()
                part.insert(0, "dyad", name)
                frames.append(part)
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if column not in ("dyad", "period", "origin"):
            frame[column] = frame[column].astype("float64" if "goldstein_sum" in column else "int64")
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def _relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    rows = con.execute(f"SELECT * FROM {relation} LIMIT 0").description or []
    return {r[0] for r in rows}


def _uses_available(condition: str, available: set[str]) -> bool:
    for column in ("negated", "modality", "origin"):
        if column in condition and column not in available:
            return False
    return True


def finalise(partials: pd.DataFrame, spec: StudySpec, *, origin: str | None = None) -> pd.DataFrame:
    """Sum the partials and derive every measure of the study: a long frame with the columns
    dyad, origin, period, measure, value, n_events (one row per dyad, measure and period of
    the study; periods without events hold 0 for counts and sums, null for means and shares).

    Frame measures are not derived here (they come from sentences, not events): see
    :func:`dyadwatch.study.frames.frame_shares`.
    """
    label = origin or ("all" if spec.sources == ("all",) else "+".join(spec.sources))
    periods = spec.periods()
    numeric = [c for c in partials.columns if c not in ("dyad", "period", "origin")]
    if partials.empty:
        summed = pd.DataFrame(columns=["dyad", "period", *numeric])
    else:
        summed = partials.groupby(["dyad", "period"], as_index=False)[numeric].sum()
    volume = summed[summed["dyad"] == VOLUME].set_index("period")["n_events"].reindex(periods, fill_value=0)
    counts = _count_measures(spec)
    rows: list[pd.DataFrame] = []
    for dyad in spec.dyads:
        part = summed[summed["dyad"] == dyad.name].set_index("period").reindex(periods)
        part = part.drop(columns=["dyad"], errors="ignore")
        for column in numeric:
            if column not in part:
                part[column] = 0
        part = part.fillna(0)
        n = part["n_events"].to_numpy(dtype="float64")
        for measure in spec.measures:
            if measure.kind == "frame":
                continue
            value = _derive(measure, part, n, volume.to_numpy(dtype="float64"), counts)
            rows.append(pd.DataFrame({
                "dyad": dyad.name, "origin": label, "period": periods, "measure": measure.name,
                "value": value, "n_events": n.astype("int64"),
            }))
    if not rows:
        return pd.DataFrame(columns=["dyad", "origin", "period", "measure", "value", "n_events"])
    return pd.concat(rows, ignore_index=True)


def _derive(
    measure: MeasureDef, part: pd.DataFrame, n: np.ndarray, volume: np.ndarray, counts: dict[str, MeasureDef]
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure.normalised:
            base = _base_counts(measure, part, counts)
            return np.where(volume > 0, 1000.0 * base / np.where(volume > 0, volume, 1), np.nan)
        if measure.name == "goldstein_sum":
            return part["goldstein_sum"].to_numpy(dtype="float64")
        if measure.name == "cooperation_goldstein":
            return part["coop_goldstein_sum"].to_numpy(dtype="float64")
        if measure.name == "goldstein_mean":
            g = part["goldstein_n"].to_numpy(dtype="float64")
            return np.where(g > 0, part["goldstein_sum"].to_numpy(dtype="float64") / np.where(g > 0, g, 1), np.nan)
        if measure.name == "cooperation_share":
            coop = (part["n_quad1"] + part["n_quad2"]).to_numpy(dtype="float64")
            return np.where(n > 0, coop / np.where(n > 0, n, 1), np.nan)
        if measure.name == "cooperation":
            return (part["n_quad1"] + part["n_quad2"]).to_numpy(dtype="float64")
        if measure.name == "conflict":
            return (part["n_quad3"] + part["n_quad4"]).to_numpy(dtype="float64")
        return _base_counts(measure, part, counts)


def _base_counts(measure: MeasureDef, part: pd.DataFrame, counts: dict[str, MeasureDef]) -> np.ndarray:
    name = measure.base or measure.name
    if name == "cooperation":
        return (part["n_quad1"] + part["n_quad2"]).to_numpy(dtype="float64")
    if name == "conflict":
        return (part["n_quad3"] + part["n_quad4"]).to_numpy(dtype="float64")
    for column, definition in counts.items():
        if definition.name == name:
            return part[column].to_numpy(dtype="float64")
    simple = {"events": "n_events", "quad1": "n_quad1", "quad2": "n_quad2", "quad3": "n_quad3", "quad4": "n_quad4"}
    return part[simple.get(name, "n_events")].to_numpy(dtype="float64")


def compute_measures(con: duckdb.DuckDBPyConnection, spec: StudySpec, relation: str = "all_events") -> pd.DataFrame:
    """Partials and finalise in one call: the study's measures over one relation."""
    return finalise(partial_aggregates(con, relation, spec), spec)


def wide(long: pd.DataFrame) -> pd.DataFrame:
    """The long measures frame as one row per (dyad, period) and one column per measure."""
    table = long.pivot_table(index=["dyad", "period"], columns="measure", values="value", aggfunc="first", dropna=False)
    table.columns.name = None
    return table.reset_index()


def to_polars(frame: pd.DataFrame) -> pl.DataFrame:
    """A measures frame as a polars DataFrame (through Arrow, so dates stay dates)."""
    import polars as pl
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    return result


def day(value: Any) -> dt.date:
    """A period cell (date, Timestamp or ISO string) as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
