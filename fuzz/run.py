"""`make fuzz`: the long reliability run, with its figures.

1. Every reader (``tests/reliability/targets.py``) fed mutated real samples for a time budget
   each, in this process: inputs tried, records read, coded errors and failures (any other
   exception) per reader.
2. atheris, coverage-guided, on the row readers (CSV, JSONL, GDELT, ICEWS, ACLED, UCDP), one
   subprocess each (libFuzzer ends its process when the budget is spent).
3. The crash harness (``tests/reliability/crash.py``): ingest, import (table and Parquet),
   code and fetch killed at random points, many times; kills tried and survived per command,
   documents and events lost or duplicated.
4. The load the dashboard holds (``fuzz/load.py``): concurrent clients against a uvicorn
   server on 127.0.0.1 while an ingest writes the store; requests per second, latency, and
   server errors (none allowed).

    .venv/bin/python fuzz/run.py                    # all four, default budgets
    .venv/bin/python fuzz/run.py --seconds 60 --readers csv,gdelt2 --no-crash
    .venv/bin/python fuzz/run.py --no-fuzz --crash-trials 5 --crash-kills 4

Exits 1 when any failure, lost or duplicated record, or failed check was found. A failing
input is saved under ``fuzz/failures/`` (kept out of version control) to replay.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import shared_data_dir  # noqa: E402
from tests.reliability.targets import (  # noqa: E402
    TARGETS,
    available,
    describe,
    fresh_folder,
    run_one,
    sample_input,
    seeds_of,
)

ATHERIS_READERS = ("csv", "jsonl", "gdelt2", "icews", "acled", "ucdp")
CRASH_COMMANDS = ("ingest", "import", "import-parquet", "code", "fetch")
FAILURES = ROOT / "fuzz" / "failures"


def fuzz_reader(name: str, seconds: float, seed: int) -> dict[str, object]:
    """Random mutations of the reader's seeds for ``seconds``; the tally."""
    target = next(t for t in TARGETS if t.name == name)
    seeds = seeds_of(target, shared_data_dir())
    rng = random.Random(f"{seed}-{name}")
    tally: dict[str, object] = {"reader": name, "engine": "mutation", "inputs": 0, "records": 0,
                                "coded_errors": 0, "failures": {}}
    failures: dict[str, int] = tally["failures"]  # type: ignore[assignment]
    inputs = records = errors = 0
    with fresh_folder() as tmp:
        folder = Path(tmp)
        stop = time.monotonic() + seconds
        pending = [(s, "") for s in seeds]  # the seeds themselves first
        while time.monotonic() < stop:
            data, suffix = pending.pop() if pending else sample_input(seeds, rng, target.containers)
            inputs += 1
            try:
                outcome = run_one(target, data, folder, suffix)
                records += outcome.records
                errors += outcome.errors
            except Exception as exc:  # the bug being looked for
                key = describe(exc)
                if key not in failures:
                    FAILURES.mkdir(parents=True, exist_ok=True)
                    (FAILURES / f"{name}-{len(failures)}{suffix or '.bin'}").write_bytes(data)
                failures[key] = failures.get(key, 0) + 1
    tally.update(inputs=inputs, records=records, coded_errors=errors)
    return tally


def fuzz_atheris(name: str, seconds: int) -> dict[str, object]:
    """atheris on one reader in a subprocess; its tally (inputs from libFuzzer's own count)."""
    with tempfile.TemporaryDirectory(prefix="dyadwatch-atheris-") as tmp:
        result = Path(tmp) / "result.json"
        process = subprocess.run(
            [sys.executable, str(ROOT / "fuzz" / "atheris_target.py"), name, str(seconds), str(result)],
            capture_output=True, text=True, timeout=seconds * 4 + 300, check=False,
        )
        tally: dict[str, object] = json.loads(result.read_text()) if result.exists() else {
            "reader": name, "engine": "atheris", "inputs": 0, "records": 0, "coded_errors": 0, "failures": {}}
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", process.stderr)
        if runs:
            tally["inputs"] = int(runs.group(1))
        if process.returncode not in (0,) and not runs:
            failures = dict(tally.get("failures") or {})  # type: ignore[call-overload]
            failures[f"atheris exited {process.returncode}"] = 1
            tally["failures"] = failures
            tally["log"] = process.stderr[-2000:]
        for key, path in dict(tally.get("examples") or {}).items():  # type: ignore[call-overload]
            FAILURES.mkdir(parents=True, exist_ok=True)
            sample = Path(path)
            if sample.exists():
                (FAILURES / f"{name}-atheris-{abs(hash(key)) % 10_000}.bin").write_bytes(sample.read_bytes())
        return tally


def print_fuzz_table(tallies: list[dict[str, object]]) -> int:
    print(f"\n{'reader':<17}{'engine':<10}{'inputs':>9}{'records':>10}{'coded errors':>14}{'failures':>10}")
    total_inputs = total_failures = 0
    for tally in tallies:
        failures = dict(tally["failures"])  # type: ignore[call-overload]
        count = sum(failures.values())
        total_inputs += int(tally["inputs"])  # type: ignore[call-overload]
        total_failures += count
        print(f"{tally['reader']!s:<17}{tally['engine']!s:<10}{tally['inputs']:>9,}{tally['records']:>10,}"
              f"{tally['coded_errors']:>14,}{count:>10,}")
        for key, times in failures.items():
            print(f"    failure: {key} (x{times})")
    print(f"{'all readers':<27}{total_inputs:>9,}{'':>24}{total_failures:>10,}")
    return total_failures


def run_crash(trials: int, kills: int, names: list[str]) -> int:
    from tests.reliability.crash import crash_test

    shared = shared_data_dir()
    with tempfile.TemporaryDirectory(prefix="dyadwatch-crash-") as tmp:
        tallies = crash_test(names, shared=shared, base=Path(tmp), trials=trials, kills=kills, seed=1,
                             log=lambda line: print("  " + line, flush=True))
    print(f"\n{'command':<16}{'kills':>7}{'survived':>10}{'ended first':>13}{'trials':>8}{'exact':>7}"
          f"{'lost':>6}{'duplicated':>12}")
    bad = 0
    for tally in tallies.values():
        print(f"{tally.command:<16}{tally.kills:>7}{tally.survived:>10}{tally.finished_first:>13}{tally.trials:>8}"
              f"{tally.exact:>7}{tally.lost:>6}{tally.duplicated:>12}")
        for problem in tally.problems[:5]:
            print(f"    problem: {problem}")
        bad += (tally.kills - tally.survived) + (tally.trials - tally.exact) + tally.lost + tally.duplicated
    kills = sum(t.kills for t in tallies.values())
    survived = sum(t.survived for t in tallies.values())
    print(f"{'all commands':<16}{kills:>7}{survived:>10}")
    if shared is None:
        print("note: ../shared/data is absent: fetch and the Parquet import were not run")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget per reader (mutation engine)")
    parser.add_argument("--atheris-seconds", type=int, default=20, help="time budget per reader under atheris")
    parser.add_argument("--readers", default="", help="comma-separated readers (default: all)")
    parser.add_argument("--no-fuzz", action="store_true", help="skip the readers")
    parser.add_argument("--no-atheris", action="store_true", help="skip atheris")
    parser.add_argument("--no-crash", action="store_true", help="skip the crash harness")
    parser.add_argument("--crash-trials", type=int, default=2, help="fresh stores per command")
    parser.add_argument("--crash-kills", type=int, default=3, help="kills per trial")
    parser.add_argument("--commands", default=",".join(CRASH_COMMANDS), help="commands the crash harness kills")
    parser.add_argument("--no-load", action="store_true", help="skip the dashboard load")
    parser.add_argument("--load-seconds", type=float, default=15.0)
    parser.add_argument("--load-clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # readers log each bad record; thousands here
    wanted = [r for r in options.readers.split(",") if r]
    shared = shared_data_dir()
    print(f"shared data: {shared or 'absent (seeds from the project only; some readers skipped)'}")
    bad = 0
    if not options.no_fuzz:
        tallies = []
        for target in TARGETS:
            if wanted and target.name not in wanted:
                continue
            if not available(target) or not seeds_of(target, shared):
                print(f"{target.name}: skipped (no reader or no seed here)")
                continue
            tallies.append(fuzz_reader(target.name, options.seconds, options.seed))
            print(f"  {target.name}: {tallies[-1]['inputs']:,} inputs", flush=True)
        if not options.no_atheris:
            for name in ATHERIS_READERS:
                if wanted and name not in wanted:
                    continue
                target = next(t for t in TARGETS if t.name == name)
                if not seeds_of(target, shared):
                    continue
                tallies.append(fuzz_atheris(name, options.atheris_seconds))
                print(f"  {name} (atheris): {tallies[-1]['inputs']:,} inputs", flush=True)
        bad += print_fuzz_table(tallies)
    if not options.no_crash:
        print("\ncrash harness (SIGKILL at random points, check after each kill, then run to the end):")
        bad += run_crash(options.crash_trials, options.crash_kills, [c for c in options.commands.split(",") if c])
    if not options.no_load:
        from fuzz.load import measure, print_load

        bad += print_load(measure(options.load_seconds, options.load_clients))
    print("\nresult: " + ("no failure, nothing lost or duplicated" if bad == 0 else f"{bad} problems (see above)"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
