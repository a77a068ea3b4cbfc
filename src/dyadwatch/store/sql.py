"""SQL text for DuckDB statements that cannot take a parameter (a file list in ``read_parquet``,
a path in ``COPY``, a setting): a value written as a quoted literal.

>>> sql_literal("Kabul's")
"'Kabul''s'"
>>> sql_files(["a.parquet", "b's.parquet"])
"['a.parquet', 'b''s.parquet']"
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def sql_literal(value: str | os.PathLike[str]) -> str:
    """``value`` as a quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_files(paths: Iterable[str | os.PathLike[str]]) -> str:
    """A DuckDB list of file names, as ``read_parquet`` takes it."""
    return "[" + ", ".join(sql_literal(p) for p in paths) + "]"
