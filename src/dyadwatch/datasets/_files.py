"""Finding and opening dataset files: plain, gzip or zip; single files, folders and globs.

A zip is unpacked to a work folder (one data file per archive, as GDELT, ICEWS and UCDP ship
them) and read from there; a gzip file is read as it is. Problems become
:class:`~dyadwatch.errors.DatasetError` with a code, never a traceback.
"""

from __future__ import annotations

import glob
import gzip
import mmap
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dyadwatch.errors import DatasetError, Errors

# File names a folder is searched for (upper or lower case; GDELT writes .CSV).
DATA_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".zip", ".gz")
_DATA_MEMBER_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")


@dataclass(frozen=True, slots=True)
class DataFile:
    """One file to import: where it is, and its size."""

    path: Path

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    @property
    def compression(self) -> str | None:
        name = self.path.name.lower()
        if name.endswith(".zip"):
            return "zip"
        if name.endswith(".gz"):
            return "gzip"
        return None


def expand(sources: Iterable[str]) -> Iterator[DataFile | DatasetError]:
    """The files named by ``sources`` (files, folders, globs), each once, in order.

    A folder is searched recursively for data files (hidden ones left out), in name order.
    A name that matches nothing gives a ``[E503]`` error in the stream.
    """
    seen: set[Path] = set()
    for source in sources:
        found = _matches(str(source))
        if not found:
            yield DatasetError(Errors.E503, where=str(source))
            continue
        for path in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield DataFile(resolved)


def _matches(source: str) -> list[Path]:
    path = Path(source).expanduser()
    if path.is_dir():
        return _walk(path)
    if path.is_file():
        return [path]
    if any(ch in source for ch in "*?["):
        found: list[Path] = []
        for name in sorted(glob.glob(os.path.expanduser(source), recursive=True)):
            item = Path(name)
            found.extend(_walk(item) if item.is_dir() else [item] if item.is_file() else [])
        return found
    return []


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(DATA_SUFFIXES):
                found.append(Path(root) / name)
    return found


@contextmanager
def local_copy(datafile: DataFile, workdir: Path) -> Iterator[Path]:
    """A path DuckDB and Python can read the file at: the file itself, or a zip's data file
    unpacked into ``workdir`` (removed afterwards). Raises ``[E504]``/``[E505]``/``[E506]``."""
    if datafile.compression != "zip":
        yield datafile.path
        return
    target = Path(tempfile.mkdtemp(prefix="unzip-", dir=workdir))
    try:
        try:
            archive = zipfile.ZipFile(datafile.path)
        except zipfile.BadZipFile as exc:
            raise DatasetError(Errors.E504, where=datafile.location, detail=_head_hint(datafile.path, str(exc))) from exc
        except OSError as exc:
            raise DatasetError(Errors.E504, where=datafile.location, detail=exc.strerror or str(exc)) from exc
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")]
            data = [m for m in members if m.filename.lower().endswith(_DATA_MEMBER_SUFFIXES)] or members
            if len(data) != 1:
                raise DatasetError(
                    Errors.E505, where=datafile.location, found=len(data),
                    detail=", ".join(m.filename for m in data[:5]) or "(none)",
                )
            member = data[0]
            out = target / Path(member.filename).name
            try:
                with archive.open(member) as source, out.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 22)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise DatasetError(Errors.E506, where=f"{datafile.location}:{member.filename}", detail=str(exc)) from exc
        yield out
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _head_hint(path: Path, detail: str) -> str:
    """What the file seems to be instead, from its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return detail
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype" in lowered:
        return "it is an HTML page"
    if not head:
        return "it is empty"
    if head.startswith(b"PK"):
        return f"it starts like one but is damaged: {detail}"
    return f"it starts with {head[:24]!r}"


def open_binary(path: Path) -> BinaryIO:
    """Open a plain or gzip file for reading bytes."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def first_line(path: Path, limit: int = 1 << 20) -> bytes:
    """The first line of a plain or gzip file (without its end), at most ``limit`` bytes."""
    try:
        with open_binary(path) as handle:
            return handle.readline(limit).rstrip(b"\r\n")
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DatasetError(Errors.E506, where=str(path), detail=str(exc)) from exc


def ends_with_newline(path: Path) -> bool:
    """Whether the last byte of a plain file is a line end (gzip files: assumed)."""
    if path.name.lower().endswith(".gz"):
        return True
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return True
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) in (b"\n", b"\r")
    except OSError:
        return True


def line_count(path: Path) -> int:
    """How many lines a plain or gzip file has (a last line without an end counts)."""
    count = 0
    last = b"\n"
    with open_binary(path) as handle:
        while True:
            chunk = handle.read(1 << 24)
            if not chunk:
                break
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


_CHUNK = 1 << 25


def prefilter(path: Path, needles: Iterable[str], target: Path) -> list[int]:
    """Copy to ``target`` the lines of ``path`` that hold, between two tabs, one of ``needles``;
    return the byte offset in ``path`` of each line copied.

    This is the cheap first test of ``--actors``: one regular-expression pass over the raw
    bytes (memory-mapped), no splitting, no decoding; only the lines it keeps are parsed. A line
    may pass and still be left out later (the field that matched was a name, not a code).
    """
    alternatives = b"|".join(re.escape(n.encode("utf-8")) for n in sorted(needles))
    # a literal tab first lets the engine skip quickly to the next tab
    pattern = re.compile(b"\\t(?:" + alternatives + b")\\t")
    offsets: list[int] = []
    with target.open("wb") as sink:
        if path.name.lower().endswith(".gz"):
            base = 0
            rest = b""
            with open_binary(path) as source:
                while True:
                    block = source.read(_CHUNK)
                    data = rest + block
                    end = len(data) if not block else data.rfind(b"\n") + 1
                    _grep(pattern, data, end, base, sink, offsets)
                    base += end
                    rest = data[end:]
                    if not block:
                        break
        elif path.stat().st_size:
            with path.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                _grep(pattern, mapped, len(mapped), 0, sink, offsets)
    return offsets


def _grep(pattern: re.Pattern[bytes], data: bytes | mmap.mmap, end: int, base: int, sink: BinaryIO,
          offsets: list[int]) -> None:
    position = 0
    search = pattern.search
    while True:
        found = search(data, position, end)
        if found is None:
            return
        start = data.rfind(b"\n", 0, found.start()) + 1
        stop = data.find(b"\n", found.end(), end)
        stop = end if stop < 0 else stop + 1
        line = data[start:stop]
        sink.write(line if line.endswith(b"\n") else line + b"\n")
        offsets.append(base + start)
        position = stop


def line_numbers(path: Path, offsets: Iterable[int]) -> dict[int, int]:
    """The line number (from 1) of each byte offset that starts a line of ``path``."""
    wanted = sorted(set(offsets))
    numbers: dict[int, int] = {}
    if not wanted:
        return numbers
    line = 1
    position = 0
    index = 0
    with open_binary(path) as handle:
        while index < len(wanted):
            block = handle.read(_CHUNK)
            if not block:
                break
            end = position + len(block)
            while index < len(wanted) and wanted[index] < end:
                cut = wanted[index] - position
                numbers[wanted[index]] = line + block.count(b"\n", 0, cut)
                index += 1
            line += block.count(b"\n")
            position = end
    return numbers


def find_lines(path: Path, keys: Iterable[bytes], *, field: int = 0, sep: bytes = b"\t") -> dict[bytes, tuple[int, bytes]]:
    """The first line (number, text) on which each key stands in field ``field``.

    Used only when something is wrong, to name the line of a bad row the fast path found.
    """
    wanted = set(keys)
    found: dict[bytes, tuple[int, bytes]] = {}
    if not wanted:
        return found
    with open_binary(path) as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip(b"\r\n").split(sep, field + 1)
            if len(parts) > field and parts[field] in wanted and parts[field] not in found:
                found[parts[field]] = (number, line.rstrip(b"\r\n"))
                if len(found) == len(wanted):
                    break
    return found
