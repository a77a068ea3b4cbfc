"""Collecting sources into the store: read, segment, group near-duplicates, commit.

A source (a file, a page, a feed) is the unit of failure: its documents are stored all
together or not at all. Sources are committed in batches, each batch one transaction, so
a crash mid-run leaves the store as it was before the batch in progress. A source whose
file is unchanged since it was last stored is skipped unread, and a document whose text
is already stored is not stored again: re-running an ingest adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from dyadwatch.errors import ConfigError, DyadwatchError, Errors, SourceError
from dyadwatch.library.dedup import DuplicateIndex, signature, to_bytes
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.language import detect_language
from dyadwatch.library.readers import read
from dyadwatch.library.segment import segment
from dyadwatch.library.sources import SourceRef, expand, fingerprint
from dyadwatch.records import Document, Sentence
from dyadwatch.store import Store

log = logging.getLogger(__name__)

OnError = Literal["stop", "skip"]

__all__ = ["IngestReport", "Skipped", "ingest"]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source or record left out by ``on_error="skip"``, and why."""

    where: str
    code: str
    message: str


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and the list of what it skipped."""

    sources: int = 0
    sources_unchanged: int = 0
    documents_added: int = 0
    documents_existing: int = 0
    sentences_added: int = 0
    duplicates_grouped: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    run_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "sources_unchanged": self.sources_unchanged,
            "documents_added": self.documents_added,
            "documents_existing": self.documents_existing,
            "sentences_added": self.sentences_added,
            "duplicates_grouped": self.duplicates_grouped,
            "skipped": len(self.skipped),
        }


@dataclass(slots=True)
class _Pending:
    """Documents read but not yet committed, and the sources they complete."""

    docs: list[Document] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    signatures: list[bytes | None] = field(default_factory=list)
    sources: list[tuple[str, str, str, int]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def ingest(
    store: Store,
    sources: Iterable[str],
    *,
    on_error: OnError = "stop",
    fetcher: Fetcher | None = None,
    batch_size: int = 500,
    duplicate_threshold: float = 0.7,
    progress: Callable[[str, int], None] | None = None,
) -> IngestReport:
    """Store the documents of ``sources`` (files, folders, globs, URLs, feeds, URL lists).

    ``on_error="stop"`` (the default) commits what was read before the first bad source,
    stores nothing of that source and raises its error; ``"skip"`` goes on and lists
    what it left out in the report. ``progress(location, documents_so_far)`` is called
    after each source.
    """
    if on_error not in ("stop", "skip"):
        raise ConfigError(Errors.E701, detail=f"on_error must be 'stop' or 'skip'. Got {on_error!r} instead")
    report = IngestReport()
    refs: list[SourceRef] = []
    for source in sources:
        try:
            refs.extend(expand(source))
        except SourceError as exc:
            if on_error == "stop":
                raise
            report.skipped.append(_skipped(exc, source))
    report.run_id = store.start_run("ingest", {"sources": [r.location for r in refs], "on_error": on_error})

    seen_fingerprints = store.known_fingerprints()
    dup_index = _load_duplicate_index(store, duplicate_threshold)
    own_fetcher = fetcher is None and any(r.kind in {"url", "feed", "urllist"} for r in refs)
    if own_fetcher:
        fetcher = Fetcher()
    pending = _Pending()
    try:
        for ref in refs:
            report.sources += 1
            fp = fingerprint(ref.location) if ref.kind not in {"url", "feed", "urllist"} or _is_file(ref) else None
            if fp is not None and fp in seen_fingerprints:
                report.sources_unchanged += 1
                if progress:
                    progress(ref.location, report.documents_added)
                continue
            try:
                docs, problems = _read_source(ref, fetcher)
            except DyadwatchError as exc:
                if on_error == "stop":
                    _commit(store, pending, report)
                    raise
                report.skipped.append(_skipped(exc, ref.location))
                continue
            if problems:
                if on_error == "stop":
                    _commit(store, pending, report)
                    raise problems[0]
                report.skipped.extend(_skipped(p, ref.location) for p in problems)
            added = _prepare(store, docs, pending, dup_index, report)
            if fp is not None:
                pending.sources.append((fp, ref.location, ref.kind, added))
                seen_fingerprints.add(fp)
            if len(pending.docs) >= batch_size:
                _commit(store, pending, report)
            if progress:
                progress(ref.location, report.documents_added + len(pending.docs))
        _commit(store, pending, report)
    finally:
        if own_fetcher and fetcher is not None:
            fetcher.close()
        counts = report.as_dict()
        store.finish_run(report.run_id, counts)
    log.info("ingest: %s", counts)
    return report


def _is_file(ref: SourceRef) -> bool:
    return not ref.location.startswith(("http://", "https://"))


def _read_source(ref: SourceRef, fetcher: Fetcher | None) -> tuple[list[Document], list[DyadwatchError]]:
    docs: list[Document] = []
    problems: list[DyadwatchError] = []
    for item in read(ref, fetcher=fetcher):
        if isinstance(item, DyadwatchError):
            problems.append(item)
        else:
            docs.append(item)
    if not docs and not problems:
        problems.append(SourceError(Errors.E202, where=ref.location))
    return docs, problems


def _prepare(
    store: Store,
    docs: Sequence[Document],
    pending: _Pending,
    dup_index: DuplicateIndex,
    report: IngestReport,
) -> int:
    """Segment, sign and group the new documents of one source; return how many are new."""
    existing = store.existing_doc_ids(d.doc_id for d in docs)
    added = 0
    for doc in docs:
        if doc.doc_id in existing or doc.doc_id in pending.ids:
            report.documents_existing += 1
            continue
        if doc.language is None:
            doc = doc.with_(language=detect_language(doc.text))
        sig = signature(doc.text)
        group = dup_index.assign(doc.doc_id, sig)
        if group != doc.doc_id:
            report.duplicates_grouped += 1
        doc = doc.with_(dup_group=group)
        pending.docs.append(doc)
        pending.ids.add(doc.doc_id)
        pending.signatures.append(to_bytes(sig))
        pending.sentences.extend(segment(doc.doc_id, doc.text))
        added += 1
    return added


def _commit(store: Store, pending: _Pending, report: IngestReport) -> None:
    if not pending.docs and not pending.sources:
        return
    with store.transaction():
        store.add_documents(pending.docs, pending.sentences, pending.signatures, run_id=report.run_id)
        for fp, location, kind, n in pending.sources:
            store.record_source(fp, location, kind, n, run_id=report.run_id)
    report.documents_added += len(pending.docs)
    report.sentences_added += len(pending.sentences)
    pending.docs.clear()
    pending.sentences.clear()
    pending.signatures.clear()
    pending.sources.clear()
    pending.ids.clear()


def _load_duplicate_index(store: Store, threshold: float) -> DuplicateIndex:
    from dyadwatch.library.dedup import from_bytes

    index = DuplicateIndex(threshold=threshold)
    for doc_id, group, blob in store.duplicate_signatures():
        if blob is not None:
            index.add(doc_id, from_bytes(blob), group=group)
    return index


def _skipped(exc: DyadwatchError, where: str) -> Skipped:
    return Skipped(where=exc.where or where, code=exc.code, message=exc.detail)
