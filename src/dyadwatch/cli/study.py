"""`dyadwatch study STUDY.toml --out DIR`: run a study and write its results (JSON and CSV)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import StoreOption, console
from dyadwatch.runner.analytics import study_partials
from dyadwatch.runner.cli import (
    RunnerOption,
    RunsDirOption,
    SchedulerOption,
    WorkersOption,
    open_runner,
)
from dyadwatch.study.run import run_study
from dyadwatch.study.spec import StudySpec


def study(
    file: Annotated[Path, typer.Argument(help="The study file (TOML), e.g. examples/russia-afghanistan/study.toml.")],
    out: Annotated[Path, typer.Option(help="Folder for results.json, series.csv, hypotheses.csv, evidence.csv, frames.csv.")] = Path("study-results"),
    store: StoreOption = None,
    report: Annotated[bool, typer.Option("--report", help="Also write the HTML report into OUT/report.")] = False,
    runner: RunnerOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    runs_dir: RunsDirOption = None,
) -> None:
    """Measure the study's dyads, test its hypotheses and write the results with their evidence.

    With --runner dask (or --workers N) the measures are computed per Parquet partition on the
    workers and merged by the same code as the local run."""
    spec = StudySpec.load(file)
    distributed = runner != "local" or workers is not None
    with ExitStack() as stack:
        where = stack.enter_context(open_runner(runner, scheduler=scheduler, workers=workers)) if distributed else None
        lib = stack.enter_context(dyadwatch.open(store, read_only=True))
        with console.status("running the study") as status:
            partials = None
            if where is not None:
                status.update(f"aggregating events on {where.describe()}")
                partials = study_partials(lib.store, spec, runner=where, runs_dir=runs_dir)
            results = run_study(lib.store, spec, progress=lambda msg: status.update(msg), partials=partials)
        folder = results.write(out)
        store_path = lib.store.path
    _print(results.hypotheses)
    console.print(f"results: {folder / 'results.json'} (and series.csv, hypotheses.csv, evidence.csv, frames.csv)",
                  highlight=False, soft_wrap=True)
    if report:
        try:
            from dyadwatch.report import write_report
        except ImportError:
            console.print("--report: the report module is not installed; the results files are written.")
            return
        index = write_report(folder, folder / "report", store=store_path)
        console.print(f"report: {index}", highlight=False, soft_wrap=True)


def _print(frame: object) -> None:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    table = Table(title="Hypotheses", show_lines=False, expand=False)
    for column in ("id", "verdict", "method", "estimate", "interval", "p"):
        table.add_column(column)
    for row in frame.to_dict("records"):
        interval = (f"{row['ci_low']:.3g} .. {row['ci_high']:.3g}"
                    if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]) else "")
        table.add_row(
            str(row["id"]), str(row["verdict"]), str(row["method"] or ""),
            f"{row['estimate']:.3g}" if pd.notna(row["estimate"]) else "", interval,
            f"{row['p_value']:.3g}" if pd.notna(row["p_value"]) else "",
        )
    console.print(table)
    for row in frame.to_dict("records"):
        console.print(f"  {row['sentence']}", highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("study")(study)
