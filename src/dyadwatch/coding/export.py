"""Writing events out: CSV, Parquet, JSONL (the DESIGN.md event record) and GDELT's layout.

The GDELT layout is the 61 tab-separated columns of GDELT 2.0 event files, without a
header, so that tools written for GDELT read dyadwatch's events. Fields dyadwatch does
not have (mentions, tone, ADM codes) are left empty; GDELT's location country codes are
FIPS 10-4, so ISO codes are converted (RUS -> RS, TJK -> TI).

>>> import pandas as pd
>>> from dyadwatch.coding.export import to_gdelt_rows
>>> frame = pd.DataFrame([{"event_id": "e1", "date": pd.Timestamp("2021-10-20"),
...     "source_country": "RUS", "source_sector": "GOV", "source_name": "Russia",
...     "target_country": "AFG", "target_sector": "INS", "target_name": "Taliban",
...     "cameo_code": "043", "cameo_root": "04", "quad_class": 1, "goldstein": 2.8,
...     "location_name": "Moscow", "location_country": "RUS", "latitude": 55.75, "longitude": 37.62,
...     "url": None}])
>>> row = to_gdelt_rows(frame)[0]
>>> len(row), row[1], row[5], row[26], row[53]
(61, '20211020', 'RUSGOV', '043', 'RS')
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from dyadwatch.coding.ontology import iso3_to_fips
from dyadwatch.errors import ConfigError, Errors

FORMATS = ("csv", "parquet", "jsonl", "gdelt")

__all__ = ["FORMATS", "GDELT2_COLUMNS", "to_gdelt_rows", "write_events"]


def _actor_columns(prefix: str) -> list[str]:
    return [
        f"{prefix}Code", f"{prefix}Name", f"{prefix}CountryCode", f"{prefix}KnownGroupCode",
        f"{prefix}EthnicCode", f"{prefix}Religion1Code", f"{prefix}Religion2Code",
        f"{prefix}Type1Code", f"{prefix}Type2Code", f"{prefix}Type3Code",
    ]


def _geo_columns(prefix: str) -> list[str]:
    return [
        f"{prefix}_Type", f"{prefix}_FullName", f"{prefix}_CountryCode", f"{prefix}_ADM1Code",
        f"{prefix}_ADM2Code", f"{prefix}_Lat", f"{prefix}_Long", f"{prefix}_FeatureID",
    ]


# GDELT 2.0 event table, in file order (61 columns).
GDELT2_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *_actor_columns("Actor1"), *_actor_columns("Actor2"),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *_geo_columns("Actor1Geo"), *_geo_columns("Actor2Geo"), *_geo_columns("ActionGeo"),
    "DATEADDED", "SOURCEURL",
)
assert len(GDELT2_COLUMNS) == 61


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return str(value)


def to_gdelt_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Events (a frame of the event table) as GDELT 2.0 rows of 61 strings."""
    rows: list[list[str]] = []
    index = {name: i for i, name in enumerate(GDELT2_COLUMNS)}
    for event in frame.to_dict("records"):
        row = [""] * len(GDELT2_COLUMNS)
        day = pd.Timestamp(event["date"]) if _text(event.get("date")) else None
        row[index["GLOBALEVENTID"]] = _text(event.get("event_id"))
        if day is not None:
            row[index["SQLDATE"]] = day.strftime("%Y%m%d")
            row[index["MonthYear"]] = day.strftime("%Y%m")
            row[index["Year"]] = day.strftime("%Y")
            row[index["FractionDate"]] = f"{day.year + (day.day_of_year - 1) / 365:.4f}"
        for prefix, side in (("Actor1", "source"), ("Actor2", "target")):
            country = _text(event.get(f"{side}_country"))
            sector = _text(event.get(f"{side}_sector"))
            row[index[f"{prefix}Code"]] = country + sector
            row[index[f"{prefix}Name"]] = _text(event.get(f"{side}_name")).upper()
            row[index[f"{prefix}CountryCode"]] = country
            row[index[f"{prefix}Type1Code"]] = sector
        code = _text(event.get("cameo_code"))
        row[index["IsRootEvent"]] = "1"
        row[index["EventCode"]] = code
        row[index["EventBaseCode"]] = code[:3]
        row[index["EventRootCode"]] = _text(event.get("cameo_root")) or code[:2]
        row[index["QuadClass"]] = _text(event.get("quad_class"))
        goldstein = event.get("goldstein")
        row[index["GoldsteinScale"]] = "" if goldstein is None or pd.isna(goldstein) else f"{goldstein:g}"
        if _text(event.get("location_name")) or _text(event.get("location_country")):
            iso3 = _text(event.get("location_country"))
            row[index["ActionGeo_Type"]] = "1" if not _text(event.get("latitude")) else "4"
            row[index["ActionGeo_FullName"]] = _text(event.get("location_name"))
            row[index["ActionGeo_CountryCode"]] = (iso3_to_fips(iso3) or "") if iso3 else ""
            row[index["ActionGeo_Lat"]] = _text(event.get("latitude"))
            row[index["ActionGeo_Long"]] = _text(event.get("longitude"))
        row[index["SOURCEURL"]] = _text(event.get("url"))
        rows.append(row)
    return rows


def write_events(frame: pd.DataFrame, path: str | Path, fmt: str) -> int:
    """Write events to ``path`` in ``fmt`` (csv, parquet, jsonl, gdelt); return the row count."""
    if fmt not in FORMATS:
        raise ConfigError(Errors.E701, detail=f"format must be one of {', '.join(FORMATS)}. Got {fmt!r} instead")
    out = Path(path)
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    elif fmt == "jsonl":
        with out.open("w", encoding="utf-8") as handle:
            for record in frame.to_dict("records"):
                handle.write(json.dumps({k: _json_value(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
    else:
        with out.open("w", encoding="utf-8") as handle:
            for row in to_gdelt_rows(frame):
                handle.write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
    return len(frame)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value.startswith("{"):
        try:  # the spans column comes back from DuckDB as JSON text
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
