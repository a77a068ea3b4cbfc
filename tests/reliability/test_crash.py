"""Crash safety, the short run: `dyadwatch ingest`, `import`, `code` and `fetch` killed with
SIGKILL at random points, the store checked after every kill, then each run to its end and
compared with a clean run: every document and event of the clean run, each exactly once.

The long run (many kills, figures printed) is ``fuzz/run.py --crash``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_data_dir
from tests.reliability.crash import crash_test

KILLS = 2


@pytest.mark.parametrize("command", ["ingest", "import", "code"])
def test_killed_command_leaves_a_sound_store_and_completes_exactly(command: str, tmp_path: Path) -> None:
    tallies = crash_test([command], shared=shared_data_dir(), base=tmp_path, trials=1, kills=KILLS, seed=11,
                         quick=True)
    tally = tallies[command]
    assert tally.problems == []
    assert tally.kills >= 1, tally  # up to three tries per kill: at least one lands inside a run
    assert tally.survived == tally.kills
    assert tally.exact == tally.trials == 1
    assert tally.lost == 0 and tally.duplicated == 0


def test_killed_fetch_resumes_and_imports_exactly(tmp_path: Path, shared_data: Path) -> None:
    tally = crash_test(["fetch"], shared=shared_data, base=tmp_path, trials=1, kills=KILLS, seed=11,
                       quick=True)["fetch"]
    assert tally.problems == []
    assert tally.kills >= 1 and tally.survived == tally.kills
    assert tally.exact == 1 and tally.lost == 0 and tally.duplicated == 0
