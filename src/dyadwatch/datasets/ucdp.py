"""UCDP Georeferenced Event Dataset (GED CSV, 49 columns) -> event rows.

Each GED event is organised violence with at least one death: ``type_of_violence`` 1
(state-based), 2 (non-state) or 3 (one-sided) is read as a CAMEO code
(``data/ucdp_violence.csv``). ``side_a`` is the source and ``side_b`` the target; names go
through the actor dictionary (``Government of Afghanistan`` -> AFG GOV, ``Taleban`` ->
``taliban``); "Government of X" is X's government, and a name the dictionary does not know
(``Civilians``, a local armed group) takes the country where the event happened. The deaths estimates are kept: ``best`` as ``fatalities``,
``low`` and ``high``. Dates are ``date_start``; quoted fields may span lines.
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

REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "country", "date_start", "best")
_NON_STATE_KINDS = {"group", "person", "igo", "forum", "body", "party", "ngo", "media", "business"}
_GOVERNMENT = re.compile(r"^Government of (.+?)(?:\s*\(.*\))?$")
# The release in the file's name: ged231-csv.zip, GEDEvent_v23_1.csv, ..._v23.csv (23.1, 23.1, 23).
_VERSIONS = (
    re.compile(r"ged[_-]?(\d{2})(\d)(?!\d)", re.IGNORECASE),
    re.compile(r"v(\d{2})[._-](\d)(?!\d)", re.IGNORECASE),
    re.compile(r"v(\d{2})(?!\d)", re.IGNORECASE),
)


def version_of(name: str) -> str | None:
    """The GED release a file name states, or None.

    >>> version_of("ged231-csv.zip"), version_of("GEDEvent_v23_1.csv"), version_of("ucdpged_sample_1000_v23.csv")
    ('23.1', '23.1', '23')
    """
    for pattern in _VERSIONS:
        found = pattern.search(name)
        if found:
            return ".".join(g for g in found.groups() if g)
    return None


def batches(path: Path, ctx: ReadContext) -> Iterator[pa.Table | DatasetError]:
    """The events of one GED file as dataset tables, and its bad rows as errors."""
    if ctx.version is None:
        ctx.version = version_of(Path(ctx.location).name) or version_of(path.name)
    first, last = first_day("ucdp"), last_day()
    yield from collect(csv_rows(path, ctx, dataset="UCDP GED", missing=("", "NA")), ctx, dataset="UCDP GED", required=REQUIRED,
                       make=lambda row: _row(row, ctx, first, last))


def side_codes(name: str | None, date: object, event_country: str | None) -> tuple[str | None, str | None, str | None]:
    """(country, sector, dictionary id) of a GED side."""
    if not name:
        return None, None, None
    actor_id, kind, country, sector = resolve_name(name, date)
    government = _GOVERNMENT.match(name)
    if government:
        country = lookups.country_from_name(government.group(1)) or country
        sector = "GOV"
    if country is None and name.strip().casefold() == "civilians":
        country, sector = event_country, "CVL"
    elif country is None:  # a local armed group the dictionary does not know
        country = event_country
    return country, sector, actor_id if kind in _NON_STATE_KINDS else None


def _row(row: Row, ctx: ReadContext, first: dt.date, last: dt.date) -> dict[str, Any] | DatasetError:
    where = f"{ctx.location}:{row.line}"
    checked = id_and_date(row, ctx, id_field="id", date_field="date_start", dataset="UCDP GED", first=first, last=last)
    if isinstance(checked, DatasetError):
        return checked
    own_id, date = checked
    violence = row.get("type_of_violence") or ""
    mapping = lookups.ucdp_violence().get(violence)
    if mapping is None:
        return DatasetError(Errors.E516, where=where, line=row.line, field="type_of_violence", value=violence,
                            scheme="UCDP type_of_violence")
    code, label = mapping
    try:
        best, low, high = (parse_int(row.get(n)) for n in ("best", "low", "high"))
        latitude, longitude = parse_float(row.get("latitude")), parse_float(row.get("longitude"))
    except ValueError:
        return DatasetError(Errors.E512, where=where, line=row.line, field="best/low/high/latitude/longitude",
                            value="/".join(str(row.get(n)) for n in ("best", "low", "high", "latitude", "longitude")))
    event_country = lookups.country_from_name(row.get("country"))
    out = base_row(ctx, own_id, date)
    out.update(code_fields(lookups.event_codes()[code]))
    out["rule"] = f"UCDP type_of_violence {violence} ({label}) read as CAMEO {code}"
    for side, column in (("source", "side_a"), ("target", "side_b")):
        name = row.get(column)
        country, sector, actor_id = side_codes(name, date, event_country)
        out[f"{side}_name"] = name
        out[f"{side}_country"], out[f"{side}_sector"], out[f"{side}_actor"] = country, sector, actor_id
        out[f"{side}_code"] = row.get(f"{column}_new_id") or row.get(f"{column}_dset_id")
    places = [row.get(name) for name in ("where_coordinates", "adm_2", "adm_1", "country")]
    out["location_name"] = ", ".join(dict.fromkeys(p for p in places if p)) or None
    out["location_country"] = event_country
    out["latitude"], out["longitude"] = latitude, longitude
    out["publisher"] = row.get("source_office")
    out["sentence"] = row.get("source_headline")
    out["fatalities"], out["deaths_low"], out["deaths_high"] = best, low, high
    out["dataset_event_type"] = f"{label}: {row.get('dyad_name') or row.get('conflict_name') or ''}".rstrip(": ")
    return out
