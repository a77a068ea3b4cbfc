"""``dyadwatch compare``: one dyad measured by several sources side by side.

For each source (``origin``: own coding ``dyadwatch``, ``gdelt1``, ``gdelt2``, ``icews`` ...) and
period: the events, the stories they come from, the stories per quad class, and the Goldstein sum
and mean; with GDELT's mentions, sources and articles, and ACLED/UCDP fatalities, summed.

GDELT's known duplication is handled by counting a story once: events are grouped into *units*,
one per story and quad class, where a story is the event's ``story_group`` if it has one (own
coding's near-duplicate groups, ICEWS story ids), else its source URL (GDELT's SOURCEURL), else
the event itself. A unit's Goldstein score is the mean over its events; the quad-class counts,
``stories`` and the Goldstein columns are over units, ``events`` over rows.

>>> import dyadwatch
>>> with dyadwatch.open(":memory:") as lib:
...     compare(lib.store, ("RUS", "AFG")).columns.tolist()[:6]
['source', 'period', 'events', 'stories', 'verbal_cooperation', 'material_cooperation']
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dyadwatch.errors import ConfigError, Errors
from dyadwatch.store import Store
from dyadwatch.store.duckdb_store import event_filters
from dyadwatch.store.parquet import register_partitions

__all__ = ["PERIODS", "QUAD_NAMES", "compare", "parse_dyad"]

PERIODS = ("day", "week", "month", "quarter", "year")
QUAD_NAMES = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")


def parse_dyad(value: str) -> tuple[str, str]:
    """``"RUS-AFG"`` -> ``("RUS", "AFG")``; actor ids may stand for a side (``RUS-taliban``)."""
    parts = value.split("-", 1) if value.count("-") == 1 else _split_ids(value)
    if len(parts) != 2 or not all(parts):
        raise ConfigError(Errors.E518, name="the dyad", allowed="SOURCE-TARGET, e.g. RUS-AFG", found=value)
    return parts[0], parts[1]


def _split_ids(value: str) -> list[str]:
    """Split ``SOURCE-TARGET`` where a side is an actor id with hyphens: at the hyphen after an
    upper-case code (RUS-haqqani-network) or before one (haqqani-network-RUS)."""
    pieces = value.split("-")
    if pieces[0].isupper():
        return [pieces[0], "-".join(pieces[1:])]
    if pieces[-1].isupper():
        return ["-".join(pieces[:-1]), pieces[-1]]
    return []


def compare(
    store: Store,
    dyad: tuple[str, str] | str | None,
    *,
    by: str = "month",
    undirected: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    origins: list[str] | None = None,
    dedupe: bool = True,
) -> pd.DataFrame:
    """Counts per source and period for a directed dyad (``None``: every dyad, with columns
    ``source_country`` and ``target_country``), over the events table and the Parquet partitions.

    ``dedupe=False`` counts rows instead of units (faster; GDELT's duplicates then count).
    """
    if by not in PERIODS:
        raise ConfigError(Errors.E518, name="--by", allowed="one of " + ", ".join(PERIODS), found=by)
    if isinstance(dyad, str):
        dyad = parse_dyad(dyad)
    register_partitions(store, strict=True)
    clauses, params = event_filters(dyad=dyad, undirected=undirected, date_from=date_from, date_to=date_to)
    clauses.insert(0, "date IS NOT NULL")
    if origins:
        clauses.append("origin IN (" + ", ".join("?" for _ in origins) + ")")
        params += list(origins)
    keys = "origin, period" if dyad is not None else "origin, source_country, target_country, period"
    order = "period, origin" if dyad is not None else "source_country, target_country, period, origin"
    quads = ",\n  ".join(
        f"count(*) FILTER (WHERE quad_class = {i + 1}) AS {name}" for i, name in enumerate(QUAD_NAMES)
    )
    period = f"date_trunc('{by}', date)::DATE AS period"
    columns = "origin, source_country, target_country, quad_class, goldstein, num_mentions, num_sources, num_articles, fatalities"
    where = " AND ".join(clauses)
    if dedupe:
        # one unit per story and quad class; a 64-bit hash of the story (its group, else its
        # URL) groups faster than the URL itself, and a collision is vanishingly unlikely
        sql = f"""
WITH units AS (
  SELECT {keys}, unit, quad_class, count(*) AS n,
         avg(goldstein) AS g, sum(num_mentions) AS m, sum(num_sources) AS s, sum(num_articles) AS a,
         sum(fatalities) AS f
  FROM (SELECT {columns}, hash(coalesce(story_group, url, event_id)) AS unit, {period}
        FROM all_events WHERE {where})
  GROUP BY {keys}, unit, quad_class
)
SELECT {keys.replace('origin', 'origin AS source')},
  sum(n)::BIGINT AS events,
  count(DISTINCT unit) AS stories,
  {quads},
  sum(g) AS goldstein_sum,
  avg(g) AS goldstein_mean,
  sum(m)::BIGINT AS mentions,
  sum(s)::BIGINT AS sources,
  sum(a)::BIGINT AS articles,
  sum(f)::BIGINT AS fatalities
FROM units GROUP BY {keys} ORDER BY {order}
"""
    else:
        sql = f"""
SELECT {keys.replace('origin', 'origin AS source')},
  count(*) AS events,
  count(*) AS stories,
  {quads},
  sum(goldstein) AS goldstein_sum,
  avg(goldstein) AS goldstein_mean,
  sum(num_mentions)::BIGINT AS mentions,
  sum(num_sources)::BIGINT AS sources,
  sum(num_articles)::BIGINT AS articles,
  sum(fatalities)::BIGINT AS fatalities
FROM (SELECT {columns}, {period} FROM all_events WHERE {where})
GROUP BY {keys} ORDER BY {order}
"""
    return store.con.execute(sql, params).df()
