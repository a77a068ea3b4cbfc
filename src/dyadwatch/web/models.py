"""The JSON API's types (pydantic): what each /api endpoint takes and returns."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# the shapes of the values the API accepts, checked before any query runs (422 otherwise)
DYAD_PATTERN = r"^[A-Za-z0-9_.]{1,40}-[A-Za-z0-9_.]{1,40}$"
CODE_PATTERN = r"^[0-9]{1,4}$"
ORIGIN_PATTERN = r"^[a-z0-9_]{1,20}$"
CODER_PATTERN = r"^[A-Za-z0-9_.:-]{1,60}$"
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
ACTOR_PATTERN = r"^(?:[A-Z]{2,6}|[a-z][a-z0-9_]{1,40})$"
NAME_PATTERN = r"^[A-Za-z0-9 _.@-]{1,60}$"
PUBLISHER_MAX = 200
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD is a day here (pydantic alone would read "0" as a Unix timestamp)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("must be a date YYYY-MM-DD")
    return value


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]


class ErrorOut(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorOut


class EventOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event_id: str
    origin: str
    date: dt.date | None = None
    source_country: str | None = None
    source_sector: str | None = None
    source_actor: str | None = None
    source_name: str | None = None
    target_country: str | None = None
    target_sector: str | None = None
    target_actor: str | None = None
    target_name: str | None = None
    cameo_code: str | None = None
    plover_type: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    negated: bool | None = None
    modality: str | None = None
    doc_id: str | None = None
    sentence_idx: int | None = None
    sentence: str | None = None
    coder: str | None = None
    rule: str | None = None
    confidence: float | None = None
    url: str | None = None
    publisher: str | None = None
    review: str | None = Field(None, description="The action of the latest correction, if any.")


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class HistogramRow(BaseModel):
    period: dt.date
    quad_class: int | None
    events: int


class DocumentOut(BaseModel):
    doc_id: str
    title: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    url: str | None = None
    source_kind: str | None = None
    language: str | None = None
    events: int = 0


class DocumentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[DocumentOut]


class SearchHitOut(BaseModel):
    doc_id: str
    sentence_idx: int
    score: float
    text: str
    title: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    highlights: list[tuple[int, int]] = []


class SpanOut(BaseModel):
    role: Literal["source", "verb", "target"]
    start: int
    end: int
    event_id: str


class SentenceOut(BaseModel):
    idx: int
    paragraph: int
    text: str
    spans: list[SpanOut] = []


class DocumentDetail(BaseModel):
    document: DocumentOut
    author: str | None = None
    sentences: list[SentenceOut]
    events: list[EventOut]


class SeriesPoint(BaseModel):
    period: dt.date
    events: int
    goldstein_mean: float | None
    cooperation_share: float | None


class OriginSeries(BaseModel):
    origin: str
    total: int
    points: list[SeriesPoint]


class DyadSeries(BaseModel):
    dyad: str
    unit: Literal["week", "month", "quarter", "year"]
    undirected: bool
    series: list[OriginSeries]


def _cameo_codes() -> list[Any]:
    from dyadwatch.coding import ontology

    return list(ontology.cameo_codes())


class Judgement(BaseModel):
    """Accept or reject an event as the coder made it."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(pattern=ID_PATTERN, max_length=128)
    action: Literal["accept", "reject"]
    reviewer: str | None = Field(None, pattern=NAME_PATTERN)
    note: str | None = Field(None, max_length=2000)


class Change(BaseModel):
    """Correct an event: at least one of the CAMEO code, source, target and date, each a new value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": [name]} for name in ("cameo_code", "source_country", "target_country", "date")]},
    )

    event_id: str = Field(pattern=ID_PATTERN, max_length=128)
    action: Literal["correct"]
    cameo_code: str = Field(None, json_schema_extra={"enum": _cameo_codes()})  # type: ignore[assignment]
    source_country: str = Field(None, pattern=ACTOR_PATTERN)  # type: ignore[assignment]
    target_country: str = Field(None, pattern=ACTOR_PATTERN)  # type: ignore[assignment]
    date: IsoDay = Field(None)  # type: ignore[assignment]
    reviewer: str | None = Field(None, pattern=NAME_PATTERN)
    note: str | None = Field(None, max_length=2000)


# the body of POST /api/corrections: which fields it takes depends on the action
CorrectionIn = Annotated[Judgement | Change, Field(discriminator="action")]


class CorrectionOut(BaseModel):
    correction_id: str
    event_id: str
    action: str
    changes: dict[str, str]
    reviewer: str
    note: str | None = None
    created_at: dt.datetime
    pending: bool = Field(description="True until the correction is written into the store itself.")


class StatusOut(BaseModel):
    store: str
    allow_edits: bool
    snapshot: int
    snapshot_taken_at: dt.datetime | None
    snapshot_copy_seconds: float | None
    writer_active: bool
    stale: bool
    pending_corrections: int
    last_applied_at: dt.datetime | None
    documents: int
    events: int
    corrections: int


class StudyOut(BaseModel):
    name: str
    title: str | None = None
    state: Literal["new", "running", "done", "failed"]
    uploaded_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    report: str | None = Field(None, description="The report's address, once the study has run.")
    message: str | None = None
