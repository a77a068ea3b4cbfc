"""dyadwatch.coding.ontology: the tables, the API, and the tables checked against ../shared/data.

Tests that take the ``shared_data`` fixture compare the project's own tables with the
third-party files in ../shared/data and skip, saying so, where that folder is absent.
"""

from __future__ import annotations

import csv
import doctest
import gzip
import importlib
import io
import math
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.coding import ontology as onto
from dyadwatch.coding.ontology import _generate
from dyadwatch.coding.ontology._tables import DATA_DIR, read_table
from dyadwatch.errors import ConfigError, Errors

CODES = onto.cameo_codes()
ROOTS = [f"{n:02d}" for n in range(1, 21)]
RENUMBERED = {"016", "124", "163", "164", "166"}
# Codes that appear in the shared Goldstein comparison only because an old Goldstein table
# lists them (Phoenix: 0110, 109; GDELT: 0357 and 1641-1643 of the 0.5b1 numbering).
LEGACY_GOLDSTEIN_ONLY = {"0110", "109", "0357", "1641", "1642", "1643"}
# Codes of the CAMEO-to-PLOVER conversion that are in no CAMEO 1.1b3 list.
CONVERSION_NOT_CAMEO = {"1214"}
# Where dyadwatch departs from the conversion table on purpose (see cameo_events.csv notes).
CONVERSION_DECISIONS = {"175": ("ASSAULT", None), "08": ("CONCEDE", None)}
ONTOLOGY_MODULES = [
    "dyadwatch.coding.ontology",
    "dyadwatch.coding.ontology._cameo",
    "dyadwatch.coding.ontology._plover",
    "dyadwatch.coding.ontology._sectors",
    "dyadwatch.coding.ontology._countries",
]


def error_code(excinfo: pytest.ExceptionInfo[ConfigError]) -> str:
    return excinfo.value.code


# --------------------------------------------------------------------------- the codebook


def test_codebook_holds_every_cameo_level() -> None:
    assert len(CODES) == 312
    assert [c for c in CODES if len(c) == 2] == ROOTS
    assert all(c.isdigit() and len(c) in (2, 3, 4) for c in CODES)
    assert len(set(CODES)) == len(CODES)


@pytest.mark.parametrize("code", CODES)
def test_each_code_has_a_consistent_entry(code: str) -> None:
    entry = onto.cameo(code)
    assert entry.code == code
    assert entry.root == code[:2] == onto.cameo_root(code)
    assert entry.parent == (code[:-1] if len(code) > 2 else None)
    if entry.parent is not None:
        assert onto.is_cameo(entry.parent)
    assert entry.label and entry.label == entry.label.strip()
    assert -10.0 <= entry.goldstein <= 10.0
    assert -10.0 <= onto.goldstein(code, table="gdelt") <= 10.0
    assert entry.quad_class == onto.quad_class(code) == onto.quad_class(code, "icews")
    assert (entry.plover_type, entry.plover_mode) == onto.cameo_to_plover(code)
    if entry.plover_type is not None:
        assert entry.plover_type in onto.PLOVER_TYPES
    else:
        assert entry.plover_mode is None


def test_cameo_code_is_frozen() -> None:
    entry = onto.cameo("043")
    with pytest.raises(AttributeError):
        entry.goldstein = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["43", "0431", "1214", "", " 043", 43, None, ["043"]])
def test_cameo_rejects_what_is_not_a_code_string(bad: object) -> None:
    with pytest.raises(ConfigError) as excinfo:
        onto.cameo(bad)  # type: ignore[arg-type]
    assert error_code(excinfo) == "E402"
    assert not onto.is_cameo(bad)


@pytest.mark.parametrize(
    ("convention", "blocks"),
    [
        ("icews", {1: "01-05", 2: "06-08", 3: "09-13", 4: "14-20"}),
        ("gdelt", {1: "01-05", 2: "06-09", 3: "10-14", 4: "15-20"}),
        ("penta", {0: "01-01", 1: "02-05", 2: "06-08", 3: "09-13", 4: "14-20"}),
    ],
)
def test_quad_conventions_are_contiguous_blocks(convention: str, blocks: dict[int, str]) -> None:
    for quad, span in blocks.items():
        first, last = (int(x) for x in span.split("-"))
        for root in range(first, last + 1):
            assert onto.quad_class(f"{root:02d}", convention) == quad  # type: ignore[arg-type]


def test_phoenix_convention_moves_16_and_makes_01_02_neutral() -> None:
    got = {root: onto.quad_class(root, "phoenix") for root in ROOTS}
    assert got == {
        "01": 0, "02": 0, "03": 1, "04": 1, "05": 1, "06": 2, "07": 2, "08": 2, "09": 3, "10": 3,
        "11": 3, "12": 3, "13": 3, "14": 4, "15": 4, "16": 3, "17": 4, "18": 4, "19": 4, "20": 4,
    }


def test_quad_class_follows_the_root() -> None:
    for code in CODES:
        for convention in onto.QUAD_CONVENTIONS:
            assert onto.quad_class(code, convention) == onto.quad_class(code[:2], convention)  # type: ignore[arg-type]


def test_unknown_convention_and_table_are_coded_errors() -> None:
    with pytest.raises(ConfigError) as excinfo:
        onto.quad_class("043", "cameo")  # type: ignore[arg-type]
    assert error_code(excinfo) == "E421"
    assert "must be one of icews, gdelt, phoenix, penta. Got 'cameo' instead." in str(excinfo.value)
    with pytest.raises(ConfigError) as excinfo:
        onto.goldstein("043", table="phoenix")  # type: ignore[arg-type]
    assert error_code(excinfo) == "E421"


# --------------------------------------------------------------------------- Goldstein


@pytest.mark.parametrize(
    ("code", "cameo_1_1b3", "gdelt"),
    [("016", -5.0, 3.4), ("124", -4.0, -5.0), ("163", -8.0, -6.5), ("164", -6.5, -7.0), ("166", -7.0, -8.0)],
)
def test_the_five_renumbered_codes(code: str, cameo_1_1b3: float, gdelt: float) -> None:
    assert onto.goldstein(code) == onto.goldstein(code, table="cameo-1.1b3") == cameo_1_1b3
    assert onto.goldstein(code, table="gdelt") == gdelt
    assert "renumbered" in _notes()[code]


def test_the_tables_differ_only_on_the_renumbered_codes() -> None:
    gdelt_rows = {row["code"] for row in read_table("cameo_events.csv") if row["goldstein_gdelt"]}
    differ = {c for c in gdelt_rows if onto.goldstein(c) != onto.goldstein(c, table="gdelt")}
    assert differ == RENUMBERED


def test_gdelt_table_falls_back_to_the_nearest_listed_parent() -> None:
    listed = {row["code"] for row in read_table("cameo_events.csv") if row["goldstein_gdelt"]}
    assert set(ROOTS) <= listed
    for code in ("1661", "1662", "1663"):
        assert code not in listed
        assert onto.goldstein(code, table="gdelt") == onto.goldstein("166", table="gdelt") == -8.0
    assert onto.goldstein("0251", table="gdelt") == onto.goldstein("025", table="gdelt")


# --------------------------------------------------------------------------- normalise_cameo


def _kind_of(code: str) -> str:
    return "root" if len(code) == 2 else "code"


@pytest.mark.parametrize("code", CODES)
def test_normalise_round_trips_every_code(code: str) -> None:
    number = int(code)
    assert onto.normalise_cameo(code) == code
    assert onto.normalise_cameo(f" {code} ") == code
    assert onto.normalise_cameo(number, kind=_kind_of(code)) == code  # type: ignore[arg-type]
    assert onto.normalise_cameo(float(number), kind=_kind_of(code)) == code  # type: ignore[arg-type]
    assert onto.normalise_cameo(f"{number}.0", kind=_kind_of(code)) == code  # type: ignore[arg-type]
    if len(code) == 3:
        assert onto.normalise_cameo(number, kind="base") == code
    if not (10 <= number <= 20):
        assert onto.normalise_cameo(number) == code
        assert onto.normalise_cameo(str(number)) == code


def test_exactly_10_to_20_are_ambiguous_without_a_kind() -> None:
    ambiguous = set()
    for number in range(0, 10000):
        try:
            onto.normalise_cameo(number)
        except ConfigError as err:
            if err.code == "E420":
                ambiguous.add(number)
    assert ambiguous == set(range(10, 21))


def test_the_examples_of_the_brief() -> None:
    assert {onto.normalise_cameo(v) for v in (43, "43", "043.0", 43.0)} == {"043"}
    assert onto.normalise_cameo("10") == "10"
    assert onto.normalise_cameo("010") == "010"
    assert onto.normalise_cameo(10.0, kind="code") == "010"
    assert onto.normalise_cameo("10.0", kind="root") == "10"


def test_numpy_and_pandas_values_are_numbers() -> None:
    pd = pytest.importorskip("pandas")
    column = pd.read_csv(io.StringIO("EventCode\n043\n1011\n0331\n"))["EventCode"]
    assert column.tolist() == [43, 1011, 331]  # the zeros pandas drops
    assert [onto.normalise_cameo(v, kind="code") for v in column] == ["043", "1011", "0331"]
    np = pytest.importorskip("numpy")
    assert onto.normalise_cameo(np.int64(43)) == "043"
    assert onto.normalise_cameo(np.float64(331.0)) == "0331"
    assert onto.normalise_cameo(np.int32(10), kind="root") == "10"
    floats = pd.Series([43, None], dtype="float64")
    assert onto.normalise_cameo(floats[0]) == "043"
    with pytest.raises(ConfigError):
        onto.normalise_cameo(floats[1])


@pytest.mark.parametrize(
    "bad", [None, "", "abc", "04a", -43, 4.5, float("nan"), math.inf, True, "0043", "43.5", 99999, b"043"]
)
def test_normalise_rejects_non_codes(bad: object) -> None:
    with pytest.raises(ConfigError) as excinfo:
        onto.normalise_cameo(bad)
    assert error_code(excinfo) == "E402"


def test_normalise_respects_the_kind() -> None:
    with pytest.raises(ConfigError):
        onto.normalise_cameo("043", kind="root")
    with pytest.raises(ConfigError):
        onto.normalise_cameo(4, kind="base")
    with pytest.raises(ConfigError) as excinfo:
        onto.normalise_cameo(43, kind="event")  # type: ignore[arg-type]
    assert error_code(excinfo) == "E421"


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(CODES), form=st.sampled_from(["str", "int", "float", "float-str"]))
def test_normalise_recovers_any_code_read_as_a_number(code: str, form: str) -> None:
    value: object = {"str": code, "int": int(code), "float": float(code), "float-str": f"{int(code)}.0"}[form]
    assert onto.normalise_cameo(value, kind=_kind_of(code)) == code  # type: ignore[arg-type]


# --------------------------------------------------------------------------- PLOVER


def test_plover_types_and_their_quad_classes() -> None:
    assert dict(onto.PLOVER_TYPES) == {
        "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
        "COOPERATE": 2, "AID": 2, "RETREAT": 2,
        "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
        "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
    }
    assert set(onto.PLOVER_MODES) == set(onto.PLOVER_TYPES)
    assert onto.PLOVER_MODES["AGREE"] == ()
    assert onto.PLOVER_MODES["CONSULT"] == ("visit", "third-party", "multilateral", "phone")


def _plover_rows() -> list[dict[str, str]]:
    return read_table("plover.csv")


@pytest.mark.parametrize("row", _plover_rows(), ids=lambda r: f"{r['event_type']}/{r['mode'] or '-'}")
def test_plover_to_cameo_matches_what_the_table_claims(row: dict[str, str]) -> None:
    event_type, mode = row["event_type"], row["mode"] or None
    code = onto.plover_to_cameo(event_type, mode)
    assert code == row["cameo"] and onto.is_cameo(code)
    back = onto.cameo_to_plover(code)
    if row["match"] == "exact":
        assert back == (event_type, mode)
    elif row["match"] == "type":
        assert back[0] == event_type and back[1] != mode
        # 'type' only where no event code (3 or 4 digits) converts to exactly this pair
        assert not any(onto.cameo_to_plover(c) == (event_type, mode) for c in CODES if len(c) > 2)
    else:
        assert row["match"] == "approx" and back[0] != event_type


def test_plover_type_alone_converts_back_to_the_type() -> None:
    for event_type in onto.PLOVER_TYPES:
        assert onto.cameo_to_plover(onto.plover_to_cameo(event_type))[0] == event_type


def test_every_mode_cameo_to_plover_returns_is_known() -> None:
    extra = {(r["event_type"], r["mode"]) for r in _plover_rows() if r["mode"] and r["status"] != "manual"}
    for code in CODES:
        event_type, mode = onto.cameo_to_plover(code)
        if mode is not None:
            assert event_type is not None
            assert mode in onto.PLOVER_MODES[event_type] or (event_type, mode) in extra, code


def test_plover_crosswalk_errors_and_case() -> None:
    assert onto.plover_to_cameo(" consult ", "VISIT") == "042"
    assert onto.plover_to_cameo("ASSAULT", "") == onto.plover_to_cameo("ASSAULT") == "180"
    with pytest.raises(ConfigError) as excinfo:
        onto.plover_to_cameo("FIGHT")
    assert error_code(excinfo) == "E422"
    with pytest.raises(ConfigError) as excinfo:
        onto.plover_to_cameo("AGREE", "visit")
    assert error_code(excinfo) == "E423"
    assert "(none)" in str(excinfo.value)


def test_the_visit_direction_is_documented() -> None:
    assert onto.cameo_to_plover("042") == onto.cameo_to_plover("043") == ("CONSULT", "visit")
    assert "swap actor and recipient" in _notes()["043"]


# --------------------------------------------------------------------------- sectors


def test_sector_codes_of_the_brief_are_known() -> None:
    for code in ("GOV", "MIL", "REB", "INS", "OPP", "BUS", "MED", "CVL", "REF", "IGO", "NGO", "COP",
                 "JUD", "SPY", "LEG", "ELI", "CRM", "LAB", "EDU", "HLH", "REL"):
        entry = onto.sector(code)
        assert entry.code == code and entry.label
    assert onto.sector("gov ") == onto.sector("GOV")


def test_sector_plover_equivalents_are_plover_sectors() -> None:
    assert len(onto.PLOVER_SECTORS) == 25
    for entry in onto.CAMEO_SECTORS.values():
        assert entry.plover is None or entry.plover in onto.PLOVER_SECTORS, entry
        if entry.plover is None:
            assert entry.note, f"{entry.code}: say why it has no PLOVER equivalent"


def test_sector_traps() -> None:
    assert onto.sector("MED").plover == "JRN"  # CAMEO MED is the media
    assert onto.sector("HLH").plover == "MED"  # PLOVER MED is health
    assert onto.sector("INS").plover == onto.sector("SEP").plover == "REB"
    with pytest.raises(ConfigError) as excinfo:
        onto.sector("JRN")  # a PLOVER code, not a CAMEO one
    assert error_code(excinfo) == "E425"


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("fips", "iso3"),
    [
        ("RS", "RUS"), ("RI", "SRB"), ("TI", "TJK"), ("AF", "AFG"), ("UZ", "UZB"), ("KZ", "KAZ"),
        ("KG", "KGZ"), ("TX", "TKM"), ("CH", "CHN"), ("IN", "IND"), ("PK", "PAK"), ("IR", "IRN"),
        ("US", "USA"), ("SZ", "CHE"), ("AS", "AUS"), ("AU", "AUT"), ("GM", "DEU"), ("UK", "GBR"),
        ("IS", "ISR"), ("UP", "UKR"), ("SF", "ZAF"), ("WE", "PSE"), ("GZ", "PSE"), ("BQ", "UMI"),
        ("OS", None), ("PG", None), ("UF", None), ("rs", "RUS"),
    ],
)
def test_fips_traps(fips: str, iso3: str | None) -> None:
    assert onto.fips_to_iso3(fips) == iso3


def test_the_same_letters_differ_between_fips_and_iso() -> None:
    assert (onto.fips_to_iso3("RS"), onto.iso2_to_iso3("RS")) == ("RUS", "SRB")
    assert (onto.fips_to_iso3("CH"), onto.iso2_to_iso3("CH")) == ("CHN", "CHE")
    assert (onto.fips_to_iso3("AU"), onto.iso2_to_iso3("AU")) == ("AUT", "AUS")
    with pytest.raises(ConfigError) as excinfo:
        onto.iso2_to_iso3("TI")  # FIPS Tajikistan; not an ISO code
    assert error_code(excinfo) == "E424"


def test_every_fips_row_has_a_valid_iso3_or_says_it_has_none() -> None:
    pycountry = pytest.importorskip("pycountry")
    current = {c.alpha_3 for c in pycountry.countries}
    withdrawn = {c.alpha_3 for c in pycountry.historic_countries if getattr(c, "alpha_3", None)}
    rows = read_table("fips_countries.csv")
    assert len(rows) == len({r["fips"] for r in rows}) == 277
    for row in rows:
        entry = onto.fips_country(row["fips"])
        assert re.fullmatch(r"[A-Z]{2}", entry.fips) and entry.name
        if entry.basis == "none":
            assert entry.iso3 is None and entry.note, row
        elif entry.basis == "withdrawn":
            assert entry.iso3 in withdrawn - current, row
        elif entry.basis == "user-assigned":
            assert entry.iso3 == "XKX"
        else:
            assert entry.basis in ("iso", "part") and entry.iso3 in current, row
            if entry.basis == "part":
                assert entry.note, row


def test_country_errors_name_the_scheme() -> None:
    with pytest.raises(ConfigError) as excinfo:
        onto.fips_to_iso3("RUS")
    assert error_code(excinfo) == "E424" and "FIPS 10-4" in str(excinfo.value)
    with pytest.raises(ConfigError) as excinfo:
        onto.cameo_country_to_iso3("XYZ")
    assert error_code(excinfo) == "E424" and "CAMEO" in str(excinfo.value)


def test_cameo_country_exceptions() -> None:
    assert onto.cameo_country_to_iso3("RUS") == "RUS"
    assert onto.cameo_country_to_iso3("afg") == "AFG"
    assert onto.cameo_country_to_iso3("SUN") == "SUN"  # ISO 3166-3, the USSR
    expected = {"ROM": "ROU", "TMP": "TLS", "MTN": "MNE", "IMY": "IMN", "KSV": "XKX", "WSB": "PSE",
                "GZS": "PSE", "BAG": "IRQ", "USAGUM": "GUM", "CAS": None, "WST": None}
    assert {code: onto.cameo_country_to_iso3(code) for code in expected} == expected
    pycountry = pytest.importorskip("pycountry")
    valid = {c.alpha_3 for c in pycountry.countries} | {"XKX", "ANT"}
    for row in read_table("cameo_countries.csv"):
        assert (row["iso3"] == "") == (row["kind"] == "region"), row
        assert row["iso3"] == "" or row["iso3"] in valid, row
        assert row["cameo"] not in {c.alpha_3 for c in pycountry.countries} or row["kind"] == "withdrawn"


def test_agrees_with_the_actor_dictionary_codes() -> None:
    codes = pytest.importorskip("dyadwatch.actors.codes", reason="dyadwatch.actors.codes is not there")
    legacy = getattr(codes, "CAMEO_LEGACY", {})
    for cameo_code in ("ROM", "TMP", "MTN", "IMY"):
        if cameo_code in legacy:
            assert onto.cameo_country_to_iso3(cameo_code) == legacy[cameo_code]
    for region in getattr(codes, "REGION_CODES", {}):
        assert onto.cameo_country_to_iso3(region) is None


# --------------------------------------------------------------------------- files and docs


def test_every_data_file_names_its_sources() -> None:
    for path in sorted(DATA_DIR.glob("*.csv")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0].startswith("# dyadwatch's"), path.name
        assert any("source" in line.lower() for line in path.read_text(encoding="utf-8").splitlines()
                   if line.startswith("#")), path.name


def test_new_error_templates_format() -> None:
    assert Errors.E420.format(value=10, candidates="'010' or '10'").startswith("CAMEO code 10 is ambiguous")
    assert "Got 'x' instead." in Errors.E421.format(name="table", allowed="a, b", found="x")


@pytest.mark.parametrize("module", ONTOLOGY_MODULES)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@cache
def _notes() -> dict[str, str]:
    return {row["code"]: row["note"] for row in read_table("cameo_events.csv")}


# --------------------------------------------------------------------------- against ../shared/data


def _csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@cache
def _gdelt_event_lookup(shared: Path) -> set[str]:
    codes = set()
    text = (shared / "gdelt-reference" / "lookup_cameoEvent.txt").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        codes.add(line.split("\t")[0])
        codes.update(re.findall(r"(\d{2,4}):\[", line))  # one line swallowed the next: "...106:[-5.0] ..."
    return codes


@cache
def _gdelt_goldstein(shared: Path) -> dict[str, float]:
    text = (shared / "gdelt-reference" / "cameoCodeTable.tsv").read_text(encoding="utf-8")
    return {line.split("\t")[0].strip(): float(line.split("\t")[2]) for line in text.splitlines()[1:]}


@cache
def _conversion(shared: Path) -> dict[str, tuple[str, str | None, tuple[str, ...]]]:
    """CAMEO2PLOVER-2021.txt read independently of the generator: code -> (type, mode, contexts).

    A root listed twice (08: CONCEDE, then RETREAT) keeps its first line here.
    """
    table: dict[str, tuple[str, str | None, tuple[str, ...]]] = {}
    for line in (shared / "plover" / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\d+):([^#]*)", line)
        if match and match.group(1) not in table:
            fields = [f.strip() for f in match.group(2).split(",")] + ["", ""]
            contexts = tuple(c.strip() for c in fields[2].split(";") if c.strip())
            table[match.group(1)] = (fields[0], fields[1] or None, contexts)
    return table


def _gdelt_rows(shared: Path) -> list[list[str]]:
    rows = []
    for name in ("events.csv", "eventsT.csv", "events1.csv"):
        for line in (shared / "gdelt-samples" / name).read_text(encoding="utf-8").splitlines():
            rows.append(line.split("\t"))
    return rows


def test_every_shared_cameo_code_is_in_the_codebook(shared_data: Path) -> None:
    icews = {r["code"]: r for r in _csv(shared_data / "icews" / "cameo-codes.csv", encoding="latin-1")}
    icews_goldstein = {r["code"] for r in _csv(shared_data / "icews" / "goldstein_mappings.csv")}
    comparison = {r["cameo_code"]: r for r in _csv(shared_data / "cameo" / "cameo_codes_goldstein_comparison.csv")}
    gdelt_lookup = _gdelt_event_lookup(shared_data)
    conversion = set(_conversion(shared_data))

    assert set(icews) == icews_goldstein == set(CODES)
    assert gdelt_lookup | {"1213"} == set(CODES)  # GDELT's lookup lacks 1213 only
    assert conversion - set(CODES) == CONVERSION_NOT_CAMEO
    assert set(comparison) - set(CODES) == LEGACY_GOLDSTEIN_ONLY
    assert not LEGACY_GOLDSTEIN_ONLY & (gdelt_lookup | set(icews) | conversion)
    for code, row in icews.items():
        assert onto.cameo_root(code) == row["root_code"]
    for code in set(comparison) & set(CODES):
        assert onto.cameo_root(code) == comparison[code]["root_code"]
    for code in LEGACY_GOLDSTEIN_ONLY | CONVERSION_NOT_CAMEO:
        assert not onto.is_cameo(code)


def test_quad_classes_agree_with_the_shared_root_table(shared_data: Path) -> None:
    names = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3, "material conflict": 4}
    rows = _csv(shared_data / "cameo" / "cameo_root_categories.csv")
    assert [r["root_code"] for r in rows] == ROOTS
    for row in rows:
        root = row["root_code"]
        assert onto.quad_class(root, "icews") == names[row["quad_icews_andybega"]]
        assert onto.quad_class(root, "gdelt") == int(row["quadclass_gdelt"])
        assert onto.quad_class(root, "phoenix") == int(row["quadclass_phoenix"])
        assert onto.quad_class(root, "penta") == int(row["pentaclass_icews_andybega"])
    comparison = _csv(shared_data / "cameo" / "cameo_codes_goldstein_comparison.csv")
    for row in comparison:
        if onto.is_cameo(row["cameo_code"]):
            assert onto.quad_class(row["cameo_code"]) == names[rows[int(row["root_code"]) - 1]["quad_icews_andybega"]]


def test_goldstein_agrees_with_the_chosen_table_for_every_code(shared_data: Path) -> None:
    icews = {r["code"]: float(r["goldstein"]) for r in _csv(shared_data / "icews" / "goldstein_mappings.csv")}
    assert {c: onto.goldstein(c) for c in icews} == icews
    for row in _csv(shared_data / "cameo" / "cameo_codes_goldstein_comparison.csv"):
        if onto.is_cameo(row["cameo_code"]) and row["goldstein_icews"]:
            assert onto.goldstein(row["cameo_code"]) == float(row["goldstein_icews"])
            if row["goldstein_disagree"] == "1" and row["goldstein_gdelt"]:
                assert row["cameo_code"] in RENUMBERED


def test_gdelt_goldstein_agrees_with_gdelt_table(shared_data: Path) -> None:
    gdelt = _gdelt_goldstein(shared_data)
    for code in set(gdelt) & set(CODES):
        assert onto.goldstein(code, table="gdelt") == gdelt[code], code
    differ = {c for c in set(gdelt) & set(CODES) if gdelt[c] != onto.goldstein(c)}
    assert differ == RENUMBERED


def test_real_gdelt_rows_reproduce(shared_data: Path) -> None:
    rows = _gdelt_rows(shared_data)
    assert len(rows) == 300
    for fields in rows:
        event_code, base, root, quad, score = fields[26:31]
        code = onto.normalise_cameo(event_code, kind="code")
        assert code == event_code
        assert onto.cameo_root(code) == root and code[:3] == base
        assert onto.quad_class(code, "gdelt") == int(quad)
        assert onto.goldstein(code, table="gdelt") == float(score)
        # the same values survive a round trip through numbers
        assert onto.normalise_cameo(int(event_code), kind="code") == code
        assert onto.normalise_cameo(int(root), kind="root") == root


def test_real_icews_rows_reproduce(shared_data: Path) -> None:
    rows = _csv(shared_data / "icews" / "events.2018.sample.tab", delimiter="\t")
    assert len(rows) == 3705
    for row in rows:
        code = onto.normalise_cameo(row["CAMEO Code"], kind="code")
        assert onto.goldstein(code) == float(row["Intensity"]), row["Event ID"]


def test_cameo_to_plover_agrees_with_the_conversion_table(shared_data: Path) -> None:
    conversion = _conversion(shared_data)
    checked = 0
    for code, (event_type, mode, contexts) in conversion.items():
        if code in CONVERSION_NOT_CAMEO:
            continue
        if code in CONVERSION_DECISIONS:
            assert onto.cameo_to_plover(code) == CONVERSION_DECISIONS[code]
            continue
        assert onto.cameo_to_plover(code) == (event_type, mode), code
        assert onto.cameo(code).plover_contexts == contexts, code
        checked += 1
    assert onto.cameo("175").plover_contexts == ("pro_autocracy", "military")
    assert checked == len(conversion) - len(CONVERSION_NOT_CAMEO) - len(CONVERSION_DECISIONS) == 271
    dropped = {c for c in CODES if c[:2] in ("01", "02")}
    assert all(onto.cameo_to_plover(c) == (None, None) for c in dropped)
    assert not dropped & set(conversion)


def test_plover_types_modes_and_sectors_agree_with_the_manual(shared_data: Path) -> None:
    quads = {"VERBAL COOPERATION": 1, "MATERIAL COOPERATION": 2, "VERBAL CONFLICT": 3, "MATERIAL CONFLICT": 4}
    types = _csv(shared_data / "cameo" / "plover_event_types.csv")
    assert {r["event"]: quads[r["quad_category"]] for r in types} == dict(onto.PLOVER_TYPES)
    assert [r["event"] for r in types] == list(onto.PLOVER_TYPES)
    manual: dict[str, list[str]] = {t: [] for t in onto.PLOVER_TYPES}
    commented = set()
    for row in _csv(shared_data / "cameo" / "plover_modes.csv"):
        if row["note"]:
            commented.add((row["event"], row["mode"]))
        else:
            manual[row["event"]].append(row["mode"])
    assert {t: list(m) for t, m in onto.PLOVER_MODES.items()} == manual
    ours = {(r["event_type"], r["mode"]): r["status"] for r in _plover_rows() if r["mode"]}
    assert {pair for pair, status in ours.items() if status == "manual-commented-out"} == commented
    sectors = {r["sector"] for r in _csv(shared_data / "cameo" / "plover_sector_codes.csv")}
    assert set(onto.PLOVER_SECTORS) == sectors


def test_gdelt_actor_types_are_all_sectors(shared_data: Path) -> None:
    text = (shared_data / "gdelt-reference" / "lookup_cameoType.txt").read_text(encoding="utf-8")
    codes = {line.split("\t")[0] for line in text.splitlines()[1:]}
    assert codes <= set(onto.CAMEO_SECTORS)
    assert set(onto.CAMEO_SECTORS) - codes == {"REL", "PTY"}


def test_every_gdelt_fips_code_maps(shared_data: Path) -> None:
    rows = _csv(shared_data / "gdelt-reference" / "lookup_countryInfo.txt", delimiter="\t")
    with_fips = [r for r in rows if r["fips"].strip()]
    assert len(with_fips) == 249
    for row in with_fips:
        entry = onto.fips_country(row["fips"])
        assert entry.iso3 == row["ISO3"], row["fips"]
    seen: set[str] = set()
    for fields in _gdelt_rows(shared_data):
        n = len(fields)
        # country-code fields of Actor1Geo, Actor2Geo, ActionGeo (GDELT 2.0: 61 fields; 1.0: 57/58)
        positions = (37, 45, 53) if n == 61 else (37, 44, 51)
        seen.update(fields[i] for i in positions if fields[i])
    assert seen and all(onto.fips_to_iso3(code) or onto.fips_country(code).basis == "none" for code in seen)


def test_every_cameo_country_code_in_the_shared_lists_maps(shared_data: Path) -> None:
    gdelt = (shared_data / "gdelt-reference" / "lookup_cameoCountry.txt").read_text(encoding="utf-8")
    for line in gdelt.splitlines()[1:]:
        onto.cameo_country_to_iso3(line.split("\t")[0])
    names = (shared_data / "cameo" / "icews_text_to_cameo_countrynames.txt").read_text(encoding="utf-8", errors="replace")
    for line in names.splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and fields[1] not in ("---", "ANT"):  # ANT: Antarctica there, a known clash
            onto.cameo_country_to_iso3(fields[1])
    with gzip.open(shared_data / "cameo-actors" / "CountryInfo.140728.txt.gz", "rt", errors="replace") as handle:
        info = handle.read()
    for code in re.findall(r"<CountryCode>\s*([A-Z]+)\s*</CountryCode>", info):
        onto.cameo_country_to_iso3(code)


def test_labels_are_our_own_words(shared_data: Path) -> None:
    theirs = set()
    for row in _csv(shared_data / "icews" / "cameo-codes.csv", encoding="latin-1"):
        theirs.add(row["name"].strip().lower())
    for row in _csv(shared_data / "cameo" / "cameo_codes_goldstein_comparison.csv"):
        theirs.update({row["name_gdelt"].strip().lower(), row["name_icews"].strip().lower()})
    text = (shared_data / "gdelt-reference" / "lookup_cameoEvent.txt").read_text(encoding="utf-8")
    theirs.update(line.split("\t")[-1].strip().lower() for line in text.splitlines())
    copied = [c for c in CODES if onto.cameo(c).label.lower() in theirs]
    assert copied == []


def test_committed_tables_are_what_the_shared_data_gives(shared_data: Path) -> None:
    cameo_text = _generate.render(_generate.CAMEO_HEADER, _generate.CAMEO_COLUMNS, _generate.build_cameo(shared_data))
    fips_text = _generate.render(_generate.FIPS_HEADER, _generate.FIPS_COLUMNS, _generate.build_fips(shared_data))
    assert (DATA_DIR / _generate.CAMEO_FILE).read_text(encoding="utf-8") == cameo_text
    assert (DATA_DIR / _generate.FIPS_FILE).read_text(encoding="utf-8") == fips_text
