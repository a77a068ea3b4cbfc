"""Crash safety, the short run: `dyadwatch ingest`, `import`, `code` and `fetch` killed with
SIGKILL at random points, the store checked after every kill, then each run to its end and
compared with a clean run: every document and event of the clean run, each exactly once.

The long run (many kills, figures printed) is ``fuzz/run.py --crash``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, shared_data_dir
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


def test_killed_backup_leaves_no_half_backup(tmp_path: Path) -> None:
    """A backup killed at any point leaves either no folder under its name or a whole one
    (every checksum right), and the store as it was."""
    import random

    import dyadwatch
    from dyadwatch.store.maintenance import check, verify
    from tests.reliability.crash import Content, cli, run_and_kill

    store = tmp_path / "lib.duckdb"
    with dyadwatch.open(store) as lib:
        lib.ingest(str(PROJECT_ROOT / "tests" / "library" / "data"), on_error="skip")
    before = Content.read(store)
    rng = random.Random(5)
    whole, span = run_and_kill(cli(["backup", str(tmp_path / "clean"), "--store", str(store)], store, tmp_path),
                               cwd=tmp_path, store=store, delay=600)
    assert not whole and verify(tmp_path / "clean").counts["documents"] == len(before.documents)
    outcomes = []
    for number in range(3):
        dest = tmp_path / f"backup-{number}"
        killed, _ = run_and_kill(cli(["backup", str(dest), "--store", str(store)], store, tmp_path),
                                 cwd=tmp_path, store=store, delay=rng.uniform(0.3, 1.0) * span)
        outcomes.append(killed)
        if dest.exists():
            verify(dest)  # raises when a file is missing or changed
        assert check(store).ok
    assert Content.read(store) == before
    assert any(outcomes) or all((tmp_path / f"backup-{n}").exists() for n in range(3))
