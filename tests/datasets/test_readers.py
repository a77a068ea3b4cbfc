"""ICEWS, POLECAT, ACLED and UCDP readers: real samples where there are any, hand-made files for
the rest and for each quirk."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from dyadwatch.datasets import read_rows
from dyadwatch.datasets._lookups import country_from_name, icews_sector
from dyadwatch.errors import DatasetError
from dyadwatch.records import Event
from tests.datasets.rows import DATA


def events(dataset: str, path: Path, **options: object) -> list[Event]:
    return [e for e in read_rows(dataset, path, **options) if isinstance(e, Event)]  # type: ignore[arg-type]


# -- ICEWS ------------------------------------------------------------------------------------


def test_real_icews_sample(shared_data: Path) -> None:
    found = events("icews", shared_data / "icews" / "events.2018.sample.tab")
    assert len(found) == 3705
    first = found[0]
    assert (first.origin_id, first.date, first.cameo_code) == ("32889836", dt.date(2018, 6, 1), "040")
    assert (first.source_country, first.source_sector, first.target_country, first.target_sector) == ("BGD", "GOV", "VNM", "MIL")
    assert first.story_group == "icews:47400351" and first.publisher == "Vietnam News Agency Bulletin"
    assert all(e.cameo_code and e.cameo_code[0] in "012" for e in found)
    # every country name ICEWS writes is resolved (NA is ICEWS's empty)
    names = {line.split("\t")[i] for line in (shared_data / "icews" / "events.2018.sample.tab").read_text().splitlines()[1:]
             for i in (4, 10, 17)}
    assert [n for n in names if n != "NA" and country_from_name(n) is None] == []
    lavrov = [e for e in found if e.source_actor == "sergey-lavrov"]
    assert lavrov and all(e.source_country == "RUS" for e in lavrov)


def test_icews_codes_agree_with_event_text(shared_data: Path) -> None:
    """The table that reads a year without the CAMEO column gives the code of every real row."""
    from dyadwatch.datasets._lookups import icews_event_text

    table = icews_event_text()
    lines = (shared_data / "icews" / "events.2018.sample.tab").read_text().splitlines()[1:]
    pairs = {(line.split("\t")[5], line.split("\t")[6]) for line in lines}
    assert all(table[" ".join(text.casefold().split())] == code for text, code in pairs)


def test_icews_without_cameo_column_duplicates_and_repeated_ids(tmp_path: Path) -> None:
    from dyadwatch.datasets import read_batches
    from dyadwatch.datasets._common import ReadContext

    path = DATA / "icews_no_cameo_column.tab"
    ctx = ReadContext("icews", str(path), tmp_path)
    rows = [r for t in read_batches("icews", path, ctx) if not isinstance(t, DatasetError) for r in t.to_pylist()]
    assert [(r["origin_id"], r["cameo_code"]) for r in rows] == [("900001", "043"), ("900002", "042"), ("900002", "193")]
    assert ctx.duplicates == 1  # the identical copy of the second row
    assert len({r["event_id"] for r in rows}) == 3  # the repeated Event ID with other content is kept
    assert rows[0]["target_actor"] == "taliban" and rows[0]["dataset_goldstein"] == 2.8


def test_icews_code_that_lost_its_zero_is_recovered(tmp_path: Path) -> None:
    text = (DATA / "icews_no_cameo_column.tab").read_text().splitlines()
    header = text[0].split("\t")
    header.insert(6, "CAMEO Code")
    row = text[1].split("\t")
    row.insert(6, "43")  # a spreadsheet turned "043" into 43
    path = tmp_path / "events.2021.tab"
    path.write_text("\t".join(header) + "\n" + "\t".join(row) + "\n")
    (event,) = events("icews", path)
    assert event.cameo_code == "043" and event.rule is not None and "leading zero" in event.rule


def test_icews_code_that_is_not_cameo(tmp_path: Path) -> None:
    text = (DATA / "icews_no_cameo_column.tab").read_text().splitlines()
    header = text[0].split("\t") + ["CAMEO Code"]
    path = tmp_path / "events.tab"
    path.write_text("\t".join(header) + "\n" + text[1] + "\t2222\n")
    with pytest.raises(DatasetError) as caught:
        events("icews", path)
    assert caught.value.code == "E511" and f"{path}:2" in str(caught.value)


def test_icews_sectors() -> None:
    assert icews_sector("Police,Government") == "COP"
    assert icews_sector("(National) Major Party,Parties,Government Major Party (In Government),Government") == "GOV"
    assert icews_sector("Media,News") == "JRN"  # CAMEO MED, the media, is JRN in the dictionary
    assert icews_sector("") is None and icews_sector("Ideological") is None


def test_icews_header_without_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "not-icews.tab"
    path.write_text("a\tb\n1\t2\n")
    with pytest.raises(DatasetError) as caught:
        events("icews", path)
    assert caught.value.code == "E513" and "Event ID" in str(caught.value)


# -- POLECAT ---------------------------------------------------------------------------------


def test_polecat_none_semicolons_and_trailing_tabs() -> None:
    found = events("polecat", DATA / "polecat_sample.tsv")
    assert len(found) == 4
    lavrov, taliban, attack, central_asia = found
    assert (lavrov.plover_type, lavrov.plover_mode, lavrov.cameo_code) == ("CONSULT", "visit", "042")
    assert lavrov.target_country == "AFG" and lavrov.target_name == "Amir Khan Muttaqi; Abdul Salam Hanafi"
    assert lavrov.location_name == "Moscow" and lavrov.dataset_version == "1.1"
    assert (taliban.plover_type, taliban.plover_mode, taliban.source_actor) == ("ACCUSE", None, "taliban")
    assert taliban.target_country is None  # "None" is no country
    assert attack.source_name == "gunmen" and attack.quad_class == 4
    assert central_asia.quad_class == 2 and central_asia.source_country == "UZB"
    assert all(e.rule and e.rule.startswith("PLOVER") for e in found)


def test_polecat_unknown_event_type(tmp_path: Path) -> None:
    lines = (DATA / "polecat_sample.tsv").read_text().splitlines()
    fields = lines[1].split("\t")
    fields[2] = "CELEBRATE"
    path = tmp_path / "polecat.tsv"
    path.write_text(lines[0] + "\n" + "\t".join(fields) + "\n")
    with pytest.raises(DatasetError) as caught:
        events("polecat", path)
    assert caught.value.code == "E516" and "CELEBRATE" in str(caught.value)


# -- ACLED -----------------------------------------------------------------------------------


def test_acled_types_actors_and_fatalities(tmp_path: Path) -> None:
    from dyadwatch.datasets import read_batches
    from dyadwatch.datasets._common import ReadContext

    path = DATA / "acled_sample.csv"
    rows = [r for t in read_batches("acled", path, ReadContext("acled", str(path), tmp_path))
            if not isinstance(t, DatasetError) for r in t.to_pylist()]
    by_id = {r["origin_id"]: r for r in rows}
    clash = by_id["AFG59001"]
    assert (clash["cameo_code"], clash["plover_type"], clash["fatalities"]) == ("190", "ASSAULT", 12)
    assert (clash["source_actor"], clash["source_country"], clash["source_sector"]) == ("taliban", "AFG", "INS")
    assert (clash["target_country"], clash["target_sector"]) == ("AFG", "MIL")
    protest = by_id["AFG59002"]
    assert (protest["cameo_code"], protest["source_country"]) == ("141", "AFG")
    assert by_id["RUS100"]["target_sector"] == "GOV"  # the Taliban after 15 August 2021
    assert by_id["TJK200"]["cameo_code"] is None and by_id["TJK200"]["source_country"] == "TJK"
    assert clash["sentence"].startswith("On 10 August 2021")


def test_acled_unknown_event_type(tmp_path: Path) -> None:
    lines = (DATA / "acled_sample.csv").read_text().splitlines()
    path = tmp_path / "acled.csv"
    path.write_text(lines[0] + "\n" + lines[5].replace("Strategic developments,Other", "Strategic developments,Parade") + "\n")
    with pytest.raises(DatasetError) as caught:
        events("acled", path)
    assert caught.value.code == "E516" and f"{path}:2" in str(caught.value)


# -- UCDP -------------------------------------------------------------------------------------


def test_real_ucdp_sample(shared_data: Path, tmp_path: Path) -> None:
    from dyadwatch.datasets import read_batches
    from dyadwatch.datasets._common import ReadContext

    path = shared_data / "ucdp-ged" / "ucdpged_sample_1000_v23.csv"
    rows = [r for t in read_batches("ucdp", path, ReadContext("ucdp", str(path), tmp_path))
            if not isinstance(t, DatasetError) for r in t.to_pylist()]
    assert len(rows) == 1000
    afghan = [r for r in rows if r["location_country"] == "AFG"]
    assert len(afghan) == 135
    dyads = Counter((r["source_country"], r["source_sector"], r["target_actor"]) for r in afghan)
    assert dyads[("AFG", "GOV", "taliban")] == 112
    first = rows[0]
    assert (first["origin_id"], first["date"], first["cameo_code"]) == ("300380", dt.date(2013, 1, 3), "190")
    assert (first["fatalities"], first["deaths_low"], first["deaths_high"]) == (2, 2, 2)
    assert {r["cameo_code"] for r in rows} == {"190", "180"}


def test_ucdp_date_out_of_range(tmp_path: Path) -> None:
    header = ("id,relid,year,type_of_violence,side_a,side_b,country,date_start,date_end,best,low,high")
    path = tmp_path / "ged.csv"
    path.write_text(header + "\n1,x,2021,1,Government of Afghanistan,Taleban,Afghanistan,1921-05-28 00:00:00.000,,1,1,1\n")
    with pytest.raises(DatasetError) as caught:
        events("ucdp", path)
    assert caught.value.code == "E510" and "1921-05-28" in str(caught.value)


def test_icews_columns_found_by_name_in_any_order(tmp_path: Path) -> None:
    """A yearly file whose columns moved or changed case reads the same."""
    lines = (DATA / "icews_no_cameo_column.tab").read_text().splitlines()
    rows = [line.split("\t") for line in lines]
    order = list(reversed(range(len(rows[0]))))
    header = [name.lower().replace(" ", "_") for name in rows[0]]  # event_id, event_date ...
    path = tmp_path / "events.2005.tab"
    path.write_text("\n".join("\t".join(r[i] for i in order) for r in [header, *rows[1:]]) + "\n")
    assert [e.cameo_code for e in events("icews", path)] == ["043", "042", "193"]


def test_hand_written_ucdp_sample(tmp_path: Path) -> None:
    """49 GED columns, a quoted field over two lines, "Government of X", Taleban, Civilians."""
    from dyadwatch.datasets import read_batches
    from dyadwatch.datasets._common import ReadContext

    path = DATA / "ucdp_sample.csv"
    assert len(path.read_text().splitlines()[0].split(",")) == 49
    rows = [r for t in read_batches("ucdp", path, ReadContext("ucdp", str(path), tmp_path))
            if not isinstance(t, DatasetError) for r in t.to_pylist()]
    state, one_sided, non_state = rows
    assert (state["source_country"], state["source_sector"], state["target_actor"]) == ("AFG", "GOV", "taliban")
    assert (state["fatalities"], state["deaths_low"], state["deaths_high"], state["cameo_code"]) == (15, 15, 18, "190")
    assert (one_sided["target_country"], one_sided["target_sector"], one_sided["cameo_code"]) == ("AFG", "CVL", "180")
    assert non_state["source_actor"] == "taliban" and non_state["origin_id"] == "900103"


# -- the reference tables in ../shared/data ------------------------------------------------------


def _codebook_row(variables: list[str], event_type: str, sub_type: str, n: int) -> dict[str, str]:
    values = {
        "data_id": str(8_000_000 + n), "iso": "4", "event_id_cnty": f"AFG{70000 + n}", "event_id_no_cnty": str(70000 + n),
        "event_date": "20-10-2021", "year": "2021", "time_precision": "1", "event_type": event_type,
        "sub_event_type": sub_type, "actor1": "Taliban", "inter1": "2", "actor2": "Civilians (Afghanistan)",
        "inter2": "7", "interaction": "27", "region": "Caspian Central Asia", "country": "Afghanistan",
        "admin1": "Kabul", "admin2": "Kabul", "location": "Kabul", "latitude": "34.5167", "longitude": "69.1833",
        "geo_precision": "1", "source": "Tolo News", "source_scale": "National", "notes": f"Event {n}.",
        "fatalities": str(n % 3), "timestamp": "1634700000", "iso3": "AFG",
    }
    return {v: values.get(v, "") for v in variables}


def test_acled_reads_the_codebooks_columns_and_every_event_type(shared_data: Path, tmp_path: Path) -> None:
    """An export with exactly the codebook's columns (its dd-mm-yyyy dates, numeric inter codes),
    one row per event and sub-event type of ACLED's table: every row reads, each type has its
    row in the package's own mapping table, and ACLED's fields land where they belong."""
    import csv

    from dyadwatch.datasets._lookups import acled_events

    with (shared_data / "acled-reference" / "acled_codebook.csv").open(encoding="utf-8", newline="") as handle:
        variables = [row["Variable"] for row in csv.DictReader(handle)]
    with (shared_data / "acled-reference" / "acled_event_categories.csv").open(encoding="utf-8", newline="") as handle:
        categories = [(row["event_type"], row["sub_event_type"]) for row in csv.DictReader(handle)]
    assert len(variables) == 31 and len(categories) == 25
    table = acled_events()
    assert {(" ".join(t.casefold().split()), " ".join(s.casefold().split())) for t, s in categories} == set(table)
    path = tmp_path / "acled-export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=variables)
        writer.writeheader()
        for n, (event_type, sub_type) in enumerate(categories):
            writer.writerow(_codebook_row(variables, event_type, sub_type, n))
    found = events("acled", path)
    assert len(found) == len(categories)
    for event, (event_type, sub_type) in zip(found, categories, strict=True):
        assert event.date == dt.date(2021, 10, 20) and event.source_actor == "taliban"
        assert (event.target_country, event.target_sector, event.location_country) == ("AFG", "CVL", "AFG")
        assert event.dataset_version == "updated 2021-10-20"
        expected = table[(" ".join(event_type.casefold().split()), " ".join(sub_type.casefold().split()))]
        assert event.cameo_code == expected
        assert (event.quad_class is None) == (expected is None)


def _plover_reference(shared: Path) -> dict[str, tuple[str, str | None]]:
    """CAMEO2PLOVER-2021.txt read here, on its own: code -> (PLOVER type, mode), the first line
    of a code (the table lists root 08 twice)."""
    import re

    table: dict[str, tuple[str, str | None]] = {}
    text = (shared / "plover" / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.match(r"^(\d+):([^#]*)", line)
        if match and match.group(1) not in table:
            fields = [f.strip() for f in match.group(2).split(",")] + [""]
            table[match.group(1)] = (fields[0], fields[1].replace("_", "-") or None)
    return table


# Where dyadwatch's ontology departs from the 2021 table on purpose, in the mode only
# (tests/coding/test_ontology.py: CONVERSION_DECISIONS).
_MODE_DECISIONS = {"175", "08"}


def test_dataset_rows_get_the_reference_tables_plover_types(shared_data: Path) -> None:
    """Every real GDELT and ICEWS row is given the PLOVER type and mode that ../shared/data/plover's
    CAMEO-to-PLOVER table gives its CAMEO code (at its most specific listed level; none where
    the table drops the code), save the ontology's two documented mode decisions."""
    reference = _plover_reference(shared_data)
    found = [*events("gdelt2", shared_data / "gdelt-samples" / "events.csv"),
             *events("gdelt1", shared_data / "gdelt-samples" / "events1.csv"),
             *events("icews", shared_data / "icews" / "events.2018.sample.tab")]
    assert len(found) == 3905
    typed = moded = 0
    for event in found:
        code = event.cameo_code
        assert code is not None
        level = next((code[:n] for n in (len(code), 3, 2) if code[:n] in reference), None)
        event_type, mode = reference[level] if level else ("", None)
        assert event.plover_type == (event_type or None), (event.origin, event.origin_id, code)
        typed += bool(event_type)
        if level == code and code not in _MODE_DECISIONS:
            assert event.plover_mode == mode, (event.origin, event.origin_id, code)
            moded += mode is not None
    assert typed > 2000 and moded > 300


def test_versions_are_kept_from_names_and_columns(tmp_path: Path) -> None:
    import shutil
    import zipfile

    icews = tmp_path / "events.2021.20211104120000.tab"
    shutil.copy(DATA / "icews_no_cameo_column.tab", icews)
    assert {e.dataset_version for e in events("icews", icews)} == {"20211104120000"}
    release = tmp_path / "ged231-csv.zip"
    with zipfile.ZipFile(release, "w") as archive:
        archive.write(DATA / "ucdp_sample.csv", "GEDEvent_v23_1.csv")
    assert {e.dataset_version for e in events("ucdp", release)} == {"23.1"}
    assert {e.dataset_version for e in events("acled", DATA / "acled_sample.csv")} >= {"updated 2021-08-15"}
    assert {e.dataset_version for e in events("polecat", DATA / "polecat_sample.tsv")} == {"1.1"}
    # --dataset-version overrides what the file says
    assert {e.dataset_version for e in events("ucdp", release, dataset_version="24.0.9")} == {"24.0.9"}
