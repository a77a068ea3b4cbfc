"""Making writes outside DuckDB durable: a file flushed to disk, a rename made to stick.

The store's Parquet manifests, the dashboard's corrections journal and backups write
files beside the DuckDB file; a crash must never leave a manifest naming a file that was
still in memory, nor lose a rename that was reported done.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

__all__ = ["fsync_file", "fsync_folder"]


def fsync_file(path: Path) -> None:
    """Flush a written file to disk."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (POSIX); a no-op where folders
    cannot be opened or synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
