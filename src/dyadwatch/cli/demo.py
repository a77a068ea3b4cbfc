"""`dyadwatch demo`: run the bundled Russia–Afghanistan example into a fresh store."""

from __future__ import annotations

from typing import Annotated

import typer

from dyadwatch.cli._common import console
from dyadwatch.demo import run_demo


def demo(
    out: Annotated[str, typer.Option(help="Folder for the demo's store and outputs (made fresh).")] = "dyadwatch-demo",
) -> None:
    """Ingest the example library into a fresh store and print a summary."""
    result = run_demo(out)
    s = result.summary
    console.print("[bold]dyadwatch demo: Russia and Afghanistan after the Taliban's return[/]")
    console.print(f"  documents         {s['documents']}")
    console.print(f"  sentences         {s['sentences']}")
    console.print(f"  stories           {s['stories']} ({s['duplicate_groups']} near-duplicate groups)")
    console.print(f"  publishers        {s['publishers']}")
    console.print(f"  date range        {s['date_from']} .. {s['date_to']}")
    console.print(f"  store             {result.store}")
    console.print("Explore it:", highlight=False)
    console.print(f"  dyadwatch library --store {result.store}", highlight=False, soft_wrap=True)
    console.print(f"  dyadwatch search 'ISIS-K' --store {result.store}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
