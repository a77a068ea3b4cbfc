"""`dyadwatch demo`: run the bundled Russia–Afghanistan example into a fresh store."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from dyadwatch.cli._common import cell_text, console
from dyadwatch.demo import run_demo


def demo(
    out: Annotated[str, typer.Option(help="Folder for the demo's store and outputs (made fresh).")] = "dyadwatch-demo",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Print the report to PDF too (needs Chromium).")] = True,
    shown: Annotated[int, typer.Option("--events", help="How many Russia-Taliban events to print.")] = 20,
) -> None:
    """Ingest the example library into a fresh store, code it, print a summary and the
    Russia-Taliban events with their evidence, run the example study and write its report."""
    result = run_demo(out, pdf=pdf)
    s = result.summary
    console.print("[bold]dyadwatch demo: Russia and Afghanistan after the Taliban's return[/]")
    console.print(f"  documents         {s['documents']}")
    console.print(f"  sentences         {s['sentences']}")
    console.print(f"  stories           {s['stories']} ({s['duplicate_groups']} near-duplicate groups)")
    console.print(f"  publishers        {s['publishers']}")
    console.print(f"  date range        {s['date_from']} .. {s['date_to']}")
    console.print(f"  events            {s['events']} (coded by {result.code.coder})")
    console.print(f"  store             {result.store}")
    _print_dyad(result.dyad_events, shown)
    if result.study is not None and result.study_dir is not None:
        console.print()
        console.print("[bold]The example study (examples/russia-afghanistan/study.toml)[/]")
        for hypothesis in result.study.document["hypotheses"]:
            console.print(f"  {hypothesis['sentence']}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"  results  {result.study_dir / 'results.json'}", highlight=False, soft_wrap=True)
    if result.report is not None:
        console.print(f"  report   {result.report.index}", highlight=False, soft_wrap=True)
        if result.report.pdf is not None:
            console.print(f"  PDF      {result.report.pdf}", highlight=False, soft_wrap=True)
        elif result.report.pdf_skipped:
            console.print(f"  PDF      skipped: {result.report.pdf_skipped}", highlight=False, soft_wrap=True)
    console.print()
    console.print("Explore it:", highlight=False)
    console.print(f"  dyadwatch library --store {result.store}", highlight=False, soft_wrap=True)
    console.print(f"  dyadwatch events --dyad RUS-taliban --undirected --store {result.store}", highlight=False,
                  soft_wrap=True)
    console.print(f"  dyadwatch serve --store {result.store}", highlight=False, soft_wrap=True)
    console.print(f"  dyadwatch search 'ISIS-K' --store {result.store}", highlight=False, soft_wrap=True)


def _print_dyad(frame: pd.DataFrame, shown: int) -> None:
    """The Russia-Taliban events, oldest first, each with the sentence it rests on (the first
    ``shown`` of them; the rest are counted)."""
    console.print()
    console.print(f"[bold]Russia-Taliban events ({len(frame)}), with their evidence[/]")
    for event in frame.head(max(shown, 0)).to_dict("records"):
        date = cell_text(event["date"])[:10]
        flags = ", ".join(
            flag for flag in ("negated" if event["negated"] else "", "" if event["modality"] == "asserted" else cell_text(event["modality"])) if flag
        )
        console.print(
            f"  {date}  {cell_text(event['source_country'])}{cell_text(event['source_sector'])} -> "
            f"{cell_text(event['target_country'])}{cell_text(event['target_sector'])}  CAMEO {event['cameo_code']} "
            f"(quad {event['quad_class']}, Goldstein {event['goldstein']}){'  [' + flags + ']' if flags else ''}",
            highlight=False, markup=False,
        )
        console.print(
            f"      \"{event['sentence']}\" ({cell_text(event['publisher'])}; rule {event['rule']})",
            highlight=False, markup=False, style="dim",
        )
    if len(frame) > shown:
        console.print(f"  ... and {len(frame) - shown} more (dyadwatch events, below, lists them all)",
                      highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
