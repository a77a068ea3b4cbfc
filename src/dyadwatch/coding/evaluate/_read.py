"""``read_gold``: any gold file or folder, its format told or found out."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from dyadwatch.coding.evaluate._conflibert import read_conflibert
from dyadwatch.coding.evaluate._gold import GoldFormatError, GoldSentence
from dyadwatch.coding.evaluate._jsonl import read_jsonl_gold
from dyadwatch.coding.evaluate._petrarch import read_petrarch_xml
from dyadwatch.coding.evaluate._plover import read_plover_gold
from dyadwatch.errors import Errors

__all__ = ["GOLD_FORMATS", "detect_format", "read_gold"]

_READERS: dict[str, Callable[[Path], list[GoldSentence]]] = {
    "jsonl": read_jsonl_gold,
    "petrarch": read_petrarch_xml,
    "plover": read_plover_gold,
    "conflibert": read_conflibert,
}

#: The formats :func:`read_gold` reads (``--format``).
GOLD_FORMATS: tuple[str, ...] = tuple(_READERS)

_BIO_LINE = re.compile(r"^\S.*[ \t](O|[BI]-[STR])$")


def read_gold(path: str | os.PathLike[str], format: str | None = None) -> list[GoldSentence]:  # noqa: A002
    """Read a gold file or folder in any format dyadwatch knows.

    ``format`` is one of :data:`GOLD_FORMATS` (``jsonl``, ``petrarch``, ``plover``,
    ``conflibert``); ``None`` finds it out from the name and the first lines
    (:func:`detect_format`).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.jsonl"
    >>> _ = path.write_text('{"text": "Kabul rejected the demand.", "events": []}\\n')
    >>> [(s.id, s.events) for s in read_gold(path)]
    [('gold:1', ())]
    """
    source = Path(path)
    chosen = format.lower() if format else detect_format(source)
    reader = _READERS.get(chosen)
    if reader is None:
        raise GoldFormatError(Errors.E404, where=str(source), detail=f"format {format!r}", allowed=", ".join(GOLD_FORMATS))
    return reader(source)


def detect_format(path: str | os.PathLike[str]) -> str:
    """The gold format of a file or folder, from its name and its first lines: ``.xml`` ->
    petrarch, ``.tsv`` -> conflibert; a JSON array, or JSON lines with PLOVER's ``event`` ->
    plover; JSON lines with ``events`` (and any other ``.jsonl``) -> jsonl; ``token TAG`` lines
    -> conflibert; a ConfliBERT folder -> conflibert."""
    source = Path(path)
    allowed = ", ".join(GOLD_FORMATS)
    if source.is_dir():
        if any(source.glob("cameo_class_*.tsv")) or any(source.glob("cameo_ner_*.txt")):
            return "conflibert"
        raise GoldFormatError(Errors.E404, where=str(source), detail="a folder, but not ConfliBERT's", allowed=allowed)
    if not source.exists():
        raise GoldFormatError(Errors.E404, where=str(source), detail="no such file", allowed=allowed)
    suffix = source.suffix.lower()
    if suffix == ".xml":
        return "petrarch"
    if suffix == ".tsv":
        return "conflibert"
    head = _head(source)
    first = next((line.strip() for line in head if line.strip()), "")
    if first.startswith("["):
        return "plover"
    if first.startswith("{"):
        # a gold line has "events"; a PLOVER record has "event" (singular)
        try:
            record = json.loads(first)
        except json.JSONDecodeError:
            record = {}
        return "plover" if isinstance(record, dict) and "event" in record and "events" not in record else "jsonl"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"  # let the reader say what is wrong with the first line
    if first.startswith("<"):
        return "petrarch"
    lines = [line.strip() for line in head if line.strip()]
    if lines and all(_BIO_LINE.match(line) for line in lines):
        return "conflibert"
    raise GoldFormatError(
        Errors.E404, where=str(source), detail=f"the name ends in {suffix or 'nothing'!r} and the first line is {first[:60]!r}",
        allowed=allowed,
    )


def _head(path: Path, lines: int = 20) -> list[str]:
    with path.open("rb") as handle:
        data = handle.read(64_000)
    return data.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[:lines]
