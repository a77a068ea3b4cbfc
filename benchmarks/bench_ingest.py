"""Ingest speed: documents/s into a fresh store, and the cost of re-ingesting the same corpus.

The corpus is real text: UN General Debate speeches (../shared/data/ungdc, CC0) cut into
news-length documents of about 600 words at paragraph breaks, written as plain-text
files. Targets (issue 2): >= 500 documents/s first time; re-ingest < 10% of that time.
"""

from __future__ import annotations

import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _common import figure, shared_data_dir, skip

import dyadwatch

DOCUMENTS = 6000
WORDS_PER_DOC = 600


def _paragraphs(text: str) -> Iterator[str]:
    """Lines of a speech; one longer than half a document is cut at its sentence ends."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line.split()) <= WORDS_PER_DOC // 2:
            yield line
        else:
            yield from re.split(r"(?<=[.!?])\s+(?=[A-Z])", line)


def build_corpus(folder: Path, n_docs: int = DOCUMENTS) -> int:
    """Write ``n_docs`` ~600-word plain-text files cut from the UN General Debate speeches."""
    data = shared_data_dir()
    assert data is not None
    archive = data / "ungdc" / "UNGDC_1946-2024.tar.xz"
    written = 0
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt") or "/._" in member.name:
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = handle.read().decode("utf-8", errors="replace")
            paragraphs = list(_paragraphs(text))
            chunk: list[str] = []
            words = 0
            piece = 0
            for para in paragraphs:
                chunk.append(para)
                words += len(para.split())
                if words >= WORDS_PER_DOC:
                    name = Path(member.name).stem
                    (folder / f"{name}_{piece:02d}.txt").write_text("\n\n".join(chunk), encoding="utf-8")
                    written += 1
                    piece += 1
                    chunk, words = [], 0
                    if written >= n_docs:
                        return written
    return written


def main() -> None:
    if shared_data_dir() is None:
        skip("ingest.documents_per_s", "../shared/data absent: the UN General Debate corpus is needed")
        return
    work = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-ingest-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        n = build_corpus(corpus)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in corpus.iterdir())
        print(f"   corpus: {n} documents, {words / n:.0f} words each on average (UN General Debate speeches)")
        with dyadwatch.open(work / "bench.duckdb") as lib:
            started = time.perf_counter()
            first = lib.ingest(str(corpus))
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            again = lib.ingest(str(corpus))
            again_s = time.perf_counter() - started
            sentences = lib.summary()["sentences"]
        assert first.documents_added > 0 and again.documents_added == 0
        figure("ingest.documents_per_s", first.documents_added / first_s, ">= 500", "docs/s")
        figure("ingest.sentences_per_s", sentences / first_s, "-", "sents/s")
        figure("ingest.reingest_share_of_first", again_s / first_s, "< 0.10", "ratio")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
