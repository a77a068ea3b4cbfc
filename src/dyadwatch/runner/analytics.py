"""Study measures over event files larger than one machine: DuckDB per partition, one merge.

The study's aggregation is split into additive partials (:func:`dyadwatch.study.measures.partial_aggregates`)
and one :func:`~dyadwatch.study.measures.finalise`. Here the partials run on the runner's
workers, each over a group of Parquet files (``read_parquet([...])``), and this process sums
them and derives the measures: the same SQL and the same finalise as a local study, so the
same numbers (counts and sums are exact; a sum of Goldstein scores may differ in the last bit
with the order of addition).

What is split and what is not: the dataset partitions (``<store>.partitions``) split freely by
file. The events coded from the library stay one partition, because the study counts the
copies of one wire story once, and that de-duplication must see all of a story's events: they
are exported once to a Parquet file in the run folder and aggregated by one task.

>>> import duckdb, pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for i in range(3):
...     _ = duckdb.sql(f"COPY (SELECT {i} AS k, 1 AS n) TO '{folder}/p{i}.parquet' (FORMAT parquet)")
>>> frame = map_partitions(sorted(folder.glob("*.parquet")), count_rows, files_per_task=2)
>>> int(frame["n"].sum())
3
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from dyadwatch.runner.base import Runner
from dyadwatch.runner.local import LocalRunner
from dyadwatch.store.sql import sql_files, sql_literal

if TYPE_CHECKING:
    from dyadwatch.store import Store
    from dyadwatch.study.spec import StudySpec

__all__ = ["count_rows", "event_files", "map_partitions", "study_measures", "study_partials"]

Partial = Callable[[duckdb.DuckDBPyConnection, str], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class _PartitionTask:
    files: tuple[str, ...]
    partial: Partial


def _run_partial(task: _PartitionTask) -> pd.DataFrame:
    """One task: the partial function over a group of Parquet files, in a fresh DuckDB."""
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        relation = f"read_parquet({sql_files(task.files)}, union_by_name = true)"
        return task.partial(con, relation)


def count_rows(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    """A partial for tests and checks: the number of rows of the relation."""
    return con.execute(f"SELECT count(*) AS n FROM {relation}").df()


def map_partitions(
    files: Sequence[str | Path],
    partial: Partial,
    *,
    runner: Runner | None = None,
    files_per_task: int = 16,
    whole: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """``partial(con, relation)`` over groups of ``files_per_task`` files on ``runner``'s
    workers, concatenated; each file of ``whole`` is a group of its own (never split)."""
    runner = runner or LocalRunner()
    names = [str(Path(f).resolve()) for f in files]
    groups = [tuple(names[i : i + files_per_task]) for i in range(0, len(names), files_per_task)]
    groups += [(str(Path(f).resolve()),) for f in whole]
    if not groups:
        return pd.DataFrame()
    runner.check(paths=sorted({Path(f).parent for group in groups for f in group})[:20])
    frames = [frame for _, frame in sorted(runner.map_batches(_run_partial, (_PartitionTask(g, partial) for g in groups)),
                                           key=lambda item: item[0])]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def event_files(store: Store) -> list[Path]:
    """The Parquet part files of the store's imported datasets (the ``dataset_events`` view)."""
    from dyadwatch.store.parquet import PartitionSet, partitions_folder

    folder = partitions_folder(store)
    if folder is None or not (folder / "manifest.json").exists():
        return []
    return [folder / rel for rel in sorted(PartitionSet(folder).manifest.parts)]


def _study_partial(con: duckdb.DuckDBPyConnection, relation: str, *, spec: StudySpec) -> pd.DataFrame:
    from dyadwatch.study.measures import partial_aggregates

    return partial_aggregates(con, relation, spec)


def study_partials(
    store: Store, spec: StudySpec, *, runner: Runner | None = None, files_per_task: int = 16,
    runs_dir: str | None = None,
) -> pd.DataFrame:
    """The study's additive partials over every event of ``store``, computed on ``runner``'s
    workers: the dataset partitions by groups of files, the coded events as one partition."""
    from dyadwatch.runner.shards import RunFolder

    folder = RunFolder.create(store.path, f"measures-{id(spec):x}", runs_dir)
    try:
        whole: list[Path] = []
        if store.count("events"):
            own = folder.path / "events.parquet"
            store.con.execute(f"COPY (SELECT * FROM events) TO {sql_literal(own)} (FORMAT parquet, COMPRESSION zstd)")
            whole.append(own)
        return map_partitions(event_files(store), functools.partial(_study_partial, spec=spec), runner=runner,
                              files_per_task=files_per_task, whole=whole)
    finally:
        folder.remove()


def study_measures(
    store: Store, spec: StudySpec, *, runner: Runner | None = None, files_per_task: int = 16,
    runs_dir: str | None = None,
) -> pd.DataFrame:
    """The study's measures (the long frame of :func:`~dyadwatch.study.measures.finalise`)
    over ``store``, with the partials computed on ``runner``'s workers."""
    from dyadwatch.study.measures import finalise, partial_aggregates

    partials = study_partials(store, spec, runner=runner, files_per_task=files_per_task, runs_dir=runs_dir)
    if partials.empty:  # no events at all: the columns of an empty partial
        partials = partial_aggregates(store.con, "(SELECT * FROM all_events LIMIT 0)", spec)
    return finalise(partials, spec)

