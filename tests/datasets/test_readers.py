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
