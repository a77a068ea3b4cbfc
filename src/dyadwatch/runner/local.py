"""The local runner: this process (``processes=1``, the default) or a process pool.

The pool uses ``forkserver``: a process that holds a DuckDB connection and its threads must
never be forked. It starts on first use and lives until the runner closes; ``setup`` runs in
each worker process before its first batch, so models load once per process.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from dyadwatch.errors import DyadwatchError, Errors
from dyadwatch.runner.base import Runner, RunnerError

__all__ = ["LocalRunner"]

T = TypeVar("T")


class LocalRunner(Runner):
    """Batches in this process, or in ``processes`` worker processes on this machine.

    >>> runner = LocalRunner()
    >>> runner.serial, runner.describe()
    (True, 'local (1 process)')
    """

    name = "local"

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, int(processes))
        self.serial = self.processes == 1
        self._pool: ProcessPoolExecutor | None = None
        self._setups: set[int] = set()

    @property
    def parallelism(self) -> int:
        return self.processes

    def describe(self) -> str:
        return f"local ({self.processes} process{'es' if self.processes > 1 else ''})"

    def map_batches(
        self,
        fn: Callable[[Any], T],
        batches: Iterable[Any],
        *,
        setup: Callable[[], object] | None = None,
        window: int | None = None,
    ) -> Iterator[tuple[int, T]]:
        if self.serial:
            if setup is not None and id(setup) not in self._setups:
                setup()
                self._setups.add(id(setup))
            for index, batch in enumerate(batches):
                yield index, fn(batch)
            return
        yield from self._pooled(fn, batches, setup, window or 2 * self.processes)

    def _pooled(
        self, fn: Callable[[Any], T], batches: Iterable[Any], setup: Callable[[], object] | None, window: int
    ) -> Iterator[tuple[int, T]]:
        pool = self._ensure_pool()
        # set-up runs in each worker before its first batch of this kind, once per process
        task: Callable[[Any], T] = functools.partial(_with_setup, setup, fn) if setup is not None else fn
        pending: dict[Future[T], int] = {}
        source = enumerate(batches)
        try:
            for index, batch in source:
                pending[pool.submit(task, batch)] = index
                if len(pending) >= window:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: pending[f]):
                    index = pending.pop(future)
                    result = _result(future, index)
                    following = next(source, None)
                    if following is not None:
                        pending[pool.submit(task, following[1])] = following[0]
                    yield index, result
        finally:
            for future in pending:
                future.cancel()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        """The pool, started on first use and kept until :meth:`close`: its workers keep
        their loaded models from one stage (or one call) to the next."""
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


_done_setups: set[bytes] = set()


def _with_setup(setup: Callable[[], object], fn: Callable[[Any], T], batch: Any) -> T:
    """Run ``setup`` once in this process (per distinct set-up), then ``fn(batch)``."""
    key = pickle.dumps(setup)
    if key not in _done_setups:
        setup()
        _done_setups.add(key)
    return fn(batch)


def _result(future: Future[T], index: int) -> T:
    try:
        return future.result()
    except DyadwatchError:
        raise
    except Exception as exc:  # a worker's crash or a bug in the batch function
        raise RunnerError(
            Errors.E807, batch=index, worker=f"a local worker process (this is pid {os.getpid()})",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
