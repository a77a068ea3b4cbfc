"""CAMEO sector (agent type) codes and their PLOVER equivalents (``coding/data/sectors.csv``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dyadwatch.coding.ontology._tables import read_table
from dyadwatch.errors import ConfigError, Errors


@dataclass(frozen=True, slots=True)
class Sector:
    """A CAMEO sector code, what it covers, and the PLOVER sector it becomes (None: none fits)."""

    code: str
    label: str
    plover: str | None
    note: str = ""


def _load() -> tuple[dict[str, Sector], dict[str, str]]:
    cameo: dict[str, Sector] = {}
    plover: dict[str, str] = {}
    for row in read_table("sectors.csv"):
        if row["scheme"] == "cameo":
            cameo[row["code"]] = Sector(row["code"], row["label"], row["plover"] or None, row["note"])
        else:
            plover[row["code"]] = row["label"]
    return cameo, plover


_CAMEO, _PLOVER = _load()

#: Every CAMEO sector code dyadwatch knows (GDELT's actor types, plus REL and PTY).
CAMEO_SECTORS: Mapping[str, Sector] = MappingProxyType(_CAMEO)

#: PLOVER's sector codes with a short description.
PLOVER_SECTORS: Mapping[str, str] = MappingProxyType(_PLOVER)


def sector(code: str) -> Sector:
    """The CAMEO sector ``code`` (e.g. GDELT's Actor1Type1Code) with its PLOVER equivalent.

    Mind the trap: CAMEO's ``MED`` is the media (PLOVER ``JRN``) and CAMEO's ``HLH`` is health
    (PLOVER ``MED``).

    >>> from dyadwatch.coding.ontology import sector
    >>> sector("MED").plover, sector("HLH").plover, sector("INS").plover, sector("IGO").plover
    ('JRN', 'MED', 'REB', None)
    """
    key = code.strip().upper() if isinstance(code, str) else code
    try:
        return _CAMEO[key]
    except (KeyError, TypeError):
        raise ConfigError(Errors.E425, code=code) from None
