"""`dyadwatch fetch gdelt | ucdp`: download event datasets, verified, with an account of every file.

The command ends with the account: files expected, fetched, already present, missing and
corrupt (each missing or corrupt file listed with its reason), and rows kept when filtering.
It exits 3 when files are missing or corrupt (their events are not in the data), unless
``--allow-missing``; re-running the same command resumes an interrupted fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dyadwatch.cli._common import StoreOption, console, console_err, parse_day
from dyadwatch.datasets.fetch import (
    ACCOUNT_FILE,
    MAX_WORKERS,
    UCDP_BASE_URL,
    FetchAccount,
    default_download_dir,
    fetch_gdelt,
    fetch_ucdp,
)

# dyadwatch.datasets.import_files(store, dataset, paths): what --import calls
Importer = Callable[[str | None, str, list[Path]], object]

EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
_SHOWN = 20  # missing or corrupt files listed on screen; all are in fetch-account.json

app = typer.Typer(
    help="Download GDELT or UCDP GED files, check each, and account for every one.",
    no_args_is_help=True,
)

DestOption = Annotated[
    Path | None,
    typer.Option("--dest", help="The download folder (default: beside the store, STORE.datasets/DATASET).", show_default=False),
]
AllowMissingOption = Annotated[
    bool,
    typer.Option("--allow-missing", help="Exit 0 even when files are missing or corrupt (they are still listed)."),
]
ImportOption = Annotated[
    bool,
    typer.Option(
        "--import",
        help="Import the verified files into the store afterwards (an incomplete fetch only with --allow-missing).",
    ),
]


@app.command("gdelt")
def gdelt(
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).", show_default=False)],
    end: Annotated[str, typer.Option(help="Last day, included (YYYY-MM-DD).", show_default=False)],
    version: Annotated[int, typer.Option("--version", help="GDELT 2 (15-minute files, from 2015-02-18) or 1 (daily, and yearly/monthly before 2013-04).")] = 2,
    actors: Annotated[str | None, typer.Option(help="Keep the rows involving these CAMEO actor codes, e.g. RUS,AFG,TAL.")] = None,
    store: StoreOption = None,
    dest: DestOption = None,
    workers: Annotated[int, typer.Option(help=f"Files downloaded at a time (1..{MAX_WORKERS}).")] = 4,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Where the files are (a mirror); default GDELT's own.")] = None,
    list_url: Annotated[str | None, typer.Option("--list-url", help="GDELT's file list (default BASE/masterfilelist.txt; 1.0: BASE/md5sums).")] = None,
    sizes_url: Annotated[str | None, typer.Option("--sizes-url", help="GDELT 1.0's sizes list (default BASE/filesizes).")] = None,
    refresh_list: Annotated[bool, typer.Option("--refresh-list", help="Fetch the file list again even when the saved one covers the range.")] = False,
    on_error: Annotated[str, typer.Option("--on-error", help="A malformed line of the file list: stop, or skip it (the file it names counts as missing).", case_sensitive=False)] = "stop",
    allow_missing: AllowMissingOption = False,
    import_after: ImportOption = False,
) -> None:
    """Download GDELT's event files for a date range, checked against GDELT's sizes and MD5s."""
    importer = _importer() if import_after else None
    first = parse_day(start, "--start")
    last = parse_day(end, "--end")
    assert first is not None and last is not None  # both options are required
    mode = on_error.lower()
    if mode not in ("stop", "skip"):
        raise typer.BadParameter(f"must be stop or skip. Got {on_error!r} instead.", param_hint="--on-error")
    folder = dest if dest is not None else default_download_dir(store, f"gdelt{version}")
    with _progress(f"GDELT {version}.0 files") as tick:
        account = fetch_gdelt(
            folder, first, last, version=version, actors=actors, base_url=base_url, list_url=list_url,
            sizes_url=sizes_url, workers=workers, refresh_list=refresh_list,
            on_error="skip" if mode == "skip" else "stop", progress=tick,
        )
    _print_account(account, f"GDELT {version}.0, {first} .. {last}")
    _finish(account, allow_missing, importer, store)


@app.command("ucdp")
def ucdp(
    version: Annotated[str, typer.Option("--version", help="The GED release, e.g. 23.1 or 24.1.")] = "23.1",
    store: StoreOption = None,
    dest: DestOption = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the GED releases are.")] = UCDP_BASE_URL,
    allow_missing: AllowMissingOption = False,
    import_after: ImportOption = False,
) -> None:
    """Download a UCDP GED release (zipped CSV); check it and record its size and SHA-256."""
    importer = _importer() if import_after else None
    folder = dest if dest is not None else default_download_dir(store, "ucdp")
    with _progress("UCDP GED"):
        account = fetch_ucdp(folder, version=version, base_url=base_url)
    _print_account(account, f"UCDP GED {version}")
    _finish(account, allow_missing, importer, store)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error; Ctrl-C ends with a word on resuming."""
    bar = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console_err, transient=True
    )
    task = bar.add_task(label, total=None)

    def tick(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        with bar:
            yield tick
    except KeyboardInterrupt:
        console_err.print(
            "[bold yellow]interrupted[/]: re-run the same command to resume "
            "(verified files are kept, partial ones resumed).",
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _print_account(account: FetchAccount, title: str) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("note")
    table.add_row("files expected", str(account.expected), "")
    table.add_row("fetched", str(len(account.fetched)), _size(account.bytes_downloaded))
    table.add_row("already present", str(len(account.already_present)), "")
    table.add_row("missing", _flag(len(account.missing)), "")
    table.add_row("corrupt", _flag(len(account.corrupt)), "")
    if account.rows_kept is not None:
        table.add_row("rows kept", f"{account.rows_kept:,}", f"of {account.rows_seen:,} involving {', '.join(account.actors)}")
        if account.rows_unreadable:
            table.add_row("rows unreadable", _flag(account.rows_unreadable), "too few fields to test")
    elif account.rows_seen is not None:
        table.add_row("rows", f"{account.rows_seen:,}", "")
    console.print(table)
    if account.missing:
        listing = Table(title="missing: their events are NOT in the data", title_justify="left", title_style="bold red")
        listing.add_column("file", no_wrap=True)
        listing.add_column("reason", overflow="fold")
        for item in account.missing[:_SHOWN]:
            listing.add_row(item.name, item.reason)
        console.print(listing)
    if account.corrupt:
        listing = Table(title="corrupt: not used", title_justify="left", title_style="bold red")
        listing.add_column("file", no_wrap=True)
        listing.add_column("reason", overflow="fold")
        for bad in account.corrupt[:_SHOWN]:
            listing.add_row(bad.name, bad.reason)
        console.print(listing)
    hidden = max(0, len(account.missing) - _SHOWN) + max(0, len(account.corrupt) - _SHOWN)
    if hidden:
        console.print(f"... and {hidden} more.")
    for note in account.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(f"The account is in {account.dest_dir / ACCOUNT_FILE}.", highlight=False)


def _finish(account: FetchAccount, allow_missing: bool, importer: Importer | None, store: str | None) -> None:
    count = len(account.missing) + len(account.corrupt)
    if account.complete or allow_missing:
        if count:
            console_err.print(f"[yellow]{count} files missing or corrupt[/] (allowed by --allow-missing).", highlight=False)
        if importer is not None:
            paths = list(account.filtered_files or account.files)
            result = importer(store, account.dataset, paths)
            console.print(f"Imported {len(paths)} files into the store" + (f": {result}" if result is not None else "."), highlight=False)
        return
    console_err.print(
        f"[bold red]{count} files missing or corrupt[/]: the data has gaps there. Re-run to retry them, "
        "or pass --allow-missing to accept the gaps." + (" Nothing was imported." if importer else ""),
        highlight=False,
    )
    raise typer.Exit(EXIT_INCOMPLETE)


def _importer() -> Importer:
    """The dataset importer that --import hands the verified files to (the filtered rows
    when actors were given): ``dyadwatch.datasets.import_files(store, dataset, paths)``."""
    import importlib

    importer = getattr(importlib.import_module("dyadwatch.datasets"), "import_files", None)
    if importer is None:
        raise typer.BadParameter(
            "this dyadwatch has no dataset importer (dyadwatch.datasets.import_files) yet: "
            "fetch without --import, then import the files with `dyadwatch import`.",
            param_hint="--import",
        )
    return cast(Importer, importer)


def _flag(count: int) -> str:
    return f"[bold red]{count}[/]" if count else "0"


def _size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{count} bytes"


def register(app_: typer.Typer) -> None:
    """Add the ``fetch`` command group (gdelt, ucdp) to the dyadwatch app."""
    app_.add_typer(app, name="fetch")
