"""The aggregation against ICEWS practice: counts by directed dyad and quad class.

The ICEWS sample is imported with the project's importer; the expected counts are made here
independently, from the raw file with the csv module, pycountry for the country names and
the ICEWS quad classes by CAMEO root (01-05 verbal cooperation, 06-08 material cooperation,
09-13 verbal conflict, 14-20 material conflict).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
from pathlib import Path

import pycountry

from dyadwatch.datasets import import_dataset
from dyadwatch.store import Store
from dyadwatch.study.measures import compute_measures
from dyadwatch.study.spec import StudySpec


def quad_by_hand(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def alpha3(name: str) -> str | None:
    if name.strip() in ("", "NA"):  # ICEWS writes NA for a missing country (not Namibia)
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def test_icews_sample_by_directed_dyad_and_quad_class(shared_data: Path, tmp_path: Path) -> None:
    sample = shared_data / "icews" / "events.2018.sample.tab"
    expected: collections.Counter[tuple[str, str, int]] = collections.Counter()
    with sample.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            source, target = alpha3(row["Source Country"]), alpha3(row["Target Country"])
            if source and target and row["CAMEO Code"].strip():
                expected[(source, target, quad_by_hand(row["CAMEO Code"].strip()))] += 1
    totals: collections.Counter[tuple[str, str]] = collections.Counter()
    for (source, target, _), n in expected.items():
        totals[(source, target)] += n
    top = [pair for pair, _ in totals.most_common(12)]
    assert len(top) == 12 and totals[top[0]] > 20

    with Store(tmp_path / "icews.duckdb") as store:
        report = import_dataset(store, "icews", [str(sample)])
        assert report.events_added > 3000
        spec = StudySpec.from_dict({
            "title": "ICEWS check", "sources": ["icews"],
            "period": {"start": dt.date(2018, 1, 1), "end": dt.date(2018, 12, 31), "unit": "month"},
            "dyads": [{"name": f"{s}-{t}", "source": s, "target": t} for s, t in top],
            "measures": {"use": ["events", "quad1", "quad2", "quad3", "quad4"]},
        })
        frame = compute_measures(store.con, spec)
    got = frame.groupby(["dyad", "measure"])["value"].sum()
    for source, target in top:
        name = f"{source}-{target}"
        for quad in (1, 2, 3, 4):
            assert got[(name, f"quad{quad}")] == expected[(source, target, quad)], (name, quad)
        assert got[(name, "events")] == totals[(source, target)], name
