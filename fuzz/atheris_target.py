"""One reader under atheris (coverage-guided, libFuzzer): ``atheris_target.py READER SECONDS RESULT``.

Run by ``fuzz/run.py --atheris``; seeded with the reader's seed files. A non-coded exception
is counted (by type and place) and the run goes on, so one run finds every kind of failure;
the counts go to the RESULT JSON file as the run proceeds (libFuzzer ends the process itself).
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402

with atheris.instrument_imports(include=["dyadwatch"]):
    import dyadwatch.coding.evaluate  # noqa: F401
    import dyadwatch.datasets  # noqa: F401
    import dyadwatch.library.readers  # noqa: F401

from tests.conftest import shared_data_dir  # noqa: E402
from tests.reliability.targets import BY_NAME, describe, run_one, seeds_of  # noqa: E402


def main() -> None:
    name, seconds, result = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    target = BY_NAME[name]
    logging.disable(logging.CRITICAL)
    work = Path(tempfile.mkdtemp(prefix=f"dyadwatch-atheris-{name}-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for number, seed in enumerate(seeds_of(target, shared_data_dir())):
        (corpus / f"seed-{number}").write_bytes(seed)
    folder = work / "files"
    folder.mkdir()
    tally: dict[str, object] = {"reader": name, "engine": "atheris", "inputs": 0, "records": 0, "coded_errors": 0,
                                "failures": {}, "examples": {}}
    failures: dict[str, int] = tally["failures"]  # type: ignore[assignment]
    examples: dict[str, str] = tally["examples"]  # type: ignore[assignment]
    last = [time.monotonic()]

    def save() -> None:
        result.write_text(json.dumps(tally, indent=1), encoding="utf-8")

    def one_input(data: bytes) -> None:
        tally["inputs"] = int(tally["inputs"]) + 1  # type: ignore[call-overload]
        try:
            outcome = run_one(target, data, folder)
            tally["records"] = int(tally["records"]) + outcome.records  # type: ignore[call-overload]
            tally["coded_errors"] = int(tally["coded_errors"]) + outcome.errors  # type: ignore[call-overload]
        except Exception as exc:  # the bug being looked for
            key = describe(exc)
            failures[key] = failures.get(key, 0) + 1
            if key not in examples:
                sample = work / f"failure-{len(examples)}"
                sample.write_bytes(data)
                examples[key] = str(sample)
                save()
        if time.monotonic() - last[0] > 2:
            last[0] = time.monotonic()
            save()

    save()
    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-rss_limit_mb=4096", "-timeout=60",
                   "-print_final_stats=1"], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
