"""`compare`: sources side by side for a dyad, GDELT's duplicates counted once, and the CLI verbs
(`dyadwatch import`, `dyadwatch compare`) through their own small app."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dyadwatch.cli import compare as compare_cli
from dyadwatch.cli import import_ as import_cli
from dyadwatch.datasets import compare, import_dataset
from dyadwatch.datasets.compare import parse_dyad
from dyadwatch.errors import ConfigError
from dyadwatch.records import Event
from dyadwatch.store import Store
from tests.datasets.rows import gdelt2_row, write_lines


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    import_cli.register(app)
    compare_cli.register(app)
    return app


def _own_event(n: int, day: dt.date, code: str, quad: int, goldstein: float) -> Event:
    return Event(event_id=f"own{n}", origin="dyadwatch", date=day, cameo_code=code, cameo_root=code[:2],
                 source_country="RUS", target_country="AFG", quad_class=quad, goldstein=goldstein,
                 doc_id=f"d{n}", story_group=f"g{n}", coder="dyadwatch-rules 1")


def _sources(store: Store, tmp_path: Path) -> None:
    same_story = "https://news.example.org/moscow-talks"
    lines = [
        # one report coded three times (GDELT's duplication): one story
        gdelt2_row(1, SOURCEURL=same_story, NumMentions="10", NumSources="3"),
        gdelt2_row(2, SOURCEURL=same_story, NumMentions="2", NumSources="1"),
        gdelt2_row(3, SOURCEURL=same_story, NumMentions="1", NumSources="1"),
        # the same report, another quad class: counted in that class
        gdelt2_row(4, SOURCEURL=same_story, EventCode="190", EventBaseCode="190", EventRootCode="19"),
        gdelt2_row(5, SQLDATE="20211105", SOURCEURL="https://news.example.org/other"),
        # the other direction, and another dyad
        gdelt2_row(6, Actor1Code="AFG", Actor1CountryCode="AFG", Actor2Code="RUS", Actor2CountryCode="RUS"),
        gdelt2_row(7, Actor2Code="CHN", Actor2CountryCode="CHN"),
    ]
    import_dataset(store, "gdelt2", [str(write_lines(tmp_path / "x.export.CSV", lines))])
    store.add_events([_own_event(1, dt.date(2021, 10, 20), "043", 1, 2.8),
                      _own_event(2, dt.date(2021, 10, 21), "112", 3, -2.0)])


def test_gdelt_story_counted_once(store: Store, tmp_path: Path) -> None:
    _sources(store, tmp_path)
    frame = compare(store, "RUS-AFG", by="month")
    rows = {(r["source"], str(r["period"])[:7]): r for r in frame.to_dict("records")}
    october = rows[("gdelt2", "2021-10")]
    assert october["events"] == 4
    assert october["stories"] == 1
    assert (october["verbal_cooperation"], october["material_conflict"]) == (1, 1)
    assert october["goldstein_sum"] == pytest.approx(2.8 - 10.0)
    assert october["mentions"] == 10 + 2 + 1 + 4 and october["sources"] == 3 + 1 + 1 + 2
    assert rows[("gdelt2", "2021-11")]["stories"] == 1
    own = rows[("dyadwatch", "2021-10")]
    assert (own["events"], own["verbal_cooperation"], own["verbal_conflict"]) == (2, 1, 1)
    assert own["goldstein_mean"] == pytest.approx(0.4)


def test_raw_counts_rows(store: Store, tmp_path: Path) -> None:
    _sources(store, tmp_path)
    frame = compare(store, ("RUS", "AFG"), by="year", dedupe=False, origins=["gdelt2"])
    assert frame["events"].tolist() == [5] and frame["verbal_cooperation"].tolist() == [4]


def test_undirected_and_actor_ids(store: Store, tmp_path: Path) -> None:
    _sources(store, tmp_path)
    assert compare(store, "RUS-AFG", by="year", undirected=True, origins=["gdelt2"])["events"].tolist() == [6]
    tal = write_lines(tmp_path / "tal.export.CSV", [gdelt2_row(50, Actor2Code="TAL", Actor2CountryCode="", Actor2KnownGroupCode="TAL")])
    import_dataset(store, "gdelt2", [str(tal)])
    assert compare(store, "RUS-taliban", by="year")["events"].tolist() == [1]


def test_every_dyad(store: Store, tmp_path: Path) -> None:
    _sources(store, tmp_path)
    frame = compare(store, None, by="year", origins=["gdelt2"])
    pairs = {(r["source_country"], r["target_country"]): r["events"] for r in frame.to_dict("records")}
    assert pairs == {("RUS", "AFG"): 5, ("AFG", "RUS"): 1, ("RUS", "CHN"): 1}


def test_dyads_are_parsed() -> None:
    assert parse_dyad("RUS-AFG") == ("RUS", "AFG")
    assert parse_dyad("RUS-haqqani-network") == ("RUS", "haqqani-network")
    with pytest.raises(ConfigError):
        parse_dyad("RUSAFG")


def test_cli_import_and_compare(app: typer.Typer, store_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    path = write_lines(tmp_path / "x.export.CSV", [gdelt2_row(1), gdelt2_row(2, SQLDATE="20991231")])
    result = runner.invoke(app, ["import", "gdelt2", str(path), "--store", str(store_path), "--on-error", "skip"])
    assert result.exit_code == 0, result.output
    assert "1 gdelt2 events added" in result.output and "E510" in result.output
    result = runner.invoke(app, ["compare", "--dyad", "RUS-AFG", "--store", str(store_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["source"] == "gdelt2" and rows[0]["period"] == "2021-10-01" and rows[0]["events"] == 1
    result = runner.invoke(app, ["compare", "--dyad", "RUS-AFG", "--store", str(store_path), "--format", "csv"])
    assert result.output.splitlines()[0].startswith("source,period,events,stories")
    result = runner.invoke(app, ["compare", "--dyad", "RUS-AFG", "--store", str(store_path)])
    assert result.exit_code == 0 and "gdelt2" in result.output and "2021-10" in result.output


def test_cli_stops_with_the_error(app: typer.Typer, store_path: Path, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.export.CSV", [gdelt2_row(1, EventCode="43")])
    result = CliRunner().invoke(app, ["import", "gdelt2", str(path), "--store", str(store_path)])
    assert result.exit_code != 0
    assert result.exception is not None and "[E511]" in str(result.exception) and f"{path}:1" in str(result.exception)


def test_cli_bad_options(app: typer.Typer, store_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["compare", "--dyad", "RUSAFG", "--store", str(store_path)])
    assert result.exit_code == 2 and "SOURCE-TARGET" in result.output
    result = runner.invoke(app, ["compare", "--dyad", "RUS-AFG", "--by", "decade", "--store", str(store_path)])
    assert result.exit_code == 2


def test_sources_side_by_side_with_icews_stories(store: Store, tmp_path: Path) -> None:
    """Own coding, GDELT and ICEWS in one frame; ICEWS's events of one story count once."""
    from tests.datasets.rows import DATA

    _sources(store, tmp_path)
    header, lavrov = (DATA / "icews_no_cameo_column.tab").read_text().splitlines()[:2]
    again = lavrov.split("\t")
    again[0], again[11] = "900005", "2"  # the same story (555), another sentence, the same event type
    other = lavrov.split("\t")
    other[0], other[10], other[1] = "900006", "777", "2021-11-03"  # another story, in November
    path = write_lines(tmp_path / "events.2021.tab", [header, lavrov, "\t".join(again), "\t".join(other)])
    import_dataset(store, "icews", [str(path)])
    frame = compare(store, "RUS-AFG", by="month")
    rows = {(r["source"], str(r["period"])[:7]): r for r in frame.to_dict("records")}
    assert {source for source, _ in rows} == {"dyadwatch", "gdelt2", "icews"}
    icews = rows[("icews", "2021-10")]
    assert (icews["events"], icews["stories"], icews["verbal_cooperation"]) == (2, 1, 1)
    assert icews["goldstein_sum"] == pytest.approx(2.8) and icews["goldstein_mean"] == pytest.approx(2.8)
    assert rows[("icews", "2021-11")]["stories"] == 1
    raw = compare(store, "RUS-AFG", by="month", dedupe=False, origins=["icews"])
    assert raw["events"].tolist() == [2, 1] and raw["verbal_cooperation"].tolist() == [2, 1]


def test_cli_import_of_a_folder_of_zipped_and_gzipped_files(app: typer.Typer, store_path: Path, tmp_path: Path) -> None:
    import gzip
    import zipfile

    from tests.datasets.rows import DATA

    folder = tmp_path / "icews"
    folder.mkdir()
    text = (DATA / "icews_no_cameo_column.tab").read_text()
    with zipfile.ZipFile(folder / "events.2021.20211104120000.tab.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.2021.20211104120000.tab", text)
    lines = text.splitlines()
    (folder / "events.2021.week44.tab.gz").write_bytes(gzip.compress(("\n".join([lines[0], lines[4]]) + "\n").encode()))
    args = ["import", "icews", str(folder), "--store", str(store_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    # three events from the zip (one identical row collapsed), the gzip's row is one of them
    said = " ".join(result.output.split())
    assert "3 icews events added (table) from 5 rows of 2 files" in said and "2 duplicates collapsed" in said
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "0 icews events added" in again.output and "2 files unchanged" in again.output
    with Store(store_path, read_only=True) as store:
        from dyadwatch.store.parquet import register_partitions

        register_partitions(store)
        rows = store.con.execute("SELECT DISTINCT dataset_version FROM all_events").fetchall()
    assert rows == [("20211104120000",)]
