"""Ranked keyword search over the library's sentences (tantivy, BM25).

The index is derived data: a folder beside the store, filled from the store's sentences
in the order of their ``seq`` and brought up to date incrementally (:func:`refresh_index`).
If the folder is missing, of an older format or damaged, it is rebuilt from the store;
nothing is lost by deleting it.

Queries use tantivy's syntax: words (any of them; more matching words rank higher),
``"quoted phrases"``, ``AND``, ``OR``, ``-excluded``, ``+required`` and parentheses. Words
are lowercased and stemmed (English), so ``sanction`` finds "sanctions". Two things
tantivy would reject are read as text: apostrophes in words (``Russia's``, ``O'Brien``)
and a dash or plus standing alone (``Kabul - Moscow``). Date and publisher filters run
inside tantivy (a fast-field range and a term query) and do not change the scores.

>>> import datetime as dt
>>> from dyadwatch.library.search import SentenceIndex
>>> index = SentenceIndex(None)  # in memory
>>> index.add([
...     (1, "d1", 0, "Russia imposed sanctions on Afghan banks.", dt.date(2021, 9, 1), "Steppe Wire"),
...     (2, "d2", 0, "The Taliban met Russian envoys in Moscow.", dt.date(2022, 3, 4), "Eurasia Brief"),
... ])
2
>>> index.commit()
>>> [(hit.doc_id, hit.sentence_idx) for hit in index.search("sanction")]
[('d1', 0)]
>>> [hit.doc_id for hit in index.search("russia OR moscow", date_from=dt.date(2022, 1, 1))]
['d2']
>>> index.last_seq()
2
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import tantivy

from dyadwatch.errors import ConfigError, Errors, StoreError

log = logging.getLogger(__name__)

__all__ = ["FORMAT", "Hit", "SearchRow", "SentenceIndex", "refresh_index"]

# Bump when the schema or the tokenizer changes: an index of another format is rebuilt.
FORMAT = 1
_META_FILE = "dyadwatch-search.json"
_TOKENIZER = "en_stem"
# The writer's memory budget, shared by its threads (tantivy needs >= 15 MB per thread).
_WRITER_HEAP = 64_000_000
_WRITER_THREADS = max(1, min(2, os.cpu_count() or 1))
_MAX_SNIPPET_CHARS = 100_000
_IN_WORD_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_FREE_APOSTROPHE = re.compile(r"(?<!\\)'")
_LONE_OPERATOR = re.compile(r"(?<!\S)[-+](?!\S)")

# (seq, doc_id, sentence_idx, text, published, publisher), as Store.sentences_after gives
# them, or a mapping with those keys ("idx" is accepted for "sentence_idx").
SearchRow = tuple[int, str, int, str, dt.date | None, str | None] | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """A sentence that matches a query.

    ``highlights`` are (start, end) character offsets of the matched words in ``text``.
    """

    doc_id: str
    sentence_idx: int
    score: float
    seq: int
    text: str
    highlights: tuple[tuple[int, int], ...] = ()


class SentenceIndex:
    """A tantivy index of sentences, in the folder ``path`` (None: in memory).

    Opening a folder that holds a damaged index or one of another format starts an
    empty index in its place (and logs a warning); :meth:`last_seq` is then 0 and the
    caller adds every sentence again. A folder that holds other files is refused.

    One process writes at a time: the writer is taken by the first :meth:`add` and given
    back by :meth:`commit` (or :meth:`close`). Searching never needs it.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._schema = _schema()
        self._writer: Any = None
        self._added_seq = 0  # the highest seq added, committed or not
        self._last_seq = 0  # the highest committed seq
        self._index = self._open()

    # -- writing ---------------------------------------------------------------------

    def add(self, rows: Iterable[SearchRow]) -> int:
        """Add sentences; return how many were added.

        Rows come in increasing ``seq`` order (as the store gives them). A row whose seq
        is not above the highest one already added is skipped, so that adding a batch
        twice is harmless. Nothing is searchable before :meth:`commit`.
        """
        writer = self._take_writer()
        added = 0
        for row in rows:
            seq, doc_id, sentence_idx, text, published, publisher = _unpack(row)
            if seq <= self._added_seq:
                continue
            doc = tantivy.Document()
            doc.add_unsigned("seq", seq)
            doc.add_text("doc_id", doc_id)
            doc.add_unsigned("sentence_idx", sentence_idx)
            doc.add_text("text", text)
            if published is not None:
                doc.add_date("published", _midnight(published))
            if publisher:
                doc.add_text("publisher", _publisher_key(publisher))
            writer.add_document(doc)
            self._added_seq = seq
            added += 1
        return added

    def commit(self) -> None:
        """Make the added sentences searchable and durable, and give the writer back."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        try:
            writer.commit()
            writer.wait_merging_threads()  # finish merging segments, release the lock
        except ValueError as exc:
            raise StoreError(
                Errors.E104,
                where=str(self.path or "memory"),
                detail=f"search index commit failed: {exc}",
            ) from exc
        self._index.reload()
        self._last_seq = self._max_seq()
        self._added_seq = self._last_seq
        self._write_meta()

    def rollback(self) -> None:
        """Drop what was added since the last commit, and give the writer back."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        writer.rollback()
        writer.wait_merging_threads()
        self._added_seq = self._last_seq

    def reset(self) -> None:
        """Empty the index (delete and recreate its folder), to rebuild it from the store."""
        self.rollback()
        if self.path is not None:
            _wipe(self.path)
        self._index = self._create()
        self._last_seq = self._added_seq = 0

    def close(self) -> None:
        """Commit what was added and give the writer back."""
        self.commit()

    def __enter__(self) -> SentenceIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.rollback()

    # -- reading ---------------------------------------------------------------------

    def last_seq(self) -> int:
        """The highest committed ``seq`` (0 when empty): add only sentences above it.

        It is read from the index itself (the latest commit, by any process), so it is
        exactly what was made durable; the JSON file in the folder repeats it for people
        and tools.
        """
        if self._writer is None:
            self._last_seq = self._max_seq()
        return self._last_seq

    def __len__(self) -> int:
        return int(self._searcher().num_docs)

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        publisher: str | Sequence[str] | None = None,
        highlight: bool = True,
    ) -> list[Hit]:
        """The sentences that best match ``query`` (BM25), best first.

        ``date_from`` and ``date_to`` (inclusive) keep sentences of documents published
        on those days (a document without a date is then left out); ``publisher`` keeps
        those of one publisher, or of any of several, compared without regard to case.
        A query tantivy cannot parse raises a :class:`~dyadwatch.errors.ConfigError`
        (E230); a blank query matches nothing.
        """
        if limit < 1:
            raise ConfigError(
                Errors.E701, detail=f"limit must be at least 1. Got {limit!r} instead"
            )
        if not query.strip():
            return []
        try:
            text_query = self._index.parse_query(_prepare_query(query), ["text"])
        except ValueError as exc:
            raise ConfigError(Errors.E230, where=repr(query), detail=str(exc)) from exc
        clauses = [(tantivy.Occur.Must, text_query)]
        for filter_query in self._filters(date_from, date_to, publisher):
            # a filter must not move the scores: it scores 0 and only restricts
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(filter_query, 0.0)))
        full_query = text_query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
        searcher = self._searcher()
        result = searcher.search(full_query, limit, count=False)
        snippets = None
        if highlight and result.hits:
            snippets = tantivy.SnippetGenerator.create(searcher, text_query, self._schema, "text")
            snippets.set_max_num_chars(_MAX_SNIPPET_CHARS)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            text = doc.get_first("text") or ""
            spans = (
                _highlights(snippets.snippet_from_doc(doc), text) if snippets is not None else ()
            )
            hits.append(
                Hit(
                    doc_id=doc.get_first("doc_id"),
                    sentence_idx=int(doc.get_first("sentence_idx")),
                    score=float(score),
                    seq=int(doc.get_first("seq")),
                    text=text,
                    highlights=spans,
                )
            )
        return hits

    # -- internals -------------------------------------------------------------------

    def _filters(
        self,
        date_from: dt.date | None,
        date_to: dt.date | None,
        publisher: str | Sequence[str] | None,
    ) -> Iterator[tantivy.Query]:
        if date_from is not None or date_to is not None:
            yield tantivy.Query.range_query(
                self._schema,
                "published",
                tantivy.FieldType.Date,
                _midnight(date_from) if date_from is not None else None,
                _midnight(date_to) if date_to is not None else None,
            )
        if publisher is not None:
            names = [publisher] if isinstance(publisher, str) else list(publisher)
            keys = sorted({_publisher_key(name) for name in names})
            yield tantivy.Query.term_set_query(self._schema, "publisher", keys)

    def _take_writer(self) -> Any:
        if self._writer is None:
            try:
                self._writer = self._index.writer(
                    heap_size=_WRITER_HEAP, num_threads=_WRITER_THREADS
                )
            except ValueError as exc:
                if "LockBusy" in str(exc):
                    raise StoreError(
                        Errors.E103,
                        where=str(self.path),
                        detail="another process is writing its search index",
                    ) from exc
                raise StoreError(
                    Errors.E104, where=str(self.path), detail=f"search index: {exc}"
                ) from exc
            # another process may have committed since: the lock is ours now, so read it
            self._last_seq = self._added_seq = self._max_seq()
        return self._writer

    def _searcher(self) -> Any:
        self._index.reload()  # see commits of other processes (and instances) at once
        return self._index.searcher()

    def _max_seq(self) -> int:
        searcher = self._searcher()
        if searcher.num_docs == 0:
            return 0
        result = searcher.aggregate(
            tantivy.Query.all_query(), {"max_seq": {"max": {"field": "seq"}}}
        )
        value = result.get("max_seq", {}).get("value")
        return int(value) if value is not None else 0

    def _open(self) -> Any:
        if self.path is None:
            return self._create()
        path = self.path
        if path.exists() and not path.is_dir():
            raise StoreError(
                Errors.E104, where=str(path), detail="the search index path is a file, not a folder"
            )
        if path.is_dir() and any(path.iterdir()):
            if not (path / _META_FILE).is_file():
                raise StoreError(
                    Errors.E104,
                    where=str(path),
                    detail="this folder is not a dyadwatch search index; move its files away or use another folder",
                )
            try:
                meta = json.loads((path / _META_FILE).read_text(encoding="utf-8"))
                if meta.get("format") != FORMAT:
                    raise ValueError(
                        f"format {meta.get('format')!r}, this dyadwatch writes {FORMAT}"
                    )
                index = tantivy.Index(self._schema, str(path), reuse=True)
                index.searcher()  # opens the segments: a missing or broken file shows here
                self._last_seq = self._added_seq = 0
                self._index = index
                self._last_seq = self._added_seq = self._max_seq()
                return index
            except (ValueError, OSError) as exc:
                log.warning(
                    "search index %s is unusable (%s); starting it again from the store", path, exc
                )
                _wipe(path)
        return self._create()

    def _create(self) -> Any:
        if self.path is None:
            return tantivy.Index(self._schema)
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_meta(last_seq=0)  # first, so the folder is known to be ours
        return tantivy.Index(self._schema, str(self.path), reuse=False)

    def _write_meta(self, last_seq: int | None = None) -> None:
        if self.path is None:
            return
        meta = {
            "format": FORMAT,
            "tokenizer": _TOKENIZER,
            "last_seq": self._last_seq if last_seq is None else last_seq,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _write_atomically(self.path / _META_FILE, json.dumps(meta, indent=1) + "\n")


class _SentenceSource(Protocol):
    """What :func:`refresh_index` needs of the store."""

    @property
    def search_index_path(self) -> Path | None: ...

    def max_sentence_seq(self) -> int: ...

    def sentences_after(self, seq: int, batch: int = ...) -> Iterator[list[tuple[Any, ...]]]: ...


def refresh_index(store: _SentenceSource, index: SentenceIndex | None = None) -> SentenceIndex:
    """Open the store's search index (when ``index`` is None) and add the sentences it lacks.

    An index ahead of the store (a store replaced by another) is emptied and rebuilt.
    """
    if index is None:
        index = SentenceIndex(store.search_index_path)
    newest = store.max_sentence_seq()
    if index.last_seq() > newest:
        log.warning(
            "search index is ahead of the store (seq %d > %d): rebuilding it",
            index.last_seq(),
            newest,
        )
        index.reset()
    if index.last_seq() < newest:
        try:
            for rows in store.sentences_after(index.last_seq()):
                index.add(rows)
            index.commit()
        except BaseException:
            index.rollback()
            raise
    return index


def _prepare_query(query: str) -> str:
    """Escape what news queries hold but tantivy's grammar reserves (see the module doc)."""
    query = _IN_WORD_APOSTROPHE.sub(r"\\'", query)
    if len(_FREE_APOSTROPHE.findall(query)) % 2:  # unbalanced: not a 'single-quoted phrase'
        query = _FREE_APOSTROPHE.sub(r"\\'", query)
    return _LONE_OPERATOR.sub(" ", query)


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("seq", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("sentence_idx", stored=True)
    builder.add_text_field("text", stored=True, tokenizer_name=_TOKENIZER, index_option="position")
    builder.add_date_field("published", indexed=True, fast=True)
    builder.add_text_field("publisher", tokenizer_name="raw", index_option="basic")
    return builder.build()


def _unpack(row: SearchRow) -> tuple[int, str, int, str, dt.date | None, str | None]:
    if isinstance(row, Mapping):
        sentence_idx = row["sentence_idx"] if "sentence_idx" in row else row["idx"]
        values: Sequence[Any] = (
            row["seq"],
            row["doc_id"],
            sentence_idx,
            row["text"],
            row.get("published"),
            row.get("publisher"),
        )
    else:
        values = row
    try:
        seq, doc_id, sentence_idx, text, published, publisher = values
        return (
            int(seq),
            str(doc_id),
            int(sentence_idx),
            str(text),
            _as_date(published),
            publisher or None,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            Errors.E701,
            detail=(
                "a search row must be (seq, doc_id, sentence_idx, text, published, publisher). "
                f"Got {row!r} instead ({exc})"
            ),
        ) from exc


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]) if value else None
    raise TypeError(f"published must be a date. Got {type(value).__name__}")


# tantivy keeps dates as nanoseconds since 1970, which reach from 1677 to 2262: a filter date
# outside that span is clamped to it (no document can be dated outside it in the index)
_FIRST_DAY = dt.date(1678, 1, 1)
_LAST_DAY = dt.date(2261, 12, 31)


def _midnight(day: dt.date) -> dt.datetime:
    """Midnight of a filter date, clamped to the span tantivy can hold.

    >>> _midnight(dt.date(1, 1, 1)), _midnight(dt.date(2022, 3, 4))
    (datetime.datetime(1678, 1, 1, 0, 0), datetime.datetime(2022, 3, 4, 0, 0))
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return dt.datetime(day.year, day.month, day.day)


def _publisher_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _highlights(snippet: Any, text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the highlighted words (tantivy gives UTF-8 byte offsets)."""
    ranges = snippet.highlighted()
    if not ranges:
        return ()
    offset = snippet.fragment_range().start
    if text.isascii():
        return tuple((offset + r.start, offset + r.end) for r in ranges)
    data = text.encode("utf-8")
    return tuple(
        (
            len(data[: offset + r.start].decode("utf-8", errors="ignore")),
            len(data[: offset + r.end].decode("utf-8", errors="ignore")),
        )
        for r in ranges
    )


def _wipe(path: Path) -> None:
    """Delete an index folder; only one that is ours (see SentenceIndex._open)."""
    if path.is_dir():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def _write_atomically(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
