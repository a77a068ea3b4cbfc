"""The `dyadwatch` command: one module per verb, each a thin layer over the Python API."""

from __future__ import annotations

import logging
import sys

import typer

from dyadwatch.cli import actors as actors_cmd
from dyadwatch.cli import backup as backup_cmd
from dyadwatch.cli import check as check_cmd
from dyadwatch.cli import code as code_cmd
from dyadwatch.cli import compare as compare_cmd
from dyadwatch.cli import demo as demo_cmd
from dyadwatch.cli import evaluate as evaluate_cmd
from dyadwatch.cli import events as events_cmd
from dyadwatch.cli import fetch as fetch_cmd
from dyadwatch.cli import import_ as import_cmd
from dyadwatch.cli import ingest as ingest_cmd
from dyadwatch.cli import library as library_cmd
from dyadwatch.cli import report as report_cmd
from dyadwatch.cli import search as search_cmd
from dyadwatch.cli import serve as serve_cmd
from dyadwatch.cli import study as study_cmd
from dyadwatch.cli import train as train_cmd
from dyadwatch.errors import DyadwatchError

app = typer.Typer(
    name="dyadwatch",
    help="Political event data for a pair of actors: library -> events -> dyads -> studies -> report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ingest_cmd.register(app)
import_cmd.register(app)
library_cmd.register(app)
search_cmd.register(app)
code_cmd.register(app)
events_cmd.register(app)
compare_cmd.register(app)
evaluate_cmd.register(app)
fetch_cmd.register(app)
train_cmd.register(app)
demo_cmd.register(app)
check_cmd.register(app)
backup_cmd.register(app)
report_cmd.register(app)
serve_cmd.register(app)
study_cmd.register(app)
app.add_typer(actors_cmd.app, name="actors")


def main() -> None:
    """Entry point: run the app, turning a DyadwatchError into its message and exit code 1."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except DyadwatchError as exc:
        from dyadwatch.cli._common import console_err

        console_err.print(f"[bold red]error[/] {exc}", highlight=False, markup=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
