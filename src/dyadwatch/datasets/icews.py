"""ICEWS coded event data (Harvard Dataverse yearly and weekly ``.tab`` files) -> event rows.

Tab-separated, a header line, no quoting; 20 columns in the usual layout (Event ID, Event Date,
Source Name, Source Sectors, Source Country, Event Text, CAMEO Code, Intensity, Target Name,
Target Sectors, Target Country, Story ID, Sentence Number, Publisher, City, District,
Province, Country, Latitude, Longitude). The yearly quirks:

* columns are found by name, so a year that orders or spells them differently reads the same;
* a year without the ``CAMEO Code`` column: the code comes from ``Event Text`` (ICEWS writes
  the CAMEO category in words; ``data/icews_event_text.csv``);
* ``Event ID`` is not unique (it repeats, with different dates): the event id hashes the id with
  the row's content, and identical duplicate rows collapse to one, counted as duplicates;
* a CAMEO code that lost its leading zero on the way (a file re-saved by a spreadsheet) is
  recovered where unambiguous, with a rule saying so.

Countries are written as names (``Russian Federation``) and become the dictionary's codes;
sectors are a comma list of ICEWS sector names, reduced to the most specific CAMEO sector
(``data/icews_sectors.csv``); Intensity is ICEWS's Goldstein score, kept as
``dataset_goldstein`` (``goldstein`` comes from the ontology, on the same 1.1b3 table).
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
    content_hash,
    first_day,
    last_day,
    parse_float,
    read_code,
    resolve_name,
)
from dyadwatch.datasets._tables import Row, check_date, collect, parse_date, tsv_rows
from dyadwatch.errors import DatasetError, Errors

REQUIRED = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "Target Name", "Target Sectors", "Target Country",
)
_VERSION = re.compile(r"(\d{14})")
_NON_STATE_KINDS = {"group", "person", "igo", "forum", "body", "party", "ngo", "media", "business"}


def batches(path: Path, ctx: ReadContext) -> Iterator[pa.Table | DatasetError]:
    """The events of one ICEWS file as dataset tables, and its bad rows as errors."""
    if ctx.version is None:  # Dataverse names each file with its upload time: events.2018.20200427084805.tab
        found = _VERSION.search(Path(ctx.location).name) or _VERSION.search(path.name)
        ctx.version = found.group(1) if found else None
    first, last = first_day("icews"), last_day()
    yield from collect(tsv_rows(path, ctx, dataset="ICEWS", missing=("",)), ctx, dataset="ICEWS", required=REQUIRED,
                       make=lambda row: _row(row, ctx, first, last))


def _row(row: Row, ctx: ReadContext, first: dt.date, last: dt.date) -> dict[str, Any] | DatasetError:
    where = f"{ctx.location}:{row.line}"
    own_id = row.get("Event ID")
    if own_id is None:
        return DatasetError(Errors.E520, where=where, line=row.line, field="Event ID", dataset="ICEWS")
    date = parse_date(row.get("Event Date"))
    problem = check_date(row, "Event Date", date, ctx, first, last)
    if problem is not None or date is None:
        return problem or DatasetError(Errors.E520, where=where, line=row.line, field="Event Date", dataset="ICEWS")
    code_text = row.get("CAMEO Code") if row.header.has("CAMEO Code") else None
    if code_text is not None:
        info = read_code(code_text)
        if info is None:
            return DatasetError(Errors.E511, where=where, line=row.line, field="CAMEO Code", value=code_text)
    else:
        words = row.get("Event Text") or ""
        code = lookups.icews_event_text().get(" ".join(words.casefold().split()))
        info = lookups.event_codes().get(code) if code else None
        if info is None:
            return DatasetError(Errors.E517, where=where, line=row.line, field="CAMEO Code", other="Event Text", value=words)
    intensity_text = row.get("Intensity")
    try:
        intensity = parse_float(intensity_text)
    except ValueError:
        return DatasetError(Errors.E512, where=where, line=row.line, field="Intensity", value=intensity_text)
    try:
        latitude = parse_float(row.get("Latitude"))
        longitude = parse_float(row.get("Longitude"))
    except ValueError:
        return DatasetError(Errors.E512, where=where, line=row.line, field="Latitude/Longitude",
                            value=f"{row.get('Latitude')}/{row.get('Longitude')}")
    out = base_row(ctx, own_id, date, content=content_hash(row.fields))
    out.update(code_fields(info))
    for side, prefix in (("source", "Source"), ("target", "Target")):
        name = row.get(f"{prefix} Name")
        out[f"{side}_name"] = name
        out[f"{side}_country"] = lookups.country_from_name(row.get(f"{prefix} Country"))
        out[f"{side}_sector"] = lookups.icews_sector(row.get(f"{prefix} Sectors"))
        if name:
            actor_id, kind, _, _ = resolve_name(name, date)
            if kind in _NON_STATE_KINDS:
                out[f"{side}_actor"] = actor_id
    places = [row.get(name) for name in ("City", "District", "Province")]
    country_name = row.get("Country")
    named = [p for p in places if p and p != "NA"]
    out["location_name"] = ", ".join(named + ([country_name] if country_name and country_name != "NA" else [])) or None
    out["location_country"] = lookups.country_from_name(country_name)
    out["latitude"], out["longitude"] = latitude, longitude
    story = row.get("Story ID")
    out["story_group"] = f"icews:{story}" if story else None
    sentence = row.get("Sentence Number")
    out["sentence_idx"] = int(sentence) if sentence and sentence.isdigit() else None
    out["publisher"] = row.get("Publisher")
    out["dataset_goldstein"] = intensity
    out["dataset_event_type"] = row.get("Event Text")
    return out
