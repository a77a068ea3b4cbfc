"""Bad input in every headed dataset (ICEWS, POLECAT, ACLED, UCDP), as the issue lists it: a
truncated file, a row with the wrong number of columns, a date out of range, a code that is not
the dataset's, a zip that is not a zip, a compressed file cut short. Each is a coded error naming
the file and line; with ``--on-error skip`` each is counted and listed; nothing stored before
is lost. (GDELT's are in test_import.py.)"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from dyadwatch.datasets import import_dataset
from dyadwatch.errors import DatasetError
from dyadwatch.store import Store
from dyadwatch.store.parquet import register_partitions
from tests.datasets.rows import DATA


@dataclass(frozen=True)
class Layout:
    """A dataset's hand-written sample: its header and rows, and where the traps go."""

    dataset: str
    suffix: str
    header: list[str]
    rows: list[list[str]]
    date: str  # the date column
    code: str  # the event code column
    not_a_code: str  # a value that is no code of the dataset's scheme
    code_error: str

    def text(self, rows: list[list[str]]) -> str:
        if self.suffix == ".csv":
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows([self.header, *rows])
            return out.getvalue()
        return "\n".join("\t".join(r) for r in [self.header, *rows]) + "\n"

    def with_value(self, column: str, value: str) -> list[str]:
        row = list(self.rows[0])
        row[self.header.index(column)] = value
        return row


def _tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return lines[0], lines[1:]


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _icews() -> Layout:
    """The hand-written ICEWS rows with the CAMEO Code column: the usual 20 columns."""
    header, rows = _tsv(DATA / "icews_no_cameo_column.tab")
    at = header.index("Event Text") + 1
    header.insert(at, "CAMEO Code")
    for row, code in zip(rows, ["043", "042", "042", "190"], strict=True):
        row.insert(at, code)
    rows = [rows[0], rows[1], rows[3]]  # the identical duplicate left out: three events
    assert len(header) == 20
    return Layout("icews", ".tab", header, rows, "Event Date", "CAMEO Code", "43A", "E511")


def _polecat() -> Layout:
    header, rows = _tsv(DATA / "polecat_sample.tsv")
    rows = [r[: len(header)] for r in rows]  # without the trailing tabs
    return Layout("polecat", ".tsv", header, rows, "Event Date", "Event Type", "CELEBRATE", "E516")


def _acled() -> Layout:
    header, rows = _csv(DATA / "acled_sample.csv")
    return Layout("acled", ".csv", header, rows, "event_date", "sub_event_type", "Parade", "E516")


def _ucdp() -> Layout:
    header, rows = _csv(DATA / "ucdp_sample.csv")
    assert len(header) == 49
    return Layout("ucdp", ".csv", header, rows, "date_start", "type_of_violence", "7", "E516")


LAYOUTS = {"icews": _icews, "polecat": _polecat, "acled": _acled, "ucdp": _ucdp}


def bad_files(layout: Layout, folder: Path) -> dict[str, tuple[Path, str, str]]:
    """kind -> (file, error code, what the error must start with: the file, and its line)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(layout.rows)
    bad_line = n + 2  # the header is line 1; the bad row follows the good ones
    # (UCDP's first row has a field over two lines: its physical line numbers are one more)
    shift = 1 if layout.dataset == "ucdp" else 0
    files: dict[str, tuple[Path, str, str]] = {}

    def write(kind: str, rows: list[list[str]], code: str, line: int | None, *, text: str | None = None) -> None:
        path = folder / f"{kind}{layout.suffix}"
        path.write_text(text if text is not None else layout.text(rows), encoding="utf-8")
        files[kind] = (path, code, f"{path}:{line}" if line else str(path))

    full = layout.text(layout.rows)
    last = layout.rows[-1]
    short = layout.text([*layout.rows[:-1], last[: len(last) // 2]]).rstrip("\n")
    write("truncated", [], "E508", n + 1 + shift, text=short)
    write("columns", [*layout.rows, layout.rows[0][:5]], "E507", bad_line + shift)
    write("date", [*layout.rows, layout.with_value(layout.date, "2099-12-31")], "E510", bad_line + shift)
    write("code", [*layout.rows, layout.with_value(layout.code, layout.not_a_code)], layout.code_error, bad_line + shift)
    not_zip = folder / f"download{layout.suffix}.zip"
    not_zip.write_text("<html><body>503 Service Unavailable</body></html>")
    files["not zip"] = (not_zip, "E504", str(not_zip))
    packed = gzip.compress(full.encode("utf-8") * 20)
    cut_gz = folder / f"cut{layout.suffix}.gz"
    cut_gz.write_bytes(packed[: len(packed) // 2])
    files["cut gzip"] = (cut_gz, "E506", str(cut_gz))
    return files


def count(store: Store) -> int:
    register_partitions(store)
    return int(store.con.execute("SELECT count(*) FROM all_events").fetchall()[0][0])


@pytest.mark.parametrize("dataset", sorted(LAYOUTS))
def test_the_hand_written_sample_reads_whole(store: Store, tmp_path: Path, dataset: str) -> None:
    layout = LAYOUTS[dataset]()
    path = tmp_path / f"good{layout.suffix}"
    path.write_text(layout.text(layout.rows), encoding="utf-8")
    report = import_dataset(store, dataset, [str(path)])
    assert (report.events_added, report.rows_skipped, report.skipped) == (len(layout.rows), 0, [])


@pytest.mark.parametrize("kind", ["truncated", "columns", "date", "code", "not zip", "cut gzip"])
@pytest.mark.parametrize("dataset", sorted(LAYOUTS))
def test_bad_input_stops_with_file_and_line_and_loses_nothing(store: Store, tmp_path: Path, dataset: str,
                                                              kind: str) -> None:
    layout = LAYOUTS[dataset]()
    before = tmp_path / f"before{layout.suffix}"
    before.write_text(layout.text(layout.rows), encoding="utf-8")
    import_dataset(store, dataset, [str(before)])
    stored = count(store)
    assert stored == len(layout.rows)
    path, code, where = bad_files(layout, tmp_path / "bad")[kind]
    with pytest.raises(DatasetError) as caught:
        import_dataset(store, dataset, [str(path)])
    assert caught.value.code == code
    assert str(caught.value).startswith(f"[{code}] {where}:") or str(caught.value).startswith(f"[{code}] {where} ")
    assert count(store) == stored


@pytest.mark.parametrize("dataset", sorted(LAYOUTS))
def test_bad_input_with_skip_is_counted_and_listed(store: Store, tmp_path: Path, dataset: str) -> None:
    layout = LAYOUTS[dataset]()
    files = bad_files(layout, tmp_path / "bad")
    report = import_dataset(store, dataset, [str(f) for f, _, _ in files.values()], on_error="skip")
    listed = sorted((item.code, item.where) for item in report.skipped)
    assert listed == sorted((code, where) for _, code, where in files.values())
    # the row-level problems (truncated, columns, date, code) are counted; whole files are listed
    assert report.rows_skipped == 4
    # every good row is stored once (the same events recur in each file); the files that
    # failed whole (the broken zip, the cut gzip) add nothing, not even to the duplicates
    assert count(store) == report.events_added == len(layout.rows)
    n = len(layout.rows)  # columns, date and code hold every good row; truncated all but its cut last
    assert report.duplicates == 3 * n + (n - 1) - n
