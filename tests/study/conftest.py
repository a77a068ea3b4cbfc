"""Hand-made events for the study tests: each count in the tests can be checked by eye here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from dyadwatch.coding.ontology import cameo
from dyadwatch.records import Event
from dyadwatch.store import Store


def event(
    n: int, day: str, source: tuple[str, str | None], target: tuple[str, str | None], code: str, *,
    origin: str = "dyadwatch", negated: bool = False, modality: str = "asserted", story: str | None = None,
    sentence: str | None = None,
) -> Event:
    info = cameo(code)
    return Event(
        event_id=f"ev-{n:03d}", origin=origin, date=dt.date.fromisoformat(day), cameo_code=code,
        cameo_root=info.root, source_country=source[0], source_actor=source[1], target_country=target[0],
        target_actor=target[1], goldstein=info.goldstein, quad_class=info.quad_class, negated=negated,
        modality=modality, story_group=story or f"story-{n}", sentence=sentence or f"Sentence {n}.",
        coder="dyadwatch-rules 1.0.0" if origin == "dyadwatch" else None,
    )


RUS = ("RUS", "rus")
TAL = ("AFG", "taliban")
AFG = ("AFG", "afg")
TJK = ("TJK", "tjk")
CHN = ("CHN", "chn")

# 2021: January and February hold these; see test_measures for the hand counts.
HAND_EVENTS = [
    event(1, "2021-01-05", RUS, TAL, "043"),                      # quad 1, Goldstein 2.8
    event(2, "2021-01-05", RUS, TAL, "043", story="story-1"),     # the same story again: counted once
    event(3, "2021-01-20", TAL, RUS, "057"),                      # quad 1, 8.0, the other direction
    event(4, "2021-01-25", RUS, TAL, "190"),                      # quad 4, -10.0
    event(5, "2021-01-26", RUS, TAL, "062", negated=True),        # negated: not counted
    event(6, "2021-01-27", RUS, TAL, "0312", modality="intended"),  # intended: not counted
    event(7, "2021-01-28", RUS, TAL, "111", modality="reported"),  # reported: counted, quad 3, -2.0
    event(8, "2021-02-02", RUS, TJK, "062", sentence="Drills were held under the CSTO flag."),  # quad 2, 7.4
    event(9, "2021-02-03", RUS, AFG, "073"),                      # RUS-AFG: quad 2
    event(10, "2021-02-04", CHN, TAL, "040"),                     # another dyad
    event(11, "2021-02-05", RUS, TAL, "040", origin="icews", story="x"),  # a dataset row, same story id: kept
    event(12, "2021-02-05", RUS, TAL, "040", origin="icews", story="x"),  # and its twin (datasets are not deduplicated)
]


@pytest.fixture
def hand_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "hand.duckdb")
    store.add_events(HAND_EVENTS)
    yield store
    store.close()
