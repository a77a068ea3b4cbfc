"""What the dataset readers share: ids, the read context, the actor filter, row buffers."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from dyadwatch.datasets import _lookups as lookups
from dyadwatch.errors import ConfigError, DatasetError, Errors
from dyadwatch.records import Event
from dyadwatch.store.parquet import DATASET_COLUMNS, arrow_schema
from dyadwatch.store.schema import EVENT_COLUMNS
from dyadwatch.store.sql import sql_literal

OnError = Literal["stop", "skip"]

#: The datasets dyadwatch reads, by origin name (the ``origin`` of their events).
DATASETS: Mapping[str, str] = {
    "gdelt1": "GDELT 1.0 events (57-column back file, 58-column daily files)",
    "gdelt2": "GDELT 2.0 events and translingual events (61 columns)",
    "icews": "ICEWS coded event data (Dataverse .tab files, 20 columns)",
    "polecat": "POLECAT weekly event files (40 columns, PLOVER)",
    "acled": "ACLED exports (CSV)",
    "ucdp": "UCDP Georeferenced Event Dataset (GED CSV, 49 columns)",
}

# Event dates outside these years are errors ("a date out of range"): before each dataset's
# first year, or after next month.
FIRST_YEAR: Mapping[str, int] = {
    "gdelt1": 1979, "gdelt2": 1979, "icews": 1995, "polecat": 2010, "acled": 1997, "ucdp": 1989,
}

# How many bad rows of one file are listed one by one; the rest are counted.
MAX_LISTED = 1000


def check_dataset(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in DATASETS:
        raise ConfigError(Errors.E502, detail=name)
    return key


def last_day() -> dt.date:
    return dt.date.today() + dt.timedelta(days=31)


def first_day(dataset: str) -> dt.date:
    return dt.date(FIRST_YEAR[dataset], 1, 1)


def event_id(origin: str, own_id: str, content: str | None = None) -> str:
    """The stable id of a dataset's event: MD5 of ``origin:own id`` (``:content`` where the
    dataset's id is not unique), in hex. The GDELT fast path computes the same in SQL.

    >>> event_id("gdelt2", "410412347") == hashlib.md5(b"gdelt2:410412347").hexdigest()
    True
    """
    key = f"{origin}:{own_id}" if content is None else f"{origin}:{own_id}:{content}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def content_hash(fields: Sequence[str]) -> str:
    """A hash of a row's fields, for datasets whose ids repeat (ICEWS)."""
    return hashlib.blake2b("\x1f".join(fields).encode("utf-8"), digest_size=8).hexdigest()


# -- the actor filter -------------------------------------------------------------------------

_CODE = re.compile(r"^[A-Za-z0-9]{2,12}$")
_ACTOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # dictionary ids: lower-case slugs


@dataclass(frozen=True, slots=True)
class ActorFilter:
    """``--actors RUS,AFG,TAL``: keep events with one of these on either side.

    A value is a country code (CAMEO or ISO alpha-3: RUS, ROM = ROU), a CAMEO group code (TAL)
    or an actor dictionary id (taliban). ``needles`` are the raw codes a GDELT row must hold in
    some field for the row to be worth parsing: the codes as GDELT spells them, and the group
    codes of actors belonging to a named country (TAL for AFG: the Taliban count as Afghan).

    >>> f = ActorFilter.parse(["RUS,AFG", "TAL"])
    >>> sorted(f.countries), sorted(f.actor_ids), sorted(f.needles)
    (['AFG', 'RUS'], ['taliban'], ['AFG', 'RUS', 'TAL'])
    >>> f.matches("RUS", None, None, None), f.matches("USA", "CHN", None, None)
    (True, False)
    """

    countries: frozenset[str]
    actor_ids: frozenset[str]
    needles: frozenset[str]
    given: tuple[str, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str] | str | None) -> ActorFilter | None:
        if values is None:
            return None
        items = [values] if isinstance(values, str) else list(values)
        parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
        if not parts:
            return None
        countries: set[str] = set()
        actor_ids: set[str] = set()
        needles: set[str] = set()
        group_actor = {r.code: r.actor_id for r in lookups.group_roles()}
        reverse: dict[str, set[str]] = {}
        for cameo, normal in lookups.cameo_country_changes().items():
            reverse.setdefault(normal, set()).add(cameo)
        dictionary = None
        for part in parts:
            if any(ch.islower() for ch in part) or "-" in part:
                if not _ACTOR_ID.match(part):
                    raise ConfigError(
                        Errors.E518, name="each --actors value",
                        allowed="a country code (RUS), a CAMEO group code (TAL) or an actor id (taliban)", found=part,
                    )
                if dictionary is None:
                    from dyadwatch.actors import ActorDictionary

                    dictionary = ActorDictionary.load()
                actor = dictionary.actors.get(part)
                if actor is not None and actor.kind == "state" and actor.country:
                    part = actor.country  # a state's id stands for its country code
                else:
                    actor_ids.add(part)
                    needles |= lookups.group_codes_of(part)
                    continue
            if not _CODE.match(part):
                raise ConfigError(
                    Errors.E518, name="each --actors value",
                    allowed="a country code (RUS), a CAMEO group code (TAL) or an actor id (taliban)", found=part,
                )
            code = part.upper()
            if code in group_actor:
                actor_ids.add(group_actor[code])
                needles.add(code)
                continue
            country = lookups.country_code(code) or code
            countries.add(country)
            needles |= {code, country} | reverse.get(country, set()) | lookups.group_codes_in(country)
        return cls(frozenset(countries), frozenset(actor_ids), frozenset(needles), tuple(parts))

    def matches(self, source_country: str | None, target_country: str | None,
                source_actor: str | None, target_actor: str | None) -> bool:
        return (
            source_country in self.countries or target_country in self.countries
            or source_actor in self.actor_ids or target_actor in self.actor_ids
        )

    def sql(self) -> str:
        """The same test as :meth:`matches`, on the event columns, in SQL."""
        clauses = []
        if self.countries:
            values = ", ".join(sql_literal(c) for c in sorted(self.countries))
            clauses.append(f"source_country IN ({values}) OR target_country IN ({values})")
        if self.actor_ids:
            values = ", ".join(sql_literal(a) for a in sorted(self.actor_ids))
            clauses.append(f"source_actor IN ({values}) OR target_actor IN ({values})")
        return "(" + " OR ".join(clauses) + ")" if clauses else "true"


# -- reading ---------------------------------------------------------------------------------


@dataclass
class ReadContext:
    """One file being read: what it is, the options, and the counts so far."""

    dataset: str
    location: str  # the file as the user named it (zips: the archive)
    workdir: Path
    version: str | None = None
    actors: ActorFilter | None = None
    run_id: str | None = None
    rows: int = 0  # data rows read
    bad: int = 0  # rows with a problem (each also yielded as an error, up to MAX_LISTED)
    duplicates: int = 0  # identical rows collapsed
    filtered: int = 0  # rows read but not about the --actors
    listed: int = 0

    def problem(self, error: DatasetError) -> DatasetError | None:
        """Count a bad row; the error to yield, or None once MAX_LISTED are listed."""
        self.bad += 1
        if self.listed >= MAX_LISTED:
            return None
        self.listed += 1
        return error


class RowBuffer:
    """Rows of the dataset table collected column by column, handed out as Arrow tables."""

    def __init__(self, size: int = 65_536) -> None:
        self.size = size
        self.names = [name for name, _ in DATASET_COLUMNS]
        self._columns: dict[str, list[Any]] = {name: [] for name in self.names}
        self.count = 0

    def add(self, row: Mapping[str, Any]) -> None:
        for name in self.names:
            self._columns[name].append(row.get(name))
        self.count += 1

    def full(self) -> bool:
        return self.count >= self.size

    def take(self) -> pa.Table:
        schema = arrow_schema()
        table = pa.table({f.name: pa.array(self._columns[f.name], f.type) for f in schema}, schema=schema)
        self._columns = {name: [] for name in self.names}
        self.count = 0
        return table


def drain(buffer: RowBuffer, force: bool = False) -> Iterator[pa.Table]:
    if buffer.count and (force or buffer.full()):
        yield buffer.take()


_EVENT_FIELDS = [name for name, _ in EVENT_COLUMNS if name != "run_id"]


def events_of(table: pa.Table) -> Iterator[Event]:
    """The rows of a dataset table as :class:`~dyadwatch.records.Event` records (extras dropped)."""
    for row in table.select(_EVENT_FIELDS).to_pylist():
        spans = row.pop("spans")
        if spans:
            row["spans"] = {k: tuple(v) for k, v in json.loads(spans).items()}
        row["negated"] = bool(row["negated"])
        row["modality"] = row["modality"] or "asserted"
        yield Event(**row)


@dataclass(slots=True)
class Parsed:
    """A value read from a field, or the error it gives."""

    value: Any = None
    error: DatasetError | None = field(default=None)


def parse_float(text: str | None) -> float | None:
    if text is None or text.strip() in ("", "None", "NA", "NULL", "nan"):
        return None
    return float(text)


def parse_int(text: str | None) -> int | None:
    if text is None or text.strip() in ("", "None", "NA", "NULL"):
        return None
    return int(float(text))


# -- helpers of the row-by-row readers ---------------------------------------------------------


def base_row(ctx: ReadContext, own_id: str, date: dt.date, *, content: str | None = None) -> dict[str, Any]:
    """The fields every dataset row has: ids, date, provenance."""
    return {
        "event_id": event_id(ctx.dataset, own_id, content),
        "origin": ctx.dataset,
        "origin_id": own_id,
        "date": date,
        "date_source": "dataset",
        "negated": False,
        "modality": "asserted",
        "dataset_version": ctx.version,
        "run_id": ctx.run_id,
        "source_file": ctx.location,
    }


def code_fields(info: lookups.CodeInfo | None) -> dict[str, Any]:
    """The event-table fields of an event code (all None for None)."""
    if info is None:
        return {}
    return {
        "cameo_code": info.cameo_code, "cameo_root": info.cameo_root, "plover_type": info.plover_type,
        "plover_mode": info.plover_mode, "goldstein": info.goldstein, "quad_class": info.quad_class,
        "rule": info.rule,
    }


def read_code(value: str | None) -> lookups.CodeInfo | None:
    """A dataset's CAMEO code, as written; one that lost its leading zero ("43", a file saved by a
    spreadsheet) is recovered where that is unambiguous (:func:`normalise_cameo`), with a rule
    saying so. None: not a CAMEO code."""
    if not value:
        return None
    codes = lookups.event_codes()
    info = codes.get(value)
    if info is not None:
        return info
    from dyadwatch.coding.ontology import normalise_cameo

    try:
        fixed = normalise_cameo(value, kind="code")
    except ConfigError:
        return None
    found = codes.get(fixed)
    if found is None:
        return None
    note = f"code '{value}' read as '{fixed}' (its leading zero was lost)"
    return lookups.CodeInfo(found.cameo_code, found.cameo_root, found.plover_type, found.plover_mode,
                            found.goldstein, found.quad_class, note)


@functools.lru_cache(maxsize=1)
def _dictionary() -> Any:
    from dyadwatch.actors import ActorDictionary

    return ActorDictionary.load()


@functools.lru_cache(maxsize=262_144)
def resolve_name(name: str, date: dt.date) -> tuple[str | None, str | None, str | None, str | None]:
    """(actor id, kind, country, sector) of a name on a date, by the actor dictionary."""
    resolution = _dictionary().lookup(name, date)
    actor = resolution.actor
    return (actor.actor_id if actor else None, actor.kind if actor else None, resolution.country, resolution.sector)
