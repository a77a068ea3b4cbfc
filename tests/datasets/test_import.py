"""`import_dataset`: where rows go, idempotence, transactions, --on-error, and every bad input
the issue names (truncated file, wrong column count, date out of range, non-CAMEO code, a zip
that is not a zip, the wrong GDELT version), each with file and line; nothing stored is lost."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from dyadwatch.datasets import import_dataset, import_files
from dyadwatch.errors import ConfigError, DatasetError
from dyadwatch.store import Store
from dyadwatch.store.parquet import has_extras_table, partitions_folder, register_partitions
from tests.datasets.rows import DATA, gdelt1_row, gdelt2_row, write_lines


def count(store: Store, where: str = "true") -> int:
    register_partitions(store)
    return int(store.con.execute(f"SELECT count(*) FROM all_events WHERE {where}").fetchall()[0][0])


def distinct_ids(store: Store) -> int:
    return int(store.con.execute("SELECT count(DISTINCT event_id) FROM all_events").fetchall()[0][0])


def gdelt_file(folder: Path, name: str, ids: range, **fields: str) -> Path:
    return write_lines(folder / name, [gdelt2_row(i, **fields) for i in ids])


@pytest.fixture
def with_extras(store: Store) -> Store:
    """A store with the dataset_extras table (every store from schema 3 on)."""
    assert has_extras_table(store)
    return store


# -- storage ------------------------------------------------------------------------------------


def test_parquet_import_is_partitioned_and_read_through_views(store: Store, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.export.CSV", [gdelt2_row(1), gdelt2_row(2, SQLDATE="20210915"), gdelt2_row(3, SQLDATE="20200101")])
    report = import_dataset(store, "gdelt2", [str(path)], storage="parquet")
    assert (report.storage, report.events_added, report.rows) == ("parquet", 3, 3)
    folder = partitions_folder(store)
    assert folder is not None
    parts = sorted(p.relative_to(folder).as_posix().rsplit("/", 1)[0] for p in folder.rglob("*.parquet"))
    assert parts == ["gdelt2/year=2020/month=1", "gdelt2/year=2021/month=10", "gdelt2/year=2021/month=9"]
    assert store.count("events") == 0  # nothing went into the table
    months = store.con.execute("SELECT year, month, count(*) FROM dataset_events GROUP BY ALL ORDER BY ALL").fetchall()
    assert months == [(2020, 1, 1), (2021, 9, 1), (2021, 10, 1)]
    assert count(store, "num_mentions = 4 AND origin = 'gdelt2'") == 3


def test_views_are_there_when_the_store_is_opened_again(store_path: Path, tmp_path: Path) -> None:
    with Store(store_path) as store:
        import_dataset(store, "gdelt2", [str(gdelt_file(tmp_path, "a.export.CSV", range(1, 11)))])
    with Store(store_path, read_only=True) as store:
        assert count(store) == 10


def test_table_import_keeps_extras(with_extras: Store, tmp_path: Path) -> None:
    report = import_dataset(with_extras, "gdelt2", [str(gdelt_file(tmp_path, "a.export.CSV", range(1, 6)))], storage="table")
    assert (report.storage, report.events_added) == ("table", 5)
    assert with_extras.count("events") == 5
    assert count(with_extras, "num_sources = 2") == 5
    frame = with_extras.events_frame(origin="gdelt2")
    assert frame["cameo_code"].tolist() == ["043"] * 5


def test_table_import_is_spooled_and_holds_duckdb_to_a_memory_limit(with_extras: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A file forced into the table is spooled to Parquet in batches and stored by DuckDB under a
    memory limit (it spills the rest), and the store's own limit is back afterwards, also after a
    bad file; a row repeated in the file is stored once."""
    from dyadwatch.datasets import importer

    seen: list[str] = []
    real = importer.add_dataset_rows

    def watching(store: Store, files: list[Path], *args: object, **kwargs: object) -> tuple[int, int]:
        seen.append(str(store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))
        assert all(f.suffix == ".parquet" and f.is_file() for f in files)
        return real(store, files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "add_dataset_rows", watching)
    monkeypatch.setattr(importer, "TABLE_MEMORY", "300MB")
    with duckdb.connect() as other:
        other.execute("SET memory_limit = '300MB'")
        held = other.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    before = with_extras.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    rows = [gdelt2_row(i) for i in range(1, 6)]
    path = write_lines(tmp_path / "a.export.CSV", [*rows, rows[2]])
    report = import_dataset(with_extras, "gdelt2", [str(path)], storage="table")
    assert (report.events_added, report.duplicates, with_extras.count("events")) == (5, 1, 5)
    assert seen == [held] and before != held
    assert with_extras.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before
    bad = write_lines(tmp_path / "b.export.CSV", [gdelt2_row(9, SQLDATE="20991301")])
    with pytest.raises(DatasetError):
        import_dataset(with_extras, "gdelt2", [str(bad)], storage="table")
    assert with_extras.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == before
    assert not list(partitions_folder(with_extras).rglob("*.parquet"))  # no spool left behind


def test_auto_puts_small_imports_in_the_table_and_large_ones_in_parquet(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dyadwatch.datasets import importer

    small = gdelt_file(tmp_path, "small.export.CSV", range(1, 6))
    report = import_dataset(store, "gdelt2", [str(small)])
    assert (report.storage, report.events_added) == ("table", 5)
    assert store.count("events") == 5 and count(store) == 5
    folder = partitions_folder(store)
    assert folder is None or not list(folder.rglob("*.parquet"))
    # a file larger than the limit (lowered here, so that the test stays small) goes to Parquet
    large = gdelt_file(tmp_path, "large.export.CSV", range(100, 140))
    monkeypatch.setattr(importer, "SMALL_IMPORT_BYTES", large.stat().st_size - 1)
    report = import_dataset(store, "gdelt2", [str(large)])
    assert (report.storage, report.events_added) == ("parquet", 40)
    assert store.count("events") == 5 and count(store) == 45
    # a zip counts at several times its size: a zip under the limit may hold a large file
    archive = tmp_path / "packed.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("packed.export.CSV", "\n".join(gdelt2_row(i) for i in range(200, 240)) + "\n")
    monkeypatch.setattr(importer, "SMALL_IMPORT_BYTES", 2 * archive.stat().st_size)
    assert import_dataset(store, "gdelt2", [str(archive)]).storage == "parquet"


def test_table_storage_needs_the_extras_table(store: Store, tmp_path: Path) -> None:
    store.con.execute("DROP TABLE dataset_extras")  # a damaged store
    with pytest.raises(ConfigError) as caught:
        import_dataset(store, "gdelt2", [str(gdelt_file(tmp_path, "a.CSV", range(1, 2)))], storage="table")
    assert caught.value.code == "E518"


# -- idempotence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["parquet", "table"])
def test_reimport_adds_nothing_and_a_changed_file_replaces(with_extras: Store, tmp_path: Path, storage: str) -> None:
    path = gdelt_file(tmp_path, "a.export.CSV", range(1, 11))
    first = import_dataset(with_extras, "gdelt2", [str(path)], storage=storage)
    again = import_dataset(with_extras, "gdelt2", [str(path)], storage=storage)
    assert (first.events_added, again.events_added, again.files_unchanged) == (10, 0, 1)
    assert count(with_extras) == 10
    time.sleep(0.01)
    gdelt_file(tmp_path, "a.export.CSV", range(5, 13), EventCode="042")  # the file changed: 8 rows now
    changed = import_dataset(with_extras, "gdelt2", [str(path)], storage=storage)
    assert changed.events_added == 8
    assert count(with_extras) == 8 and distinct_ids(with_extras) == 8
    assert count(with_extras, "cameo_code = '042'") == 8


def test_a_file_moving_from_table_to_parquet_is_not_counted_twice(with_extras: Store, tmp_path: Path) -> None:
    path = gdelt_file(tmp_path, "a.export.CSV", range(1, 6))
    import_dataset(with_extras, "gdelt2", [str(path)], storage="table")
    time.sleep(0.01)
    gdelt_file(tmp_path, "a.export.CSV", range(1, 8))
    import_dataset(with_extras, "gdelt2", [str(path)], storage="parquet")
    assert count(with_extras) == 7 and with_extras.count("events") == 0


def test_many_small_files_share_part_files(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "gdelt"
    folder.mkdir()
    for n in range(5):
        gdelt_file(folder, f"2021102012{n:02d}00.export.CSV", range(n * 10, n * 10 + 10))
    report = import_dataset(store, "gdelt2", [str(folder)], storage="parquet")
    assert (report.files, report.events_added) == (5, 50)
    root = partitions_folder(store)
    assert root is not None and len(list(root.rglob("*.parquet"))) == 1
    # one of the five changes: its rows are replaced inside the shared part file
    time.sleep(0.01)
    gdelt_file(folder, "20211020120200.export.CSV", range(20, 25))
    import_dataset(store, "gdelt2", [str(folder)], storage="parquet")
    assert count(store) == 45 and distinct_ids(store) == 45


# -- inputs ----------------------------------------------------------------------------------------


def test_zip_gzip_and_folders(store: Store, tmp_path: Path) -> None:
    plain = gdelt_file(tmp_path, "20211020120000.export.CSV", range(1, 4))
    archive = tmp_path / "in" / "20211020121500.export.CSV.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("20211020121500.export.CSV", "\n".join(gdelt2_row(i) for i in range(4, 7)) + "\n")
    packed = tmp_path / "in" / "20211020123000.export.CSV.gz"
    with gzip.open(packed, "wt") as handle:
        handle.write("\n".join(gdelt2_row(i) for i in range(7, 10)) + "\n")
    report = import_dataset(store, "gdelt2", [str(plain), str(tmp_path / "in")])
    assert (report.files, report.events_added) == (3, 9)


def test_a_download_folder_is_read_without_its_file_list(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "gdelt2"
    folder.mkdir()
    gdelt_file(folder, "20211020120000.export.CSV", range(1, 4))
    (folder / "masterfilelist.txt").write_text("150383 297a16b493de7cf6ca809a7cc31d0b93 "
                                               "http://data.gdeltproject.org/gdeltv2/20211020120000.export.CSV.zip\n")
    report = import_dataset(store, "gdelt2", [str(folder)])
    assert (report.files, report.events_added, report.skipped) == (1, 3, [])
    with pytest.raises(DatasetError) as caught:  # named, it is read, and is no GDELT events file
        import_dataset(store, "gdelt2", [str(folder / "masterfilelist.txt")])
    assert caught.value.code == "E509"


def test_gdelt1_back_file_and_daily_rows(store: Store, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "20130401.export.CSV", [gdelt1_row(1, url=False), gdelt1_row(2)])
    import_dataset(store, "gdelt1", [str(path)])
    rows = store.con.execute("SELECT origin_id, url FROM all_events ORDER BY origin_id").fetchall()
    assert rows == [("1", None), ("2", "https://news.example.org/2")]


def test_every_dataset_imports(store: Store, shared_data: Path) -> None:
    report_icews = import_dataset(store, "icews", [str(shared_data / "icews" / "events.2018.sample.tab")])
    report_ucdp = import_dataset(store, "ucdp", [str(shared_data / "ucdp-ged" / "ucdpged_sample_1000_v23.csv")])
    import_dataset(store, "polecat", [str(DATA / "polecat_sample.tsv")])
    import_dataset(store, "acled", [str(DATA / "acled_sample.csv")])
    assert (report_icews.events_added, report_ucdp.events_added) == (3705, 1000)
    origins = dict(store.con.execute("SELECT origin, count(*) FROM all_events GROUP BY origin").fetchall())
    assert origins == {"icews": 3705, "ucdp": 1000, "polecat": 4, "acled": 5}
    assert count(store, "origin = 'ucdp' AND deaths_high IS NOT NULL") == 1000


def test_import_files_opens_the_store_by_path(store_path: Path, tmp_path: Path) -> None:
    result = import_files(str(store_path), "gdelt2", [gdelt_file(tmp_path, "a.CSV", range(1, 3))])
    assert result.events_added == 2 and "2 gdelt2 events added" in str(result)


# -- bad input --------------------------------------------------------------------------------------


def _bad_files(folder: Path) -> dict[str, tuple[Path, str, str]]:
    """name -> (file, error code, where the error must point)."""
    folder.mkdir(exist_ok=True)

    def good(base: int) -> list[str]:  # three good rows first; each file has its own event ids
        return [gdelt2_row(base + i) for i in range(1, 4)]

    truncated = folder / "truncated.export.CSV"
    truncated.write_text("\n".join(good(1000)) + "\n" + gdelt2_row(1004)[:120])
    columns = write_lines(folder / "columns.export.CSV", [*good(2000), "\t".join(gdelt2_row(2004).split("\t")[:40])])
    date = write_lines(folder / "date.export.CSV", [*good(3000), gdelt2_row(3004, SQLDATE="20991231")])
    code = write_lines(folder / "code.export.CSV", [*good(4000), gdelt2_row(4004, EventCode="43A")])
    not_zip = folder / "broken.export.CSV.zip"
    not_zip.write_text("<html><body>404 Not Found</body></html>")
    version = write_lines(folder / "version.export.CSV", [gdelt1_row(i) for i in range(5001, 5004)])
    return {
        "truncated": (truncated, "E508", f"{truncated}"),
        "columns": (columns, "E507", f"{columns}:4"),
        "date": (date, "E510", f"{date}:4"),
        "code": (code, "E511", f"{code}:4"),
        "not zip": (not_zip, "E504", f"{not_zip}"),
        "version": (version, "E509", f"{version}"),
    }


@pytest.mark.parametrize("storage", ["table", "parquet"])
@pytest.mark.parametrize("name", ["truncated", "columns", "date", "code", "not zip", "version"])
def test_bad_input_stops_with_file_and_line_and_keeps_what_was_stored(store: Store, tmp_path: Path, name: str,
                                                                      storage: str) -> None:
    before = gdelt_file(tmp_path, "before.export.CSV", range(100, 110))
    import_dataset(store, "gdelt2", [str(before)], storage=storage)
    bad, code, where = _bad_files(tmp_path / "bad")[name]
    good = gdelt_file(tmp_path, "good.export.CSV", range(200, 205))
    with pytest.raises(DatasetError) as caught:
        import_dataset(store, "gdelt2", [str(good), str(bad)], storage=storage)
    assert caught.value.code == code
    assert str(caught.value).startswith(f"[{code}] {where}")
    if name == "truncated":
        assert "line 4" in str(caught.value) and "truncated" in str(caught.value)
    # the earlier import and the good file before the bad one are stored; nothing of the bad one
    assert count(store) == 15
    assert count(store, "CAST(origin_id AS BIGINT) BETWEEN 1000 AND 5999") == 0


def test_bad_input_with_skip_is_counted_and_listed(store: Store, tmp_path: Path) -> None:
    files = _bad_files(tmp_path / "bad")
    report = import_dataset(store, "gdelt2", [str(f) for f, _, _ in files.values()], on_error="skip")
    codes = sorted(item.code for item in report.skipped)
    assert codes == sorted(code for _, code, _ in files.values())
    # the good rows of row-level failures are stored; whole-file failures store nothing
    assert report.events_added == 3 * 4 and report.rows_skipped == 4
    wheres = {item.code: item.where for item in report.skipped}
    assert wheres["E510"].endswith("date.export.CSV:4") and wheres["E507"].endswith("columns.export.CSV:4")


def test_a_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as caught:
        import_dataset(store, "gdelt2", [str(tmp_path / "nope.CSV")])
    assert caught.value.code == "E503"


def test_unknown_dataset(store: Store) -> None:
    with pytest.raises(ConfigError) as caught:
        import_dataset(store, "phoenix", [])
    assert caught.value.code == "E502"


def test_many_bad_rows_are_counted_all_and_listed_up_to_a_limit(store: Store, tmp_path: Path) -> None:
    lines = [gdelt2_row(i, SQLDATE="20991231") for i in range(1, 1201)] + [gdelt2_row(5000)]
    report = import_dataset(store, "gdelt2", [str(write_lines(tmp_path / "x.CSV", lines))], on_error="skip")
    assert report.rows_skipped == 1200 and report.events_added == 1
    assert 1000 <= len(report.skipped) <= 1001


# -- crash safety ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_mid_import_leaves_the_store_consistent(store_path: Path, tmp_path: Path) -> None:
    """SIGKILL while a large file is half read: the store shows what it had before, and the next
    import completes without duplicates."""
    with Store(store_path) as store:
        import_dataset(store, "gdelt2", [str(gdelt_file(tmp_path, "first.export.CSV", range(1, 101)))])
    big = tmp_path / "big.export.CSV"
    with big.open("w") as handle:
        for start in range(1000, 301_000, 10_000):
            handle.write("\n".join(gdelt2_row(i, SQLDATE=f"2021{1 + i % 12:02d}15") for i in range(start, start + 10_000)) + "\n")
    code = (
        "import sys; from dyadwatch.datasets import import_files; "
        "import_files(sys.argv[1], 'gdelt2', [sys.argv[2]])"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(store_path), str(big)], env={**os.environ})
    staging = Path(str(store_path) + ".partitions") / ".staging"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(staging.rglob("*.parquet")):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with Store(store_path) as store:
        assert count(store) == 100  # what was there before, and nothing half written
        report = import_dataset(store, "gdelt2", [str(big)])
        assert report.events_added == 300_000
        assert count(store) == 300_100 and distinct_ids(store) == 300_100
        folder = partitions_folder(store)
        assert folder is not None and not (folder / ".staging").exists()


@pytest.mark.parametrize(("yearly_in", "weekly_in"), [
    ("table", "table"), ("parquet", "parquet"), ("parquet", "table"), ("table", "parquet"),
])
def test_icews_rows_in_two_files_are_stored_once(store: Store, tmp_path: Path, yearly_in: str, weekly_in: str) -> None:
    """ICEWS's weekly files repeat rows of the yearly one: the same row is one event, wherever
    each file's rows went (a small weekly file beside a large yearly one)."""
    lines = (DATA / "icews_no_cameo_column.tab").read_text().splitlines()
    yearly = write_lines(tmp_path / "events.2021.tab", lines)
    weekly = write_lines(tmp_path / "events.2021.week43.tab", [lines[0], lines[1], lines[4]])
    first = import_dataset(store, "icews", [str(yearly)], storage=yearly_in)
    second = import_dataset(store, "icews", [str(weekly)], storage=weekly_in)
    assert (first.events_added, first.duplicates) == (3, 1)
    assert (second.events_added, second.duplicates) == (0, 2)
    assert count(store) == 3 and distinct_ids(store) == 3
    # the weekly file with one new row: that row alone is added
    time.sleep(0.01)
    new_row = lines[1].split("\t")
    new_row[0] = "900009"
    write_lines(weekly, [lines[0], lines[1], lines[4], "\t".join(new_row)])
    third = import_dataset(store, "icews", [str(weekly)], storage=weekly_in)
    assert (third.events_added, third.duplicates) == (1, 2)
    assert count(store) == 4 and distinct_ids(store) == 4
