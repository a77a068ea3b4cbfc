"""`dyadwatch check`: read the whole store and report its integrity (exit 1 on a problem)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from dyadwatch.cli._common import StoreOption, console
from dyadwatch.store import default_store_path
from dyadwatch.store.maintenance import CheckReport, check


def check_command(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="Skip reading every row and part file (faster, finds less).")] = False,
) -> None:
    """Check the store: schema version, orphan sentences and events, duplicates, Parquet parts.

    Exits 0 when the store is sound, 1 when the check found problems (each a coded finding).
    """
    report = check(default_store_path(store), deep=not quick)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=1, sort_keys=True))
    else:
        print_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


def print_report(report: CheckReport) -> None:
    verdict = "[bold green]ok[/]" if report.ok else f"[bold red]{len(report.findings)} problems[/]"
    console.print(f"{report.store}: {verdict} (schema version {report.schema_version})", highlight=False)
    counts = Table(show_header=False, title="counts", title_justify="left")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, value in sorted(report.counts.items()):
        counts.add_row(name, f"{value:,}")
    console.print(counts)
    if report.findings:
        table = Table(title="problems", title_justify="left", title_style="bold red")
        table.add_column("code")
        table.add_column("count", justify="right")
        table.add_column("what, and what to do", overflow="fold")
        for finding in report.findings:
            table.add_row(finding.code, f"{finding.count:,}", finding.message)
        console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
