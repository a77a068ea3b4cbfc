"""Third-party event datasets -> the event table: GDELT 1.0 and 2.0, ICEWS, POLECAT, ACLED, UCDP.

Each reader turns a dataset's rows into rows of the event table (``origin`` = the dataset, with
its own id, the source URL or story, and the dataset version kept), mapped onto CAMEO and PLOVER
through :mod:`dyadwatch.coding.ontology` and onto the actor dictionary's country codes (GDELT
location fields are FIPS 10-4, its actor fields CAMEO codes: both handled explicitly). What a
dataset has beyond the event record (GDELT NumMentions, NumSources, NumArticles, AvgTone; ACLED
fatalities; UCDP best/low/high deaths; the dataset's own codes and scores) is kept beside it
(``store/parquet.py``: ``EXTRA_COLUMNS``).

* :func:`import_dataset` (``dyadwatch import``) stores files, folders, zips, in bounded memory;
* :func:`read_rows` streams one file's events as :class:`~dyadwatch.records.Event` records;
* :func:`compare` (``dyadwatch compare``) sets sources side by side for one dyad.

>>> from dyadwatch.datasets import DATASETS
>>> sorted(DATASETS)
['acled', 'gdelt1', 'gdelt2', 'icews', 'polecat', 'ucdp']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from dyadwatch.datasets._common import (
    DATASETS,
    ActorFilter,
    OnError,
    ReadContext,
    check_dataset,
    events_of,
)
from dyadwatch.datasets._files import DataFile, local_copy
from dyadwatch.datasets.compare import compare
from dyadwatch.datasets.importer import STORAGE, ImportReport, import_dataset, read_batches
from dyadwatch.errors import ConfigError, DatasetError, Errors
from dyadwatch.records import Event
from dyadwatch.store import Store, default_store_path
from dyadwatch.store.parquet import register_partitions

__all__ = [
    "DATASETS",
    "STORAGE",
    "ActorFilter",
    "ImportReport",
    "compare",
    "import_dataset",
    "import_files",
    "read_batches",
    "read_rows",
    "register_partitions",
]


def read_rows(
    dataset: str,
    path_or_stream: str | Path | BinaryIO,
    *,
    on_error: OnError = "stop",
    actors: Iterable[str] | str | None = None,
    dataset_version: str | None = None,
    name: str | None = None,
) -> Iterator[Event | DatasetError]:
    """The events of one dataset file, as records, in bounded memory.

    ``path_or_stream`` is a path (plain, .gz or .zip) or a binary stream (an HTTP response, an
    open zip member), copied to a temporary file first; ``name`` is the file name to report for a
    stream (it also tells the format: ``.zip``, ``.gz``, GDELT ``.translation.``). With
    ``on_error="stop"`` the first bad row raises its :class:`~dyadwatch.errors.DatasetError`;
    with ``"skip"`` bad rows come as errors in the stream, between the events.

    >>> from pathlib import Path
    >>> sample = Path("../shared/data/gdelt-samples/events.csv")
    >>> if sample.exists():
    ...     events = [e for e in read_rows("gdelt2", sample) if isinstance(e, Event)]
    ...     assert len(events) == 100 and events[0].cameo_code == "043"
    """
    dataset = check_dataset(dataset)
    if on_error not in ("stop", "skip"):
        raise ConfigError(Errors.E518, name="on_error", allowed="'stop' or 'skip'", found=on_error)
    actor_filter = ActorFilter.parse(actors)
    workdir = Path(tempfile.mkdtemp(prefix="dyadwatch-read-"))
    try:
        if isinstance(path_or_stream, (str, Path)):
            source = Path(path_or_stream)
        else:
            source = workdir / Path(name or "stream.csv").name
            with source.open("wb") as sink:
                shutil.copyfileobj(path_or_stream, sink, 1 << 22)
        location = name or str(path_or_stream) if isinstance(path_or_stream, (str, Path)) else (name or "stream")
        ctx = ReadContext(dataset, str(location), workdir, version=dataset_version, actors=actor_filter)
        with local_copy(DataFile(source), workdir) as path, closing(read_batches(dataset, path, ctx)) as items:
            for item in items:
                if isinstance(item, DatasetError):
                    if on_error == "stop":
                        raise item
                    yield item
                elif isinstance(item, pa.Table):
                    yield from events_of(item)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def import_files(
    store: str | os.PathLike[str] | Store | None,
    dataset: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    on_error: OnError = "stop",
    actors: Iterable[str] | str | None = None,
    dataset_version: str | None = None,
    storage: str = "auto",
) -> ImportReport:
    """:func:`import_dataset` on a store given by its path (None: the default store), for
    callers that hold no open store (``dyadwatch fetch --import``)."""
    if isinstance(store, Store):
        return import_dataset(store, dataset, [str(p) for p in paths], on_error=on_error, actors=actors,
                              dataset_version=dataset_version, storage=storage)
    with Store(default_store_path(store)) as opened:
        return import_dataset(opened, dataset, [str(p) for p in paths], on_error=on_error, actors=actors,
                              dataset_version=dataset_version, storage=storage)
