"""The hypothesis side of the fuzzers: input strategies and the shared test body."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import shared_data_dir
from tests.reliability.targets import (
    BY_NAME,
    TOKENS,
    Op,
    Target,
    available,
    fresh_folder,
    mutate,
    run_one,
    seeds_of,
    wrap,
)

OPS = st.builds(Op, st.integers(0, 7), st.integers(0, 1 << 20), st.sampled_from(TOKENS), st.integers(1, 80))


@st.composite
def fuzzed(draw: st.DrawFn, seeds: list[bytes], containers: tuple[str, ...]) -> tuple[bytes, str]:
    """A seed mutated 1-6 times and maybe compressed; one input in twenty is random bytes."""
    if not seeds or draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=400)), ""
    data = mutate(draw(st.sampled_from(seeds)), draw(st.lists(OPS, min_size=1, max_size=6)))
    return wrap(data, draw(st.sampled_from(containers)))


def target_and_seeds(name: str, request: pytest.FixtureRequest) -> tuple[Target, list[bytes]]:
    """The target and its seeds; skips when its reader is absent or it has no seed here."""
    target = BY_NAME[name]
    if not available(target):
        pytest.skip(f"the {name} reader is not in this tree yet")
    shared = request.getfixturevalue("shared_data") if target.needs_shared else shared_data_dir()
    seeds = seeds_of(target, shared)
    if not seeds:
        pytest.skip(f"no seed file for {name}: ../shared/data is absent")
    return target, seeds


def check_reader(name: str, request: pytest.FixtureRequest, examples: int) -> None:
    """Every fuzzed input gives records or coded errors; anything else fails the test."""
    target, seeds = target_and_seeds(name, request)
    logging.disable(logging.WARNING)  # thousands of expected per-record warnings
    try:
        with fresh_folder() as tmp:
            folder = Path(tmp)

            @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(item=fuzzed(seeds, target.containers))
            def body(item: tuple[bytes, str]) -> None:
                data, suffix = item
                outcome = run_one(target, data, folder, suffix)
                assert outcome.records >= 0 and all(code.startswith("E") for code in outcome.codes)

            body()
    finally:
        logging.disable(logging.NOTSET)


def check_seeds(name: str, request: pytest.FixtureRequest) -> None:
    """The unmutated seeds read to data: the fuzzers start from inputs the readers accept."""
    target, seeds = target_and_seeds(name, request)
    with fresh_folder() as tmp:
        outcomes = [run_one(target, seed, Path(tmp)) for seed in seeds]
    assert any(o.records > 0 for o in outcomes), (name, outcomes)
