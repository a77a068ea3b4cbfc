"""`dyadwatch ingest SOURCE...`: collect files, folders, globs, URLs and feeds into the store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import OnErrorOption, StoreOption, console, console_err
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.ingest import IngestReport
from dyadwatch.library.ingest import ingest as ingest_sources
from dyadwatch.runner.cli import RunnerOption, SchedulerOption, WorkersOption, open_runner


def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, globs, URLs, feeds or URL-list files.")],
    store: StoreOption = None,
    on_error: OnErrorOption = "stop",
    rate_limit: Annotated[float, typer.Option(help="Seconds between requests to one host.")] = 1.0,
    timeout: Annotated[float, typer.Option(help="Seconds before a request times out.")] = 20.0,
    runner: RunnerOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Collect sources into the library. Re-running adds nothing already stored."""
    # the runner first: an unreachable cluster must not leave a new, empty store behind
    with open_runner(runner, scheduler=scheduler, workers=workers) as where, dyadwatch.open(store) as lib, \
            Fetcher(min_interval=rate_limit, timeout=timeout) as fetcher:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[docs]} documents"),
            TimeElapsedColumn(),
            console=console_err,
            transient=True,
        ) as bar:
            task = bar.add_task("ingesting", total=None, docs=0)

            def tick(location: str, docs: int) -> None:
                bar.update(task, advance=1, docs=docs, description=_short(location))

            report = ingest_sources(
                lib.store, sources, on_error=on_error.lower(), fetcher=fetcher, progress=tick,  # type: ignore[arg-type]
                runner=where, workers=workers if where.serial else None,
            )
        print_report(report)
        if report.skipped:
            raise typer.Exit(code=0)


def print_report(report: IngestReport) -> None:
    console.print(
        f"[bold]{report.documents_added}[/] documents added "
        f"({report.sentences_added} sentences), {report.documents_existing} already stored, "
        f"{report.sources_unchanged} of {report.sources} sources unchanged, "
        f"{report.duplicates_grouped} grouped as near-duplicates."
    )
    if report.skipped:
        table = Table(title=f"{len(report.skipped)} skipped", show_lines=False)
        table.add_column("where")
        table.add_column("code")
        table.add_column("why")
        for item in report.skipped:
            table.add_row(item.where, item.code, item.message)
        console.print(table)


def _short(location: str, width: int = 40) -> str:
    return location if len(location) <= width else "…" + location[-(width - 1):]


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
