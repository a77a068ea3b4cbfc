"""The store on DuckDB: embedded, one file, transactional.

Every write happens inside :meth:`Store.transaction`, so a crash or a kill in the middle
of a batch leaves the file as it was before the batch (DuckDB discards an uncommitted
transaction on the next open). Documents are keyed by the hash of their text and
sentences by (document, index): a second ingest of the same source adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dyadwatch.errors import Errors, StoreError
from dyadwatch.records import Document, Event, Sentence
from dyadwatch.store.schema import APP_ID, EVENT_COLUMNS, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

DEFAULT_STORE = "dyadwatch.duckdb"
MEMORY = ":memory:"

__all__ = ["DEFAULT_STORE", "MEMORY", "Store", "default_store_path"]


def default_store_path(path: str | os.PathLike[str] | None = None) -> str:
    """The store to use: the argument, else $DYADWATCH_STORE, else ./dyadwatch.duckdb."""
    if path is not None and str(path) != "":
        return str(path)
    return os.environ.get("DYADWATCH_STORE") or DEFAULT_STORE


def _classify_open_error(exc: Exception, path: str) -> StoreError:
    text = str(exc)
    lowered = text.lower()
    if "lock" in lowered:
        return StoreError(Errors.E103, where=path, detail=text.splitlines()[0])
    if "not a valid duckdb" in lowered or "invalid" in lowered and "database" in lowered:
        return StoreError(Errors.E101, where=path, detail="the file is not a DuckDB database")
    if "newer" in lowered or "version" in lowered and "storage" in lowered:
        return StoreError(Errors.E101, where=path, detail=text.splitlines()[0])
    return StoreError(Errors.E104, where=path, detail=text.splitlines()[0])



def _quiet(con: duckdb.DuckDBPyConnection) -> None:
    """Turn off DuckDB's progress bar: on a terminal it draws on standard output during a long
    query, into the commands' tables and JSON (the commands show their own progress). In
    Jupyter DuckDB refuses to touch the setting without ipywidgets; there it draws nothing."""
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        log.debug("DuckDB's progress bar setting left as it is", exc_info=True)

class Store:
    """A dyadwatch store in one DuckDB file (or in memory, for tests and notebooks).

    >>> from dyadwatch.store import SCHEMA_VERSION
    >>> store = Store(":memory:")
    >>> store.schema_version == SCHEMA_VERSION
    True
    >>> store.close()
    """

    def __init__(self, path: str | os.PathLike[str] = MEMORY, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self._in_transaction = False
        if self.path != MEMORY:
            parent = Path(self.path).resolve().parent
            if not parent.is_dir():
                raise StoreError(Errors.E104, where=self.path, detail=f"folder {parent} does not exist")
            if read_only and not Path(self.path).exists():
                raise StoreError(Errors.E104, where=self.path, detail="no store at this path")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except (duckdb.Error, OSError) as exc:
            raise _classify_open_error(exc, self.path) from exc
        try:
            _quiet(self.con)
            self.schema_version = self._check_and_migrate()
            # imported datasets may live in Parquet partitions beside the store: the views
            # dataset_events and all_events put them beside the events table
            from dyadwatch.store.parquet import register_partitions

            register_partitions(self)
        except BaseException:
            self.con.close()
            raise

    # -- opening -----------------------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return {r[0] for r in rows}

    def _check_and_migrate(self) -> int:
        tables = self._tables()
        if not tables:
            if self.read_only:
                raise StoreError(Errors.E101, where=self.path, detail="the database is empty")
            return self._migrate(0)
        if "dyadwatch_meta" not in tables:
            raise StoreError(
                Errors.E101, where=self.path, detail=f"it has tables {sorted(tables)[:5]} but no dyadwatch_meta"
            )
        meta = dict(self.con.execute("SELECT key, value FROM dyadwatch_meta").fetchall())
        if meta.get("app") != APP_ID:
            raise StoreError(Errors.E101, where=self.path, detail=f"app is {meta.get('app')!r}")
        version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise StoreError(Errors.E102, where=self.path, found=version, supported=SCHEMA_VERSION)
        if version < SCHEMA_VERSION:
            if self.read_only:
                raise StoreError(Errors.E106, where=self.path, found=version, supported=SCHEMA_VERSION)
            return self._migrate(version)
        return version

    def _migrate(self, current: int) -> int:
        if current == 0:
            # a new store is made in one transaction: a process killed while making it
            # leaves an empty file (made again on the next open), never a half-made store
            with self.transaction():
                return self._run_migrations(current)
        return self._run_migrations(current)

    def _run_migrations(self, current: int) -> int:
        for number in range(current + 1, SCHEMA_VERSION + 1):
            log.info("store %s: migrating schema to version %d", self.path, number)
            with self.transaction():
                for statement in MIGRATIONS[number - 1]:
                    try:
                        self.con.execute(statement)
                    except duckdb.Error as exc:  # rolled back: the store stays at the version before
                        detail = (
                            f"upgrading its schema to version {number} failed, so it stays at version "
                            f"{number - 1}: {str(exc).splitlines()[0]}"
                        )
                        raise StoreError(Errors.E104, where=self.path, detail=detail) from exc
                self.con.execute(
                    "INSERT OR REPLACE INTO dyadwatch_meta VALUES ('app', ?), ('schema_version', ?)",
                    [APP_ID, str(number)],
                )
                if number == 1:
                    self.con.execute(
                        "INSERT INTO dyadwatch_meta VALUES ('created_at', ?)",
                        [dt.datetime.now(dt.UTC).isoformat()],
                    )
        return SCHEMA_VERSION

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All writes inside the block commit together, or not at all.

        Nested use joins the outer transaction.
        """
        if self._in_transaction:
            yield self.con
            return
        if self.read_only:
            raise StoreError(Errors.E105, where=self.path, detail="opened read-only")
        try:
            self.con.execute("BEGIN TRANSACTION")
        except duckdb.Error as exc:
            raise StoreError(Errors.E104, where=self.path, detail=str(exc).splitlines()[0]) from exc
        self._in_transaction = True
        try:
            yield self.con
        except BaseException:
            self._in_transaction = False
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:  # the connection may already have aborted it
                log.debug("rollback after failure raised", exc_info=True)
            raise
        self._in_transaction = False
        try:
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            raise StoreError(Errors.E104, where=self.path, detail=str(exc).splitlines()[0]) from exc

    def close(self) -> None:
        with suppress(duckdb.Error):  # closing twice is harmless
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def search_index_path(self) -> Path | None:
        """Where the derived full-text index lives (beside the store file)."""
        if self.path == MEMORY:
            return None
        return Path(self.path + ".search")

    # -- runs ----------------------------------------------------------------------

    def start_run(self, command: str, args: dict[str, Any] | None = None) -> str:
        from dyadwatch import __version__

        run_id = uuid.uuid4().hex[:16]
        with self.transaction() as con:
            con.execute(
                "INSERT INTO runs (run_id, command, started_at, version, args) VALUES (?, ?, ?, ?, ?)",
                [run_id, command, _now(), __version__, json.dumps(args or {}, default=str)],
            )
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE runs SET finished_at = ?, counts = ? WHERE run_id = ?",
                [_now(), json.dumps(counts, default=str), run_id],
            )

    # -- library writes ------------------------------------------------------------

    def known_fingerprints(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT fingerprint FROM sources").fetchall()}

    def add_documents(
        self,
        docs: Sequence[Document],
        spans: Sequence[Sequence[tuple[int, int, int]]],
        signatures: Sequence[bytes | None],
        *,
        run_id: str | None = None,
    ) -> None:
        """Insert new documents with their sentences, in one transaction.

        ``spans[i]`` holds the sentences of ``docs[i]`` as (start, end, paragraph)
        character offsets; a sentence's text is ``doc.text[start:end]``. Passing offsets
        rather than records keeps the hand-over from worker processes cheap.
        """
        if not docs:
            return
        if len(spans) != len(docs) or len(signatures) != len(docs):
            raise ValueError(
                f"docs, spans and signatures must have the same length. Got {len(docs)}, "
                f"{len(spans)} and {len(signatures)} instead."
            )
        doc_table = pa.table(
            {
                "doc_id": [d.doc_id for d in docs],
                "title": [d.title for d in docs],
                "text": [d.text for d in docs],
                "url": [d.url for d in docs],
                "publisher": [d.publisher for d in docs],
                "author": [d.author for d in docs],
                "published": pa.array([d.published for d in docs], pa.date32()),
                "date_source": [d.date_source for d in docs],
                "language": [d.language for d in docs],
                "source_kind": [d.source_kind for d in docs],
                "source": [d.source for d in docs],
                "user_id": [d.user_id for d in docs],
                "meta": [json.dumps(dict(d.meta), default=str) if d.meta else None for d in docs],
                "collected_at": pa.array(
                    [_naive_utc(d.collected_at) for d in docs], pa.timestamp("us")
                ),
                "dup_group": [d.dup_group or d.doc_id for d in docs],
                "minhash": pa.array(list(signatures), pa.binary()),
                "run_id": [run_id] * len(docs),
            }
        )
        sent_doc, sent_idx, sent_start, sent_end, sent_par, sent_text = [], [], [], [], [], []
        for doc, doc_spans in zip(docs, spans, strict=True):
            text = doc.text
            for idx, (start, end, paragraph) in enumerate(doc_spans):
                sent_doc.append(doc.doc_id)
                sent_idx.append(idx)
                sent_start.append(start)
                sent_end.append(end)
                sent_par.append(paragraph)
                sent_text.append(text[start:end])
        sent_table = pa.table(
            {
                "doc_id": pa.array(sent_doc, pa.string()),
                "idx": pa.array(sent_idx, pa.int32()),
                "start_char": pa.array(sent_start, pa.int32()),
                "end_char": pa.array(sent_end, pa.int32()),
                "paragraph": pa.array(sent_par, pa.int32()),
                "text": pa.array(sent_text, pa.string()),
            }
        )
        with self.transaction() as con:
            con.register("_docs", doc_table)
            con.register("_sents", sent_table)
            try:
                con.execute(
                    "INSERT INTO documents SELECT doc_id, title, text, url, publisher, author, "
                    "published, date_source, language, source_kind, source, user_id, "
                    "CAST(meta AS JSON), collected_at, dup_group, minhash, run_id FROM _docs"
                )
                con.execute(
                    "INSERT INTO sentences (doc_id, idx, start_char, end_char, paragraph, text) "
                    "SELECT doc_id, idx, start_char, end_char, paragraph, text FROM _sents"
                )
            finally:
                _unregister(con, "_docs")
                _unregister(con, "_sents")

    def record_sources(self, sources: Sequence[tuple[str, str, str, int]], *, run_id: str | None = None) -> None:
        """Remember fully stored sources, (fingerprint, location, kind, documents), so that
        a re-ingest can skip them unread."""
        if not sources:
            return
        now = _now()
        table = pa.table(
            {
                "fingerprint": [s[0] for s in sources],
                "location": [s[1] for s in sources],
                "kind": [s[2] for s in sources],
                "documents": pa.array([s[3] for s in sources], pa.int32()),
                "ingested_at": pa.array([now] * len(sources), pa.timestamp("us")),
                "run_id": [run_id] * len(sources),
            }
        )
        with self.transaction() as con:
            con.register("_sources", table)
            try:
                con.execute("INSERT OR REPLACE INTO sources SELECT * FROM _sources")
            finally:
                _unregister(con, "_sources")

    def duplicate_signatures(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(doc_id, dup_group, minhash) of every document, oldest first."""
        cursor = self.con.execute(
            "SELECT doc_id, dup_group, minhash FROM documents ORDER BY collected_at, doc_id"
        )
        while True:
            rows = cursor.fetchmany(10_000)
            if not rows:
                return
            yield from rows

    # -- library reads -------------------------------------------------------------

    def count(self, table: str) -> int:
        if table not in {"documents", "sentences", "events", "actors", "corrections", "sources", "runs", "coded_documents"}:
            raise ValueError(f"table must be one of the store's tables. Got {table!r} instead.")
        rows = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()
        return int(rows[0][0])

    def documents_frame(
        self,
        *,
        publisher: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int | None = None,
        with_text: bool = False,
    ) -> pd.DataFrame:
        columns = (
            "d.doc_id, d.title, d.published, d.date_source, d.publisher, d.url, d.author, "
            "d.language, d.source_kind, d.source, d.user_id, d.dup_group, d.collected_at"
        )
        if with_text:
            columns += ", d.text"
        where, params = _filters(publisher=publisher, date_from=date_from, date_to=date_to)
        sql = (
            f"SELECT {columns}, (SELECT count(*) FROM sentences s WHERE s.doc_id = d.doc_id) AS sentences "
            f"FROM documents d {where} ORDER BY d.published NULLS LAST, d.doc_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.con.execute(sql, params).df()

    def find_doc_id(self, key: str) -> str | None:
        """A document's id from its id, a unique id prefix (>= 6 chars) or the user's own id."""
        row = self.con.execute("SELECT doc_id FROM documents WHERE doc_id = ? OR user_id = ?", [key, key]).fetchall()
        if len(row) == 1:
            return str(row[0][0])
        if len(key) >= 6:
            rows = self.con.execute(
                "SELECT doc_id FROM documents WHERE starts_with(doc_id, ?) LIMIT 2", [key]
            ).fetchall()
            if len(rows) == 1:
                return str(rows[0][0])
        return None

    def get_document(self, doc_id: str) -> Document | None:
        rows = self.con.execute(
            "SELECT doc_id, text, title, url, publisher, author, published, date_source, language, "
            "source_kind, source, user_id, meta, collected_at, dup_group FROM documents WHERE doc_id = ?",
            [doc_id],
        ).fetchall()
        if not rows:
            return None
        row = rows[0]
        meta = json.loads(row[12]) if row[12] else {}
        return Document(
            doc_id=row[0], text=row[1], title=row[2], url=row[3], publisher=row[4], author=row[5],
            published=row[6], date_source=row[7], language=row[8], source_kind=row[9],
            source=row[10], user_id=row[11], meta=meta,
            collected_at=row[13].replace(tzinfo=dt.UTC) if row[13] else None, dup_group=row[14],
        )

    def get_sentences(self, doc_id: str) -> list[Sentence]:
        rows = self.con.execute(
            "SELECT doc_id, idx, start_char, end_char, text, paragraph FROM sentences "
            "WHERE doc_id = ? ORDER BY idx",
            [doc_id],
        ).fetchall()
        return [Sentence(doc_id=r[0], idx=r[1], start=r[2], end=r[3], text=r[4], paragraph=r[5]) for r in rows]

    def sentences_frame(
        self,
        *,
        doc_id: str | None = None,
        publisher: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        where, params = _filters(publisher=publisher, date_from=date_from, date_to=date_to)
        if doc_id is not None:
            where += (" AND " if where else "WHERE ") + "s.doc_id = ?"
            params.append(doc_id)
        sql = (
            "SELECT s.doc_id, s.idx AS sentence_idx, s.start_char, s.end_char, s.paragraph, s.text, "
            "d.published, d.publisher, d.dup_group FROM sentences s JOIN documents d USING (doc_id) "
            f"{where} ORDER BY d.published NULLS LAST, s.doc_id, s.idx"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.con.execute(sql, params).df()

    def sentences_after(self, seq: int, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """Sentences with seq > `seq`, in batches: (seq, doc_id, idx, text, published, publisher)."""
        return sentences_after(self.con, seq, batch)

    def max_sentence_seq(self) -> int:
        return max_sentence_seq(self.con)

    def sentences_by_keys(self, keys: Sequence[tuple[str, int]]) -> pd.DataFrame:
        """Sentence rows (with document metadata) for (doc_id, idx) pairs, in the given order."""
        table = pa.table(
            {
                "doc_id": pa.array([k[0] for k in keys], pa.string()),
                "idx": pa.array([k[1] for k in keys], pa.int32()),
                "rank": pa.array(range(len(keys)), pa.int32()),
            }
        )
        self.con.register("_keys", table)
        try:
            return self.con.execute(
                "SELECT k.rank, s.doc_id, s.idx AS sentence_idx, s.text, d.title, d.published, "
                "d.publisher, d.url, d.dup_group FROM _keys k JOIN sentences s ON s.doc_id = k.doc_id AND s.idx = k.idx "
                "JOIN documents d ON d.doc_id = s.doc_id ORDER BY k.rank"
            ).df()
        finally:
            _unregister(self.con, "_keys")

    # -- events ------------------------------------------------------------------------

    def add_events(self, events: Sequence[Event], *, run_id: str | None = None) -> int:
        """Insert events whose id is not stored yet; return how many were new."""
        if not events:
            return 0
        table = _event_table(events, run_id)
        names = ", ".join(name for name, _ in EVENT_COLUMNS)
        select = ", ".join(f"CAST({name} AS JSON)" if name == "spans" else name for name, _ in EVENT_COLUMNS)
        with self.transaction() as con:
            con.register("_events", table)
            try:
                before = self.count("events")
                con.execute(
                    f"INSERT INTO events ({names}) SELECT {select} FROM "
                    "(SELECT DISTINCT ON (event_id) * FROM _events) n "
                    "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = n.event_id)"
                )
                return self.count("events") - before
            finally:
                _unregister(con, "_events")

    def replace_coded(
        self,
        coder: str,
        coder_version: str,
        doc_ids: Sequence[str],
        events: Sequence[Event],
        *,
        run_id: str | None = None,
    ) -> None:
        """Store a coder's events for some documents, replacing that coder's earlier ones.

        One transaction: the old events of this coder (any version) for these documents go,
        the new ones come, and the documents are marked coded by this version. Events of
        other coders and of datasets are untouched.
        """
        ids = pa.table({"doc_id": pa.array(list(doc_ids), pa.string())})
        counts: dict[str, int] = {}
        for event in events:
            if event.doc_id is not None:
                counts[event.doc_id] = counts.get(event.doc_id, 0) + 1
        done = pa.table(
            {
                "doc_id": pa.array(list(doc_ids), pa.string()),
                "events": pa.array([counts.get(d, 0) for d in doc_ids], pa.int32()),
            }
        )
        with self.transaction() as con:
            con.register("_coded_ids", ids)
            con.register("_coded", done)
            try:
                con.execute(
                    "DELETE FROM events WHERE origin = 'dyadwatch' AND split_part(coder, ' ', 1) = ? "
                    "AND doc_id IN (SELECT doc_id FROM _coded_ids)",
                    [coder],
                )
                self.add_events(events, run_id=run_id)
                con.execute(
                    "INSERT OR REPLACE INTO coded_documents "
                    "SELECT doc_id, ?, ?, events, ?, ? FROM _coded",
                    [coder, coder_version, _now(), run_id],
                )
            finally:
                _unregister(con, "_coded_ids")
                _unregister(con, "_coded")

    def documents_to_code(self, coder: str, coder_version: str) -> list[str]:
        """Ids of the documents that this coder version has not coded yet, oldest first."""
        rows = self.con.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN coded_documents c "
            "ON c.doc_id = d.doc_id AND c.coder = ? "
            "WHERE c.doc_id IS NULL OR c.coder_version <> ? "
            "ORDER BY d.published NULLS LAST, d.doc_id",
            [coder, coder_version],
        ).fetchall()
        return [r[0] for r in rows]

    def events_frame(
        self,
        *,
        dyad: tuple[str, str] | None = None,
        undirected: bool = False,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        code: str | None = None,
        quad_class: int | None = None,
        origin: str | None = None,
        coder: str | None = None,
        asserted_only: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Events as a data frame, with filters. ``dyad`` is (source, target), each a
        country code (RUS) or an actor id (taliban); ``code`` a CAMEO prefix ("04", "043")."""
        clauses, params = event_filters(dyad=dyad, undirected=undirected, date_from=date_from, date_to=date_to)
        if code:
            clauses.append("starts_with(cameo_code, ?)")
            params.append(code)
        if quad_class is not None:
            clauses.append("quad_class = ?")
            params.append(int(quad_class))
        if origin:
            clauses.append("origin = ?")
            params.append(origin)
        if coder:
            clauses.append("split_part(coder, ' ', 1) = ?")
            params.append(coder)
        if asserted_only:
            clauses.append("NOT negated AND modality IN ('asserted', 'reported')")
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        columns = ", ".join(name for name, _ in EVENT_COLUMNS if name != "run_id")
        # all_events: the events table and the Parquet partitions of large imports
        sql = f"SELECT {columns} FROM all_events {where} ORDER BY date NULLS LAST, event_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.con.execute(sql, params).df()

    def summary(self) -> dict[str, Any]:
        """Counts and ranges that describe the library."""
        # fetchall, never fetchone: DuckDB counts a result not fetched to its end as
        # unfinished and refuses the connection's next register()
        row = self.con.execute(
            "SELECT count(*), count(DISTINCT dup_group), min(published), max(published), "
            "count(DISTINCT publisher) FROM documents"
        ).fetchall()[0]
        groups = self.con.execute(
            "SELECT count(*) FROM (SELECT dup_group FROM documents GROUP BY dup_group HAVING count(*) > 1)"
        ).fetchall()[0]
        return {
            "store": self.path,
            "schema_version": self.schema_version,
            "documents": int(row[0]),
            "sentences": self.count("sentences"),
            "stories": int(row[1]),
            "duplicate_groups": int(groups[0]) if groups else 0,
            "date_from": row[2],
            "date_to": row[3],
            "publishers": int(row[4]),
            "events": int(self.con.execute("SELECT count(*) FROM all_events").fetchall()[0][0]),
        }


def sentences_after(con: duckdb.DuckDBPyConnection, seq: int, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """Sentences with seq > `seq` on a store's connection, in batches: (seq, doc_id, idx, text,
    published, publisher); what the search index reads to catch up."""
    cursor = con.execute(
        "SELECT s.seq, s.doc_id, s.idx, s.text, d.published, d.publisher "
        "FROM sentences s JOIN documents d USING (doc_id) WHERE s.seq > ? ORDER BY s.seq",
        [seq],
    )
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        yield rows


def max_sentence_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The highest sentence sequence number on a store's connection (0 for none)."""
    rows = con.execute("SELECT coalesce(max(seq), 0) FROM sentences").fetchall()
    return int(rows[0][0])


def event_filters(
    *,
    dyad: tuple[str, str] | None = None,
    undirected: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their parameters) for events of a dyad and a date range.

    Each side of the dyad is a country code (RUS) or an actor id (taliban).
    """
    clauses: list[str] = []
    params: list[Any] = []
    if dyad is not None:
        source, target = dyad
        side = "((source_country = ? OR source_actor = ?) AND (target_country = ? OR target_actor = ?))"
        if undirected:
            clauses.append(f"({side} OR {side})")
            params += [source, source, target, target, target, target, source, source]
        else:
            clauses.append(side)
            params += [source, source, target, target]
    if date_from is not None:
        clauses.append("date >= ?")
        params.append(date_from)
    if date_to is not None:
        clauses.append("date <= ?")
        params.append(date_to)
    return clauses, params


def _filters(
    *, publisher: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if publisher:
        clauses.append("d.publisher = ?")
        params.append(publisher)
    if date_from:
        clauses.append("d.published >= ?")
        params.append(date_from)
    if date_to:
        clauses.append("d.published <= ?")
        params.append(date_to)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered view; in an aborted transaction DuckDB refuses, and the rollback drops it."""
    try:
        con.unregister(name)
    except duckdb.Error:
        log.debug("could not unregister %s in an aborted transaction", name)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _naive_utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return _now()
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _event_table(events: Sequence[Event], run_id: str | None) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name, _ in EVENT_COLUMNS}
    for event in events:
        for name, _ in EVENT_COLUMNS:
            if name == "run_id":
                columns[name].append(run_id)
            elif name == "spans":
                spans = event.spans
                columns[name].append(json.dumps({k: list(v) for k, v in spans.items()}) if spans else None)
            else:
                columns[name].append(getattr(event, name))
    types = {
        "date": pa.date32(), "goldstein": pa.float64(), "quad_class": pa.int8(), "negated": pa.bool_(),
        "latitude": pa.float64(), "longitude": pa.float64(), "sentence_idx": pa.int32(),
        "confidence": pa.float64(),
    }
    return pa.table({name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()})
