"""`dyadwatch report`: the HTML/PDF report of a study's results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyadwatch.cli._common import console
from dyadwatch.report import build_report


def report(
    results: Annotated[Path, typer.Argument(help="The folder `dyadwatch study ... --out DIR` wrote (holds results.json).")],
    out: Annotated[Path, typer.Option("--out", help="Write the report into this folder (created if needed).")],
    store: Annotated[
        str | None,
        typer.Option("--store", help="Store for document metadata (default: the store the study ran on, if it exists)."),
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Do not print the report to PDF.")] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Do not write PNG/SVG figure files.")] = False,
) -> None:
    """Write a self-contained HTML report (opens offline), its figures, references and a PDF."""
    files = build_report(results, out, store=store, pdf=not no_pdf, figures=not no_figures)
    console.print(f"Report written to {files.index}")
    console.print(
        f"  {len(files.figures)} figure files in {files.index.parent / 'figures'}; "
        f"{files.citations} documents cited: {files.bibtex.name}, {files.csl_json.name}",
        highlight=False,
    )
    if files.pdf is not None:
        console.print(f"  PDF: {files.pdf}")
    elif files.pdf_skipped:
        console.print(f"  PDF skipped: {files.pdf_skipped}. The HTML report is complete.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
