"""Actor resolution: accuracy on gold spans, tagging speed, dictionary load time.

Accuracy: the source and target spans of the PLOVER gold records (../shared/data/plover) and
the source/target spans of the ConfliBERT CAMEO NER sentences (../shared/data/conflibert-cameo),
each resolved in its sentence. PLOVER records carry gold country and sector codes; ConfliBERT
spans carry none, so its accuracy is measured on the spans hand-coded in
tests/actors/golden/conflibert_spans.jsonl (keys only: file, sentence, token span), and its
coverage (share of spans resolved at all) on every span. PLOVER's gold uses a few codes that are
no code at all (JAP, ITL, VTN); they are read through codes.normalise_country_code.

Each accuracy is printed strict (the codes as the dictionary writes them against the gold's) and,
for PLOVER, also mapped through two stated conventions where the gold's scheme differs from the
dictionary's:

* sectors in PLOVER's terms: the dictionary keeps CAMEO's insurgent and separatist sectors (INS,
  SEP) and peacekeepers (PKO), which PLOVER folds into REB and MIL (PLOVER manual, section 5.2,
  note 3); the ontology's CAMEO-to-PLOVER sector crosswalk does the reading
  (``ontology.sector(code).plover``), for codes that are not PLOVER codes already;
* international organisations as one class: the 2016 gold records write IGO for the Red Cross
  and Amnesty International, which CAMEO and PLOVER 2021 (table 5.1) code NGO, so IGO, NGO and
  PLOVER's UNO and EUR count as one code.

Speed: the best of several passes over the same batch, for dictionary matching alone
(Resolver.spans) and for full tagging (Resolver.tag: compounds, dated roles, context rules and a
reason on every mention). The figures are this process's CPU time (time.process_time): the
tagger is single-threaded, so on an idle machine CPU and wall time agree, and on a machine that
other work shares, wall time measures that work too. The wall-clock rate is printed beside them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROJECT_ROOT, figure, shared_data_dir, skip  # noqa: E402

from dyadwatch.actors import ActorDictionary, Resolver  # noqa: E402
from dyadwatch.actors.codes import normalise_country_code  # noqa: E402
from dyadwatch.coding.ontology import CAMEO_SECTORS, PLOVER_SECTORS  # noqa: E402

# International organisations, one class in the mapped reading (see the module docstring).
INTERNATIONAL = frozenset({"IGO", "NGO", "UNO", "EUR"})
REPEATS = 5

CONFLIBERT_GOLD = PROJECT_ROOT / "tests" / "actors" / "golden" / "conflibert_spans.jsonl"


def _sector(code: str | None) -> str | None:
    # PLOVER gold sectors carry ethnic/religious suffixes ("CVLalb", "REBkur"); "***" is unknown
    if not code or code.startswith("*"):
        return None
    return code[:3].upper()


def plover_spans(folder: Path) -> Iterator[tuple[str, str, str, str | None, str | None]]:
    """(actor text, sentence, date, gold country, gold sector) for every PLOVER gold span."""
    records = json.loads((folder / "PLOVER_GSR_CAMEO.txt").read_text(encoding="utf-8"))
    for record in records:
        if record.get("event") == "DOCUMENT":
            continue
        for side in ("source", "target"):
            actors = record.get(side) or []
            for actor in actors if isinstance(actors, list) else [actors]:
                if isinstance(actor, dict) and actor.get("actorText") and actor.get("code"):
                    yield (actor["actorText"].strip(), record["text"], record["date"],
                           normalise_country_code(actor["code"]), _sector(actor.get("sector")))


def conflibert_sentences(folder: Path, name: str) -> Iterator[tuple[int, list[str], list[tuple[int, int]]]]:
    """(sentence index, tokens, source/target/joint token spans) of a ConfliBERT NER file."""
    tokens: list[str] = []
    tags: list[str] = []
    index = 0
    for line in [*(folder / name).read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            token, _, tag = line.rpartition(" ")
            tokens.append(token)
            tags.append(tag)
            continue
        if tokens:
            spans, start = [], None
            for i, tag in enumerate([*tags, "O"]):
                if start is not None and not tag.startswith("I-"):
                    spans.append((start, i))
                    start = None
                if tag.startswith("B-"):
                    start = i
            yield index, tokens, spans
            index += 1
        tokens, tags = [], []


def plover_sector(code: str | None) -> str | None:
    """A dictionary sector in PLOVER's terms: PLOVER codes as they are, CAMEO-only codes through
    the ontology's crosswalk (INS, SEP -> REB; PKO -> MIL)."""
    if code is None or code in PLOVER_SECTORS:
        return code
    known = CAMEO_SECTORS.get(code)
    return known.plover if known is not None else code


def plover_country(code: str | None) -> str | None:
    return "IGO" if code in INTERNATIONAL else code


def accuracy_plover(resolver: Resolver, folder: Path) -> None:
    spans = list(plover_spans(folder))
    country = both = mapped_country = mapped_both = 0
    for text, sentence, date, gold_country, gold_sector in spans:
        result = resolver.resolve(text, date, sentence=sentence)
        if result.country == gold_country:
            country += 1
            both += result.sector == gold_sector
        if plover_country(result.country) == plover_country(gold_country):
            mapped_country += 1
            mapped_both += plover_sector(result.sector) == gold_sector
    n = f"n={len(spans)}"
    figure("actors.country_accuracy.plover", country / len(spans), ">= 0.90", f"{n} strict")
    figure("actors.country_accuracy.plover.map", mapped_country / len(spans), ">= 0.90", f"{n} IGO=NGO")
    figure("actors.country_sector_accuracy.plover", both / len(spans), "report", f"{n} strict")
    figure("actors.country_sector_accuracy.plover.map", mapped_both / len(spans), "report",
           f"{n} PLOVER sectors")


def accuracy_conflibert(resolver: Resolver, folder: Path) -> None:
    # dates: the sentences span decades and carry none; 2000-01-01 stands in, as in PLOVER's gold
    date = "2000-01-01"
    resolved = total = 0
    sentences: dict[tuple[str, int], list[str]] = {}
    for name in ("cameo_ner_test.txt", "cameo_ner_train.txt"):
        for index, tokens, spans in conflibert_sentences(folder, name):
            sentences[(name, index)] = tokens
            for span in spans:
                total += 1
                resolved += _resolve(resolver, tokens, span, date).resolved
    figure("actors.coverage.conflibert", resolved / total, "report", f"n={total}")
    if not CONFLIBERT_GOLD.exists():
        skip("actors.country_accuracy.conflibert", f"no hand-coded spans at {CONFLIBERT_GOLD}")
        return
    gold = [json.loads(line) for line in CONFLIBERT_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    country = both = 0
    for item in gold:
        tokens = sentences[(item["file"], item["sentence"])]
        result = _resolve(resolver, tokens, (item["start"], item["end"]), date)
        if result.country == item["country"]:
            country += 1
            both += result.sector == item["sector"]
    figure("actors.country_accuracy.conflibert", country / len(gold), ">= 0.90", f"n={len(gold)} hand-coded")
    figure("actors.country_sector_accuracy.conflibert", both / len(gold), "report", f"n={len(gold)} hand-coded")


_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "\u2019", "'", "%", "-"}
_NO_SPACE_AFTER = {"(", "$", "-", "\u2019", "'"}


def detokenise(tokens: list[str]) -> tuple[str, list[int]]:
    """The sentence as news text ("Boutros-Ghali", "Moscow's") and each token's offset in it."""
    text, offsets = "", []
    for i, token in enumerate(tokens):
        glue = i and token not in _NO_SPACE_BEFORE and tokens[i - 1] not in _NO_SPACE_AFTER
        text += " " if glue else ""
        offsets.append(len(text))
        text += token
    return text, offsets


def _resolve(resolver: Resolver, tokens: list[str], span: tuple[int, int], date: str):  # noqa: ANN202
    sentence, offsets = detokenise(tokens)
    start = offsets[span[0]]
    end = offsets[span[1] - 1] + len(tokens[span[1] - 1])
    return resolver.resolve(sentence[start:end], date, sentence=sentence, start=start)


def speed(folder: Path | None) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DYADWATCH_CACHE_DIR"] = cache
        started = time.perf_counter()
        ActorDictionary.load()
        cold = time.perf_counter() - started
        loads = []
        for _ in range(5):
            started = time.perf_counter()
            dictionary = ActorDictionary.load()
            loads.append(time.perf_counter() - started)
    figure("actors.dictionary_load_s.cold", cold, "< 1", "s (validate + compile)")
    figure("actors.dictionary_load_s", statistics.median(loads), "< 1", "s (cached matcher)")
    figure("actors.dictionary_entries", len(dictionary), "report", f"{len(dictionary.aliases)} alias keys")
    resolver = dictionary.resolver()
    if folder is not None:
        sentences = [line.partition("\t")[0] for name in ("cameo_class_train.tsv", "cameo_class_test.tsv")
                     for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        sentences = ["Russian Foreign Minister Sergey Lavrov met the Taliban delegation in Moscow on Wednesday.",
                     "The Pakistani Taliban claimed an attack on a police post near the Afghan border."]
    batch = (sentences * (20_000 // len(sentences) + 1))[:20_000]
    for sentence in batch[:2_000]:  # the first pass fills the per-date memos, as a long run would
        resolver.tag(sentence, "2021-10-20")

    def match() -> int:
        return sum(len(resolver.spans(sentence)) for sentence in batch)

    def tag() -> int:
        return sum(len(resolver.tag(sentence, "2021-10-20")) for sentence in batch)

    spans, cpu, wall = _best(match)
    figure("actors.match_sentences_per_s", len(batch) / cpu, "report",
           f"{spans / len(batch):.1f} spans/sent, matching only; wall {len(batch) / wall:,.0f}/s")
    mentions, cpu, wall = _best(tag)
    figure("actors.tag_sentences_per_s", len(batch) / cpu, ">= 50000",
           f"{mentions / len(batch):.1f} mentions/sent, full tagging, dated; wall {len(batch) / wall:,.0f}/s")


def _best(work: Callable[[], int]) -> tuple[int, float, float]:
    """What ``work`` returns, and its shortest CPU and wall times over REPEATS passes."""
    cpu, wall = [], []
    result = 0
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return result, min(cpu), min(wall)


def main() -> None:
    data = shared_data_dir()
    speed(data / "conflibert-cameo" if data else None)
    if data is None:
        skip("actors.country_accuracy.*", "../shared/data is absent (set DYADWATCH_SHARED_DATA)")
        return
    resolver = ActorDictionary.load().resolver()
    accuracy_plover(resolver, data / "plover")
    accuracy_conflibert(resolver, data / "conflibert-cameo")


if __name__ == "__main__":
    main()
