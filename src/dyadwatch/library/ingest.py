"""Collecting sources into the store: read, segment, group near-duplicates, commit.

A source (a file, a page, a feed) is the unit of failure: its documents are stored all
together or not at all. Sources are committed in batches, each batch one transaction, so
a crash mid-run leaves the store as it was before the batch in progress. A source whose
file is unchanged since it was last stored is skipped unread, and a document whose text
is already stored is not stored again: re-running an ingest adds nothing.
"""

from __future__ import annotations

import errno
import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dyadwatch.errors import ConfigError, DyadwatchError, Errors, SourceError
from dyadwatch.library.dedup import DuplicateIndex, from_bytes, signature, to_bytes
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.language import detect_language
from dyadwatch.library.readers import read
from dyadwatch.library.segment import segment
from dyadwatch.library.sources import SourceRef, expand_source, fingerprint
from dyadwatch.records import Document
from dyadwatch.store import Store

if TYPE_CHECKING:
    from dyadwatch.runner import Runner

log = logging.getLogger(__name__)

# a full disk, a file-size limit, a quota, a read-only file system
_NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})

OnError = Literal["stop", "skip"]
Span = tuple[int, int, int]  # a sentence's (start, end, paragraph) in its document

__all__ = ["IngestReport", "Prepared", "Skipped", "ingest", "prepare_source"]


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
    spans: list[list[Span]] = field(default_factory=list)
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
    duplicate_threshold: float = 0.5,
    workers: int | None = None,
    progress: Callable[[str, int], None] | None = None,
    runner: Runner | None = None,
) -> IngestReport:
    """Store the documents of ``sources`` (files, folders, globs, URLs, feeds, URL lists).

    ``on_error="stop"`` (the default) commits what was read before the first bad source,
    stores nothing of that source and raises its error; ``"skip"`` goes on and lists
    what it left out in the report. Files of a folder or glob that dyadwatch does not
    read (a picture, a Word file) are passed over and listed in the report's ``skipped``
    in either mode; the store's own files are never read as sources.
    ``progress(location, documents_so_far)`` is called after each source. Local files
    are read, segmented and signed in ``workers`` processes (default: one per core for
    large batches); addresses, URL lists and feeds (a feed file too: each entry's page is
    fetched) are read in this process with one fetcher, so that the per-host rate limit
    holds. A parallel ``runner`` (:mod:`dyadwatch.runner`: a process pool, a Dask
    cluster) reads the local files on its workers instead; the admission and the commits
    stay here, in source order.
    """
    if on_error not in ("stop", "skip"):
        raise ConfigError(Errors.E701, detail=f"on_error must be 'stop' or 'skip'. Got {on_error!r} instead")
    report = IngestReport()
    refs: list[SourceRef] = []
    own = _own_files(store)
    for source in sources:
        try:
            found, passed_over = expand_source(source)
        except SourceError as exc:
            if on_error == "stop":
                raise
            report.skipped.append(_skipped(exc, source))
            continue
        refs.extend(ref for ref in found if not own(ref.location))
        report.skipped.extend(_skipped(exc, source) for exc in passed_over if not own(exc.where or ""))
    report.run_id = store.start_run("ingest", {"sources": [r.location for r in refs], "on_error": on_error})

    seen_fingerprints = store.known_fingerprints()
    todo: list[tuple[SourceRef, str | None]] = []
    for ref in refs:
        report.sources += 1
        fp = fingerprint(ref.location) if _is_local(ref) else None
        if fp is not None and fp in seen_fingerprints:
            report.sources_unchanged += 1
            continue
        if fp is not None:
            seen_fingerprints.add(fp)  # the same file named twice is read once
        todo.append((ref, fp))
    if progress and report.sources_unchanged:
        progress(f"{report.sources_unchanged} unchanged sources", 0)

    # the index of every stored signature is only needed when something is to be read
    dup_index = _load_duplicate_index(store, duplicate_threshold) if todo else DuplicateIndex(threshold=duplicate_threshold)
    own_fetcher = fetcher is None and any(_needs_network(ref) for ref, _ in todo)
    if own_fetcher:
        fetcher = Fetcher()
    pending = _Pending()
    if runner is not None and not runner.serial:
        local_files = [Path(ref.location) for ref, _ in todo if not _needs_network(ref)]
        runner.check(paths=sorted({p.parent for p in local_files if p.parent.is_dir()})[:20])
        prepared_all = _prepare_with_runner(todo, fetcher, runner)
    else:
        prepared_all = _prepare_all(todo, fetcher, workers)
    try:
        for (ref, fp), prepared in zip(todo, prepared_all, strict=True):
            if prepared.problems:
                if on_error == "stop":
                    _commit(store, pending, report)
                    raise prepared.problems[0]
                report.skipped.extend(_skipped(p, ref.location) for p in prepared.problems)
            added = _admit(prepared, pending, dup_index, report)
            # only a source read without a problem counts as done: one with a skipped record,
            # a failed page or a full disk is read again next time (what it stored is kept),
            # so a fixed page or freed space is picked up and a lasting problem is listed again
            if fp is not None and not prepared.problems:
                pending.sources.append((fp, ref.location, ref.kind, added))
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


@dataclass(slots=True)
class Prepared:
    """One source read and made ready to store: documents with their sentences and
    signatures, and the problems met. Built in a worker process; pickles."""

    docs: list[Document] = field(default_factory=list)
    spans: list[list[Span]] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)
    problems: list[DyadwatchError] = field(default_factory=list)


def prepare_source(ref: SourceRef, fetcher: Fetcher | None = None) -> Prepared:
    """Read a source, detect each document's language, segment it and sign it.

    Every failure becomes a problem of the source (never an exception), so that a
    worker process always hands back an answer.
    """
    out = Prepared()
    try:
        for item in read(ref, fetcher=fetcher):
            if isinstance(item, DyadwatchError):
                out.problems.append(item)
                continue
            doc = item if item.language is not None else item.with_(language=detect_language(item.text))
            out.docs.append(doc)
            out.spans.append([(s.start, s.end, s.paragraph) for s in segment(doc.doc_id, doc.text)])
            out.signatures.append(to_bytes(signature(doc.text)))
    except DyadwatchError as exc:
        return Prepared(problems=[exc])
    except OSError as exc:
        if exc.errno in _NO_ROOM:  # the machine's problem, not the source's: say so, no traceback
            return Prepared(problems=[SourceError(Errors.E231, where=ref.location, detail=str(exc))])
        log.exception("unexpected error reading %s", ref.location)
        return Prepared(problems=[SourceError(Errors.E201, where=ref.location, detail=f"{type(exc).__name__}: {exc}")])
    except Exception as exc:  # a reader's bug or a library's surprise: still the source's problem
        log.exception("unexpected error reading %s", ref.location)
        return Prepared(problems=[SourceError(Errors.E201, where=ref.location, detail=f"{type(exc).__name__}: {exc}")])
    if not out.docs and not out.problems:
        out.problems.append(SourceError(Errors.E202, where=ref.location))
    return out


# Below this many local sources a process pool costs more than it saves.
_POOL_MIN_SOURCES = 64
_WINDOW = 256
_CHUNK = 16


def _prepare_all(
    todo: Sequence[tuple[SourceRef, str | None]], fetcher: Fetcher | None, workers: int | None
) -> Iterator[Prepared]:
    """Prepared sources in the order of ``todo``: local files in a process pool, remote
    sources here. At most a window of sources is in flight, so memory stays bounded."""
    local = sum(1 for ref, _ in todo if not _needs_network(ref))
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if local >= _POOL_MIN_SOURCES else 1
    if workers <= 1:
        for ref, _ in todo:
            yield prepare_source(ref, fetcher)
        return
    # forkserver: never fork a process that holds a DuckDB connection and its threads
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def submit(start: int) -> tuple[list[SourceRef], list[list[int]], list[Future[list[Prepared]]]]:
            window = [ref for ref, _ in todo[start : start + _WINDOW]]
            local = [i for i, ref in enumerate(window) if not _needs_network(ref)]
            # a task is a chunk of files: one round trip for several small sources
            chunks = [local[i : i + _CHUNK] for i in range(0, len(local), _CHUNK)]
            return window, chunks, [pool.submit(_prepare_chunk, [window[i] for i in c]) for c in chunks]

        starts = iter(range(0, len(todo), _WINDOW))
        in_flight = deque(submit(start) for start in itertools.islice(starts, 2))
        while in_flight:
            window, chunks, futures = in_flight.popleft()
            following = next(starts, None)
            if following is not None:  # keep the workers busy while this window is admitted
                in_flight.append(submit(following))
            ready: dict[int, Prepared] = {}
            for chunk, future in zip(chunks, futures, strict=True):
                ready.update(zip(chunk, future.result(), strict=True))
            for i, ref in enumerate(window):
                yield ready.pop(i) if i in ready else prepare_source(ref, fetcher)


def _prepare_with_runner(
    todo: Sequence[tuple[SourceRef, str | None]], fetcher: Fetcher | None, runner: Runner
) -> Iterator[Prepared]:
    """Prepared sources in the order of ``todo``: chunks of local files on the runner's
    workers (handed back in order), remote sources here."""
    from dyadwatch.runner import ordered

    local = [i for i, (ref, _) in enumerate(todo) if not _needs_network(ref)]
    chunks = [local[i : i + _CHUNK] for i in range(0, len(local), _CHUNK)]
    results = ordered(runner.map_batches(_prepare_chunk, ([todo[i][0] for i in chunk] for chunk in chunks)))
    ready: dict[int, Prepared] = {}
    for i, (ref, _) in enumerate(todo):
        if _needs_network(ref):
            yield prepare_source(ref, fetcher)
            continue
        while i not in ready:
            number, prepared = next(results)
            ready.update(zip(chunks[number], prepared, strict=True))
        yield ready.pop(i)


def _prepare_chunk(refs: Sequence[SourceRef]) -> list[Prepared]:
    return [prepare_source(ref) for ref in refs]


def _is_local(ref: SourceRef) -> bool:
    """A file (fingerprinted: unchanged, it is skipped unread), not an address."""
    return not ref.location.startswith(("http://", "https://"))


# Kinds read over the network: an address, a URL list, a feed (a feed file too, since
# each entry's page is fetched). They are read in the ingesting process with its one
# fetcher, never in a worker, so that the per-host pause, user agent and timeouts hold.
_NETWORK_KINDS = frozenset({"url", "urllist", "feed"})


def _needs_network(ref: SourceRef) -> bool:
    return ref.kind in _NETWORK_KINDS


def _own_files(store: Store) -> Callable[[str], bool]:
    """Whether a path is the store's file or one beside it (its WAL, search index,
    dataset partitions): a folder that holds the store never ingests the store."""
    if store.path == ":memory:":
        return lambda path: False
    base = os.path.abspath(store.path)
    return lambda path: path == base or path.startswith(base + ".")


def _admit(prepared: Prepared, pending: _Pending, dup_index: DuplicateIndex, report: IngestReport) -> int:
    """Group the new documents of one source with their near-duplicates and queue them.

    The duplicate index holds every stored document, so it answers "already stored?"
    without a query; the primary key stays the last guard. Returns how many are new.
    """
    added = 0
    for doc, spans, blob in zip(prepared.docs, prepared.spans, prepared.signatures, strict=True):
        if doc.doc_id in dup_index or doc.doc_id in pending.ids:
            report.documents_existing += 1
            continue
        group = dup_index.assign(doc.doc_id, from_bytes(blob))
        if group != doc.doc_id:
            report.duplicates_grouped += 1
        pending.docs.append(doc.with_(dup_group=group))
        pending.ids.add(doc.doc_id)
        pending.signatures.append(blob)
        pending.spans.append(spans)
        added += 1
    return added


def _commit(store: Store, pending: _Pending, report: IngestReport) -> None:
    if not pending.docs and not pending.sources:
        return
    with store.transaction():
        store.add_documents(pending.docs, pending.spans, pending.signatures, run_id=report.run_id)
        store.record_sources(pending.sources, run_id=report.run_id)
    report.documents_added += len(pending.docs)
    report.sentences_added += sum(len(spans) for spans in pending.spans)
    pending.docs.clear()
    pending.spans.clear()
    pending.signatures.clear()
    pending.sources.clear()
    pending.ids.clear()


def _load_duplicate_index(store: Store, threshold: float) -> DuplicateIndex:
    index = DuplicateIndex(threshold=threshold)
    for doc_id, group, blob in store.duplicate_signatures():
        if blob is not None:
            index.add(doc_id, from_bytes(blob), group=group)
    return index


def _skipped(exc: DyadwatchError, where: str) -> Skipped:
    return Skipped(where=exc.where or where, code=exc.code, message=exc.detail)
