"""Study speed (issue 6): 10 dyads, 4 measures, 4 hypotheses over 10 million events, under 10 s.

The events are generated once into a Parquet file (cached in $TMPDIR/dyadwatch-bench-study,
keyed by the row count): 40 countries with a skewed mix (a few large, many small, as in GDELT),
some rows with a dictionary actor id beside the country (RUS/rus, AFG/taliban), CAMEO codes
from every root with their quad classes and Goldstein scores, dates over 2015-2025, 3% negated
and 5% not asserted. The study reads the file as ``read_parquet(...)`` (the relation a Parquet
partition gives the scale-out runner), computes the measures with one DuckDB query, and tests
the hypotheses (ITS, DiD against a comparison dyad, change points, placebo, evidence).

Also printed: the ICEWS check of the aggregation (directed dyad x quad class counts of the
ICEWS sample against a count made with the csv module), when ../shared/data is present.

Set DYADWATCH_BENCH_ROWS for a smaller file (the figure names the size used).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import duckdb
from _common import figure, shared_data_dir, skip

from dyadwatch.store import Store
from dyadwatch.study.measures import compute_measures
from dyadwatch.study.run import run_study
from dyadwatch.study.spec import StudySpec

ROWS = int(os.environ.get("DYADWATCH_BENCH_ROWS", "10000000"))
COUNTRIES = ["RUS", "USA", "CHN", "AFG", "TJK", "UZB", "KAZ", "KGZ", "TKM", "PAK", "IND", "IRN", "TUR", "GBR", "FRA",
             "DEU", "UKR", "ISR", "SYR", "IRQ", "SAU", "EGY", "JPN", "KOR", "PRK", "BRA", "MEX", "NGA", "ZAF", "KEN",
             "ETH", "SDN", "LBY", "YEM", "QAT", "ARE", "AZE", "ARM", "GEO", "BLR"]
CODES = ["010", "020", "030", "036", "040", "042", "043", "046", "051", "057", "061", "062", "071", "073", "080",
         "090", "100", "111", "112", "120", "130", "138", "140", "150", "160", "170", "173", "180", "190", "193", "200"]

STUDY = """
title = "Benchmark"
sources = ["gdelt2"]
[period]
start = 2015-01-01
end = 2025-12-31
unit = "month"
[actors]
Russia = ["RUS"]
"Central Asia" = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
[[dyads]]
name = "RUS-AFG"
source = "Russia"
target = "AFG"
undirected = true
[[dyads]]
name = "RUS-taliban"
source = "RUS"
target = "taliban"
undirected = true
[[dyads]]
name = "RUS-CA"
source = "Russia"
target = "Central Asia"
[[dyads]]
name = "CHN-AFG"
source = "CHN"
target = "AFG"
undirected = true
[[dyads]]
name = "USA-AFG"
source = "USA"
target = "AFG"
[[dyads]]
name = "RUS-USA"
source = "RUS"
target = "USA"
[[dyads]]
name = "RUS-CHN"
source = "RUS"
target = "CHN"
[[dyads]]
name = "PAK-AFG"
source = "PAK"
target = "AFG"
[[dyads]]
name = "IRN-AFG"
source = "IRN"
target = "AFG"
[[dyads]]
name = "RUS-TJK"
source = "RUS"
target = "TJK"
[[interventions]]
name = "Kabul falls"
date = 2021-08-15
[measures]
use = ["cooperation", "goldstein_mean", "cooperation_share", "cooperation/volume"]
[[hypotheses]]
id = "H1"
statement = "Russia-Afghanistan cooperation rises."
measure = "cooperation"
dyad = "RUS-AFG"
intervention = "Kabul falls"
expected = "increase"
comparison_dyads = ["CHN-AFG"]
placebo_dates = [2018-01-01]
[[hypotheses]]
id = "H2"
statement = "Russia-Central Asia mean Goldstein rises."
measure = "goldstein_mean"
dyad = "RUS-CA"
intervention = "Kabul falls"
expected = "increase"
[[hypotheses]]
id = "H3"
statement = "Share of cooperation changes."
measure = "cooperation_share"
dyad = "RUS-taliban"
intervention = "Kabul falls"
expected = "change"
[[hypotheses]]
id = "H4"
statement = "Normalised cooperation with Tajikistan rises."
measure = "cooperation/volume"
dyad = "RUS-TJK"
intervention = "Kabul falls"
expected = "increase"
"""


def events_file(rows: int) -> Path:
    """The generated events as one Parquet file, made once per row count."""
    folder = Path(tempfile.gettempdir()) / "dyadwatch-bench-study"
    folder.mkdir(exist_ok=True)
    path = folder / f"events-{rows}.parquet"
    if path.exists():
        return path
    from dyadwatch.coding.ontology import cameo

    con = duckdb.connect()
    con.execute("SELECT setseed(0.6)")
    con.execute("CREATE TABLE countries AS SELECT unnest(?) AS code, generate_subscripts(?, 1) AS i", [COUNTRIES, COUNTRIES])
    codes = [(c, cameo(c).root, cameo(c).quad_class, cameo(c).goldstein) for c in CODES]
    con.execute("CREATE TABLE codes (i INTEGER, code VARCHAR, root VARCHAR, quad TINYINT, goldstein DOUBLE)")
    con.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?)", [(i + 1, *c) for i, c in enumerate(codes)])
    n_countries, n_codes = len(COUNTRIES), len(codes)
    # a skewed draw: floor(n * u^2) favours the first countries of the list
    con.execute(f"""
        COPY (
          SELECT 'gdelt2' AS origin, 'g' || r.range AS event_id, DATE '2015-01-01' + CAST(floor(random() * 4017) AS INTEGER) AS date,
                 s.code AS source_country, CASE WHEN s.code = 'RUS' THEN 'rus' END AS source_actor,
                 t.code AS target_country,
                 CASE WHEN t.code = 'AFG' AND r.u3 < 0.3 THEN 'taliban' END AS target_actor,
                 k.code AS cameo_code, k.root AS cameo_root, k.quad AS quad_class, k.goldstein AS goldstein,
                 r.u3 < 0.03 AS negated, CASE WHEN r.u3 > 0.95 THEN 'intended' ELSE 'asserted' END AS modality,
                 CAST(NULL AS VARCHAR) AS story_group, CAST(NULL AS VARCHAR) AS sentence, CAST(NULL AS VARCHAR) AS doc_id
          FROM (SELECT range, random() AS u1, random() AS u2, random() AS u3, random() AS u4 FROM range({rows})) r
          JOIN countries s ON s.i = 1 + CAST(floor({n_countries} * r.u1 * r.u1) AS INTEGER)
          JOIN countries t ON t.i = 1 + CAST(floor({n_countries} * r.u2 * r.u2) AS INTEGER)
          JOIN codes k ON k.i = 1 + CAST(floor({n_codes} * r.u4) AS INTEGER)
        ) TO '{path}.tmp' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
    """)
    con.close()
    os.replace(f"{path}.tmp", path)
    return path


def icews_check() -> None:
    data = shared_data_dir()
    if data is None or not (data / "icews" / "events.2018.sample.tab").exists():
        skip("study: ICEWS dyad x quad check", "../shared/data absent")
        return
    import pycountry

    from dyadwatch.datasets import import_dataset

    sample = data / "icews" / "events.2018.sample.tab"
    expected: collections.Counter[tuple[str, str, int]] = collections.Counter()
    with sample.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            names = [row["Source Country"].strip(), row["Target Country"].strip()]
            if "" in names or "NA" in names or not row["CAMEO Code"].strip():
                continue
            try:
                s, t = (pycountry.countries.lookup(n).alpha_3 for n in names)
            except LookupError:
                continue
            root = int(row["CAMEO Code"][:2])
            expected[(s, t, 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4)] += 1
    pairs = sorted({(s, t) for s, t, _ in expected})
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "icews.duckdb") as store:
        import_dataset(store, "icews", [str(sample)])
        spec = StudySpec.from_dict({
            "title": "ICEWS", "sources": ["icews"],
            "period": {"start": dt.date(2018, 1, 1), "end": dt.date(2018, 12, 31), "unit": "month"},
            "dyads": [{"name": f"{s}-{t}", "source": s, "target": t} for s, t in pairs],
            "measures": {"use": ["quad1", "quad2", "quad3", "quad4"]},
        })
        got = compute_measures(store.con, spec).groupby(["dyad", "measure"])["value"].sum()
    cells = [(s, t, q) for s, t in pairs for q in (1, 2, 3, 4)]
    agree = sum(got[(f"{s}-{t}", f"quad{q}")] == expected[(s, t, q)] for s, t, q in cells)
    figure(f"study: ICEWS dyad x quad cells agreeing ({len(pairs)} dyads)", 100.0 * agree / len(cells), "100", "%")


def main() -> None:
    started = time.perf_counter()
    path = events_file(ROWS)
    print(f"# events file {path} ({ROWS:,} rows; generated or reused in {time.perf_counter() - started:.1f} s)")
    spec = StudySpec.from_toml(STUDY, where="bench")
    relation = f"read_parquet('{path}')"
    with Store(":memory:") as store:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            results = run_study(store, spec, relation=relation)
            times.append(time.perf_counter() - t0)
    print("# verdicts: " + ", ".join(f"{k} {v}" for k, v in results.verdicts().items()))
    figure(f"study: 10 dyads x 4 measures x 4 hyp., {ROWS / 1e6:g}M events", min(times), "< 10 s", "s")
    icews_check()


if __name__ == "__main__":
    main()
