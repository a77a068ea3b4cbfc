"""The Dask runner: batches as tasks on a ``dask.distributed`` cluster.

``DaskRunner(scheduler="tcp://HOST:8786")`` joins a running cluster (dask-jobqueue on
Slurm, dask-kubernetes, ``dask scheduler`` + ``dask worker`` by hand);
``DaskRunner(workers=N)`` starts a ``LocalCluster`` of N single-threaded worker processes
on this machine. Tasks are submitted a window at a time and gathered as they complete.

A worker lost mid-run costs only its batch: the scheduler gives the task to another
worker (up to ``distributed.scheduler.allowed-failures`` times), and the task writes its
shard atomically, so a half-written shard is never seen. ``setup`` is installed as a worker
plugin: it runs on every worker, including the ones that join or restart later.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dyadwatch.errors import DyadwatchError, Errors, require
from dyadwatch.runner.base import Runner, RunnerError

__all__ = ["DaskRunner"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class DaskRunner(Runner):
    """Batches on a Dask cluster: the one at ``scheduler``, or a local one of ``workers``."""

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        *,
        timeout: float = 5.0,
        dashboard_address: str | None = ":0",
    ) -> None:
        distributed = require("distributed", "dask")
        self.scheduler = scheduler
        self._cluster: Any = None
        self._plugins: set[str] = set()
        if scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise RunnerError(
                    Errors.E803, address=scheduler, timeout=timeout, detail=_first_line(exc)
                ) from exc
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except (TimeoutError, OSError) as exc:
                self.close()
                raise RunnerError(Errors.E809, timeout=timeout, address=scheduler) from exc
        else:
            count = workers or os.cpu_count() or 1
            if importlib.util.find_spec("bokeh") is None:
                dashboard_address = None  # the dashboard needs bokeh; without it Dask only logs a warning
            self._cluster = distributed.LocalCluster(
                n_workers=count, threads_per_worker=1, processes=True,
                dashboard_address=dashboard_address, silence_logs=logging.ERROR,
            )
            self.client = distributed.Client(self._cluster, set_as_default=False)
        self.dashboard = self._dashboard()

    def _dashboard(self) -> str | None:
        info = self.client.scheduler_info()
        if not info.get("services", {}).get("dashboard"):
            return None
        return str(self.client.dashboard_link)

    @property
    def parallelism(self) -> int:
        threads = self.client.nthreads()
        return max(1, sum(threads.values()))

    def describe(self) -> str:
        where = self.scheduler or "a local cluster"
        return f"dask on {where} ({len(self.client.nthreads())} workers, {self.parallelism} threads)"

    def worker_pids(self) -> dict[str, int]:
        """The process id of each worker (tests kill one to check recovery)."""
        return dict(self.client.run(os.getpid))

    # -- checks ---------------------------------------------------------------------------

    def check(self, *, requires: Sequence[str] = (), paths: Sequence[Path] = ()) -> None:
        """Every worker must import ``requires`` (dyadwatch of this version, the model packages)
        and see ``paths`` (shared storage); the error names the worker and what it lacks."""
        from dyadwatch import __version__

        modules = list(dict.fromkeys(["dyadwatch", *requires]))
        # find_spec is from the standard library: it runs even on a worker without dyadwatch
        for module in modules:
            found = self.client.run(importlib.util.find_spec, module, on_error="return")
            for worker, spec in sorted(found.items()):
                if spec is None or isinstance(spec, BaseException):
                    raise RunnerError(Errors.E804, worker=worker, missing=_what(module))
        versions = self.client.run(_version, on_error="return")
        for worker, version in sorted(versions.items()):
            if isinstance(version, BaseException):
                raise RunnerError(Errors.E804, worker=worker, missing=f"a working dyadwatch ({_first_line(version)})")
            if version != __version__:
                raise RunnerError(Errors.E805, worker=worker, found=version, expected=__version__)
        for path in paths:
            seen = self.client.run(os.path.exists, str(path), on_error="return")
            for worker, exists in sorted(seen.items()):
                if exists is not True:
                    raise RunnerError(Errors.E806, worker=worker, folder=str(path))

    # -- mapping --------------------------------------------------------------------------

    def _install(self, setup: Callable[[], object]) -> None:
        from distributed.diagnostics.plugin import WorkerPlugin

        name = f"dyadwatch-setup-{_token(setup)}"
        if name in self._plugins:
            return

        class _Setup(WorkerPlugin):
            def __init__(self, call: Callable[[], object]) -> None:
                self.call = call

            def setup(self, worker: Any) -> None:
                self.call()

        try:
            self.client.register_plugin(_Setup(setup), name=name)
        except DyadwatchError:
            raise
        except Exception as exc:  # a worker cannot load what the stage needs
            raise RunnerError(Errors.E804, worker="(one or more workers)", missing=_first_line(exc)) from exc
        self._plugins.add(name)

    def map_batches(
        self,
        fn: Callable[[Any], T],
        batches: Iterable[Any],
        *,
        setup: Callable[[], object] | None = None,
        window: int | None = None,
    ) -> Iterator[tuple[int, T]]:
        from distributed import as_completed

        if setup is not None:
            self._install(setup)
        limit = window or max(2, 2 * self.parallelism)
        prefix = f"dyadwatch-{getattr(fn, '__name__', 'batch')}-{uuid.uuid4().hex[:8]}"
        source = enumerate(batches)
        index_of: dict[str, int] = {}
        pending = as_completed(loop=self.client.loop)
        outstanding: dict[str, Any] = {}

        def submit(index: int, batch: Any) -> None:
            future = self.client.submit(fn, batch, key=f"{prefix}-{index}", pure=False)
            index_of[future.key] = index
            outstanding[future.key] = future
            pending.add(future)

        try:
            for index, batch in source:
                submit(index, batch)
                if len(outstanding) >= limit:
                    break
            for future in pending:
                index = index_of.pop(future.key)
                outstanding.pop(future.key, None)
                result = _result(self.client, future, index)
                future.release()
                following = next(source, None)
                if following is not None:
                    submit(*following)
                yield index, result
        finally:
            if outstanding:
                self.client.cancel(list(outstanding.values()))

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _result(client: Any, future: Any, index: int) -> Any:
    try:
        return future.result()
    except DyadwatchError:
        raise
    except Exception as exc:
        from distributed import KilledWorker

        worker = "a worker"
        if isinstance(exc, KilledWorker):
            worker = f"{exc.last_worker.address if getattr(exc, 'last_worker', None) else 'its workers'} (killed while running it)"
        raise RunnerError(Errors.E807, batch=index, worker=worker, detail=f"{type(exc).__name__}: {_first_line(exc)}") from exc


def _version() -> str:
    from dyadwatch import __version__

    return __version__


def _what(module: str) -> str:
    if module == "dyadwatch":
        return "the Python package 'dyadwatch'"
    if module.startswith("en_core") or "minilm" in module.lower():
        return f"the model package '{module}'"
    return f"the Python package '{module}'"


def _token(setup: Callable[[], object]) -> str:
    import hashlib
    import pickle

    try:
        return hashlib.blake2b(pickle.dumps(setup), digest_size=8).hexdigest()
    except Exception:  # noqa: BLE001 - an unpicklable setup fails later, with Dask's own message
        return uuid.uuid4().hex[:16]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
