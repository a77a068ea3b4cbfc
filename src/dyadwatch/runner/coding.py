"""Coding through a parallel runner: batches of documents out, event shards back, one commit.

The process that holds the store reads a batch of documents' sentences, sends it to a worker
with the coder's settings, and the worker codes it and writes the events as a Parquet shard.
As shards finish, the store takes each batch in one transaction: the coder's old events of
those documents go, the new ones come, and the documents are marked coded. Event ids hash
the evidence, not the run, so a batch coded twice (a worker lost after writing its shard,
a run resumed) stores each event once.
"""

from __future__ import annotations

import functools
import logging
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dyadwatch.records import Sentence
from dyadwatch.runner.base import Runner
from dyadwatch.runner.shards import (
    RunFolder,
    events_from_table,
    events_table,
    read_shard,
    write_shard,
)
from dyadwatch.runner.worker import shared_object, worker_name

if TYPE_CHECKING:
    from dyadwatch.coding.pipeline import Coder, CodeReport
    from dyadwatch.store import Store

log = logging.getLogger(__name__)

__all__ = ["CodeTask", "code_batch", "code_with_runner"]


@dataclass(frozen=True, slots=True)
class CodeTask:
    """One batch of documents to code on a worker: everything it needs, nothing it must look up."""

    batch: int
    coder: bytes  # the pickled coder: its settings, never its loaded models
    sentences: list[Sentence]
    doc_dates: dict[str, Any]
    doc_meta: dict[str, dict[str, Any]]
    shard: str


@dataclass(frozen=True, slots=True)
class CodeDone:
    """What a worker hands back: where the shard is and the counts (the events stay on disk)."""

    batch: int
    shard: str
    events: int
    sentences: int
    stats: dict[str, Any]
    worker: str


def code_batch(task: CodeTask) -> CodeDone:
    """Code one batch on a worker and write its events as a shard (runs on the worker)."""
    from dyadwatch.coding.pipeline import _with_document

    coder = shared_object(task.coder)
    events = [
        _with_document(event, task.doc_meta)
        for event in coder.code(task.sentences, doc_dates=task.doc_dates, doc_meta=task.doc_meta)
    ]
    write_shard(events_table(events), task.shard)
    stats: Any = getattr(coder, "stats_", None)
    counts: dict[str, Any] = {}
    if stats is not None:
        counts = stats.as_dict() if hasattr(stats, "as_dict") else dict(vars(stats))
    return CodeDone(task.batch, task.shard, len(events), len(task.sentences), counts, worker_name())


def preload(blob: bytes) -> None:
    """Worker set-up: unpickle the coder and load its models before the first batch."""
    coder = shared_object(blob)
    parts = getattr(coder, "_parts", None)
    if callable(parts):
        parts()


def requirements(coder: object) -> list[str]:
    """The modules a worker needs to run ``coder``: its package, and the spaCy model for the rule coder."""
    needed = [type(coder).__module__.split(".")[0]]
    from dyadwatch.coding.coder import MODEL_PACKAGE, RuleCoder

    if isinstance(coder, RuleCoder):
        needed.append(MODEL_PACKAGE)
        fallback = getattr(coder, "fallback", None)
        if fallback is not None:
            needed.append(type(fallback).__module__.split(".")[0])
    return [m for m in dict.fromkeys(needed) if m != "__main__"]


def code_with_runner(
    store: Store,
    coder: Coder,
    todo: list[str],
    *,
    runner: Runner,
    report: CodeReport,
    batch_documents: int,
    progress: Callable[[int, int], None] | None = None,
    runs_dir: str | None = None,
) -> None:
    """Code ``todo`` (document ids) through ``runner``, committing each batch as it finishes."""
    from dyadwatch.coding.pipeline import _load_batch

    assert report.run_id is not None
    folder = RunFolder.create(store.path, report.run_id, runs_dir)
    runner.check(requires=requirements(coder), paths=[folder.path])
    blob = pickle.dumps(coder)
    batches = [todo[start : start + batch_documents] for start in range(0, len(todo), batch_documents)]

    def tasks() -> Any:
        for number, doc_ids in enumerate(batches):
            sentences, doc_dates, doc_meta = _load_batch(store, doc_ids)
            yield CodeTask(number, blob, sentences, doc_dates, doc_meta, str(folder.shard(number)))

    merged: dict[str, Any] = {}
    committed = folder.committed()
    for number, done in runner.map_batches(code_batch, tasks(), setup=functools.partial(preload, blob)):
        if number in committed:  # a task that ran twice: its batch is already stored
            continue
        events = events_from_table(read_shard(done.shard))
        store.replace_coded(coder.name, coder.version, batches[number], events, run_id=report.run_id)
        folder.mark_committed(number)
        committed.add(number)
        report.documents += len(batches[number])
        report.sentences += done.sentences
        report.events += done.events
        _merge_counts(merged, done.stats)
        if progress:
            progress(report.documents, len(todo))
    report.stats = merged
    folder.remove()


def _merge_counts(into: dict[str, Any], counts: Mapping[str, Any]) -> None:
    """Add one batch's coder statistics (numbers, and counters as dicts) to the run's."""
    for key, value in counts.items():
        if isinstance(value, Mapping):
            inner = into.setdefault(key, {})
            for name, count in value.items():
                inner[name] = inner.get(name, 0) + count
        elif isinstance(value, int | float) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value
        else:
            into[key] = value
