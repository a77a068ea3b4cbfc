"""The ``--actors`` prefilter's inner loop: keep the lines that hold, between two tabs, one of a few
codes. Standard library only, so that it also runs as a script (``python _scan.py ...``) in worker
processes that do not import dyadwatch: Python's regular expressions hold the GIL, so a large
file is cut into byte ranges scanned by one process per core.
"""

from __future__ import annotations

import mmap
import re
import sys
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO


def pattern_of(needles: Iterable[str]) -> re.Pattern[bytes]:
    """``\\t(?:AFG|RUS|TAL)\\t``: a literal tab first lets the engine skip to the next tab fast."""
    alternatives = b"|".join(re.escape(n.encode("utf-8")) for n in sorted(needles))
    return re.compile(b"\\t(?:" + alternatives + b")\\t")


def grep(pattern: re.Pattern[bytes], data: bytes | mmap.mmap, begin: int, end: int, base: int,
         sink: BinaryIO, offsets: array[int] | list[int]) -> None:
    """Write to ``sink`` each line starting in ``data[begin:end]`` that matches, and append its
    offset (plus ``base``) to ``offsets``. ``begin`` and ``end`` fall on line starts."""
    position = begin
    search = pattern.search
    while True:
        found = search(data, position, end)
        if found is None:
            return
        start = data.rfind(b"\n", begin, found.start()) + 1 or begin
        stop = data.find(b"\n", found.end(), end)
        stop = end if stop < 0 else stop + 1
        line = data[start:stop]
        sink.write(line if line.endswith(b"\n") else line + b"\n")
        offsets.append(base + start)
        position = stop


def line_start(data: bytes | mmap.mmap, position: int) -> int:
    """The first line start at or after ``position``."""
    if position <= 0:
        return 0
    found = data.find(b"\n", position - 1)
    return len(data) if found < 0 else found + 1


def scan_range(path: str, begin: int, end: int, needles: list[str], out: str) -> None:
    """Scan the lines of ``path`` starting in [begin, end): lines to ``out``, offsets to
    ``out.offsets``; then an empty ``out.done`` says both are complete."""
    pattern = pattern_of(needles)
    offsets: array[int] = array("q")
    with open(path, "rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data, \
            open(out, "wb") as sink:
        begin, end = line_start(data, begin), line_start(data, end)
        grep(pattern, data, begin, end, 0, sink, offsets)
    with open(out + ".offsets", "wb") as handle:
        offsets.tofile(handle)
    Path(out + ".done").touch()


def main(argv: list[str]) -> None:
    """A worker: ``_scan.py PATH PREFIX INDEX:BEGIN:END... -- NEEDLE...``; piece INDEX goes to
    ``PREFIX.INDEX``, the pieces in the order given (the caller reads them in file order)."""
    cut = argv.index("--")
    path, prefix = argv[0], argv[1]
    needles = argv[cut + 1:]
    for piece in argv[2:cut]:
        index, begin, end = (int(x) for x in piece.split(":"))
        scan_range(path, begin, end, needles, f"{prefix}.{index}")


if __name__ == "__main__":
    main(sys.argv[1:])
