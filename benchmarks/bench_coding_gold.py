"""Gold sets for coding accuracy: read each one, time the read, and print what it holds.

The reader side of the coding benchmark: every gold set in ../shared/data that
`dyadwatch evaluate` reads, with its sentence, event, span and label counts beside the counts
the set's SOURCE.md states, and the read time. Scoring a coder on these sets is
`dyadwatch evaluate GOLD --coder-callable module:function` (or `evaluate()` in Python); the
coder's own benchmark calls that once the coder is in.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, shared_data_dir, skip  # noqa: E402

from dyadwatch.coding.evaluate import GoldSentence, read_gold  # noqa: E402

# (name, path in ../shared/data, what to count, the expected count and where it comes from)
GOLD_SETS: tuple[tuple[str, str, str, str], ...] = (
    ("petrarch_unit.sentences", "cameo-dictionaries/PETR.UnitTest.records.xml", "sentences", "284 (SOURCE.md)"),
    ("petrarch_unit.codings", "cameo-dictionaries/PETR.UnitTest.records.xml", "codings", "385 (SOURCE.md)"),
    ("petrarch_unit.events", "cameo-dictionaries/PETR.UnitTest.records.xml", "events", "359 (SOURCE.md)"),
    ("petr2_gsr.sentences", "petrarch-validation/PETR2_GSR_validation.xml", "sentences", "78 (SOURCE.md)"),
    ("petr2_gsr.codings", "petrarch-validation/PETR2_GSR_validation.xml", "codings",
     "92 (SOURCE.md's 93 counts a mention in the header)"),
    ("plover_gsr.sentences", "plover/PLOVER_GSR_CAMEO.txt", "sentences", "322 (SOURCE.md)"),
    ("conflibert.class_train", "conflibert-cameo/cameo_class_train.tsv", "labels", "1349 (SOURCE.md)"),
    ("conflibert.class_test", "conflibert-cameo/cameo_class_test.tsv", "labels", "451 (SOURCE.md)"),
    ("conflibert.ner_train", "conflibert-cameo/cameo_ner_train.txt", "tagged", "1153 (SOURCE.md)"),
    ("conflibert.ner_test", "conflibert-cameo/cameo_ner_test.txt", "tagged", "451 (SOURCE.md)"),
    ("conflibert.folder_labelled_and_tagged", "conflibert-cameo", "labelled_and_tagged",
     "451 test + 922 train sentences in both files"),
)

COUNTS: dict[str, Callable[[list[GoldSentence]], int]] = {
    "sentences": len,
    "codings": lambda gold: sum(int(s.meta.get("codings", 0)) for s in gold),
    "events": lambda gold: sum(len(s.events or ()) for s in gold),
    "labels": lambda gold: sum(s.label is not None for s in gold),
    "tagged": lambda gold: sum(s.has_spans for s in gold),
    "labelled_and_tagged": lambda gold: sum(s.label is not None and s.has_spans for s in gold),
}


def main() -> None:
    folder = shared_data_dir()
    if folder is None:
        skip("coding.gold", "../shared/data is absent")
        return
    cache: dict[str, tuple[list[GoldSentence], float]] = {}
    for name, relative, what, expected in GOLD_SETS:
        path = folder / relative
        if not path.exists():
            skip(f"coding.gold.{name}", f"{relative} is absent")
            continue
        if relative not in cache:
            started = time.perf_counter()
            gold = read_gold(path)
            cache[relative] = (gold, time.perf_counter() - started)
        gold, _ = cache[relative]
        figure(f"coding.gold.{name}", COUNTS[what](gold), f"== {expected}", what)
    for relative, (gold, seconds) in cache.items():
        figure(f"coding.gold.read_seconds.{Path(relative).name}", seconds, "< 2 s", f"n={len(gold)}")
    plover = cache.get("plover/PLOVER_GSR_CAMEO.txt")
    if plover is not None:
        tagged = sum(s.has_spans for s in plover[0])
        figure("coding.gold.plover_gsr.actor_spans_found", tagged / len(plover[0]), "report", f"n={len(plover[0])}")


if __name__ == "__main__":
    main()
