"""Files outside DuckDB: writes made durable, and a file's size and digest read back.

The store's Parquet manifests, the dashboard's corrections journal and backups write
files beside the DuckDB file; a crash must never leave a manifest naming a file that was
still in memory, nor lose a rename that was reported done. Downloads and backups are
checked against the size and digest they were listed with.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from pathlib import Path

__all__ = ["file_digest", "fsync_file", "fsync_folder"]


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


def file_digest(path: Path, algorithm: str = "sha256") -> tuple[int, str]:
    """The size of a file and its hex digest (``algorithm`` as hashlib names it), read in 1 MiB
    blocks.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "a").write_bytes(b"abc")
    ...     file_digest(Path(folder) / "a", "md5")
    3
    (3, '900150983cd24fb0d6963f7d28e17f72')
    """
    hasher = hashlib.new(algorithm, usedforsecurity=False)
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            hasher.update(block)
            size += len(block)
    return size, hasher.hexdigest()
