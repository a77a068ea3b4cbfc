"""The lookups the dataset readers share, built from the ontology, the actor dictionary and the
package's own mapping tables (``datasets/data/*.csv``), each once, on first use.

Nothing here restates the ontology: CAMEO scores, quad classes, PLOVER types and the FIPS and
CAMEO country crosswalks come from :mod:`dyadwatch.coding.ontology`; the tables in ``data/``
only say how a dataset's own vocabulary (ICEWS event words and sectors, ACLED event types,
UCDP violence types, GDELT group codes) maps onto it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from dyadwatch.actors.codes import TYPOS, normalise_country_code, sector_from_cameo
from dyadwatch.coding import ontology as onto
from dyadwatch.coding.ontology._tables import read_table as _read_ontology_table

DATA_DIR = Path(__file__).resolve().parent / "data"

_FIRST_DAY = dt.date(1, 1, 1)
_LAST_DAY = dt.date(9999, 12, 31)


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of ``datasets/data/<name>`` (comment lines skipped), as dicts of strings."""
    import csv

    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [dict(row) for row in csv.DictReader(lines)]


# -- CAMEO event codes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What the event table holds for a dataset's event code (the ontology's values)."""

    cameo_code: str
    cameo_root: str
    plover_type: str | None
    plover_mode: str | None
    goldstein: float
    quad_class: int
    rule: str | None  # set where the dataset's code was read as another one


@cache
def event_codes() -> dict[str, CodeInfo]:
    """Every code a dataset may write -> its event-table values: the CAMEO 1.1b3 codes, and the
    few non-CAMEO codes real datasets carry (``data/cameo_extensions.csv``) read as their CAMEO
    equivalent."""
    table: dict[str, CodeInfo] = {}
    for code in onto.cameo_codes():
        table[code] = _info(code, None)
    for row in read_table("cameo_extensions.csv"):
        table[row["code"]] = _info(row["cameo"], f"{row['dataset']} code {row['code']} read as CAMEO {row['cameo']}")
    return table


def _info(code: str, rule: str | None) -> CodeInfo:
    entry = onto.cameo(code)
    plover_type, plover_mode = onto.cameo_to_plover(code)
    return CodeInfo(code, entry.root, plover_type, plover_mode, onto.goldstein(code), onto.quad_class(code), rule)


def event_codes_arrow() -> pa.Table:
    """:func:`event_codes` as an Arrow table for a DuckDB join (``code`` is the key)."""
    table = event_codes()
    return pa.table(
        {
            "code": pa.array(list(table), pa.string()),
            "cameo_code": pa.array([i.cameo_code for i in table.values()], pa.string()),
            "cameo_root": pa.array([i.cameo_root for i in table.values()], pa.string()),
            "plover_type": pa.array([i.plover_type for i in table.values()], pa.string()),
            "plover_mode": pa.array([i.plover_mode for i in table.values()], pa.string()),
            "goldstein": pa.array([i.goldstein for i in table.values()], pa.float64()),
            "quad_class": pa.array([i.quad_class for i in table.values()], pa.int8()),
            "rule": pa.array([i.rule for i in table.values()], pa.string()),
        }
    )


# -- countries and sectors ------------------------------------------------------------------


@cache
def cameo_country_changes() -> dict[str, str]:
    """The CAMEO country codes the actor dictionary writes otherwise (ROM -> ROU, KSV -> XKX ...).

    Every other code is kept as written (RUS, AFG, regions such as CAS)."""
    codes = {row["cameo"] for row in _read_ontology_table("cameo_countries.csv")} | set(TYPOS)
    changes = {}
    for code in sorted(codes):
        normal = normalise_country_code(code)
        if normal and normal != code:
            changes[code] = normal
    return changes


def country_code(code: str | None) -> str | None:
    """A CAMEO (or ISO alpha-3) country code as the actor dictionary writes it."""
    if not code:
        return None
    return cameo_country_changes().get(code, code)


@cache
def fips_countries() -> dict[str, str | None]:
    """Every FIPS 10-4 code of GDELT's location fields -> ISO alpha-3 (None: no country)."""
    table: dict[str, str | None] = {}
    for row in _read_ontology_table("fips_countries.csv"):
        table[row["fips"]] = onto.fips_to_iso3(row["fips"])
    return table


@cache
def sector_changes() -> dict[str, str]:
    """CAMEO sector codes the dictionary writes otherwise (MED, the media -> JRN)."""
    return {code: sector_from_cameo(code) for code in onto.CAMEO_SECTORS if sector_from_cameo(code) != code}


def sector_code(code: str | None) -> str | None:
    if not code:
        return None
    return sector_changes().get(code, code)


# Top-level CAMEO codes of actors that are not states: the dictionary's "country" for them.
NON_STATE = ("IGO", "NGO", "NGM", "IMG", "MNC", "INT", "UIS")


@cache
def _country_names() -> dict[str, str]:
    return {_name_key(row["name"]): row["code"] for row in read_table("country_names.csv")}


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@cache
def country_from_name(name: str | None) -> str | None:
    """A country's code from its name as ICEWS, ACLED or UCDP write it; None if unknown.

    >>> country_from_name("Russian Federation"), country_from_name("Occupied Palestinian Territory")
    ('RUS', 'PSE')
    """
    if not name or name.strip().upper() in ("NA", "NONE", "NULL"):
        return None
    key = _name_key(name)
    known = _country_names().get(key)
    if known:
        return known
    import pycountry

    try:
        return normalise_country_code(pycountry.countries.lookup(name.strip()).alpha_3)
    except LookupError:
        pass
    try:
        return normalise_country_code(pycountry.historic_countries.lookup(name.strip()).alpha_3)
    except (LookupError, AttributeError):
        return None


@cache
def country_from_iso_number(number: str | None) -> str | None:
    """An ISO 3166-1 numeric country code (ACLED's ``iso``) -> alpha-3."""
    if not number or not number.strip().isdigit():
        return None
    import pycountry

    found = pycountry.countries.get(numeric=number.strip().zfill(3))
    return normalise_country_code(found.alpha_3) if found else None


# -- GDELT known groups --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupRole:
    """A CAMEO group code's actor over a span of dates: its country and sector then."""

    code: str
    actor_id: str
    start: dt.date
    end: dt.date
    country: str | None
    sector: str | None


@cache
def group_roles() -> tuple[GroupRole, ...]:
    """The dated roles of the actors behind CAMEO group codes (``data/cameo_groups.csv``)."""
    from dyadwatch.actors import ActorDictionary

    dictionary = ActorDictionary.load()
    roles: list[GroupRole] = []
    for row in read_table("cameo_groups.csv"):
        actor = dictionary.actors.get(row["actor_id"])
        if actor is None:  # an edited dictionary may lack the entry: the code stays unmapped
            continue
        if not actor.roles:
            roles.append(GroupRole(row["code"], actor.actor_id, _FIRST_DAY, _LAST_DAY, actor.country, actor.sector))
            continue
        for role in actor.roles:
            roles.append(
                GroupRole(
                    row["code"], actor.actor_id, role.start or _FIRST_DAY, role.end or _LAST_DAY,
                    role.country or actor.country, role.sector or actor.sector,
                )
            )
    return tuple(roles)


def group_roles_arrow() -> pa.Table:
    roles = group_roles()
    return pa.table(
        {
            "code": pa.array([r.code for r in roles], pa.string()),
            "actor_id": pa.array([r.actor_id for r in roles], pa.string()),
            "start_date": pa.array([r.start for r in roles], pa.date32()),
            "end_date": pa.array([r.end for r in roles], pa.date32()),
            "country": pa.array([r.country for r in roles], pa.string()),
            "sector": pa.array([r.sector for r in roles], pa.string()),
        }
    )


def group_codes_of(actor_id: str) -> set[str]:
    return {r.code for r in group_roles() if r.actor_id == actor_id}


def group_codes_in(country: str) -> set[str]:
    """Group codes whose actor is, on some date, of ``country`` (TAL for AFG)."""
    return {r.code for r in group_roles() if r.country == country}


# -- ICEWS ------------------------------------------------------------------------------------


@cache
def icews_event_text() -> dict[str, str]:
    """ICEWS event words (case-folded, single-spaced) -> the code ICEWS means."""
    return {_name_key(row["event_text"]): row["code"] for row in read_table("icews_event_text.csv")}


@cache
def _icews_sector_rules() -> tuple[dict[str, tuple[str, int]], tuple[tuple[re.Pattern[str], str, int], ...]]:
    exact: dict[str, tuple[str, int]] = {}
    words: list[tuple[re.Pattern[str], str, int]] = []
    for row in read_table("icews_sectors.csv"):
        value = (row["sector"], int(row["rank"]))
        if row["match"] == "exact":
            exact[_name_key(row["text"])] = value
        else:
            words.append((re.compile(r"\b" + re.escape(row["text"]) + r"\b"), *value))
    return exact, tuple(words)


@cache
def icews_sector(sectors: str | None) -> str | None:
    """The CAMEO sector of an ICEWS actor from its comma list of sectors (most specific wins).

    >>> icews_sector("Executive,Foreign Ministry,Government"), icews_sector("Military,Government")
    ('GOV', 'MIL')
    """
    if not sectors:
        return None
    exact, words = _icews_sector_rules()
    best: tuple[int, str] | None = None
    for name in sectors.split(","):
        key = _name_key(name)
        if not key or key == "na":
            continue
        found = exact.get(key)
        if found is None:
            for pattern, sector, rank in words:
                if pattern.search(key):
                    found = (sector, rank)
                    break
        if found is not None and (best is None or found[1] < best[0]):
            best = (found[1], found[0])
    return sector_code(best[1]) if best else None


# -- ACLED and UCDP ---------------------------------------------------------------------------


@cache
def acled_events() -> dict[tuple[str, str], str | None]:
    return {
        (_name_key(row["event_type"]), _name_key(row["sub_event_type"])): row["cameo"] or None
        for row in read_table("acled_events.csv")
    }


@cache
def acled_actor_types() -> dict[str, str]:
    """ACLED inter codes and names (both forms) -> CAMEO sector."""
    table = {}
    for row in read_table("acled_actor_types.csv"):
        table[row["inter"]] = row["sector"]
        table[acled_type_key(row["name"])] = row["sector"]
    return table


def acled_type_key(name: str) -> str:
    """ACLED writes actor types in the plural in older exports, the singular in newer ones."""
    return _name_key(name).rstrip("s")


@cache
def ucdp_violence() -> dict[str, tuple[str, str]]:
    return {row["type_of_violence"]: (row["cameo"], row["name"]) for row in read_table("ucdp_violence.csv")}
