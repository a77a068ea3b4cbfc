"""Search speed: build a 1,000,000-sentence index, then time 200 varied queries.

Half of the sentences are real, sampled from UN General Debate speeches
(../shared/data/ungdc, CC0; segmented with dyadwatch's own segmenter); the other half are
generated from the speeches' vocabulary with its word frequencies (or from a small
built-in vocabulary when the corpus is absent, which the output says). Each sentence gets
a publication date (2000-2024; 5% none) and a publisher (one of 20; 5% none).

The queries mix single words, two words, quoted phrases and AND / exclusion queries, of
common and rare words, each with and without date and publisher filters. Target (issue):
median < 100 ms on 1,000,000 sentences. Run: python benchmarks/bench_search.py [--sentences N]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import re
import shutil
import statistics
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from _common import figure, shared_data_dir, skip

from dyadwatch.library.search import SentenceIndex
from dyadwatch.library.segment import segment

SENTENCES = 1_000_000
QUERIES = 200
SEED = 20240917
PUBLISHERS = [
    "Steppe Wire", "Eurasia Brief", "Kabul Times", "Pajhwok", "TASS", "RIA Novosti", "Interfax",
    "Reuters", "AP", "AFP", "Xinhua", "BBC Monitoring", "Dawn", "Tolo News", "Asia-Plus",
    "Kun.uz", "AKIpress", "Kazinform", "Trend", "Fergana News",
]  # fmt: skip
FALLBACK_WORDS = """
    the of and to in a that for on is was with said by as at from it be has have its are
    government minister president security talks forces troops border military police aid
    foreign ministry officials meeting agreement sanctions attack killed country region
    russia afghanistan taliban moscow kabul kazakhstan uzbekistan tajikistan kyrgyzstan
    china pakistan iran india united states nations council peace war election protest
    trade energy gas oil water drought refugees humanitarian withdrawal embassy envoy
    cooperation terrorism drugs trafficking pipeline railway summit delegation statement
""".split()  # noqa: SIM905 - a word list reads better than a list literal


def real_sentences(limit_files: int = 400) -> list[str]:
    """Sentences of UN General Debate speeches: the Central Asia subset, else the archive."""
    data = shared_data_dir()
    folder = data / "ungdc" if data is not None else None
    if folder is None or not folder.is_dir():
        return []
    texts: list[str] = []
    subset = folder / "subset_RUS_AFG_CentralAsia"
    if subset.is_dir():
        texts = [
            p.read_text(encoding="utf-8", errors="replace") for p in sorted(subset.glob("*.txt"))
        ]
    elif (folder / "UNGDC_1946-2024.tar.xz").is_file():
        with tarfile.open(folder / "UNGDC_1946-2024.tar.xz", "r:xz") as tar:
            for member in tar:
                if member.isfile() and member.name.endswith(".txt") and "/._" not in member.name:
                    handle = tar.extractfile(member)
                    if handle is not None:
                        texts.append(handle.read().decode("utf-8", errors="replace"))
                    if len(texts) >= limit_files:
                        break
    sentences = []
    for i, text in enumerate(texts):
        for sent in segment(str(i), text):
            if 20 <= len(sent.text) <= 600 and "\n\n" not in sent.text:
                sentences.append(" ".join(sent.text.split()))
    return sentences


def vocabulary(sentences: list[str]) -> tuple[list[str], np.ndarray]:
    """Words and their probabilities: the corpus's frequencies, else a Zipf law."""
    if sentences:
        counts = collections.Counter(
            w for s in sentences for w in re.findall(r"[A-Za-z][a-z'-]+", s)
        )
        words, freq = zip(*counts.most_common(30_000), strict=True)
        p = np.array(freq, dtype=float)
        return list(words), p / p.sum()
    p = 1.0 / np.arange(1, len(FALLBACK_WORDS) + 1)
    return FALLBACK_WORDS, p / p.sum()


def rows(
    n: int, real: list[str], words: list[str], p: np.ndarray, rng: np.random.Generator
) -> Iterator[tuple[Any, ...]]:
    """(seq, doc_id, sentence_idx, text, published, publisher) rows, in seq order."""
    start = dt.date(2000, 1, 1).toordinal()
    days = dt.date(2024, 12, 31).toordinal() - start
    chunk = 50_000
    vocab = np.array(words, dtype=object)
    for base in range(0, n, chunk):
        size = min(chunk, n - base)
        lengths = rng.integers(6, 30, size)
        tokens = vocab[rng.choice(len(vocab), size=int(lengths.sum()), p=p)]
        use_real = rng.random(size) < (0.5 if real else 0.0)
        picks = rng.integers(0, max(1, len(real)), size)
        doc_days = rng.integers(0, days + 1, size)
        no_date = rng.random(size) < 0.05
        pubs = rng.integers(0, len(PUBLISHERS) + 1, size)  # the last value: no publisher
        offset = 0
        for i in range(size):
            seq = base + i + 1
            length = int(lengths[i])
            if use_real[i]:
                text = real[int(picks[i])]
            else:
                text = " ".join(tokens[offset : offset + length]).capitalize() + "."
            offset += length
            published = None if no_date[i] else dt.date.fromordinal(start + int(doc_days[i]))
            publisher = PUBLISHERS[int(pubs[i])] if pubs[i] < len(PUBLISHERS) else None
            yield (seq, f"doc{seq // 25:07d}", seq % 25, text, published, publisher)


def queries(
    real: list[str], words: list[str], rng: np.random.Generator, n: int = QUERIES
) -> list[dict[str, Any]]:
    """Varied queries: common and rarer words, pairs, phrases, AND / exclusion; half filtered."""
    common = [w.lower() for w in words[:400]]  # the most frequent words are the slowest
    rarer = [w.lower() for w in words[1000:8000]] or common
    topical = [
        "afghanistan",
        "taliban",
        "sanctions",
        "terrorism",
        "refugees",
        "nuclear",
        "border",
        "drugs",
    ]
    phrase_source = real or [" ".join(rng.choice(words, 6)) for _ in range(500)]
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            text = str(rng.choice(common if i % 2 else topical))
        elif kind == 1:
            text = str(rng.choice(rarer))
        elif kind == 2:
            text = f"{rng.choice(topical)} {rng.choice(common)}"
        elif kind == 3:
            sentence_words = re.findall(r"[A-Za-z]+", str(rng.choice(phrase_source)))
            at = int(rng.integers(0, max(1, len(sentence_words) - 3)))
            text = '"' + " ".join(sentence_words[at : at + int(rng.integers(2, 4))]) + '"'
        else:
            text = f"{rng.choice(topical)} AND {rng.choice(common)} -{rng.choice(rarer)}"
        query: dict[str, Any] = {"query": text}
        if (i // 5) % 2:  # every other round of five carries filters
            year = int(rng.integers(2000, 2022))
            query["date_from"] = dt.date(year, 1, 1)
            query["date_to"] = dt.date(year + int(rng.integers(0, 4)), 12, 31)
            if i % 3:
                query["publisher"] = str(rng.choice(PUBLISHERS))
        out.append(query)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sentences", type=int, default=SENTENCES)
    parser.add_argument("--queries", type=int, default=QUERIES)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)

    real = real_sentences()
    if not real:
        skip("search.real_sentences", "../shared/data/ungdc absent: generated sentences only")
    words, p = vocabulary(real)
    folder = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-search-"))
    try:
        started = time.perf_counter()
        index = SentenceIndex(folder / "index")
        added = index.add(rows(args.sentences, real, words, p, rng))
        index.commit()
        build_s = time.perf_counter() - started
        figure("search.build_s", build_s, "none; for 1M sentences", "s")
        figure("search.build_sentences_per_s", added / build_s, "none", "sentences/s")
        size_mb = sum(f.stat().st_size for f in (folder / "index").iterdir()) / 1e6
        figure("search.index_mb", size_mb, "none", "MB")

        started = time.perf_counter()
        index = SentenceIndex(folder / "index")  # reopen, as a new process would
        figure("search.open_ms", (time.perf_counter() - started) * 1000, "none", "ms")

        plan = queries(real, words, rng, args.queries)
        for query in plan[:5]:  # warm the caches once
            index.search(**query)
        timings = []
        hits = 0
        for query in plan:
            started = time.perf_counter()
            hits += len(index.search(**query))
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
        figure("search.median_ms", statistics.median(timings), "< 100", "ms")
        figure("search.p95_ms", p95, "none", "ms")
        figure("search.mean_hits_per_query", hits / len(plan), "none; limit 20", "hits")

        plain = []
        for query in plan:
            started = time.perf_counter()
            index.search(**query, highlight=False)
            plain.append((time.perf_counter() - started) * 1000)
        figure("search.median_ms_without_highlights", statistics.median(plain), "none", "ms")

        started = time.perf_counter()
        for _ in range(20):
            index.last_seq()
        figure(
            "search.last_seq_ms",
            (time.perf_counter() - started) * 1000 / 20,
            "none; run before each search",
            "ms",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
