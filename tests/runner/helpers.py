"""What the runner tests share: a small news corpus, a slow logging coder, a study."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dyadwatch.records import Event, Sentence

SENTENCES = (
    "Lavrov held talks with Muttaqi in Moscow on Tuesday.",
    "Russia hosted a Taliban delegation in Moscow.",
    "Russia criticized the United States over Afghanistan.",
    "The weather in Kabul was mild.",
    "Putin met Tokayev in Moscow.",
    "Uzbekistan sent humanitarian aid to Afghanistan.",
    "Russia accused the Taliban of harbouring militants.",
)

STUDY = '''
title = "Scale-out identity"
sources = "all"
[period]
start = 2021-01-01
end = 2021-12-31
unit = "month"
[actors]
Russia = ["RUS"]
Afghanistan = ["AFG"]
[[dyads]]
name = "Russia-Afghanistan"
source = "Russia"
target = "Afghanistan"
undirected = true
[[interventions]]
name = "Kabul falls"
date = 2021-08-15
[measures]
use = ["events", "cooperation", "conflict", "cooperation_share", "goldstein_mean"]
[[hypotheses]]
id = "H1"
statement = "Cooperation between Russia and Afghanistan rises after Kabul falls."
measure = "cooperation"
dyad = "Russia-Afghanistan"
intervention = "Kabul falls"
expected = "increase"
'''


def news_corpus(folder: Path, documents: int = 48) -> Path:
    """``documents`` short dated articles (JSONL), each three sentences about the dyad or not."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(documents):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)) + f" Report {i}."
        lines.append(json.dumps({
            "id": f"d{i}", "date": f"2021-{1 + i % 12:02d}-{1 + (i * 7) % 27:02d}",
            "publisher": "Steppe Wire", "text": text,
        }))
    (folder / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class SlowCoder:
    """Codes 'Russia ... Taliban' sentences, pausing ``delay`` s per batch and logging each
    batch it starts to ``log`` (so a test sees a batch that ran twice)."""

    name = "slow-test"
    version = "1"

    def __init__(self, log: str, delay: float = 0.3) -> None:
        self.log = log
        self.delay = delay

    def code(
        self,
        sentences: Iterable[Sentence],
        *,
        doc_dates: Mapping[str, Any],
        doc_meta: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Event]:
        sentences = list(sentences)
        first = min((s.doc_id for s in sentences), default="")
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(f"{first} {os.getpid()}\n")
        time.sleep(self.delay)
        for sent in sentences:
            if "Russia" in sent.text and "Taliban" in sent.text:
                key = f"{self.name}|{sent.doc_id}|{sent.idx}".encode()
                yield Event(
                    event_id=hashlib.sha256(key).hexdigest()[:32], origin="dyadwatch",
                    date=doc_dates.get(sent.doc_id), date_source="document", source_country="RUS",
                    target_country="AFG", target_actor="taliban", cameo_code="043", cameo_root="04",
                    quad_class=1, doc_id=sent.doc_id, sentence_idx=sent.idx, sentence=sent.text,
                    coder=f"{self.name} {self.version}", rule="keyword", confidence=0.5,
                )


def coder_identity(blob: bytes) -> tuple[int, int]:
    """(process id, id of the coder a task gets from ``blob``): runs on a worker."""
    from dyadwatch.runner.worker import shared_object

    return os.getpid(), id(shared_object(blob))
