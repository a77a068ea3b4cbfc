"""The dashboard's journal of corrections: an append-only JSONL file, fsynced per line.

A correction is durable once its line is in the journal; it reaches the store when the store
is free (no other process writing it). The journal never shrinks; a small side file holds the
byte offset up to which every line is known to be in the store. Replaying a line twice is
harmless because the store adds a correction only once per ``correction_id``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from dyadwatch.store.corrections import Correction
from dyadwatch.store.durable import fsync_folder

log = logging.getLogger(__name__)

__all__ = ["Journal"]


class Journal:
    """``corrections.jsonl`` and ``corrections.applied`` in the dashboard's folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "corrections.jsonl"
        self._offset_path = folder / "corrections.applied"
        self._lock = threading.Lock()

    def append(self, correction: Correction) -> None:
        """Write one correction and make it durable before returning."""
        line = json.dumps(correction.as_json(), sort_keys=True, ensure_ascii=False) + "\n"
        with self._lock:
            new = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                fsync_folder(self.path.parent)

    def all(self) -> list[Correction]:
        """Every correction in the journal (a torn last line, from a crash, is skipped)."""
        return self._read(0)[0]

    def pending(self) -> tuple[list[Correction], int]:
        """The corrections after the applied offset, and the offset after them."""
        return self._read(self.applied_offset())

    def applied_offset(self) -> int:
        try:
            return int(self._offset_path.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            return 0

    def mark_applied(self, offset: int) -> None:
        tmp = self._offset_path.with_suffix(".tmp")
        tmp.write_text(str(offset), encoding="ascii")
        os.replace(tmp, self._offset_path)

    def pending_count(self) -> int:
        """How many corrections wait for the store (cheap when none do: a stat)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return 0
        return 0 if size == self.applied_offset() else len(self.pending()[0])

    def _read(self, start: int) -> tuple[list[Correction], int]:
        with self._lock:
            try:
                with self.path.open("rb") as handle:
                    size = handle.seek(0, 2)
                    if start > size:  # the journal was replaced: read it all again (idempotent)
                        start = 0
                    handle.seek(start)
                    data = handle.read()
            except FileNotFoundError:
                return [], 0
        records: list[Correction] = []
        offset = start
        for raw in data.splitlines(keepends=True):
            if not raw.endswith(b"\n"):
                break  # torn write: not durable, not acknowledged
            offset += len(raw)
            try:
                records.append(Correction.from_json(json.loads(raw)))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("%s: skipping an unreadable line at byte %d (%s)", self.path, offset - len(raw), exc)
        return records, offset
