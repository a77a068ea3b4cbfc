"""Refresh the fact columns of the ontology's tables from the shared reference data.

A maintainer's tool, not part of the API. It reads third-party files in ``../shared/data``
(or ``$DYADWATCH_SHARED_DATA``) and rewrites two of the project's own tables:

``coding/data/cameo_events.csv``
    The code list and ``goldstein`` (ICEWS ``goldstein_mappings.csv``, CAMEO 1.1b3 numbering),
    ``goldstein_gdelt`` (GDELT's ``cameoCodeTable.tsv``) and the ``plover_*`` columns
    (``plover/CAMEO2PLOVER-2021.txt``, with the two decisions in :data:`PLOVER_DECISIONS`).
    ``label`` and ``note`` are the project's own words: kept from the committed file.
``coding/data/fips_countries.csv``
    ``iso3`` for every FIPS 10-4 code in GDELT's country lookup
    (``gdelt-reference/lookup_countryInfo.txt``). ``basis``, ``name`` and ``note`` are kept, and
    so are the hand-written rows for FIPS codes that lookup lacks (oceans, disputed islands...).

Run ``python -m dyadwatch.coding.ontology._generate`` to rewrite, ``--check`` to exit 1 when a
committed table differs from what the shared data gives.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import re
import sys
from pathlib import Path

from dyadwatch.coding.ontology._tables import DATA_DIR, read_table

log = logging.getLogger(__name__)

CAMEO_FILE = "cameo_events.csv"
FIPS_FILE = "fips_countries.csv"

CAMEO_COLUMNS = ["code", "goldstein", "goldstein_gdelt", "plover_type", "plover_mode",
                 "plover_context", "label", "note"]
FIPS_COLUMNS = ["fips", "iso3", "basis", "name", "note"]

CAMEO_HEADER = """\
# dyadwatch's CAMEO event codebook: one row per CAMEO code (strings keep their leading zeros).
# Facts and their sources:
#   code       - CAMEO 1.1b3 codebook numbering (Schrodt 2012), the numbering ICEWS and GDELT's
#                event lookup use; root = first two digits, parent = code minus its last digit.
#   goldstein  - Goldstein (1992) conflict-cooperation scale as tabulated for CAMEO 1.1b3 codes
#                (the ICEWS CAMEO-to-Goldstein table).
#   goldstein_gdelt - the Goldstein table GDELT publishes and applies; it is keyed to the older
#                CAMEO 0.5b1 numbering, so codes 016, 124, 163, 164, 166 carry the score of
#                another event (see note). Empty: GDELT's table has no row for the code.
#   plover_*   - PLOVER 2021 manual (Draft 0.8), CAMEO-to-PLOVER conversion of 17 Sep 2021:
#                event type, mode, contexts (';'-separated). Empty type: no PLOVER equivalent
#                (roots 01 and 02 are dropped by PLOVER).
# label and note are dyadwatch's own short wording, not the codebook's text.
# Fact columns are refreshed by: python -m dyadwatch.coding.ontology._generate (label, note kept).
"""

FIPS_HEADER = """\
# dyadwatch's FIPS 10-4 country crosswalk: every country-level FIPS code GDELT writes in its
# *Geo_CountryCode fields, with the ISO 3166-1 alpha-3 code of the same place.
# Facts and their sources: FIPS 10-4 codes and names (US NGA / GNS, as in GDELT's country
# lookup); ISO 3166-1 alpha-3 (pycountry). basis says how iso3 relates to the FIPS entity:
#   iso           the same entity
#   part          the FIPS entity is part of the ISO entity (West Bank -> PSE, Baker Island -> UMI)
#   withdrawn     the ISO code was withdrawn (ANT 2010, SCG 2006); kept for old GDELT rows
#   user-assigned not ISO: XKX, the code the EU and GeoNames use for Kosovo
#   none          no ISO country: oceans, undersea features, disputed islands, UK bases on Cyprus
# iso3 of the rows GDELT's lookup lists is refreshed by: python -m dyadwatch.coding.ontology._generate
"""

# Decisions on top of the CAMEO-to-PLOVER conversion table (each explained in the row's note).
PLOVER_DECISIONS: dict[str, tuple[str, str, str]] = {
    # The conversion writes "ASSAULT, pro_autocracy, military": a context in the mode column.
    "175": ("ASSAULT", "", "pro_autocracy;military"),
    # Root 08 is listed under both CONCEDE (081-083) and RETREAT (084-087); the root follows 080.
    "08": ("CONCEDE", "", ""),
}


def shared_data_dir() -> Path | None:
    """``$DYADWATCH_SHARED_DATA``, else ``../shared/data`` beside the project, if present."""
    env = os.environ.get("DYADWATCH_SHARED_DATA")
    folder = Path(env) if env else DATA_DIR.parents[3].parent / "shared" / "data"
    return folder if folder.is_dir() else None


def read_cameo2plover(path: Path) -> dict[str, tuple[str, str, str]]:
    """``code -> (type, mode, contexts)`` from CAMEO2PLOVER-2021.txt; roots map to the type."""
    table: dict[str, tuple[str, str, str]] = {}
    roots: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\d{2,4}):\s*(.*)$", line)
        if not match:
            continue
        code, rest = match.groups()
        fields = [part.strip() for part in rest.split("#", 1)[0].split(",")]
        if len(code) == 2:
            roots.setdefault(code, []).append(fields[0])
            continue
        event_type, mode, context = (fields + ["", "", ""])[:3]
        contexts = ";".join(part.strip() for part in context.split(";") if part.strip())
        value = (event_type.upper(), mode, contexts)
        if code in table and table[code] != value:
            raise ValueError(f"{path.name}: code {code} is listed twice, differently")
        table[code] = value
    for root, types in roots.items():
        table[root] = (types[0], "", "") if len(types) == 1 else ("", "", "")
    return table


def build_cameo(shared: Path) -> list[dict[str, str]]:
    kept = {row["code"]: row for row in read_table(CAMEO_FILE)} if (DATA_DIR / CAMEO_FILE).exists() else {}
    with (shared / "icews" / "goldstein_mappings.csv").open(encoding="utf-8", newline="") as handle:
        icews = {row["code"]: float(row["goldstein"]) for row in csv.DictReader(handle)}
    gdelt: dict[str, float] = {}
    with (shared / "gdelt-reference" / "cameoCodeTable.tsv").open(encoding="utf-8") as handle:
        for line in handle.read().splitlines()[1:]:
            fields = line.split("\t")
            gdelt[fields[0].strip()] = float(fields[2])
    plover = read_cameo2plover(shared / "plover" / "CAMEO2PLOVER-2021.txt")
    plover.update(PLOVER_DECISIONS)
    skipped = sorted(set(plover) - set(icews))
    if skipped:
        log.info("CAMEO2PLOVER codes outside the CAMEO 1.1b3 list, not tabulated: %s", skipped)
    rows = []
    for code in sorted(icews):
        event_type, mode, contexts = plover.get(code, ("", "", ""))
        old = kept.get(code, {})
        rows.append({
            "code": code,
            "goldstein": _number(icews[code]),
            "goldstein_gdelt": _number(gdelt[code]) if code in gdelt else "",
            "plover_type": event_type,
            "plover_mode": mode,
            "plover_context": contexts,
            "label": old.get("label", ""),
            "note": old.get("note", ""),
        })
    missing = [row["code"] for row in rows if not row["label"]]
    if missing:
        log.warning("codes without a label (write one in %s): %s", CAMEO_FILE, missing)
    return rows


def build_fips(shared: Path) -> list[dict[str, str]]:
    kept = {row["fips"]: row for row in read_table(FIPS_FILE)} if (DATA_DIR / FIPS_FILE).exists() else {}
    rows: dict[str, dict[str, str]] = {}
    with (shared / "gdelt-reference" / "lookup_countryInfo.txt").open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            fips = record["fips"].strip()
            if not fips:
                continue  # ISO entities with no FIPS code (Aland, Bonaire, US minor islands)
            old = kept.get(fips, {})
            rows[fips] = {
                "fips": fips,
                "iso3": record["ISO3"].strip(),
                "basis": old.get("basis", "iso"),
                "name": old.get("name") or record["Country"].strip(),
                "note": old.get("note", ""),
            }
    for fips, old in kept.items():
        rows.setdefault(fips, {column: old.get(column, "") for column in FIPS_COLUMNS})
    return [rows[fips] for fips in sorted(rows)]


def render(header: str, columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    out.write(header)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _number(value: float) -> str:
    return repr(float(value))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dyadwatch.coding.ontology._generate")
    parser.add_argument("--shared", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    shared = args.shared or shared_data_dir()
    if shared is None:
        log.error("../shared/data not found; pass --shared DIR or set DYADWATCH_SHARED_DATA")
        return 2
    outputs = {
        CAMEO_FILE: render(CAMEO_HEADER, CAMEO_COLUMNS, build_cameo(shared)),
        FIPS_FILE: render(FIPS_HEADER, FIPS_COLUMNS, build_fips(shared)),
    }
    stale = 0
    for name, text in outputs.items():
        path = DATA_DIR / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            log.info("%s is up to date", name)
        elif args.check:
            log.error("%s differs from what %s gives; re-run without --check", name, shared)
            stale += 1
        else:
            path.write_text(text, encoding="utf-8")
            log.info("wrote %s", path)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
