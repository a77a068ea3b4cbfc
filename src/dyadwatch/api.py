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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from dyadwatch.coding.pipeline import Coder, CodeReport, code_store
from dyadwatch.errors import ConfigError, Errors
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.ingest import IngestReport, OnError, ingest
from dyadwatch.records import Document, Sentence
from dyadwatch.store import Store, default_store_path
from dyadwatch.study.run import StudyResults
from dyadwatch.study.spec import StudySpec

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

    # -- studies -------------------------------------------------------------------

    def measures(
        self,
        study: str | os.PathLike[str] | StudySpec | None = None,
        *,
        dyads: Sequence[str] | Mapping[str, tuple[Sequence[str] | str, Sequence[str] | str]] | None = None,
        measures: Sequence[str] = ("events", "cooperation", "goldstein_sum", "goldstein_mean", "cooperation_share"),
        unit: str = "month",
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
        sources: Sequence[str] | str = "all",
        undirected: bool = False,
        layout: str = "long",
        backend: str = "pandas",
    ) -> Any:
        """Measures of dyads per period, from the store: a pandas (or polars) data frame.

        Either a study (file or :class:`~dyadwatch.study.spec.StudySpec`: its dyads, measures,
        period and settings), or ``dyads`` written ``"RUS-taliban"`` (or a mapping name ->
        (source codes, target codes)) with ``measures`` (names as in a study file: events,
        quad1..quad4, cooperation, conflict, goldstein_sum, goldstein_mean, cooperation_share,
        root:04, code:057, venue:csto, events/volume, ...). ``layout`` "long" gives dyad, origin,
        period, measure, value, n_events; "wide" one column per measure. Frame shares need a
        study with a frame set (see :meth:`study`).

        >>> import dyadwatch
        >>> with dyadwatch.open(":memory:") as lib:
        ...     lib.measures(dyads=["RUS-AFG"], date_from="2021-01-01", date_to="2021-03-31").shape
        (15, 6)
        """
        from dyadwatch.study.measures import compute_measures, to_polars, wide

        if layout not in ("long", "wide"):
            raise ConfigError(Errors.E611, name="layout", allowed="long, wide", found=layout)
        if backend not in ("pandas", "polars"):
            raise ConfigError(Errors.E611, name="backend", allowed="pandas, polars", found=backend)
        if study is not None:
            spec = study if isinstance(study, StudySpec) else StudySpec.load(study)
        else:
            spec = self._adhoc_spec(dyads, measures, unit, date_from, date_to, sources, undirected)
        frame = compute_measures(self.store.con, spec)
        if layout == "wide":
            frame = wide(frame)
        return to_polars(frame) if backend == "polars" else frame

    def study(
        self,
        study: str | os.PathLike[str] | StudySpec,
        *,
        out: str | os.PathLike[str] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> StudyResults:
        """Run a study (file or spec) over this library: measures, verdicts, evidence.

        The result holds ``.series``, ``.hypotheses``, ``.evidence`` and ``.frames`` as data
        frames and ``.document`` as results.json; with ``out`` the results files are written
        there too (``dyadwatch study STUDY.toml --out DIR`` does the same).
        """
        from dyadwatch.study.run import run_study

        spec = study if isinstance(study, StudySpec) else StudySpec.load(study)
        results = run_study(self.store, spec, progress=progress)
        if out is not None:
            results.write(out)
        return results

    def _adhoc_spec(
        self,
        dyads: Sequence[str] | Mapping[str, tuple[Sequence[str] | str, Sequence[str] | str]] | None,
        measures: Sequence[str],
        unit: str,
        date_from: dt.date | str | None,
        date_to: dt.date | str | None,
        sources: Sequence[str] | str,
        undirected: bool,
    ) -> StudySpec:
        if not dyads:
            raise ConfigError(Errors.E610, name="dyads", allowed='a study, or dyads such as ["RUS-taliban"]', found=dyads)
        tables = []
        if isinstance(dyads, Mapping):
            for name, (source, target) in dyads.items():
                tables.append({"name": name, "source": source, "target": target, "undirected": undirected})
        else:
            for text in dyads:
                source, sep, target = str(text).partition("-")
                if not sep or not source or not target:
                    raise ConfigError(Errors.E610, name="dyads", allowed="SOURCE-TARGET such as RUS-taliban", found=text)
                tables.append({"name": text, "source": source, "target": target, "undirected": undirected})
        start, end = _day(date_from), _day(date_to)
        if start is None or end is None:
            row = self.store.con.execute("SELECT min(date), max(date) FROM all_events").fetchall()[0]
            start = start or row[0] or dt.date.today().replace(month=1, day=1)
            end = end or row[1] or dt.date.today()
        if end <= start:
            end = start + dt.timedelta(days=1)
        data = {
            "title": "measures", "sources": list(sources) if not isinstance(sources, str) else sources,
            "period": {"start": start, "end": end, "unit": unit}, "dyads": tables,
            "measures": {"use": list(measures)},
        }
        return StudySpec.from_dict(data, where="Library.measures")


def _day(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
