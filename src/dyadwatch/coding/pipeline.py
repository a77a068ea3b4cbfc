"""`dyadwatch code`: code every document the coder has not coded yet, in committed batches.

Incremental and idempotent: a document coded by this coder's version is skipped; one
coded by an older version is recoded, and its old events from this coder are replaced
(other coders' events and dataset events are never touched). Resumable: each batch of
documents commits its events together with the mark that the documents are coded, so a
kill loses at most the batch in progress and a re-run picks up from there.

With a parallel ``runner`` (a local process pool or a Dask cluster, :mod:`dyadwatch.runner`)
workers code the batches and write their events as Parquet shards, and this process commits
each shard as above (:mod:`dyadwatch.runner.coding`): the same events, the same guarantees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from dyadwatch.records import Event, Sentence
from dyadwatch.store import Store

if TYPE_CHECKING:
    from dyadwatch.runner import Runner

log = logging.getLogger(__name__)

__all__ = ["CodeReport", "Coder", "code_store"]


class Coder(Protocol):
    """What `code_store` needs of a coder (the rule coder, or a user's own)."""

    name: str
    version: str

    def code(
        self,
        sentences: Iterable[Sentence],
        *,
        doc_dates: Mapping[str, Any],
        doc_meta: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Event]: ...


@dataclass(slots=True)
class CodeReport:
    coder: str = ""
    documents: int = 0
    documents_already_coded: int = 0
    sentences: int = 0
    events: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None


def code_store(
    store: Store,
    coder: Coder,
    *,
    batch_documents: int = 200,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    runner: Runner | None = None,
    runs_dir: str | None = None,
) -> CodeReport:
    """Code the documents of ``store`` not yet coded by ``coder``'s version.

    ``progress(documents_done, documents_total)`` is called after each committed batch.
    ``runner``: None or a serial local runner codes here, batch after batch; a parallel one
    codes on its workers (the shards go to ``runs_dir``, default beside the store).
    """
    todo = store.documents_to_code(coder.name, coder.version)
    if limit is not None:
        todo = todo[:limit]
    report = CodeReport(coder=f"{coder.name} {coder.version}")
    report.documents_already_coded = store.count("documents") - len(todo)
    report.run_id = store.start_run("code", {"coder": report.coder, "documents": len(todo)})
    parallel = runner is not None and not runner.serial
    try:
        if parallel:
            from dyadwatch.runner.coding import code_with_runner

            assert runner is not None
            code_with_runner(store, coder, todo, runner=runner, report=report, batch_documents=batch_documents,
                             progress=progress, runs_dir=runs_dir)
        else:
            _code_here(store, coder, todo, report, batch_documents, progress)
    finally:
        stats = None if parallel else getattr(coder, "stats_", None)
        if stats is not None:
            report.stats = stats.as_dict() if hasattr(stats, "as_dict") else dict(vars(stats))
        store.finish_run(
            report.run_id,
            {"documents": report.documents, "sentences": report.sentences, "events": report.events, **report.stats},
        )
    log.info("code: %s documents, %s events", report.documents, report.events)
    return report


def _code_here(
    store: Store, coder: Coder, todo: list[str], report: CodeReport, batch_documents: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Code batch after batch in this process, each committed in one transaction."""
    for start in range(0, len(todo), batch_documents):
        batch = todo[start : start + batch_documents]
        sentences, doc_dates, doc_meta = _load_batch(store, batch)
        events = [
            _with_document(event, doc_meta)
            for event in coder.code(sentences, doc_dates=doc_dates, doc_meta=doc_meta)
        ]
        store.replace_coded(coder.name, coder.version, batch, events, run_id=report.run_id)
        report.documents += len(batch)
        report.sentences += len(sentences)
        report.events += len(events)
        if progress:
            progress(report.documents, len(todo))


def _with_document(event: Event, doc_meta: Mapping[str, dict[str, Any]]) -> Event:
    """Fill the document's URL, publisher and story group where the coder left them empty."""
    meta = doc_meta.get(event.doc_id or "", {})
    changes: dict[str, Any] = {
        name: meta.get(name)
        for name in ("url", "publisher", "story_group")
        if getattr(event, name) is None and meta.get(name) is not None
    }
    return replace(event, **changes) if changes else event


def _load_batch(
    store: Store, doc_ids: list[str]
) -> tuple[list[Sentence], dict[str, Any], dict[str, dict[str, Any]]]:
    import pyarrow as pa

    store.con.register("_batch", pa.table({"doc_id": pa.array(doc_ids, pa.string())}))
    try:
        rows = store.con.execute(
            "SELECT s.doc_id, s.idx, s.start_char, s.end_char, s.text, s.paragraph "
            "FROM sentences s JOIN _batch USING (doc_id) ORDER BY s.doc_id, s.idx"
        ).fetchall()
        docs = store.con.execute(
            "SELECT d.doc_id, d.published, d.url, d.publisher, d.dup_group, d.language "
            "FROM documents d JOIN _batch USING (doc_id)"
        ).fetchall()
    finally:
        store.con.unregister("_batch")
    sentences = [Sentence(doc_id=r[0], idx=r[1], start=r[2], end=r[3], text=r[4], paragraph=r[5]) for r in rows]
    doc_dates = {d[0]: d[1] for d in docs}
    doc_meta = {d[0]: {"url": d[2], "publisher": d[3], "story_group": d[4], "language": d[5]} for d in docs}
    return sentences, doc_dates, doc_meta
