"""`dyadwatch events`: query the event table and export it (CSV, Parquet, JSONL, GDELT layout)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import StoreOption, cell_text, console, parse_day
from dyadwatch.coding.export import FORMATS, write_events


def parse_dyad(value: str | None) -> tuple[str, str] | None:
    """`RUS-AFG` as ("RUS", "AFG"); actor ids may stand for countries (RUS-taliban)."""
    if value is None:
        return None
    parts = value.split("-")
    if len(parts) != 2 or not all(parts):
        raise typer.BadParameter(
            f"must be SOURCE-TARGET with country or actor codes, e.g. RUS-AFG. Got {value!r} instead.",
            param_hint="--dyad",
        )
    return parts[0], parts[1]


def events(
    store: StoreOption = None,
    dyad: Annotated[str | None, typer.Option(help="SOURCE-TARGET, e.g. RUS-AFG or RUS-taliban (directed).")] = None,
    undirected: Annotated[bool, typer.Option("--undirected", help="Both directions of the dyad.")] = False,
    date_from: Annotated[str | None, typer.Option("--from", help="On or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="On or before (YYYY-MM-DD).")] = None,
    code: Annotated[str | None, typer.Option(help="CAMEO code or prefix: 04, 043.")] = None,
    quad: Annotated[int | None, typer.Option(help="Quad class 1..4.")] = None,
    origin: Annotated[str | None, typer.Option(help="dyadwatch, gdelt1, gdelt2, icews, polecat, acled, ucdp.")] = None,
    coder: Annotated[str | None, typer.Option(help="Coder name, e.g. dyadwatch-rules.")] = None,
    asserted: Annotated[bool, typer.Option("--asserted", help="Only asserted, non-negated events.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"table, or one of: {', '.join(FORMATS)}.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: standard output).")] = None,
) -> None:
    """Events with their evidence, filtered; as a table or exported."""
    if fmt != "table" and fmt not in FORMATS:
        raise typer.BadParameter(f"must be table or one of {', '.join(FORMATS)}. Got {fmt!r} instead.", param_hint="--format")
    with dyadwatch.open(store, read_only=True) as lib:
        frame = lib.events(
            dyad=parse_dyad(dyad), undirected=undirected, date_from=parse_day(date_from, "--from"),
            date_to=parse_day(date_to, "--to"), code=code, quad_class=quad, origin=origin, coder=coder,
            asserted_only=asserted, limit=limit,
        )
    if fmt == "table":
        _print_table(frame)
        return
    if out is not None:
        count = write_events(frame, out, fmt)
        console.print(f"{count} events written to {out} ({fmt}).")
        return
    if fmt == "parquet":
        raise typer.BadParameter("Parquet needs a file: pass --out FILE.parquet.", param_hint="--out")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"events.{fmt}"
        write_events(frame, path, fmt)
        sys.stdout.write(path.read_text(encoding="utf-8"))


def _print_table(frame: pd.DataFrame) -> None:
    table = Table(title=f"{len(frame)} events")
    for column in ("date", "source", "code", "target", "quad", "flags", "evidence"):
        table.add_column(column, overflow="fold" if column == "evidence" else "ellipsis")
    for event in frame.to_dict("records"):
        source = f"{cell_text(event['source_country'])}{cell_text(event['source_sector'])} {cell_text(event['source_name'])}"
        target = f"{cell_text(event['target_country'])}{cell_text(event['target_sector'])} {cell_text(event['target_name'])}"
        flags = ("negated " if event["negated"] else "") + (
            "" if event["modality"] == "asserted" else cell_text(event["modality"])
        )
        table.add_row(
            cell_text(event["date"])[:10], source.strip(), cell_text(event["cameo_code"]), target.strip(),
            cell_text(event["quad_class"]), flags.strip(), cell_text(event["sentence"]) or cell_text(event["url"]),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("events")(events)
