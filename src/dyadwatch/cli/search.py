"""`dyadwatch search QUERY`: ranked keyword search over the library's sentences."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import StoreOption, console, parse_day


def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", AND / OR, -excluded.')],
    store: StoreOption = None,
    limit: Annotated[int, typer.Option(help="At most this many sentences.")] = 20,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    publisher: Annotated[str | None, typer.Option(help="Only this publisher.")] = None,
    all_copies: Annotated[bool, typer.Option("--all-copies", help="Show each near-duplicate copy of a story.")] = False,
) -> None:
    """Sentences that match the query, best first (BM25), with their document and date."""
    with dyadwatch.open(store, read_only=True) as lib:
        hits = lib.search(
            query, limit=limit, date_from=parse_day(date_from, "--from"),
            date_to=parse_day(date_to, "--to"), publisher=publisher, collapse=not all_copies,
        )
    if hits.empty:
        console.print(f"No sentence matches {query!r}.")
        return
    table = Table(title=f"{len(hits)} sentences for {query!r}")
    for column in ("score", "date", "publisher", "doc", "copies", "sentence"):
        table.add_column(column, overflow="fold" if column == "sentence" else "ellipsis")
    for row in hits.itertuples():
        date = "" if row.published is None or str(row.published) == "NaT" else str(row.published)[:10]
        table.add_row(f"{row.score:.2f}", date, row.publisher or "", f"{row.doc_id[:10]}:{row.sentence_idx}", str(row.copies), row.text)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("search")(search)
