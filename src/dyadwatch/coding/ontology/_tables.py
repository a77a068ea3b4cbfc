"""Reading the ontology's own data files (``src/dyadwatch/coding/data/*.csv``).

The files are plain CSV with a block of ``#`` comment lines on top that names the sources of
the facts; :func:`read_table` skips that block. Tables are read on first use and cached by the
modules that use them, never at import time of the package.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of ``coding/data/<name>`` as dicts of strings (comment lines skipped)."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [dict(row) for row in csv.DictReader(lines)]


def split_list(value: str) -> tuple[str, ...]:
    """``"military;legal"`` -> ``("military", "legal")``; empty -> ``()``."""
    return tuple(part.strip() for part in value.split(";") if part.strip())
