"""Actor resolution: accuracy on gold spans, tagging speed, dictionary load time.

Accuracy: the source and target spans of the PLOVER gold records (../shared/data/plover) and
the source/target spans of the ConfliBERT CAMEO NER sentences (../shared/data/conflibert-cameo),
each resolved in its sentence. PLOVER records carry gold country and sector codes; ConfliBERT
spans carry none, so its accuracy is measured on the spans hand-coded in
tests/actors/golden/conflibert_spans.jsonl (keys only: file, sentence, token span), and its
coverage (share of spans resolved at all) on every span. PLOVER's gold uses a few codes that are
not ISO or not CAMEO (JAP, ITL); they are read through codes.normalise_country_code.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROJECT_ROOT, figure, shared_data_dir, skip  # noqa: E402

from dyadwatch.actors import ActorDictionary, Resolver  # noqa: E402
from dyadwatch.actors.codes import normalise_country_code  # noqa: E402

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


def accuracy_plover(resolver: Resolver, folder: Path) -> None:
    spans = list(plover_spans(folder))
    country = both = 0
    for text, sentence, date, gold_country, gold_sector in spans:
        result = resolver.resolve(text, date, sentence=sentence)
        if result.country == gold_country:
            country += 1
            both += result.sector == gold_sector
    figure("actors.country_accuracy.plover", country / len(spans), ">= 0.90", f"n={len(spans)}")
    figure("actors.country_sector_accuracy.plover", both / len(spans), "report", f"n={len(spans)}")


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
    batch = (sentences * (60_000 // len(sentences) + 1))[:60_000]
    spans = 0
    started = time.perf_counter()
    for sentence in batch:
        spans += len(resolver.spans(sentence))
    elapsed = time.perf_counter() - started
    figure("actors.tag_sentences_per_s", len(batch) / elapsed, ">= 50000", f"{spans / len(batch):.1f} spans/sent")
    mentions = 0
    started = time.perf_counter()
    for sentence in batch:
        mentions += len(resolver.tag(sentence, "2021-10-20"))
    elapsed = time.perf_counter() - started
    figure("actors.tag_resolve_sentences_per_s", len(batch) / elapsed, "report",
           f"{mentions / len(batch):.1f} mentions/sent, dated")


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
