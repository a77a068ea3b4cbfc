"""The runner seam: every stage hands its batches to a runner and gets results back.

A stage (ingest extraction, coding, dataset import, measures over Parquet) cuts its work
into batches, names a picklable function for one batch, and asks a runner to map it:

    for index, result in runner.map_batches(fn, batches, setup=preload):
        commit(index, result)

Results come back as they complete (``index`` says which batch), so the caller commits
each batch as soon as it is ready and shows progress as a local run does. The runner pulls
batches from the iterable lazily, in the caller's thread, with a bounded number in flight:
the caller may read the store to build the next batch while results arrive.

``setup`` runs once per worker process before its first batch (loading the spaCy model,
the actor dictionary, the classifier); the functions keep what they load in a per-process
cache (:mod:`dyadwatch.runner.worker`), so models load once per worker, not per task.

>>> from dyadwatch.runner import get_runner
>>> with get_runner("local") as runner:
...     sorted(runner.map_batches(abs, [-1, -2, 3]))
[(0, 1), (1, 2), (2, 3)]
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dyadwatch.errors import ConfigError, DyadwatchError, Errors

__all__ = ["RUNNERS", "Runner", "RunnerError", "get_runner", "ordered"]

T = TypeVar("T")

RUNNERS = ("local", "dask")


class RunnerError(DyadwatchError):
    """A runner cannot start, or a batch failed on a worker."""


class Runner:
    """Runs a function over batches, locally or on a cluster. Use as a context manager."""

    name = "runner"
    #: a serial runner runs in this process: stages keep their plain in-process path
    serial = False
    #: the address of a live dashboard, if any
    dashboard: str | None = None

    @property
    def parallelism(self) -> int:
        """How many batches run at once."""
        return 1

    def check(self, *, requires: Sequence[str] = (), paths: Sequence[Path] = ()) -> None:
        """Raise a clear error if a worker lacks a module in ``requires`` or cannot see one
        of ``paths`` (a run folder, the source files). Local workers share this process's
        installation and disk: nothing to check."""

    def map_batches(
        self,
        fn: Callable[[Any], T],
        batches: Iterable[Any],
        *,
        setup: Callable[[], object] | None = None,
        window: int | None = None,
    ) -> Iterator[tuple[int, T]]:
        """``(index, fn(batch))`` for every batch, in the order they complete."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.name

    def close(self) -> None:
        """Release processes and connections (idempotent)."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ordered(results: Iterable[tuple[int, T]]) -> Generator[tuple[int, T], None, None]:
    """Results of :meth:`Runner.map_batches` in batch order (held back until their turn).

    >>> list(ordered([(1, "b"), (0, "a"), (2, "c")]))
    [(0, 'a'), (1, 'b'), (2, 'c')]
    """
    waiting: list[tuple[int, int, T]] = []
    following = 0
    for tie, (index, result) in enumerate(results):
        heapq.heappush(waiting, (index, tie, result))
        while waiting and waiting[0][0] == following:
            yield following, heapq.heappop(waiting)[2]
            following += 1
    while waiting:  # only if indices were skipped; keep their order
        index, _, result = heapq.heappop(waiting)
        yield index, result


def get_runner(
    name: str = "local",
    *,
    processes: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float = 5.0,
) -> Runner:
    """A runner by name: ``local`` (``processes``: 1 runs in this process, N a process pool)
    or ``dask`` (``scheduler``: the address of a running cluster; else a local cluster of
    ``workers`` processes, default one per core).

    >>> get_runner("spark")
    Traceback (most recent call last):
    ...
    dyadwatch.runner.base.RunnerError: [E801] Unknown runner 'spark'. Use one of: local, dask.
    """
    key = (name or "local").lower()
    if key not in RUNNERS:
        raise RunnerError(Errors.E801, found=name, allowed=", ".join(RUNNERS))
    for option, value in (("processes", processes), ("workers", workers)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ConfigError(Errors.E802, name=option, rule="a whole number of at least 1", found=value)
    if key == "local":
        if scheduler:
            raise ConfigError(Errors.E802, name="--scheduler", rule="used with --runner dask only", found=scheduler)
        from dyadwatch.runner.local import LocalRunner

        return LocalRunner(processes=processes if processes is not None else (workers or 1))
    from dyadwatch.runner.dask_runner import DaskRunner

    return DaskRunner(scheduler=scheduler, workers=workers, timeout=timeout)
