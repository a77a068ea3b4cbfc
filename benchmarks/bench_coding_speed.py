"""The rule coder: speed end to end and on parse-bound input, peak memory, and accuracy on gold.

Speed
  * end to end on UN General Debate speeches (../shared/data/ungdc/subset_RUS_AFG_CentralAsia,
    segmented with dyadwatch.library.segment): a realistic corpus in which most sentences name
    fewer than two actors, so the pre-filter keeps them from the parser;
  * on sentences that all pass the pre-filter (each one parsed): the parse-bound worst case.
  The model loads before the clock starts (it loads once per process; its time is printed).
  Anchors: PETRARCH2 codes ~250 sentences/s, after a CoreNLP parse at 2-5 sentences/s.

Accuracy (../shared/data/plover and ../shared/data/petrarch-validation, read with
dyadwatch.coding.evaluate.read_gold and scored with its evaluate()):
  * root F1 and triple F1 ((source country, target country, CAMEO root) per sentence, micro);
  * root agreement: of the gold events whose dyad the coder also found in the sentence, the share
    it gave the same CAMEO root (PLOVER gold: the same PLOVER type). This is the measure behind
    the TABARI figure of 75-85% agreement with a human coder.
Negated events are left out of every score (the gold sets code what happened).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROJECT_ROOT, figure, shared_data_dir, skip  # noqa: E402

from dyadwatch.coding.coder import RuleCoder  # noqa: E402
from dyadwatch.library.segment import segment  # noqa: E402
from dyadwatch.records import Event, Sentence  # noqa: E402

UNGDC_SUBSET = "ungdc/subset_RUS_AFG_CentralAsia"
PARSE_BOUND_SENTENCES = 3000
_YEAR = re.compile(r"_(\d{4})$")


def ungdc_sentences(folder: Path) -> tuple[list[Sentence], dict[str, dt.date]]:
    """Every sentence of the subset's speeches; a speech is dated 20 September of its year."""
    sentences: list[Sentence] = []
    dates: dict[str, dt.date] = {}
    for path in sorted(folder.glob("*.txt")):
        match = _YEAR.search(path.stem)
        dates[path.stem] = dt.date(int(match.group(1)), 9, 20) if match else dt.date(2000, 9, 20)
        sentences.extend(segment(path.stem, path.read_text(encoding="utf-8", errors="replace")))
    return sentences, dates


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports kilobytes


def timed(coder: RuleCoder, sentences: Sequence[Sentence], dates: dict[str, dt.date]) -> tuple[float, int]:
    started = time.perf_counter()
    events = sum(1 for _ in coder.code(sentences, doc_dates=dates))
    return time.perf_counter() - started, events


def speed(data: Path) -> None:
    folder = data / UNGDC_SUBSET
    if not folder.is_dir():
        skip("coding.sentences_per_s.ungdc", f"{folder} is absent")
        return
    sentences, dates = ungdc_sentences(folder)
    # the machine may be shared: its load says how far the speeds below are from an idle one
    figure("coding.load_average_1min", os.getloadavg()[0], "report", f"on {os.cpu_count()} CPUs, before the runs")
    coder = RuleCoder()
    started = time.perf_counter()
    coder.code_text("Lavrov met Muttaqi in Moscow.", "2021-10-20")  # loads model, dictionary, lexicon
    figure("coding.model_load_s", time.perf_counter() - started, "report", "s, once per process")

    seconds, events = timed(coder, sentences, dates)
    stats = coder.stats_
    figure("coding.sentences_per_s.ungdc", len(sentences) / seconds, ">= 1,000",
           f"n={len(sentences)}, {stats.parsed} parsed ({stats.parsed / len(sentences):.0%}), {events} events")
    figure("coding.prefiltered_share.ungdc", sum(stats.prefiltered_out.values()) / len(sentences), "report",
           ", ".join(f"{k}={v}" for k, v in sorted(stats.prefiltered_out.items())))
    figure("coding.skipped.ungdc", sum(stats.skipped.values()), "report",
           ", ".join(f"{k}={v}" for k, v in sorted(stats.skipped.items())) or "none")

    # the parse-bound case: sentences the pre-filter lets through, each of them parsed
    _, prefilter, _ = coder._parts()
    passing = [s for s in sentences if prefilter.check(s.text, dates.get(s.doc_id)).passed][:PARSE_BOUND_SENTENCES]
    seconds, events = timed(coder, passing, dates)
    assert coder.stats_.parsed + sum(coder.stats_.skipped.values()) == len(passing)
    figure("coding.sentences_per_s.parse_bound", len(passing) / seconds, ">= 250",
           f"n={len(passing)} all parsed, {events} events; PETRARCH2 ~250/s after CoreNLP at 2-5/s")

    workers = RuleCoder(n_process=2)
    seconds, _ = timed(workers, passing, dates)
    figure("coding.sentences_per_s.parse_bound.n_process2", len(passing) / seconds, "report",
           "2 worker processes (model load in each included)")
    figure("coding.peak_rss_mb", peak_rss_mb(), "< 2,048", "MB, this process or a worker")


def _agreement(gold: Sequence, found: dict[str, list[Event]]) -> tuple[int, int]:
    agree = total = 0
    for sent in gold:
        for expected in sent.events or ():
            same_dyad = [e for e in found.get(sent.id, []) if not e.negated
                         and e.source_country == expected.source_country and e.target_country == expected.target_country]
            if not same_dyad:
                continue
            if expected.cameo_code:
                total += 1
                agree += any(e.cameo_root == expected.cameo_code[:2] for e in same_dyad)
            elif expected.plover_type:
                total += 1
                agree += any(e.plover_type == expected.plover_type for e in same_dyad)
    return agree, total


def accuracy(data: Path) -> None:
    try:
        from dyadwatch.coding.evaluate import evaluate, read_gold
    except ImportError:  # pragma: no cover - the evaluate package ships with dyadwatch
        skip("coding.accuracy", "dyadwatch.coding.evaluate is not available")
        return
    coder = RuleCoder()
    for name, path in (("petr2", data / "petrarch-validation" / "PETR2_GSR_validation.xml"),
                       ("plover", data / "plover" / "PLOVER_GSR_CAMEO.txt")):
        if not path.exists():
            skip(f"coding.root_agreement.{name}", f"{path} is absent")
            continue
        gold = read_gold(path)
        sentences = [Sentence(doc_id=g.id, idx=0, start=0, end=len(g.text), text=g.text) for g in gold]
        found: dict[str, list[Event]] = defaultdict(list)
        for event in coder.code(sentences, doc_dates={g.id: g.date for g in gold}):
            found[event.doc_id or ""].append(event)
        measures = evaluate(gold, found, name=name).measures
        agree, total = _agreement(gold, found)
        figure(f"coding.root_agreement.{name}", agree / total if total else 0.0, ">= 0.75",
               f"{agree}/{total} dyad-matched gold events; TABARI 75-85%")
        for measure in ("root", "triple", "plover"):
            score = measures.get(measure)
            if score is None or score.f1 is None:
                continue
            figure(f"coding.{measure}_f1.{name}", score.f1, "report",
                   f"P={score.precision or 0:.2f} R={score.recall or 0:.2f}, n={score.sentences} sentences")


def main() -> None:
    data = shared_data_dir()
    if data is None:
        skip("coding", f"no shared data beside {PROJECT_ROOT} (set DYADWATCH_SHARED_DATA)")
        return
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    speed(data)
    accuracy(data)


if __name__ == "__main__":
    main()
