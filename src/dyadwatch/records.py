"""The typed records that flow through every stage.

Document -> Sentence -> Mention -> Event. Each is a frozen, slotted dataclass, so a
record cannot change under a later stage and pickles cheaply to a worker process.

>>> from dyadwatch.records import Document
>>> doc = Document.from_text("Moscow hosted the talks.", title="Talks")
>>> doc.doc_id == Document.from_text("Moscow  hosted the talks. ").doc_id
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Actor",
    "DATE_SOURCES",
    "Document",
    "Event",
    "Mention",
    "Role",
    "Sentence",
    "normalise_text",
    "text_hash",
]

# Where a document's publication date came from.
DATE_SOURCES = ("metadata", "page", "text", "none")

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The form of a text that its identity is computed from.

    Unicode NFC, whitespace runs collapsed to one space, ends stripped: two copies of a
    story that differ only in line wrapping or spacing are the same document.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_hash(text: str) -> str:
    """A document's id: the first 16 bytes of SHA-256 of its normalised text, in hex."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Document:
    """One source in the library: an article, a page, a PDF, a row of a CSV."""

    doc_id: str
    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: dt.date | None = None
    date_source: str = "none"
    language: str | None = None
    source_kind: str = "text"
    source: str | None = None  # the file, record or address it was read from
    user_id: str | None = None  # the user's own identifier, kept as given
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    collected_at: dt.datetime | None = None
    dup_group: str | None = None

    @classmethod
    def from_text(cls, text: str, **fields: Any) -> Document:
        """Build a document whose id is the hash of its normalised text."""
        return cls(doc_id=text_hash(text), text=text, **fields)

    def with_(self, **changes: Any) -> Document:
        """A copy with some fields changed (records are frozen)."""
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document, with character offsets into the document's text."""

    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class Role:
    """A dated role of an actor: the codes it implies between two dates (inclusive)."""

    country: str | None
    sector: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    title: str | None = None
    attributes: tuple[str, ...] = ()

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Actor:
    """An entry of the actor dictionary: a state, organisation, group, person or sector."""

    actor_id: str
    name: str
    kind: str  # state, igo, group, person, sector, forum
    country: str | None = None
    sector: str | None = None
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    source: str | None = None  # the dictionary file it came from


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a sentence resolved (or not) to an actor, with the reason."""

    doc_id: str
    sentence_idx: int
    start: int
    end: int
    text: str
    actor_id: str | None = None
    country: str | None = None
    sector: str | None = None
    reason: str = ""
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Event:
    """One event: who did what to whom, when, where, and the evidence for it.

    The fields are those of the `events` table (see DESIGN.md). CAMEO codes are strings
    that keep their leading zeros ("043"); PLOVER codes are upper case.
    """

    event_id: str
    origin: str
    date: dt.date | None
    cameo_code: str | None = None
    cameo_root: str | None = None
    origin_id: str | None = None
    date_source: str | None = None
    source_country: str | None = None
    source_sector: str | None = None
    source_actor: str | None = None
    source_name: str | None = None
    target_country: str | None = None
    target_sector: str | None = None
    target_actor: str | None = None
    target_name: str | None = None
    plover_type: str | None = None
    plover_mode: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    negated: bool = False
    modality: str = "asserted"
    location_name: str | None = None
    location_country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    doc_id: str | None = None
    sentence_idx: int | None = None
    sentence: str | None = None
    spans: Mapping[str, tuple[int, int]] = field(default_factory=dict, hash=False, compare=False)
    coder: str | None = None
    rule: str | None = None
    confidence: float | None = None
    story_group: str | None = None
    url: str | None = None
    publisher: str | None = None
    dataset_version: str | None = None
