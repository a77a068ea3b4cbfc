"""`dyadwatch code`: code the library's sentences into events (incremental, resumable)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import dyadwatch
from dyadwatch.cli._common import StoreOption, console, console_err
from dyadwatch.runner.cli import (
    RunnerOption,
    RunsDirOption,
    SchedulerOption,
    WorkersOption,
    open_runner,
)


def code(
    store: StoreOption = None,
    limit: Annotated[int | None, typer.Option(help="Code at most this many documents.")] = None,
    runner: RunnerOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    runs_dir: RunsDirOption = None,
) -> None:
    """Code every document not yet coded by this coder version; re-running adds nothing."""
    from dyadwatch.coding.coder import RuleCoder
    from dyadwatch.coding.pipeline import code_store

    coder = RuleCoder()
    with open_runner(runner, scheduler=scheduler, workers=workers) as where, dyadwatch.open(store) as lib, Progress(
        TextColumn(f"coding with {coder.name} {coder.version}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("documents"), TimeElapsedColumn(), console=console_err, transient=True,
    ) as bar:
        task = bar.add_task("coding", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = code_store(lib.store, coder, limit=limit, progress=tick, runner=where, runs_dir=runs_dir)
    console.print(
        f"[bold]{report.events}[/] events from {report.sentences} sentences of {report.documents} documents "
        f"({report.documents_already_coded} already coded by {report.coder})."
    )
    skipped = {k: v for k, v in report.stats.items() if k.startswith("skipped") and v}
    if skipped:
        console.print("skipped: " + ", ".join(f"{k} {v}" for k, v in skipped.items()))


def register(app: typer.Typer) -> None:
    app.command("code")(code)
