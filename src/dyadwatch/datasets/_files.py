"""Finding and opening dataset files: plain, gzip or zip; single files, folders and globs.

A zip is unpacked to a work folder (one data file per archive, as GDELT, ICEWS and UCDP ship
them) and read from there; a gzip file is read as it is. Problems become
:class:`~dyadwatch.errors.DatasetError` with a code, never a traceback.
"""

from __future__ import annotations

import glob
import gzip
import json
import logging
import mmap
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from array import array
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dyadwatch.errors import DatasetError, Errors

log = logging.getLogger(__name__)

# File names a folder is searched for (upper or lower case; GDELT writes .CSV).
DATA_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".zip", ".gz")
# Files of a download folder that are not data: GDELT's file lists, which `dyadwatch fetch`
# keeps beside the files it lists (a folder is left without them; named, they are read).
NOT_DATA = re.compile(r"^(masterfilelist.*\.txt|md5sums|filesizes)$", re.IGNORECASE)
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
        if not Path(source).expanduser().is_file():
            found, problems = _filtered_over_whole(found)
            yield from problems
        for path in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield DataFile(resolved)


def _filtered_over_whole(found: list[Path]) -> tuple[list[Path], list[DatasetError]]:
    """A download folder of ``dyadwatch fetch --actors`` holds each verified ``STEM.zip`` and,
    beside it, the rows kept for the actors (``STEM.KEY.tsv``, described by ``STEM.KEY.json``).
    Read as a folder or a glob, it stands for the kept rows: the zip is passed over (its rows
    would come twice). Two filtered copies of one zip are an error: they share rows."""
    present = set(found)
    copies: dict[Path, list[Path]] = {}
    for path in found:
        sidecar = path.with_suffix(".json")
        if not path.name.lower().endswith(".tsv") or not sidecar.is_file():
            continue
        try:
            source = json.loads(sidecar.read_text(encoding="utf-8")).get("source")
        except (OSError, ValueError, AttributeError):
            continue
        zipped = path.with_name(str(source)) if isinstance(source, str) and source else None
        if zipped is not None and zipped in present:
            copies.setdefault(zipped, []).append(path)
    problems = [
        DatasetError(Errors.E550, where=str(zipped), count=len(kept), detail=", ".join(p.name for p in kept))
        for zipped, kept in copies.items() if len(kept) > 1
    ]
    left_out = set(copies) | {p for kept in copies.values() if len(kept) > 1 for p in kept}
    for zipped, kept in copies.items():
        if len(kept) == 1:
            log.info("%s: passed over, its rows for the actors fetched are in %s (name the zip to import every row)",
                     zipped, kept[0].name)
    return [p for p in found if p not in left_out], problems


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
            if not name.startswith(".") and name.lower().endswith(DATA_SUFFIXES) and not NOT_DATA.match(name):
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


# Files larger than this are prefiltered by one worker process per core.
PARALLEL_BYTES = 256 * 1024 * 1024
# ... in pieces of about this size, handed over one by one as they are done, so that the lines
# kept from the first pieces are parsed while the workers still scan the rest.
PIECE_BYTES = 512 * 1024 * 1024


def prefilter(path: Path, needles: Iterable[str], target: Path, *, workers: int | None = None) -> list[int]:
    """Copy to ``target`` the lines of ``path`` that hold, between two tabs, one of ``needles``;
    return the byte offset in ``path`` of each line copied, in file order (:func:`prefilter_parts`
    in one file)."""
    offsets: list[int] = []
    sink: BinaryIO | None = None
    try:
        with closing(prefilter_parts(path, needles, target, workers=workers)) as parts:
            for part, part_offsets in parts:
                if part != target:  # pieces of a parallel scan: joined into ``target``
                    sink = sink or target.open("wb")
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, sink, 1 << 22)
                offsets.extend(part_offsets)
    finally:
        if sink is not None:
            sink.close()
    return offsets


def prefilter_parts(path: Path, needles: Iterable[str], target: Path, *,
                    workers: int | None = None) -> Generator[tuple[Path, list[int]], None, None]:
    """The lines of ``path`` that hold, between two tabs, one of ``needles``, as files in file
    order: ``(part, offsets)``, where ``offsets`` are the byte offsets in ``path`` of the part's
    lines. A part is valid until the next one is asked for. A small or gzip file is scanned here
    into ``target`` (the caller's to remove); the pieces of a large one are removed as they go.

    This is the cheap first test of ``--actors``: one regular-expression pass over the raw bytes
    (memory-mapped), no splitting, no decoding; only the lines it keeps are parsed. A line may
    pass and still be left out later (the field that matched was a name, not a code). A large
    plain file is cut into pieces scanned by worker processes (default: one per core); each
    piece is handed over as soon as it and those before it are done.
    """
    from dyadwatch.datasets import _scan

    codes = sorted(needles)
    size = 0 if path.name.lower().endswith(".gz") else path.stat().st_size
    count = workers if workers is not None else (os.cpu_count() or 1)
    runnable = bool(sys.executable) and Path(_scan.__file__).is_file()  # not from a zip, say
    if size >= PARALLEL_BYTES and count > 1 and runnable:
        yield from _prefilter_parallel(path, codes, target, count, size)
        return
    pattern = _scan.pattern_of(codes)
    offsets: list[int] = []
    with target.open("wb") as sink:
        if path.name.lower().endswith(".gz"):
            with open_binary(path) as source:
                base = 0
                rest = b""
                while True:
                    block = source.read(_CHUNK)
                    data = rest + block
                    end = len(data) if not block else data.rfind(b"\n") + 1
                    _scan.grep(pattern, data, 0, end, base, sink, offsets)
                    base += end
                    rest = data[end:]
                    if not block:
                        break
        elif path.stat().st_size:
            with path.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                _scan.grep(pattern, mapped, 0, len(mapped), 0, sink, offsets)
    yield target, offsets


def _prefilter_parallel(path: Path, codes: list[str], target: Path, workers: int,
                        size: int) -> Generator[tuple[Path, list[int]], None, None]:
    """:func:`prefilter_parts` by ``workers`` processes (``_scan.py``): piece ``i`` of the file
    goes to worker ``i % workers``, so the pieces finish roughly in file order."""
    from dyadwatch.datasets import _scan

    script = str(Path(_scan.__file__).resolve())
    pieces = max(2 * workers, -(-size // PIECE_BYTES))
    step = -(-size // pieces)
    prefix = target.with_name(f"{target.name}.part")
    outs = [Path(f"{prefix}.{i}") for i in range(pieces)]
    processes = [
        subprocess.Popen(
            [sys.executable, script, str(path), str(prefix),
             *(f"{i}:{i * step}:{min(size, (i + 1) * step)}" for i in range(w, pieces, workers)), "--", *codes],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for w in range(workers)
    ]
    try:
        for i, out in enumerate(outs):
            worker = processes[i % workers]
            done = Path(f"{out}.done")
            while not done.exists():
                if worker.poll() is not None and not done.exists():
                    _, error = worker.communicate()
                    raise DatasetError(Errors.E501, where=str(path), line="?", dataset="GDELT",
                                       detail=f"the prefilter failed: {error.decode(errors='replace').strip()[-300:]}")
                time.sleep(0.01)
            numbers = array("q")
            numbers.frombytes(Path(f"{out}.offsets").read_bytes())
            yield out, numbers.tolist()
            for leftover in (out, Path(f"{out}.offsets")):
                leftover.unlink(missing_ok=True)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate()
        for out in outs:
            for leftover in (out, Path(f"{out}.offsets"), Path(f"{out}.done")):
                leftover.unlink(missing_ok=True)


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
