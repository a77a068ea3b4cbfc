"""ACLED exports (CSV from the ACLED website or API; the codebook's columns) -> event rows.

ACLED codes events by type and sub-event type (``Battles / Armed clash``), not CAMEO: each pair
is read as a CAMEO code (``data/acled_events.csv``), which gives the PLOVER type, quad class and
Goldstein score through the ontology. The columns are found by name, so both the older layout
(``data_id``, ``iso3``, numeric ``inter1``) and the newer one (``disorder_type``,
``civilian_targeting``, ``tags``, actor types in words) read. Actor names go through the actor
dictionary (``Taliban`` -> ``taliban``; ``Military Forces of Afghanistan (2004-2021)`` -> AFG MIL);
a name it does not know takes the country in its brackets or after "of", else the event's
country for local actors (rioters, protesters, civilians). ``fatalities`` is kept. ACLED numbers no releases: a row's version is the day it was last
updated (its ``timestamp``), unless ``--dataset-version`` says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from dyadwatch.datasets import _lookups as lookups
from dyadwatch.datasets._common import (
    ReadContext,
    base_row,
    code_fields,
    first_day,
    last_day,
    parse_float,
    parse_int,
    resolve_name,
)
from dyadwatch.datasets._tables import Row, collect, csv_rows, id_and_date
from dyadwatch.errors import DatasetError, Errors

REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "country")
_NON_STATE_KINDS = {"group", "person", "igo", "forum", "body", "party", "ngo", "media", "business"}
_BRACKET = re.compile(r"\(([^)]*)\)")
_OF = re.compile(r"\bof ([A-Z][^()]*?)(?:\s*\(|$)")
_LOCAL_TYPES = {"5", "6", "7", "rioter", "protester", "civilian"}


def batches(path: Path, ctx: ReadContext) -> Iterator[pa.Table | DatasetError]:
    """The events of one ACLED export as dataset tables, and its bad rows as errors."""
    first, last = first_day("acled"), last_day()
    yield from collect(csv_rows(path, ctx, dataset="ACLED", missing=("", "NA")), ctx, dataset="ACLED", required=REQUIRED,
                       make=lambda row: _row(row, ctx, first, last))


def actor_codes(name: str | None, inter: str | None, date: object, event_country: str | None
                ) -> tuple[str | None, str | None, str | None]:
    """(country, sector, dictionary id) of an ACLED actor name on a date."""
    if not name:
        return None, None, None
    actor_id, kind, country, sector = resolve_name(name, date)
    type_key = lookups.acled_type_key(inter) if inter and not inter.isdigit() else (inter or "")
    if country is None:
        for pattern in (_BRACKET, _OF):
            found = pattern.search(name)
            if found:
                country = lookups.country_from_name(found.group(1).strip())
                if country:
                    break
    if country is None and type_key in _LOCAL_TYPES:
        country = event_country
    if sector is None:
        sector = lookups.acled_actor_types().get(type_key)
    return country, sector, actor_id if kind in _NON_STATE_KINDS else None


def _updated(timestamp: str | None) -> str | None:
    """ACLED's version of a row: the day it was last updated (``timestamp``, Unix seconds).

    ACLED revises rows continually and numbers no releases, so the row's own update time is
    the version it came in.

    >>> _updated("1629000000"), _updated(None), _updated("soon")
    ('updated 2021-08-15', None, None)
    """
    if not timestamp or not timestamp.strip().isdigit():
        return None
    return f"updated {dt.datetime.fromtimestamp(int(timestamp), dt.UTC):%Y-%m-%d}"


def _row(row: Row, ctx: ReadContext, first: dt.date, last: dt.date) -> dict[str, Any] | DatasetError:
    where = f"{ctx.location}:{row.line}"
    checked = id_and_date(row, ctx, id_field="event_id_cnty", date_field="event_date", dataset="ACLED", first=first, last=last)
    if isinstance(checked, DatasetError):
        return checked
    own_id, date = checked
    event_type, sub_type = row.get("event_type") or "", row.get("sub_event_type") or ""
    key = (" ".join(event_type.casefold().split()), " ".join(sub_type.casefold().split()))
    table = lookups.acled_events()
    if key not in table:
        return DatasetError(Errors.E516, where=where, line=row.line, field="event_type/sub_event_type",
                            value=f"{event_type}/{sub_type}", scheme="ACLED event type")
    code = table[key]
    try:
        latitude, longitude = parse_float(row.get("latitude")), parse_float(row.get("longitude"))
        fatalities = parse_int(row.get("fatalities"))
    except ValueError:
        return DatasetError(Errors.E512, where=where, line=row.line, field="latitude/longitude/fatalities",
                            value=f"{row.get('latitude')}/{row.get('longitude')}/{row.get('fatalities')}")
    event_country = (
        lookups.country_code(row.get("iso3")) if row.get("iso3")
        else lookups.country_from_iso_number(row.get("iso")) or lookups.country_from_name(row.get("country"))
    )
    out = base_row(ctx, own_id, date)
    if out["dataset_version"] is None:
        out["dataset_version"] = _updated(row.get("timestamp"))
    out.update(code_fields(lookups.event_codes()[code] if code else None))
    out["rule"] = f"ACLED {event_type}/{sub_type} read as CAMEO {code}" if code else f"ACLED {event_type}/{sub_type}: no CAMEO code"
    for side, number in (("source", "1"), ("target", "2")):
        name = row.get(f"actor{number}")
        country, sector, actor_id = actor_codes(name, row.get(f"inter{number}"), date, event_country)
        out[f"{side}_name"] = name
        out[f"{side}_country"], out[f"{side}_sector"], out[f"{side}_actor"] = country, sector, actor_id
        associated = row.get(f"assoc_actor_{number}")
        out[f"{side}_code"] = associated
    places = [row.get(name) for name in ("location", "admin2", "admin1", "country")]
    out["location_name"] = ", ".join(dict.fromkeys(p for p in places if p)) or None
    out["location_country"] = event_country
    out["latitude"], out["longitude"] = latitude, longitude
    out["publisher"] = row.get("source")
    out["fatalities"] = fatalities
    out["dataset_event_type"] = f"{event_type}/{sub_type}"
    out["sentence"] = row.get("notes")
    return out
