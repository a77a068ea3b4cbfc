"""Runners: where the stages' batches run — this process, a process pool, or a Dask cluster.

See :mod:`dyadwatch.runner.base` for the seam, docs/scale-out.md for running on a cluster.
"""

from dyadwatch.runner.base import RUNNERS, Runner, RunnerError, get_runner, ordered
from dyadwatch.runner.local import LocalRunner

__all__ = ["RUNNERS", "LocalRunner", "Runner", "RunnerError", "get_runner", "ordered"]
