"""`dyadwatch backup DEST` and `dyadwatch restore BACKUP`: a consistent, verified copy of the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyadwatch.cli._common import StoreOption, console
from dyadwatch.store import default_store_path
from dyadwatch.store.maintenance import backup, check, restore


def backup_command(
    dest: Annotated[Path, typer.Argument(help="A new folder for the backup.", show_default=False)],
    store: StoreOption = None,
) -> None:
    """Copy the store, its Parquet partitions and search index into DEST, with SHA-256 sums.

    The store is locked for writing during the copy, so the backup is consistent.
    """
    manifest = backup(default_store_path(store), dest)
    size = sum(f.size for f in manifest.files)
    console.print(
        f"Backed up {manifest.counts.get('documents', 0):,} documents and "
        f"{manifest.counts.get('events', 0) + manifest.counts.get('dataset_events', 0):,} events "
        f"({len(manifest.files)} files, {size:,} bytes) to {dest}.",
        highlight=False,
    )


def restore_command(
    backup_dir: Annotated[Path, typer.Argument(help="A folder written by dyadwatch backup.", show_default=False)],
    store: StoreOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing store at --store.")] = False,
) -> None:
    """Verify a backup's checksums and restore it as the store (checked before it replaces anything)."""
    path = restore(backup_dir, default_store_path(store), force=force)
    report = check(path, deep=False)
    console.print(
        f"Restored {report.counts.get('documents', 0):,} documents and "
        f"{report.counts.get('events', 0) + report.counts.get('dataset_events', 0):,} events to {path}; "
        "the check passed.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
