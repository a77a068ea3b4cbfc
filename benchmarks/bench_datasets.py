"""Dataset import and comparison speed (issue: readers, import, Parquet storage, compare).

The benchmark file is GDELT 2.0 in its own format (61 tab-separated columns), generated from
the real sample rows in ../shared/data/gdelt-samples: each row's actor, event, count and place
blocks are drawn from the real rows (so codes, names, URLs, tones and their mix are GDELT's),
its event date from the real distribution of event date against date added (most on the day,
some days to a year before), with dates added spread over three years in file order, like a
multi-year pull of daily files. Figures, each beside its target or baseline, in one run:

* import of every row of a 2-million-row file to typed Parquet: rows/s, and the ratio to
  pandas.read_csv into a typed DataFrame and to DuckDB's own CSV-to-Parquet copy (same file);
* import filtered to RUS, AFG, TAL: rows scanned/s, and the ratio to a plain line scan;
* import of the 10-million-row file in a child process: rows/s and peak memory;
* dyad-month aggregation over the 10 million stored events: one directed dyad (median of 7),
  every dyad (median of 3).

Set DYADWATCH_BENCH_ROWS to use a smaller large file (the figures name the size used).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import figure, shared_data_dir, skip

LARGE_ROWS = int(os.environ.get("DYADWATCH_BENCH_ROWS", "10000000"))
SIDE_ROWS = min(2_000_000, LARGE_ROWS)  # the file of the side-by-side comparisons
ACTORS = "RUS,AFG,TAL"

# Column blocks of a GDELT 2.0 row (0-based, end exclusive); each is drawn from one real row.
_BLOCKS = {
    "actor1": (5, 15), "actor2": (15, 25), "event": (25, 31), "counts": (31, 35),
    "geo1": (35, 43), "geo2": (43, 51), "geo3": (51, 59),
}


def _real_rows(folder: Path) -> list[list[str]]:
    rows = []
    for name in ("events.csv", "eventsT.csv"):
        for line in (folder / "gdelt-samples" / name).read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) == 61:
                rows.append(fields)
    return rows


def _gdelt1_actor_blocks(folder: Path) -> list[tuple[str, str]]:
    """Actor blocks of the GDELT 1.0 sample (same columns as 2.0): more actors to draw from."""
    blocks = []
    for line in (folder / "gdelt-samples" / "events1.csv").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        blocks.append(("\t".join(fields[5:15]), "\t".join(fields[15:25])))
    return blocks


def generate_gdelt(path: Path, rows: int, folder: Path, *, seed: int = 20211020) -> None:
    """Write ``rows`` GDELT 2.0 event rows drawn from the real samples' values (see module doc)."""
    rnd = random.Random(seed)
    real = _real_rows(folder)
    pools = {name: ["\t".join(r[a:b]) for r in real] for name, (a, b) in _BLOCKS.items()}
    for one, two in _gdelt1_actor_blocks(folder):
        pools["actor1"].append(one)
        pools["actor2"].append(two)
    urls = [r[60] for r in real]
    lags = []
    for r in real:
        added = dt.date(int(r[59][:4]), int(r[59][4:6]), int(r[59][6:8]))
        happened = dt.date(int(r[1][:4]), int(r[1][4:6]), int(r[1][6:8]))
        lags.append((added - happened).days)
    days = 3 * 365
    start = dt.date(2019, 1, 1)
    per_day, extra = divmod(rows, days)
    written = 0
    base = 900_000_000
    with path.open("w", encoding="utf-8", buffering=1 << 22) as out:
        for d in range(days):
            added = start + dt.timedelta(days=d)
            templates = []
            for _ in range(1024):
                day = added - dt.timedelta(days=rnd.choice(lags))
                sqldate = day.strftime("%Y%m%d")
                fraction = f"{day.year + (day.timetuple().tm_yday - 1) / 365:.4f}"
                stamp = f"{added:%Y%m%d}{rnd.randrange(24):02d}{rnd.choice((0, 15, 30, 45)):02d}00"
                templates.append(
                    f"\t{sqldate}\t{sqldate[:6]}\t{sqldate[:4]}\t{fraction}\t{rnd.choice(pools['actor1'])}"
                    f"\t{rnd.choice(pools['actor2'])}\t{rnd.choice(pools['event'])}\t{rnd.choice(pools['counts'])}"
                    f"\t{rnd.choice(pools['geo1'])}\t{rnd.choice(pools['geo2'])}\t{rnd.choice(pools['geo3'])}"
                    f"\t{stamp}\t{rnd.choice(urls)}"
                )
            count = per_day + (1 if d < extra else 0)
            # a story is reported as a few events: the same URL for runs of rows
            out.write("".join(
                f"{base + written + i}{templates[rnd.randrange(1024)]}?story={(written + i) // 3}\n" for i in range(count)
            ))
            written += count


def _head(source: Path, target: Path, lines: int) -> None:
    """The first ``lines`` lines of a file."""
    with source.open("rb") as reader, target.open("wb") as writer:
        for _, line in zip(range(lines), reader, strict=False):
            writer.write(line)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the prefilter's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _import(store_path: Path, source: Path, actors: str | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one import into a fresh store."""
    from dyadwatch.datasets import import_dataset
    from dyadwatch.store import Store

    with Store(store_path) as store:
        cpu = _cpu()
        started = time.perf_counter()
        report = import_dataset(store, "gdelt2", [str(source)], actors=actors, storage="parquet")
        elapsed = time.perf_counter() - started
        cpu = _cpu() - cpu
    assert report.rows_skipped == 0, report.skipped[:3]
    return elapsed, cpu


def _pandas_typed(source: Path) -> None:
    import pandas as pd

    from dyadwatch.coding.export import GDELT2_COLUMNS

    integers = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
                "NumSources", "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED"}
    floats = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor2Geo_Lat",
              "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long"}
    dtypes = {name: ("Int64" if name in integers else "float64" if name in floats else "string") for name in GDELT2_COLUMNS}
    frame = pd.read_csv(source, sep="\t", header=None, names=list(GDELT2_COLUMNS), dtype=dtypes, quoting=3,
                        keep_default_na=False, na_values=[""])
    assert len(frame) > 0


def _duckdb_copy(source: Path, target: Path) -> None:
    import duckdb

    from dyadwatch.coding.export import GDELT2_COLUMNS

    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in GDELT2_COLUMNS)
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{source}', delim = '\t', header = false, quote = '', escape = '', "
            f"columns = {{{columns}}})) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )


def _line_scan(source: Path) -> int:
    count = 0
    with source.open("rb") as handle:
        for _ in handle:
            count += 1
    return count


# The child reports its own high-water mark: VmHWM (ru_maxrss would count the parent's memory at
# the fork, which Linux carries over the exec).
_CHILD = """
import resource, sys, time
from dyadwatch.datasets import import_dataset
from dyadwatch.store import Store
with Store(sys.argv[1]) as store:
    started = time.perf_counter()
    report = import_dataset(store, "gdelt2", [sys.argv[2]], storage=sys.argv[3])
    elapsed = time.perf_counter() - started
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, report.events_added, peak)
"""


def main() -> None:
    data = shared_data_dir()
    if data is None:
        skip("datasets.*", "../shared/data absent: the GDELT sample rows are needed to generate the files")
        return
    work = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-datasets-"))
    try:
        large = work / "20190101000000.export.CSV"
        started = time.perf_counter()
        generate_gdelt(large, LARGE_ROWS, data)
        side = work / "side.export.CSV"
        _head(large, side, SIDE_ROWS)
        size = large.stat().st_size
        print(f"   generated {LARGE_ROWS:,} GDELT 2.0 rows ({size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s; "
              f"side-by-side file: the first {SIDE_ROWS:,} rows ({side.stat().st_size / 1e6:.0f} MB)", flush=True)

        print(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows "
              "every figure alike; the ratios are measured side by side)", flush=True)
        # -- every row, side by side on one file: interleaved, best of two, so that other work on
        # the machine weighs on each alike ------------------------------------------------------
        wall: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for round_ in range(2):
            runs: dict[str, Callable[[], object]] = {
                "import": lambda n=round_: _import(work / f"side{n}.duckdb", side),
                "duckdb": lambda n=round_: _duckdb_copy(side, work / f"side{n}.parquet"),
                "pandas": lambda: _pandas_typed(side),
            }
            for name, run in runs.items():
                started_cpu, started = _cpu(), time.perf_counter()
                run()
                wall[name] = min(wall.get(name, float("inf")), time.perf_counter() - started)
                cpu[name] = min(cpu.get(name, float("inf")), _cpu() - started_cpu)
        scan_s = _timed(lambda: _line_scan(side))
        figure("datasets.gdelt2_import_rows_per_s", SIDE_ROWS / wall["import"], ">= 300,000 rows/s", "rows/s")
        figure("datasets.import_vs_pandas_read_csv", wall["pandas"] / wall["import"], ">= 1.5x", "x")
        figure("datasets.import_vs_duckdb_csv_to_parquet", wall["duckdb"] / wall["import"], "~1x (the issue: 0.31M rows/s)", "x")
        print(f"   baselines on the same {SIDE_ROWS:,} rows (best of two): pandas.read_csv typed "
              f"{SIDE_ROWS / wall['pandas']:,.0f} rows/s, DuckDB read_csv -> Parquet {SIDE_ROWS / wall['duckdb']:,.0f} rows/s, "
              f"line scan {SIDE_ROWS / scan_s:,.0f} rows/s", flush=True)
        print(f"   per CPU second: import {SIDE_ROWS / cpu['import']:,.0f} rows, pandas {SIDE_ROWS / cpu['pandas']:,.0f}, "
              f"DuckDB {SIDE_ROWS / cpu['duckdb']:,.0f} (import / pandas {cpu['pandas'] / cpu['import']:.2f}x)", flush=True)

        # -- filtered to a few actors -------------------------------------------------------
        filtered_s, filtered_cpu = _import(work / "filtered.duckdb", large, ACTORS)
        large_scan_s = _timed(lambda: _line_scan(large))
        figure(f"datasets.filtered_import_scanned_rows_per_s ({LARGE_ROWS / 1e6:g}M)", LARGE_ROWS / filtered_s,
               ">= 2,000,000 rows/s", "rows/s")
        figure("datasets.filtered_vs_plain_line_scan", large_scan_s / filtered_s, "(the issue: line scan 4M rows/s)", "x")
        print(f"   filtered import: {LARGE_ROWS / filtered_cpu:,.0f} rows scanned per CPU second (prefilter workers "
              f"included); plain line scan {LARGE_ROWS / large_scan_s:,.0f} rows/s", flush=True)

        # -- the large file, in a child process for its peak memory -----------------------------
        store_path = work / "large.duckdb"
        result = subprocess.run([sys.executable, "-c", _CHILD, str(store_path), str(large), "parquet"],
                                capture_output=True, text=True, check=True)
        elapsed, added, peak_kb = result.stdout.split()
        assert int(added) == LARGE_ROWS, result.stdout
        figure(f"datasets.import_{LARGE_ROWS / 1e6:g}M_rows_per_s", LARGE_ROWS / float(elapsed), "(every row)", "rows/s")
        figure(f"datasets.import_{LARGE_ROWS / 1e6:g}M_peak_memory", int(peak_kb) / 1024, "< 1,536 MB", "MB")
        # a large file forced into the events table (--storage table): spooled, DuckDB spills
        result = subprocess.run([sys.executable, "-c", _CHILD, str(work / "table.duckdb"), str(side), "table"],
                                capture_output=True, text=True, check=True)
        elapsed, added, peak_kb = result.stdout.split()
        assert int(added) == SIDE_ROWS, result.stdout
        figure(f"datasets.import_table_{SIDE_ROWS / 1e6:g}M_peak_memory", int(peak_kb) / 1024,
               f"< 1,536 MB ({SIDE_ROWS / float(elapsed):,.0f} rows/s into the events table)", "MB")

        # -- dyad-month aggregation over the stored events ---------------------------------------
        from dyadwatch.datasets import compare
        from dyadwatch.store import Store

        with Store(store_path, read_only=True) as store:
            compare(store, "RUS-AFG", by="month")  # warm: views, file metadata
            one = [_timed(lambda: compare(store, "USA-RUS", by="month", dedupe=False)) for _ in range(7)]
            one_dedupe = [_timed(lambda: compare(store, "USA-RUS", by="month")) for _ in range(7)]
            every = [_timed(lambda: compare(store, None, by="month", dedupe=False)) for _ in range(3)]
            every_dedupe = [_timed(lambda: compare(store, None, by="month")) for _ in range(3)]
            pairs = len(compare(store, None, by="year", dedupe=False)[["source_country", "target_country"]].drop_duplicates())
        size_label = f"{LARGE_ROWS / 1e6:g}M events"
        figure(f"datasets.dyad_month_one_dyad_s ({size_label})", statistics.median(one), "median < 0.5 s", "s")
        figure("datasets.dyad_month_one_dyad_stories_s", statistics.median(one_dedupe), "(URL-deduplicated)", "s")
        figure(f"datasets.dyad_month_all_dyads_s ({pairs} dyads)", statistics.median(every), "< 5 s", "s")
        figure("datasets.dyad_month_all_dyads_stories_s", statistics.median(every_dedupe), "(URL-deduplicated)", "s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
