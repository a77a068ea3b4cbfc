"""PLOVER event types and modes, and the crosswalk between PLOVER and CAMEO.

``coding/data/plover.csv`` holds the 16 types with their quad class, the modes of each type and
the CAMEO code that stands for each type and mode. CAMEO -> PLOVER comes from the CAMEO table
(``cameo_events.csv``, after the 2021 conversion table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dyadwatch.coding.ontology._cameo import cameo
from dyadwatch.coding.ontology._tables import read_table
from dyadwatch.errors import ConfigError, Errors


@dataclass(frozen=True, slots=True)
class _PloverRow:
    event_type: str
    mode: str | None
    cameo: str
    match: str  # exact, type, approx: how well the CAMEO code stands for the type and mode
    status: str  # manual, manual-commented-out, conversion-only
    label: str


def _load() -> tuple[dict[str, int], dict[str, tuple[str, ...]], dict[tuple[str, str], _PloverRow]]:
    types: dict[str, int] = {}
    modes: dict[str, list[str]] = {}
    rows: dict[tuple[str, str], _PloverRow] = {}
    for raw in read_table("plover.csv"):
        event_type, mode = raw["event_type"], raw["mode"]
        if not mode:
            types[event_type] = int(raw["quad"])
        elif raw["status"] == "manual":
            modes.setdefault(event_type, []).append(mode)
        rows[(event_type, mode.lower())] = _PloverRow(
            event_type, mode or None, raw["cameo"], raw["match"], raw["status"], raw["label"]
        )
    return types, {t: tuple(modes.get(t, ())) for t in types}, rows


_TYPES, _MODES, _ROWS = _load()

#: The 16 PLOVER event types, in the manual's order, with their quad class
#: (1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict).
PLOVER_TYPES: Mapping[str, int] = MappingProxyType(_TYPES)

#: The modes of each PLOVER type that the 2021 manual prints (empty for types without modes).
#: :func:`cameo_to_plover` can also return a few older modes of the conversion table
#: ("assassinate", "ban", "political", "seize", "ease", "return", "cleansing", "massacre").
PLOVER_MODES: Mapping[str, tuple[str, ...]] = MappingProxyType(_MODES)


def cameo_to_plover(code: str) -> tuple[str | None, str | None]:
    """The PLOVER ``(event type, mode)`` of a CAMEO code; ``(None, None)`` where PLOVER has none.

    Follows the CAMEO-to-PLOVER conversion of 2021: roots 01 (statements) and 02 (appeals) are
    dropped, 08 splits into CONCEDE (081-083) and RETREAT (084-087), 09 and 11 become ACCUSE,
    18-20 become ASSAULT.

    >>> from dyadwatch.coding.ontology import cameo_to_plover
    >>> cameo_to_plover("042"), cameo_to_plover("1831"), cameo_to_plover("013")
    (('CONSULT', 'visit'), ('ASSAULT', 'suicide-attack'), (None, None))
    """
    entry = cameo(code)
    return entry.plover_type, entry.plover_mode


def plover_to_cameo(event_type: str, mode: str | None = None) -> str:
    """The CAMEO code dyadwatch uses for a PLOVER type (and mode), for data with PLOVER only.

    For most pairs the code converts back to the same type and mode; where PLOVER has a mode
    CAMEO lacks, the code is the nearest CAMEO meaning (``coding/data/plover.csv``, column
    ``match``). Type names are case-insensitive.

    >>> from dyadwatch.coding.ontology import plover_to_cameo
    >>> plover_to_cameo("CONSULT"), plover_to_cameo("CONSULT", "visit"), plover_to_cameo("assault", "firearms")
    ('040', '042', '193')
    """
    key = event_type.strip().upper() if isinstance(event_type, str) else event_type
    if key not in _TYPES:
        raise ConfigError(Errors.E422, found=event_type, allowed=", ".join(_TYPES))
    row = _ROWS.get((key, (mode or "").strip().lower()))
    if row is None:
        known = sorted(m for (t, m) in _ROWS if t == key and m)
        raise ConfigError(Errors.E423, event_type=key, found=mode, allowed=", ".join(known) or "(none)")
    return row.cameo
