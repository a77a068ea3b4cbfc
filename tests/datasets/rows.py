"""Hand-made dataset rows for the reader tests: GDELT rows built field by field, so that each
test says only what matters to it."""

from __future__ import annotations

from pathlib import Path

from dyadwatch.coding.export import GDELT2_COLUMNS
from dyadwatch.datasets.gdelt import GDELT1_COLUMNS

DATA = Path(__file__).parent / "data"

_BASE = {
    "SQLDATE": "20211020", "MonthYear": "202110", "Year": "2021", "FractionDate": "2021.8000",
    "IsRootEvent": "1", "EventCode": "043", "EventBaseCode": "043", "EventRootCode": "04",
    "QuadClass": "1", "GoldsteinScale": "2.8", "NumMentions": "4", "NumSources": "2",
    "NumArticles": "4", "AvgTone": "-1.5", "ActionGeo_Type": "4", "ActionGeo_FullName": "Moscow, Moscow City, Russia",
    "ActionGeo_CountryCode": "RS", "ActionGeo_Lat": "55.75", "ActionGeo_Long": "37.62",
}


def gdelt2_row(event_id: int, **fields: str) -> str:
    """One GDELT 2.0 line (61 tab-separated fields, no line end): Russia hosts Afghanistan on
    2021-10-20, unless ``fields`` say otherwise (by GDELT column name)."""
    values = {"GLOBALEVENTID": str(event_id), "Actor1Code": "RUSGOV", "Actor1Name": "RUSSIA",
              "Actor1CountryCode": "RUS", "Actor1Type1Code": "GOV", "Actor2Code": "AFG",
              "Actor2Name": "AFGHANISTAN", "Actor2CountryCode": "AFG", "DATEADDED": "20211020120000",
              "SOURCEURL": f"https://news.example.org/{event_id}", **_BASE}
    values.update(fields)
    return "\t".join(values.get(name, "") for name in GDELT2_COLUMNS)


def gdelt1_row(event_id: int, *, url: bool = True, **fields: str) -> str:
    """One GDELT 1.0 line: 58 fields (daily files), or 57 without SOURCEURL (the back file)."""
    values = {"GLOBALEVENTID": str(event_id), "Actor1Code": "RUS", "Actor1Name": "RUSSIA",
              "Actor1CountryCode": "RUS", "Actor2Code": "AFG", "Actor2Name": "AFGHANISTAN",
              "Actor2CountryCode": "AFG", "DATEADDED": "20130401",
              "SOURCEURL": f"https://news.example.org/{event_id}", **_BASE, "SQLDATE": "20130401"}
    values.update(fields)
    columns = GDELT1_COLUMNS if url else GDELT1_COLUMNS[:-1]
    return "\t".join(values.get(name, "") for name in columns)


def write_lines(path: Path, lines: list[str], *, final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    return path
