"""The Python API: ``dyadwatch.open(path)`` returns a :class:`Library` over a store.

It mirrors the command line: ``lib.ingest(...)`` is ``dyadwatch ingest``,
``lib.search(...)`` is ``dyadwatch search``, and so on. Tables come back as pandas
data frames, ready for a notebook.

>>> import dyadwatch
>>> with dyadwatch.open(":memory:") as lib:
...     lib.summary()["documents"]
0
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pandas as pd

from dyadwatch.coding.pipeline import Coder, CodeReport, code_store
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.ingest import IngestReport, OnError, ingest
from dyadwatch.records import Document, Sentence
from dyadwatch.store import Store, default_store_path

__all__ = ["Library", "open"]


def open(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Library:  # noqa: A001
    """Open (or create) the store at ``path``; default ``$DYADWATCH_STORE`` or ./dyadwatch.duckdb.

    ``":memory:"`` gives a store that lives as long as the object, for tests and trials.
    """
    return Library(Store(default_store_path(path), read_only=read_only))


class Library:
    """A library of sources and everything coded from them, in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._index: Any = None

    # -- context management ----------------------------------------------------------

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<dyadwatch.Library {self.store.path!r}>"

    # -- collection ----------------------------------------------------------------

    def ingest(
        self,
        *sources: str | os.PathLike[str],
        on_error: OnError = "stop",
        fetcher: Fetcher | None = None,
        progress: Callable[[str, int], None] | None = None,
    ) -> IngestReport:
        """Collect files, folders, globs, URLs, feeds and URL lists into the store.

        >>> import dyadwatch, tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "brief.txt").write_text("Moscow hosted talks on Afghanistan on 20 October 2021.")
        >>> with dyadwatch.open(":memory:") as lib:
        ...     lib.ingest(str(folder)).documents_added
        1
        """
        return ingest(
            self.store, [str(s) for s in sources], on_error=on_error, fetcher=fetcher, progress=progress
        )

    # -- reading -------------------------------------------------------------------

    def count_documents(self) -> int:
        return self.store.count("documents")

    def documents(
        self,
        *,
        publisher: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        limit: int | None = None,
        with_text: bool = False,
    ) -> pd.DataFrame:
        """The library's documents as a data frame, oldest first, with filters."""
        return self.store.documents_frame(
            publisher=publisher, date_from=_day(date_from), date_to=_day(date_to), limit=limit,
            with_text=with_text,
        )

    def document(self, key: str) -> Document | None:
        """One document by id, unique id prefix, or the user's own id."""
        doc_id = self.store.find_doc_id(key)
        return self.store.get_document(doc_id) if doc_id else None

    def sentences(
        self,
        doc_id: str | None = None,
        *,
        publisher: str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Sentences with their document's date and publisher, as a data frame."""
        if doc_id is not None:
            doc_id = self.store.find_doc_id(doc_id) or doc_id
        return self.store.sentences_frame(
            doc_id=doc_id, publisher=publisher, date_from=_day(date_from), date_to=_day(date_to),
            limit=limit,
        )

    def document_sentences(self, doc_id: str) -> list[Sentence]:
        return self.store.get_sentences(doc_id)

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        publisher: str | None = None,
        collapse: bool = True,
    ) -> pd.DataFrame:
        """Ranked keyword search over sentences (BM25), with date and publisher filters.

        With ``collapse`` (the default) a sentence repeated by the near-duplicate copies
        of one story is shown once, with the number of ``copies``. The full-text index
        is derived data beside the store, brought up to date here, so a search always
        sees every stored sentence.
        """
        from dyadwatch.library.search import refresh_index

        self._index = refresh_index(self.store, self._index)
        hits = self._index.search(
            query, limit=limit * 4 if collapse else limit, date_from=_day(date_from),
            date_to=_day(date_to), publisher=publisher,
        )
        frame = self.store.sentences_by_keys([(h.doc_id, h.sentence_idx) for h in hits])
        frame.insert(1, "score", [hits[rank].score for rank in frame["rank"]])
        key = frame["dup_group"] + "\x00" + frame["text"]
        frame["copies"] = key.map(key.value_counts()).astype("int64")
        if collapse:
            frame = frame[~key.duplicated()]
        return frame.drop(columns=["rank"]).head(limit).reset_index(drop=True)

    # -- coding and events -----------------------------------------------------------

    def code(
        self,
        coder: Coder | None = None,
        *,
        limit: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> CodeReport:
        """Code every document not yet coded by this coder's version (default: the rule coder)."""
        if coder is None:
            from dyadwatch.coding.coder import RuleCoder

            coder = RuleCoder()
        return code_store(self.store, coder, limit=limit, progress=progress)

    def events(
        self,
        *,
        dyad: tuple[str, str] | str | None = None,
        undirected: bool = False,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        code: str | None = None,
        quad_class: int | None = None,
        origin: str | None = None,
        coder: str | None = None,
        asserted_only: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Events (own coding and imported datasets) as a data frame, with filters.

        ``dyad`` is ``("RUS", "AFG")`` or ``"RUS-AFG"``, directed unless ``undirected``.
        """
        if isinstance(dyad, str):
            source, _, target = dyad.partition("-")
            dyad = (source, target)
        return self.store.events_frame(
            dyad=dyad, undirected=undirected, date_from=_day(date_from), date_to=_day(date_to),
            code=code, quad_class=quad_class, origin=origin, coder=coder,
            asserted_only=asserted_only, limit=limit,
        )

    def summary(self) -> dict[str, Any]:
        """Documents, sentences, duplicate groups, date range, publishers, events."""
        return self.store.summary()


def _day(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
