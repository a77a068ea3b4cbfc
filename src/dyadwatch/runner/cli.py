"""The runner options the stage verbs share: --runner, --scheduler, --workers, --runs-dir.

``dyadwatch code --runner dask --scheduler tcp://HOST:8786`` joins a cluster;
``--runner dask --workers 4`` starts a local one; ``--runner local --workers 2`` uses a
process pool; no option runs as before. The chosen runner and the Dask dashboard address
are printed to standard error before the work starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from dyadwatch.runner.base import Runner, get_runner

__all__ = ["RunnerOption", "RunsDirOption", "SchedulerOption", "WorkersOption", "open_runner"]

RunnerOption = Annotated[
    str,
    typer.Option(
        "--runner", envvar="DYADWATCH_RUNNER", case_sensitive=False,
        help="Where the work runs: local (this machine) or dask (a Dask distributed cluster).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler", envvar="DYADWATCH_SCHEDULER", show_default=False,
        help="With --runner dask: the scheduler's address (tcp://HOST:8786). Without it, a local cluster starts.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, show_default=False,
        help="Worker processes: a local pool (--runner local) or a local Dask cluster (--runner dask).",
    ),
]
RunsDirOption = Annotated[
    str | None,
    typer.Option(
        "--runs-dir", envvar="DYADWATCH_RUNS_DIR", show_default=False,
        help="Where workers write their result shards (default: beside the store). On a cluster: shared storage.",
    ),
]


@contextmanager
def open_runner(name: str = "local", *, scheduler: str | None = None, workers: int | None = None) -> Iterator[Runner]:
    """The runner the options ask for, announced on standard error, closed afterwards."""
    from dyadwatch.cli._common import console_err

    runner = get_runner(name, scheduler=scheduler, workers=workers)
    try:
        if not runner.serial:
            console_err.print(f"runner: {runner.describe()}", highlight=False)
        if runner.name == "dask":
            shown = runner.dashboard or "unavailable (install bokeh>=3.1 for the Dask dashboard)"
            console_err.print(f"Dask dashboard: {shown}", highlight=False)
        yield runner
    finally:
        runner.close()
