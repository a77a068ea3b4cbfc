"""`dyadwatch compare --dyad RUS-AFG --by month`: one dyad, every source, side by side."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import StoreOption, console, parse_day
from dyadwatch.datasets.compare import PERIODS, compare, parse_dyad
from dyadwatch.errors import ConfigError

FORMATS = ("table", "csv", "json")


def compare_command(
    dyad: Annotated[str, typer.Option(help="SOURCE-TARGET, e.g. RUS-AFG or RUS-taliban (directed).", show_default=False)],
    store: StoreOption = None,
    by: Annotated[str, typer.Option(help=f"Period: {', '.join(PERIODS)}.")] = "month",
    undirected: Annotated[bool, typer.Option("--undirected", help="Both directions of the dyad.")] = False,
    date_from: Annotated[str | None, typer.Option("--from", help="On or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="On or before (YYYY-MM-DD).")] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only these sources (repeat): dyadwatch, gdelt1, gdelt2, icews, polecat, acled, ucdp."),
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Count rows, not stories (GDELT's duplicates then count).")] = False,
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write csv or json to this file (default: standard output).")] = None,
) -> None:
    """Counts per quad class and Goldstein sum and mean, per source and period, for one dyad.

    A story is counted once per quad class (GDELT: by its source URL), so GDELT's repeated
    rows of one report do not inflate its counts; GDELT's mentions, sources and articles and
    ACLED/UCDP fatalities are summed beside.
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}. Got {fmt!r} instead.", param_hint="--format")
    try:
        pair = parse_dyad(dyad)
    except ConfigError as exc:
        raise typer.BadParameter(exc.detail, param_hint="--dyad") from None
    if by not in PERIODS:
        raise typer.BadParameter(f"must be one of {', '.join(PERIODS)}. Got {by!r} instead.", param_hint="--by")
    with dyadwatch.open(store, read_only=True) as lib:
        frame = compare(
            lib.store, pair, by=by, undirected=undirected, date_from=parse_day(date_from, "--from"),
            date_to=parse_day(date_to, "--to"), origins=source or None, dedupe=not raw,
        )
    if fmt == "table":
        _print_table(frame, pair, by, undirected)
        return
    text = frame.to_csv(index=False) if fmt == "csv" else json.dumps(_records(frame), indent=1, ensure_ascii=False) + "\n"
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"{len(frame)} rows written to {out} ({fmt}).")
    else:
        typer.echo(text, nl=False)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in record.items():
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        rows.append(clean)
    return rows


def _print_table(frame: pd.DataFrame, pair: tuple[str, str], by: str, undirected: bool) -> None:
    arrow = "<->" if undirected else "->"
    table = Table(
        title=f"{pair[0]} {arrow} {pair[1]} by {by}: {len(frame)} rows", box=box.SIMPLE_HEAD,
        pad_edge=False, collapse_padding=True,
        caption="stories per quad class: VCoop verbal cooperation, MCoop material cooperation, "
        "VConf verbal conflict, MConf material conflict; G Goldstein over stories",
    )
    columns = [
        ("period", "period"), ("source", "source"), ("events", "events"), ("stories", "stories"),
        ("VCoop", "verbal_cooperation"), ("MCoop", "material_cooperation"),
        ("VConf", "verbal_conflict"), ("MConf", "material_conflict"),
        ("G sum", "goldstein_sum"), ("G mean", "goldstein_mean"),
    ]
    # the dataset extras, where any source has them
    for title, key in (("mentions", "mentions"), ("sources", "sources"), ("deaths", "fatalities")):
        if key in frame and frame[key].notna().any():
            columns.append((title, key))
    width = {"day": 10, "week": 10, "month": 7, "quarter": 7, "year": 4}[by]
    for title, _ in columns:
        table.add_column(title, justify="left" if title in ("period", "source") else "right", no_wrap=True,
                         min_width=max(len(title), width if title == "period" else 0))
    for record in frame.to_dict("records"):
        cells = []
        for _, key in columns:
            value = record.get(key)
            if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
                value = value.item()
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                cells.append("")
            elif key == "period":
                cells.append(str(value)[:width])
            elif isinstance(value, float):
                cells.append(f"{value:,.1f}")
            else:
                cells.append(f"{value:,}" if isinstance(value, int) else str(value))
        table.add_row(*cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)
