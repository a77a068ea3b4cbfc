"""POLECAT weekly event files (PLOVER ontology; Harvard Dataverse) -> event rows.

Tab-separated with a header, 40 columns (Event ID, Event Date, Event Type, Event Mode, Intensity,
Quad Code, Contexts, Actor Name, Actor Country, Actor COW, Primary Actor Sector, Actor Sectors,
..., Recipient ..., Placename, City, District, Province, Country, Latitude, Longitude, ...,
Source, Publication Date, Story People, Story Organizations, Story Locations, Language,
Version). Missing values are the literal ``None``; a field may hold several values separated by
``;`` (the first is the event's, all are kept in the name); rows may end in extra tabs.

POLECAT codes events in PLOVER, so the PLOVER type and mode are kept as written and the CAMEO
code is the one the ontology uses for them (:func:`~dyadwatch.coding.ontology.plover_to_cameo`),
noted in ``rule``; the quad class is PLOVER's for the type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from dyadwatch.coding import ontology as onto
from dyadwatch.datasets import _lookups as lookups
from dyadwatch.datasets._common import (
    ReadContext,
    base_row,
    code_fields,
    first_day,
    last_day,
    parse_float,
    resolve_name,
)
from dyadwatch.datasets._tables import Row, collect, id_and_date, tsv_rows
from dyadwatch.errors import ConfigError, DatasetError, Errors

REQUIRED = ("Event ID", "Event Date", "Event Type", "Actor Name", "Actor Country", "Recipient Name", "Recipient Country")
_MISSING = ("", "None", "none", "NULL")
_QUADS = {name.replace("_", " "): i + 1 for i, name in enumerate(
    ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"))}
_NON_STATE_KINDS = {"group", "person", "igo", "forum", "body", "party", "ngo", "media", "business"}


def batches(path: Path, ctx: ReadContext) -> Iterator[pa.Table | DatasetError]:
    """The events of one POLECAT file as dataset tables, and its bad rows as errors."""
    first, last = first_day("polecat"), last_day()
    yield from collect(tsv_rows(path, ctx, dataset="POLECAT", missing=_MISSING, trailing_tabs=True), ctx, dataset="POLECAT", required=REQUIRED,
                       make=lambda row: _row(row, ctx, first, last))


def _first(value: str | None) -> str | None:
    """The first of ``;``-separated values (``None`` marks skipped)."""
    if not value:
        return None
    for part in value.split(";"):
        part = part.strip()
        if part and part not in _MISSING:
            return part
    return None


def _all(value: str | None) -> str | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(";") if p.strip() and p.strip() not in _MISSING]
    return "; ".join(parts) or None


def _country(value: str | None) -> str | None:
    code = _first(value)
    if code is None:
        return None
    if len(code) == 3 and code.isalpha() and code.isupper():
        return lookups.country_code(code)
    return lookups.country_from_name(code)


def _row(row: Row, ctx: ReadContext, first: dt.date, last: dt.date) -> dict[str, Any] | DatasetError:
    where = f"{ctx.location}:{row.line}"
    checked = id_and_date(row, ctx, id_field="Event ID", date_field="Event Date", dataset="POLECAT", first=first, last=last)
    if isinstance(checked, DatasetError):
        return checked
    own_id, date = checked
    event_type = (row.get("Event Type") or "").upper()
    if event_type not in onto.PLOVER_TYPES:
        return DatasetError(Errors.E516, where=where, line=row.line, field="Event Type",
                            value=row.get("Event Type") or "", scheme="PLOVER event type")
    mode = _first(row.get("Event Mode"))
    mode = mode.lower() if mode else None
    rule = None
    try:
        code = onto.plover_to_cameo(event_type, mode)
    except ConfigError:  # a mode the ontology lacks: the type alone
        code = onto.plover_to_cameo(event_type)
        rule = f"PLOVER mode '{mode}' is not one dyadwatch knows for {event_type}: coded by the type"
    info = lookups.event_codes()[code]
    try:
        intensity = parse_float(row.get("Intensity") or row.get("Event Intensity"))
        latitude, longitude = parse_float(row.get("Latitude")), parse_float(row.get("Longitude"))
    except ValueError:
        return DatasetError(Errors.E512, where=where, line=row.line, field="Intensity/Latitude/Longitude",
                            value=f"{row.get('Intensity')}/{row.get('Latitude')}/{row.get('Longitude')}")
    out = base_row(ctx, own_id, date)
    if out["dataset_version"] is None:
        out["dataset_version"] = row.get("Version")
    out.update(code_fields(info))
    out["plover_type"], out["plover_mode"] = event_type, mode
    out["quad_class"] = onto.PLOVER_TYPES[event_type]
    out["rule"] = rule or f"PLOVER {event_type}{'/' + mode if mode else ''} read as CAMEO {code}"
    for side, prefix in (("source", "Actor"), ("target", "Recipient")):
        names = _all(row.get(f"{prefix} Name")) or _all(row.get(f"{prefix} Name Raw"))
        out[f"{side}_name"] = names
        out[f"{side}_country"] = _country(row.get(f"{prefix} Country"))
        out[f"{side}_sector"] = _first(row.get(f"Primary {prefix} Sector")) or _first(row.get(f"{prefix} Sectors"))
        out[f"{side}_code"] = _all(row.get(f"Wikipedia {prefix} ID"))
        first_name = _first(names)
        if first_name:
            actor_id, kind, _, _ = resolve_name(first_name, date)
            if kind in _NON_STATE_KINDS:
                out[f"{side}_actor"] = actor_id
    places = [row.get(name) for name in ("Placename", "City", "District", "Province")]
    named = list(dict.fromkeys(p for p in places if p))
    out["location_name"] = ", ".join(named) or None
    out["location_country"] = _country(row.get("Country"))
    out["latitude"], out["longitude"] = latitude, longitude
    out["publisher"] = row.get("Source")
    out["dataset_goldstein"] = intensity
    quad = (row.get("Quad Code") or "").strip()
    out["dataset_quad_class"] = int(quad) if quad.isdigit() else _QUADS.get(quad.casefold().replace("_", " "))
    contexts = _all(row.get("Contexts"))
    out["dataset_event_type"] = f"{event_type}{'/' + mode if mode else ''}" + (f" ({contexts})" if contexts else "")
    return out
