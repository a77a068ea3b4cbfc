"""`dyadwatch library`: list the documents, or show one with its sentences."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

import dyadwatch
from dyadwatch.cli._common import StoreOption, console, parse_day

app = typer.Typer(help="List the library's documents, or show one with its sentences.")


PublisherOption = Annotated[str | None, typer.Option(help="Only this publisher.")]
FromOption = Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")]
LimitOption = Annotated[int, typer.Option(help="At most this many rows.")]


@app.callback(invoke_without_command=True)
def _default(
    ctx: typer.Context,
    store: StoreOption = None,
    publisher: PublisherOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    limit: LimitOption = 50,
) -> None:
    """Without a sub-command: the same as `dyadwatch library list`."""
    if ctx.invoked_subcommand is None:
        list_documents(store=store, publisher=publisher, date_from=date_from, date_to=date_to, limit=limit)


@app.command("list")
def list_documents(
    store: StoreOption = None,
    publisher: PublisherOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    limit: LimitOption = 50,
) -> None:
    """The documents, oldest first: id, date, publisher, title, sentences, duplicate group."""
    with dyadwatch.open(store, read_only=True) as lib:
        frame = lib.documents(
            publisher=publisher, date_from=parse_day(date_from, "--from"),
            date_to=parse_day(date_to, "--to"), limit=limit,
        )
        total = lib.count_documents()
    table = Table(title=f"{len(frame)} of {total} documents")
    for column in ("id", "date", "publisher", "title", "sentences", "group"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
    for row in frame.itertuples():
        group = "" if row.dup_group == row.doc_id else row.dup_group[:10]
        date = "" if row.published is None or str(row.published) == "NaT" else str(row.published)[:10]
        table.add_row(row.doc_id[:10], date, row.publisher or "", row.title or "", str(row.sentences), group)
    console.print(table)


@app.command("show")
def show(
    doc: Annotated[str, typer.Argument(help="A document id (or a unique prefix of 6+ characters), or your own id.")],
    store: StoreOption = None,
) -> None:
    """One document: its metadata, then its sentences with their offsets."""
    with dyadwatch.open(store, read_only=True) as lib:
        document = lib.document(doc)
        if document is None:
            console.print(f"[red]No document matches {doc!r}.[/] Run `dyadwatch library list` to see the ids.")
            raise typer.Exit(code=1)
        sentences = lib.document_sentences(document.doc_id)
    console.print(f"[bold]{document.title or '(no title)'}[/]")
    for label, value in (
        ("id", document.doc_id), ("published", f"{document.published} (from {document.date_source})"),
        ("publisher", document.publisher), ("author", document.author), ("url", document.url),
        ("language", document.language), ("source", f"{document.source} ({document.source_kind})"),
        ("your id", document.user_id), ("duplicate group", document.dup_group),
    ):
        if value:
            console.print(f"  {label:>15}: {value}", highlight=False)
    console.print()
    for sent in sentences:
        console.print(f"[dim]{sent.idx:>3} [{sent.start}:{sent.end}][/] {sent.text}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="library")
