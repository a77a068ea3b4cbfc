"""Measures against events counted by hand (tests/study/conftest.py lists them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import polars as pl
import pytest

import dyadwatch
from dyadwatch.store import Store
from dyadwatch.study.measures import (
    ANY,
    VOLUME,
    compute_measures,
    finalise,
    partial_aggregates,
    wide,
)
from dyadwatch.study.spec import StudySpec

JAN, FEB, MAR = dt.date(2021, 1, 1), dt.date(2021, 2, 1), dt.date(2021, 3, 1)


def spec_for(measures: list[str], *, dyads: list[dict[str, Any]] | None = None, **settings: Any) -> StudySpec:
    sources = settings.pop("sources", "all")
    data = {
        "title": "hand", "sources": sources,
        "period": {"start": dt.date(2021, 1, 1), "end": dt.date(2021, 3, 31), "unit": settings.pop("unit", "month")},
        "dyads": dyads or [{"name": "RUS-TAL", "source": "RUS", "target": "taliban", "undirected": True}],
        "measures": {"use": measures, **settings},
    }
    return StudySpec.from_dict(data, where="test")


def value(frame: pd.DataFrame, measure: str, period: dt.date, dyad: str = "RUS-TAL") -> float:
    rows = frame[(frame["dyad"] == dyad) & (frame["measure"] == measure) & (frame["period"] == period)]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_counts_by_quad_class_and_root_match_the_hand_count(hand_store: Store) -> None:
    spec = spec_for(["events", "quad1", "quad2", "quad3", "quad4", "cooperation", "conflict", "root:04", "code:057"])
    frame = compute_measures(hand_store.con, spec)
    # January, undirected: events 1 (043), 3 (057, reversed), 4 (190), 7 (111, reported);
    # 2 is a copy of 1's story, 5 negated, 6 intended
    assert [value(frame, m, JAN) for m in ("events", "quad1", "quad2", "quad3", "quad4")] == [4, 2, 0, 1, 1]
    assert value(frame, "cooperation", JAN) == 2 and value(frame, "conflict", JAN) == 2
    assert value(frame, "root:04", JAN) == 1 and value(frame, "code:057", JAN) == 1
    # February: the two ICEWS rows (040), kept as the dataset gives them
    assert value(frame, "events", FEB) == 2 and value(frame, "root:04", FEB) == 2
    # March: no events, zero counts, still a row
    assert value(frame, "events", MAR) == 0
    assert frame.loc[frame["measure"] == "events", "n_events"].tolist() == [4, 2, 0]


def test_goldstein_sum_mean_and_cooperation_share(hand_store: Store) -> None:
    spec = spec_for(["goldstein_sum", "goldstein_mean", "cooperation_share", "cooperation_goldstein"])
    frame = compute_measures(hand_store.con, spec)
    assert value(frame, "goldstein_sum", JAN) == pytest.approx(2.8 + 8.0 - 10.0 - 2.0)
    assert value(frame, "goldstein_mean", JAN) == pytest.approx((2.8 + 8.0 - 10.0 - 2.0) / 4)
    assert value(frame, "cooperation_share", JAN) == pytest.approx(0.5)
    assert value(frame, "cooperation_goldstein", JAN) == pytest.approx(10.8)
    assert value(frame, "goldstein_sum", FEB) == pytest.approx(2.0)
    # a month without events: the sum is 0, the mean and the share are undefined, not 0
    assert value(frame, "goldstein_sum", MAR) == 0
    assert pd.isna(value(frame, "goldstein_mean", MAR)) and pd.isna(value(frame, "cooperation_share", MAR))


def test_counts_normalised_by_the_volume_of_the_source(hand_store: Store) -> None:
    frame = compute_measures(hand_store.con, spec_for(["cooperation/volume"]))
    # January: 2 cooperation events of 4 counted events in the store; February 2 of 5
    assert value(frame, "cooperation/volume", JAN) == pytest.approx(500.0)
    assert value(frame, "cooperation/volume", FEB) == pytest.approx(400.0)
    assert pd.isna(value(frame, "cooperation/volume", MAR))


def test_direction_sources_negation_and_modality_settings(hand_store: Store) -> None:
    directed = [{"name": "RUS-TAL", "source": "RUS", "target": "taliban"}]
    frame = compute_measures(hand_store.con, spec_for(["events"], dyads=directed))
    assert value(frame, "events", JAN) == 3  # 1, 4, 7: the Taliban's 057 goes the other way
    own = compute_measures(hand_store.con, spec_for(["events"], sources=["dyadwatch"]))
    assert value(own, "events", FEB) == 0  # the ICEWS rows are left out
    everything = compute_measures(hand_store.con, spec_for(["events"], include_negated=True, asserted_only=False))
    assert value(everything, "events", JAN) == 6  # 5 (negated) and 6 (intended) come back; 2 stays a copy


def test_venue_counts_match_actor_or_sentence(hand_store: Store) -> None:
    dyads = [{"name": "RUS-TJK", "source": "RUS", "target": "TJK"}]
    frame = compute_measures(hand_store.con, spec_for(["venue:csto", "events"], dyads=dyads))
    assert value(frame, "venue:csto", FEB, "RUS-TJK") == 1
    assert value(frame, "events", FEB, "RUS-TJK") == 1


def test_partials_of_disjoint_parts_add_up_to_the_whole(hand_store: Store) -> None:
    spec = spec_for(["events", "goldstein_mean", "cooperation_share", "cooperation/volume", "root:04"])
    con = hand_store.con
    whole = finalise(partial_aggregates(con, "all_events", spec), spec)
    con.execute("CREATE TEMP VIEW part_a AS SELECT * FROM all_events WHERE origin = 'dyadwatch'")
    con.execute("CREATE TEMP VIEW part_b AS SELECT * FROM all_events WHERE origin <> 'dyadwatch'")
    parts = pd.concat([partial_aggregates(con, "part_a", spec), partial_aggregates(con, "part_b", spec)])
    split = finalise(parts, spec)
    pd.testing.assert_frame_equal(whole, split)
    assert set(parts["dyad"]) == {"RUS-TAL", VOLUME, ANY}
    whole_partials = partial_aggregates(con, "all_events", spec)
    assert whole_partials[whole_partials["dyad"] == ANY]["n_events"].sum() == 6  # Jan 4 + Feb 2, each once
    assert whole_partials[whole_partials["dyad"] == VOLUME]["n_events"].sum() == 9


def test_weeks_and_quarters(hand_store: Store) -> None:
    weekly = compute_measures(hand_store.con, spec_for(["events"], unit="week"))
    assert weekly["period"].iloc[0] == dt.date(2020, 12, 28)  # the Monday of the week holding 1 January
    assert weekly["value"].sum() == 6
    quarterly = compute_measures(hand_store.con, spec_for(["events"], unit="quarter"))
    assert quarterly["value"].tolist() == [6.0]


def test_library_measures_pandas_polars_and_wide(hand_store: Store) -> None:
    lib = dyadwatch.api.Library(hand_store)
    long = lib.measures(dyads=["RUS-taliban"], undirected=True, measures=["events", "quad4"],
                        date_from="2021-01-01", date_to="2021-03-31")
    assert long[long["measure"] == "events"]["value"].tolist() == [4, 2, 0]
    polars = lib.measures(dyads=["RUS-taliban"], undirected=True, measures=["events", "quad4"],
                          date_from="2021-01-01", date_to="2021-03-31", backend="polars")
    assert isinstance(polars, pl.DataFrame)
    assert polars.filter(pl.col("measure") == "events")["value"].to_list() == [4, 2, 0]
    table = lib.measures(dyads=["RUS-taliban"], undirected=True, measures=["events", "quad4"],
                         date_from="2021-01-01", date_to="2021-03-31", layout="wide")
    assert list(table.columns) == ["dyad", "period", "events", "quad4"]
    assert table["quad4"].tolist() == [1, 0, 0]
    assert wide(long).shape == (3, 4)
