"""`dyadwatch import DATASET FILE...`: GDELT, ICEWS, POLECAT, ACLED or UCDP files into the store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import OnErrorOption, StoreOption, console, console_err
from dyadwatch.datasets import DATASETS, STORAGE, ImportReport, import_dataset
from dyadwatch.runner.cli import RunnerOption, SchedulerOption, WorkersOption, open_runner

_SHOWN = 50  # skipped rows listed on screen; the count is always complete


def import_command(
    dataset: Annotated[str, typer.Argument(help=f"One of: {', '.join(DATASETS)}.", show_default=False)],
    files: Annotated[list[str], typer.Argument(help="Files, folders or globs; plain, .gz or .zip.", show_default=False)],
    store: StoreOption = None,
    on_error: OnErrorOption = "stop",
    actors: Annotated[
        str | None,
        typer.Option("--actors", help="Keep only events with one of these on either side: country codes, "
                     "CAMEO group codes or actor ids, comma-separated (RUS,AFG,TAL).", show_default=False),
    ] = None,
    dataset_version: Annotated[
        str | None,
        typer.Option("--dataset-version", help="The dataset version to record (default: what the file name says).",
                     show_default=False),
    ] = None,
    storage: Annotated[
        str,
        typer.Option(help=f"Where the rows go: {', '.join(STORAGE)} (auto: the events table for small imports, "
                     "Parquet partitions beside the store for large ones)."),
    ] = "auto",
    runner: RunnerOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Import event dataset files into the store, beside the events coded from the library.

    Re-running adds nothing: unchanged files are skipped, changed ones replace their rows.
    """
    mode = on_error.lower()
    if mode not in ("stop", "skip"):
        raise typer.BadParameter(f"must be stop or skip. Got {on_error!r} instead.", param_hint="--on-error")
    with open_runner(runner, scheduler=scheduler, workers=workers) as where, dyadwatch.open(store) as lib, Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[events]:,} events"),
        TimeElapsedColumn(),
        console=console_err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"importing {dataset}", total=None, events=0)

        def tick(location: str, events: int) -> None:
            bar.update(task, advance=1, events=events, description=_short(location))

        report = import_dataset(
            lib.store, dataset, files, on_error=mode,  # type: ignore[arg-type]
            actors=actors, dataset_version=dataset_version, storage=storage.lower(), progress=tick, runner=where,
        )
    print_report(report)


def print_report(report: ImportReport) -> None:
    console.print(
        f"[bold]{report.events_added:,}[/] {report.dataset} events added "
        f"({report.storage or 'nothing to store'}) from {report.rows:,} rows of "
        f"{report.files - report.files_unchanged} files; {report.files_unchanged} files unchanged, "
        f"{report.rows_skipped:,} bad rows skipped, {report.duplicates:,} duplicates collapsed"
        + (f", {report.filtered_out:,} rows about other actors left out." if report.filtered_out else "."),
        highlight=False,
    )
    if report.skipped:
        table = Table(title=f"{len(report.skipped)} skipped" + (f" (first {_SHOWN} shown)" if len(report.skipped) > _SHOWN else ""))
        table.add_column("where")
        table.add_column("code")
        table.add_column("why", overflow="fold")
        for item in report.skipped[:_SHOWN]:
            table.add_row(item.where, item.code, item.message)
        console.print(table)


def _short(location: str, width: int = 40) -> str:
    return location if len(location) <= width else "…" + location[-(width - 1):]


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
