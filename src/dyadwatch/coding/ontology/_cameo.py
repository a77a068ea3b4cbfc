"""The CAMEO event codebook: codes, labels, Goldstein scores and quad classes.

The table is ``coding/data/cameo_events.csv`` (one row per code of the CAMEO 1.1b3 numbering)
with ``coding/data/cameo_roots.csv`` (the quad-class conventions per root). Both are read once,
on first use.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

from dyadwatch.coding.ontology._tables import read_table, split_list
from dyadwatch.errors import ConfigError, Errors

QuadConvention = Literal["icews", "gdelt", "phoenix", "penta"]
GoldsteinTable = Literal["cameo-1.1b3", "gdelt"]
CodeKind = Literal["root", "base", "code"]

QUAD_CONVENTIONS: tuple[str, ...] = get_args(QuadConvention)
GOLDSTEIN_TABLES: tuple[str, ...] = get_args(GoldsteinTable)

# How many digits each GDELT field holds: EventRootCode, EventBaseCode, EventCode.
_LENGTHS: dict[str | None, tuple[int, ...]] = {None: (2, 3, 4), "root": (2,), "base": (3,), "code": (3, 4)}
_NUMBER = re.compile(r"^(\d+)(\.0*)?$")


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO event code and what dyadwatch knows about it.

    ``goldstein`` is the score of the CAMEO 1.1b3 table and ``quad_class`` the ``"icews"``
    convention (1 verbal cooperation .. 4 material conflict); :func:`goldstein` and
    :func:`quad_class` give the other tables and conventions. ``plover_type`` is None for codes
    PLOVER drops (roots 01 and 02).

    >>> from dyadwatch.coding.ontology import cameo
    >>> code = cameo("1662")
    >>> code.root, code.parent, code.goldstein, code.quad_class, code.plover_type
    ('16', '166', -7.0, 4, 'SANCTION')
    """

    code: str
    root: str
    parent: str | None
    label: str
    goldstein: float
    quad_class: int
    plover_type: str | None
    plover_mode: str | None
    plover_contexts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Codebook:
    codes: dict[str, CameoCode]
    gdelt_goldstein: dict[str, float]
    quads: dict[str, dict[str, int]]  # root -> convention -> class


@cache
def _codebook() -> _Codebook:
    quads = {
        row["root"]: {name: int(row[name]) for name in QUAD_CONVENTIONS}
        for row in read_table("cameo_roots.csv")
    }
    codes: dict[str, CameoCode] = {}
    gdelt: dict[str, float] = {}
    for row in read_table("cameo_events.csv"):
        code = row["code"]
        root = code[:2]
        codes[code] = CameoCode(
            code=code,
            root=root,
            parent=code[:-1] if len(code) > 2 else None,
            label=row["label"],
            goldstein=float(row["goldstein"]),
            quad_class=quads[root]["icews"],
            plover_type=row["plover_type"] or None,
            plover_mode=row["plover_mode"] or None,
            plover_contexts=split_list(row["plover_context"]),
        )
        if row["goldstein_gdelt"]:
            gdelt[code] = float(row["goldstein_gdelt"])
    return _Codebook(codes=codes, gdelt_goldstein=gdelt, quads=quads)


def cameo_codes() -> tuple[str, ...]:
    """Every CAMEO code dyadwatch knows, roots first within their branch ("01", "010", ...).

    >>> from dyadwatch.coding.ontology import cameo_codes
    >>> codes = cameo_codes()
    >>> len(codes), codes[:3]
    (312, ('01', '010', '011'))
    """
    return tuple(_codebook().codes)


def cameo(code: str) -> CameoCode:
    """The entry of a CAMEO code, given as a string with its leading zeros.

    Raises :class:`~dyadwatch.errors.ConfigError` ``[E402]`` for anything else; turn numbers
    or padded strings into codes with :func:`normalise_cameo` first.

    >>> from dyadwatch.coding.ontology import cameo
    >>> cameo("043").label
    'receives a visitor'
    >>> cameo("43")
    Traceback (most recent call last):
    ...
    dyadwatch.errors.ConfigError: [E402] Unknown CAMEO code '43'. Use a code from the CAMEO codebook (strings, with leading zeros: '043').
    """
    try:
        return _codebook().codes[code]
    except (KeyError, TypeError):
        raise ConfigError(Errors.E402, code=code) from None


def is_cameo(code: object) -> bool:
    """True if ``code`` is, exactly as given, a CAMEO code string ("043" yes; 43 and "43" no).

    >>> from dyadwatch.coding.ontology import is_cameo
    >>> is_cameo("043"), is_cameo("43"), is_cameo(43), is_cameo("0214"), is_cameo("1214")
    (True, False, False, True, False)
    """
    return isinstance(code, str) and code in _codebook().codes


def cameo_root(code: str) -> str:
    """The two-digit root of a CAMEO code.

    >>> from dyadwatch.coding.ontology import cameo_root
    >>> cameo_root("0331"), cameo_root("190"), cameo_root("14")
    ('03', '19', '14')
    """
    return cameo(code).root


def quad_class(code: str, convention: QuadConvention = "icews") -> int:
    """The class of a CAMEO code under one of the four conventions in use.

    ``"icews"`` (the default, and :attr:`CameoCode.quad_class`): 1 verbal cooperation (roots
    01-05), 2 material cooperation (06-08), 3 verbal conflict (09-13), 4 material conflict
    (14-20). ``"gdelt"``: the value of GDELT's QuadClass column, which draws the lines elsewhere
    (06-09, 10-14, 15-20). ``"phoenix"``: 0-4 with 0 neutral (01-02) and REDUCE RELATIONS (16) as
    verbal conflict. ``"penta"``: 0-4, 0 for statements (01), else as ``"icews"``.

    >>> from dyadwatch.coding.ontology import quad_class
    >>> [quad_class("090", c) for c in ("icews", "gdelt", "phoenix", "penta")]
    [3, 2, 3, 3]
    >>> quad_class("141"), quad_class("141", "gdelt")
    (4, 3)
    """
    entry = cameo(code)
    if convention not in QUAD_CONVENTIONS:
        raise ConfigError(Errors.E421, name="convention", allowed=", ".join(QUAD_CONVENTIONS), found=convention)
    return _codebook().quads[entry.root][convention]


def goldstein(code: str, table: GoldsteinTable = "cameo-1.1b3") -> float:
    """The Goldstein score (-10 conflict .. +10 cooperation) of a CAMEO code.

    ``"cameo-1.1b3"`` (default): the table keyed to the CAMEO 1.1b3 numbering, the one whose
    scores fit the meaning of each code (ICEWS uses it). ``"gdelt"``: the table GDELT applies,
    keyed to the older 0.5b1 numbering, so that 016, 124, 163, 164 and 166 get the score of
    another event (a sanctions event, 163, gets -6.5 instead of -8.0). Codes GDELT's table does
    not list (0251, 1661 ...) take the score of their nearest listed parent in that table.

    >>> from dyadwatch.coding.ontology import goldstein
    >>> goldstein("163"), goldstein("163", table="gdelt")
    (-8.0, -6.5)
    >>> goldstein("1661", table="gdelt")
    -8.0
    """
    entry = cameo(code)
    if table == "cameo-1.1b3":
        return entry.goldstein
    if table != "gdelt":
        raise ConfigError(Errors.E421, name="table", allowed=", ".join(GOLDSTEIN_TABLES), found=table)
    scores = _codebook().gdelt_goldstein
    key: str | None = entry.code
    while key is not None:
        if key in scores:
            return scores[key]
        key = key[:-1] if len(key) > 2 else None
    return entry.goldstein  # every root is in GDELT's table; kept for a table that lacks one


def normalise_cameo(value: object, *, kind: CodeKind | None = None) -> str:
    """Turn a CAMEO code that may have lost its leading zeros back into its string form.

    The rule. A string that is a CAMEO code as written is returned as written ("10" is the root
    DEMAND). Numbers (``43``, ``43.0``) and strings that look like numbers without a leading
    zero ("43", "43.0") may have lost zeros on the way (pandas reads GDELT's EventCode "043" as
    ``43``): they are padded with zeros on the left to 2, 3 or 4 digits and the one padding that
    is a CAMEO code is returned. Eleven numbers are ambiguous, 10 to 20: each is a root ("10")
    and, padded, a code ("010"). For them, and to be strict, say which GDELT field the value
    came from: ``kind="root"`` (EventRootCode, 2 digits), ``"base"`` (EventBaseCode, 3 digits)
    or ``"code"`` (EventCode, 3 or 4 digits; ICEWS's "CAMEO Code" is the same).

    Raises ``[E420]`` for an ambiguous value and ``[E402]`` for a value that is no code.

    >>> from dyadwatch.coding.ontology import normalise_cameo
    >>> [normalise_cameo(v) for v in (43, "43", "043.0", 43.0, 4, 1011, 331, "0331")]
    ['043', '043', '043', '043', '04', '1011', '0331', '0331']
    >>> normalise_cameo(10, kind="code"), normalise_cameo(10, kind="root"), normalise_cameo("10")
    ('010', '10', '10')
    >>> normalise_cameo(10)
    Traceback (most recent call last):
    ...
    dyadwatch.errors.ConfigError: [E420] CAMEO code 10 is ambiguous once its leading zeros are lost: it may be '010' or '10'. Read the column as text (dtype=str), or name the GDELT field it came from: kind='root' (EventRootCode), 'base' (EventBaseCode) or 'code' (EventCode).
    """
    if kind not in _LENGTHS:
        raise ConfigError(Errors.E421, name="kind", allowed="None, 'root', 'base', 'code'", found=kind)
    digits, as_written = _digits(value)
    codes = _codebook().codes
    lengths = _LENGTHS[kind]
    if as_written and digits in codes and len(digits) in lengths:
        return digits
    found = sorted({digits.zfill(n) for n in lengths if len(digits) <= n} & codes.keys())
    if len(found) == 1:
        return found[0]
    if found:
        raise ConfigError(Errors.E420, value=value, candidates=" or ".join(repr(c) for c in found))
    raise ConfigError(Errors.E402, code=value)


def _digits(value: object) -> tuple[str, bool]:
    """The digit string of ``value`` and whether it can be trusted as written (zeros intact)."""
    if isinstance(value, bool):
        raise ConfigError(Errors.E402, code=value)
    if isinstance(value, numbers.Integral):
        if int(value) < 0:
            raise ConfigError(Errors.E402, code=value)
        return str(int(value)), False
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number) or number < 0 or not number.is_integer():
            raise ConfigError(Errors.E402, code=value)
        return str(int(number)), False
    if isinstance(value, str):
        match = _NUMBER.match(value.strip())
        if match:
            digits, fraction = match.groups()
            # "043.0" kept its zero; "43.0" went through a number and may have lost one
            return digits, not fraction or digits.startswith("0")
    raise ConfigError(Errors.E402, code=value)
