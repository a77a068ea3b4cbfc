"""The common gold record every reader produces, and the rules shared by the readers.

A gold file, whatever its format, becomes a list of :class:`GoldSentence`, each holding the
sentence, its expected events (:class:`GoldEvent`), its tagged actor spans and its label. A
field a format does not give is ``None`` ("unknown"), never an empty value: ``events=()``
says the sentence has no event, ``events=None`` that the gold does not say (the ConfliBERT
five-class set has only a label).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dyadwatch.actors.codes import normalise_country_code
from dyadwatch.coding import ontology
from dyadwatch.errors import DatasetError, Errors

__all__ = [
    "GoldEvent",
    "GoldFormatError",
    "GoldSentence",
    "Span",
    "split_actor_code",
]

#: A character span ``(start, end)`` of a sentence, end exclusive (``text[start:end]``).
Span = tuple[int, int]

# CAMEO codes that open an actor code but name no country: the organisation or group follows.
_NON_STATE = frozenset({"IGO", "NGO", "NGM", "IMG", "MNC", "INT", "UIS"})
# Three-letter codes that can follow a country without being its sector: international bodies
# (IGOUNO...), modifiers (MOD, RAD) -- religions and ethnic groups are in no sector table anyway.
_NOT_A_SECTOR = frozenset({"UNO", "IGO", "IMG", "INT", "MNC", "UIS", "MOD", "RAD"})
# Placeholders for an actor a coder or annotator could not code.
_NO_COUNTRY = frozenset({"", "---", "###", "***"})
_CODE = re.compile(r"^[A-Z0-9\-#*]+$")


class GoldFormatError(DatasetError):
    """A gold file (or a predictions file, or a correction) cannot be read.

    The message names the file and the line or record, says what is wrong and what to do.
    """


@dataclass(frozen=True, slots=True)
class GoldEvent:
    """One expected event: who did what to whom, as a gold set codes it.

    Countries are CAMEO-style codes (``RUS``; ``IGO`` for an international organisation;
    ``None`` where the gold leaves the actor's country unknown). ``cameo_code`` keeps its
    leading zeros and is ``None`` for gold that codes PLOVER only; codes a test suite invented
    (PETRARCH's unit tests use a few, such as ``"174K"``) are kept as written.
    ``source_code`` and ``target_code`` are the actor codes as the gold wrote them.

    >>> event = GoldEvent("RUS", "AFG", "043")
    >>> event.cameo_root, event.quad_class, event.plover
    ('04', 1, 'CONSULT')
    """

    source_country: str | None
    target_country: str | None
    cameo_code: str | None
    source_sector: str | None = None
    target_sector: str | None = None
    plover_type: str | None = None
    plover_mode: str | None = None
    source_code: str | None = None
    target_code: str | None = None

    @property
    def cameo_root(self) -> str | None:
        """The two-digit root of ``cameo_code`` (``None`` without a code)."""
        return root_of(self.cameo_code)

    @property
    def quad_class(self) -> int | None:
        """1 verbal cooperation .. 4 material conflict (ICEWS convention); from the CAMEO code,
        else from the PLOVER type; ``None`` when neither is known."""
        return quad_of(self.cameo_code, self.plover_type)

    @property
    def plover(self) -> str | None:
        """The PLOVER event type: as the gold gives it, else converted from the CAMEO code."""
        return plover_of(self.cameo_code, self.plover_type)


@dataclass(frozen=True, slots=True)
class GoldSentence:
    """A sentence of a gold set with what the gold says about it.

    ``events``: the expected events; ``()`` no event, ``None`` not coded by this gold.
    ``source_spans``, ``target_spans``, ``joint_spans``: character spans of the tagged source,
    target and joint (reciprocal: "Jordan and Britain agreed") actors; ``None`` when the gold
    tags no spans. ``label``: a sentence label (ConfliBERT's five classes "0".."4").
    ``origin`` names the gold set; ``meta`` keeps what a format adds (category, file line).

    >>> sent = GoldSentence("s1", "Russia hosted Taliban envoys.", events=(GoldEvent("RUS", "AFG", "043"),))
    >>> sent.events[0].cameo_root, sent.has_spans
    ('04', False)
    """

    id: str
    text: str
    date: dt.date | None = None
    events: tuple[GoldEvent, ...] | None = None
    source_spans: tuple[Span, ...] | None = None
    target_spans: tuple[Span, ...] | None = None
    label: str | None = None
    origin: str = ""
    joint_spans: tuple[Span, ...] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def has_spans(self) -> bool:
        """True if the gold tags actor spans in this sentence (even none)."""
        return self.source_spans is not None or self.target_spans is not None or self.joint_spans is not None


# -- rules the readers and the scorer share ---------------------------------------------


def root_of(code: str | None) -> str | None:
    """The root of a CAMEO code as written: its first two characters."""
    if not code:
        return None
    return code[:2]


def quad_of(code: str | None, plover_type: str | None) -> int | None:
    if code and ontology.is_cameo(code):
        return ontology.quad_class(code)
    if plover_type:
        return ontology.PLOVER_TYPES.get(plover_type.upper())
    return None


def plover_of(code: str | None, plover_type: str | None) -> str | None:
    if plover_type:
        return plover_type.upper()
    if code and ontology.is_cameo(code):
        return ontology.cameo_to_plover(code)[0]
    return None


def country(code: str | None) -> str | None:
    """A country code as the scorer compares it: upper case, legacy CAMEO codes and known
    typos mapped to ISO (ROM -> ROU, JAP -> JPN), placeholders (---, ###) to ``None``."""
    if code is None:
        return None
    key = code.strip().upper()
    if key in _NO_COUNTRY:
        return None
    return normalise_country_code(key)


def is_sector(code: str) -> bool:
    return code not in _NOT_A_SECTOR and (code in ontology.CAMEO_SECTORS or code in ontology.PLOVER_SECTORS)


def sector(code: str | None) -> str | None:
    """The sector of a sector field as gold sets write it: the first three letters when they
    are a sector code ("CVLalb" -> CVL, "REBMOS" -> REB), else ``None`` ("***", "MOS")."""
    if not code:
        return None
    head = code.strip()[:3].upper()
    return head if is_sector(head) else None


def split_actor_code(code: str | None) -> tuple[str | None, str | None]:
    """The (country, sector) of a CAMEO actor code such as PETRARCH writes (``RUSGOV``).

    The rule: the first three characters are the country (``---`` and ``###``: unknown, so
    ``None``); the rest is read in three-letter pieces and the sector is the first piece that
    is a CAMEO or PLOVER sector code. International and non-state codes (``IGO``, ``NGO``,
    ``NGM``, ``IMG``, ``MNC``) take the place of the country, as in the actor dictionary;
    what follows them names the body (``IGOUNO`` the UN, ``IGOEUREEC`` the EU) and is kept
    only in the raw code, except a sector piece (``IGOUNOMIL``: UN troops, sector MIL).
    Pieces that are religions, ethnic groups or bodies (``MUS``, ``UNO``, ``HMS``) are skipped.
    Country codes go through :func:`country` (``ROM`` -> ``ROU``).

    >>> [split_actor_code(c) for c in ("RUSGOV", "---GOV", "IGOUNOMIL", "EGYOPPMUS", "ARN", "###")]
    [('RUS', 'GOV'), (None, 'GOV'), ('IGO', 'MIL'), ('EGY', 'OPP'), ('ARN', None), (None, None)]
    """
    if code is None:
        return None, None
    raw = code.strip().upper()
    if not raw or not _CODE.match(raw):
        return None, None
    head, rest = raw[:3], raw[3:]
    found_sector = next(
        (piece for piece in (rest[i : i + 3] for i in range(0, len(rest), 3)) if is_sector(piece)),
        None,
    )
    return country(head), found_sector


def parse_date(value: Any) -> dt.date | None:
    """A gold date: ISO ``YYYY-MM-DD`` (a time part is ignored) or PETRARCH's ``YYYYMMDD``.

    Raises ``ValueError`` for anything else, for the reader to turn into its coded error.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return dt.date.fromisoformat(text[:10])


def gold_error(fmt: str, where: str, line: int | str, detail: str) -> GoldFormatError:
    """The coded error of a third-party gold file (E403), naming the file and line."""
    return GoldFormatError(Errors.E403, where=where, line=line, detail=detail, format=fmt)


def dedupe(events: list[GoldEvent]) -> tuple[GoldEvent, ...]:
    """The events without repeats, in their first order."""
    return tuple(dict.fromkeys(events))
