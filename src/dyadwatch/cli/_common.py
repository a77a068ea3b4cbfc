"""What the verbs share: the consoles, the --store option, opening the library."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

console = Console()
console_err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="DYADWATCH_STORE",
        help="The store file (default: ./dyadwatch.duckdb, or $DYADWATCH_STORE).",
        show_default=False,
    ),
]

OnErrorOption = Annotated[
    str,
    typer.Option(
        "--on-error",
        help="stop: stop at the first bad source and store nothing of it; skip: store the good ones and list the bad.",
        case_sensitive=False,
    ),
]


def parse_day(value: str | None, option: str) -> dt.date | None:
    """A --date-like option as a date, with an error that names the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"must be a date YYYY-MM-DD. Got {value!r} instead.", param_hint=option) from None


def cell_text(value: object) -> str:
    """A data frame cell as text, with missing values (None, NaN, NaT) empty."""
    return "" if value is None or pd.isna(value) else str(value)
