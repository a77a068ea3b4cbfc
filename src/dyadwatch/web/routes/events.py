"""The events table: filter by dyad, date, code, quad class, source dataset and coder; export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from dyadwatch.errors import Errors
from dyadwatch.store.corrections import latest_corrections
from dyadwatch.web import queries
from dyadwatch.web.context import Dashboard, event_filters, get_dashboard, render
from dyadwatch.web.models import (
    ID_PATTERN,
    MAX_LIMIT,
    MAX_OFFSET,
    ErrorBody,
    EventOut,
    EventPage,
    HistogramRow,
)
from dyadwatch.web.security import WebError

router = APIRouter()
Board = Annotated[Dashboard, Depends(get_dashboard)]
Filters = Annotated[queries.EventFilters, Depends(event_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Unit = Annotated[Literal["week", "month", "quarter", "year"], Query()]
EventId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128)]


def event_page(board: Dashboard, reader: Any, filters: queries.EventFilters, *, limit: int, offset: int) -> EventPage:
    """A page of events with each one's review state (the latest correction's action)."""
    # what depends on the corrections (which land within a snapshot) is cached per corrections version
    version = board.access.corrections_version
    review_key = (version,) if filters.review else ()
    total = board.cached(reader, ("count", filters, *review_key), lambda: queries.count_events(reader.con, filters))
    rows = board.cached(reader, ("events", filters, limit, offset, *review_key),
                        lambda: queries.events(reader.con, filters, limit=limit, offset=offset))
    ids = tuple(r["event_id"] for r in rows)
    reviews = board.cached(reader, ("reviews", ids, version), lambda: latest_corrections(reader.con, list(ids)))
    items = [EventOut(**r, review=reviews[r["event_id"]].action if r["event_id"] in reviews else None) for r in rows]
    return EventPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/api/events", response_model=EventPage, tags=["events"], responses={422: {"model": ErrorBody}})
def api_events(board: Board, filters: Filters, limit: Limit = 50, offset: Offset = 0) -> EventPage:
    """Events (own coding and imported datasets), newest first, filtered."""
    with board.reader() as reader:
        return event_page(board, reader, filters, limit=limit, offset=offset)


@router.get("/api/events/histogram", response_model=list[HistogramRow], tags=["events"])
def api_histogram(board: Board, filters: Filters, unit: Unit = "month") -> list[HistogramRow]:
    """The filtered events per period and quad class (the chart of the events page)."""
    with board.reader() as reader:
        rows = board.cached(reader, ("histogram", filters, unit), lambda: queries.histogram(reader.con, filters, unit=unit))
    return [HistogramRow(**r) for r in rows]


@router.get("/api/events/export", tags=["events"], response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def api_export(board: Board, filters: Filters,
               format: Annotated[Literal["csv", "jsonl"], Query()] = "csv") -> StreamingResponse:  # noqa: A002
    """Every filtered event as CSV or JSON lines (oldest first), streamed."""
    reader_cm = board.reader()
    reader = reader_cm.__enter__()
    try:
        batches = queries.iter_events(reader.con, filters)
    except BaseException:
        reader_cm.__exit__(None, None, None)
        raise

    def body() -> Iterator[bytes]:
        try:
            if format == "csv":
                buffer = io.StringIO()
                writer = csv.DictWriter(buffer, fieldnames=list(queries.EVENT_FIELDS), extrasaction="ignore")
                writer.writeheader()
                for batch in batches:
                    writer.writerows(batch)
                    yield buffer.getvalue().encode("utf-8")
                    buffer.seek(0)
                    buffer.truncate()
                yield buffer.getvalue().encode("utf-8")
            else:
                for batch in batches:
                    yield "".join(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n" for row in batch).encode("utf-8")
        finally:
            reader_cm.__exit__(None, None, None)

    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    name = f"dyadwatch-events.{format}"
    return StreamingResponse(body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/events/{event_id}", response_model=EventOut, tags=["events"], responses={404: {"model": ErrorBody}})
def api_event(board: Board, event_id: EventId) -> EventOut:
    """One event, with its review state."""
    with board.reader() as reader:
        row = queries.event(reader.con, event_id)
        if row is None:
            raise WebError(Errors.E726, what="event", key=event_id)
        reviews = latest_corrections(reader.con, [event_id])
    row.pop("spans", None)
    return EventOut(**row, review=reviews[event_id].action if event_id in reviews else None)


@router.get("/events", include_in_schema=False)
def events_page(request: Request, board: Board, filters: Filters, offset: Offset = 0) -> Response:
    limit = 50
    with board.reader() as reader:
        page = event_page(board, reader, filters, limit=limit, offset=offset)
        origins = board.cached(reader, ("facet", "origin"), lambda: queries.facet(reader.con, "origin"))
        coders = board.cached(reader, ("facet", "coder"), lambda: queries.facet(reader.con, "coder"))
    params = filters.query_string()
    return render(request, "events.html", {
        "page": page, "filters": filters, "params": params, "origins": origins, "coders": coders,
        "query": _query(params), "next_offset": offset + limit if offset + limit < page.total else None,
        "prev_offset": max(0, offset - limit) if offset > 0 else None,
    })


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
