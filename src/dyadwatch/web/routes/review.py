"""Review: accept, correct (code, source, target, date) or reject an event; export the corrections.

A correction is a new row of the ``corrections`` table with who and when; the coder's event
is never changed. ``dyadwatch evaluate --corrections`` reads them as gold.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from dyadwatch.coding import ontology
from dyadwatch.errors import Errors
from dyadwatch.store.corrections import Correction, read_corrections
from dyadwatch.web import queries
from dyadwatch.web.context import Dashboard, event_filters, get_dashboard, render
from dyadwatch.web.models import (
    ID_PATTERN,
    MAX_OFFSET,
    Change,
    CorrectionIn,
    CorrectionOut,
    ErrorBody,
    Judgement,
)
from dyadwatch.web.routes.events import event_page
from dyadwatch.web.routes.library import segments
from dyadwatch.web.security import WebError

router = APIRouter()
Board = Annotated[Dashboard, Depends(get_dashboard)]
Filters = Annotated[queries.EventFilters, Depends(event_filters)]
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody},
}


def build_correction(board: Dashboard, reader: Any, data: Judgement | Change) -> Correction:
    """Check a correction against the event it judges; the record to journal."""
    if queries.event(reader.con, data.event_id) is None:
        raise WebError(Errors.E726, what="event", key=data.event_id)
    changes: dict[str, str] = {}
    if isinstance(data, Change):
        changes = _changes(data)
    if data.action == "correct" and not changes:
        raise WebError(Errors.E727, detail="'correct' needs at least one of cameo_code, source_country, target_country, date")
    return Correction(
        correction_id=uuid.uuid4().hex, event_id=data.event_id, action=data.action, changes=changes,
        reviewer=data.reviewer or board.reviewer, note=data.note or None,
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )


def _changes(data: Change) -> dict[str, str]:
    changes: dict[str, str] = {}
    if data.cameo_code is not None:
        if not ontology.is_cameo(data.cameo_code):
            raise WebError(Errors.E727, detail=f"{data.cameo_code!r} is not a CAMEO code (a string with its leading zeros: '043')")
        changes["cameo_code"] = data.cameo_code
    if data.source_country is not None:
        changes["source_country"] = data.source_country
    if data.target_country is not None:
        changes["target_country"] = data.target_country
    if data.date is not None:
        changes["date"] = data.date.isoformat()
    return changes


def _out(board: Dashboard, c: Correction, pending: bool) -> CorrectionOut:
    return CorrectionOut(
        correction_id=c.correction_id, event_id=c.event_id, action=c.action,
        changes={k: str(v) for k, v in c.changes.items()}, reviewer=c.reviewer, note=c.note,
        created_at=(c.created_at or dt.datetime.now(dt.UTC)).replace(tzinfo=dt.UTC), pending=pending,
    )


@router.post("/api/corrections", response_model=CorrectionOut, status_code=201, tags=["review"], responses=WRITE_ERRORS)
def api_correct(request: Request, board: Board, data: Annotated[CorrectionIn, Body()]) -> CorrectionOut:
    """Record a correction (needs --allow-edits and the token: 'Authorization: Bearer TOKEN').

    It is journalled (durable) before the answer; ``pending`` says it still waits for the store
    to be free of other writers."""
    board.security.check_write(request)
    with board.reader() as reader:
        correction = build_correction(board, reader, data)
    board.access.record(correction)
    return _out(board, correction, pending=True)


@router.get("/api/corrections", tags=["review"], response_model=list[CorrectionOut],
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def api_corrections(
    board: Board,
    event_id: Annotated[str | None, Query(pattern=ID_PATTERN, max_length=128)] = None,
    format: Annotated[Literal["json", "jsonl", "csv"], Query()] = "json",  # noqa: A002
    limit: Annotated[int, Query(ge=1, le=MAX_OFFSET)] = 1000,
) -> Response:
    """The corrections, newest first; ``format=jsonl`` or ``csv`` downloads them."""
    with board.reader() as reader:
        found = read_corrections(reader.con, event_id=event_id, limit=limit)
    pending_ids = {c.correction_id for c in board.access.journal.pending()[0]}
    records = [_out(board, c, c.correction_id in pending_ids) for c in found]
    if format == "json":
        return JSONResponse([json.loads(r.model_dump_json()) for r in records])
    rows = [json.loads(r.model_dump_json()) for r in records]
    if format == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        return Response(body, media_type="application/x-ndjson",
                        headers={"Content-Disposition": 'attachment; filename="dyadwatch-corrections.jsonl"'})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CorrectionOut.model_fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "changes": json.dumps(row["changes"], sort_keys=True)})
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="dyadwatch-corrections.csv"'})


@router.get("/review", include_in_schema=False)
def review_page(request: Request, board: Board, filters: Filters,
                offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                done: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    limit = 20
    with board.reader() as reader:
        page = event_page(board, reader, filters, limit=limit, offset=offset)
        origins = board.cached(reader, ("facet", "origin"), lambda: queries.facet(reader.con, "origin"))
        coders = board.cached(reader, ("facet", "coder"), lambda: queries.facet(reader.con, "coder"))
        spans = {
            row[0]: queries.parse_spans(row[1])
            for row in reader.con.execute(
                "SELECT event_id, CAST(spans AS VARCHAR) FROM web_events WHERE list_contains(?, event_id)",
                [[e.event_id for e in page.items]],
            ).fetchall()
        }
    from dyadwatch.web.models import SpanOut

    items = []
    for event in page.items:
        marks = [SpanOut(role=r, start=s, end=e, event_id=event.event_id) for r, (s, e) in spans.get(event.event_id, {}).items()]  # type: ignore[arg-type]
        text = event.sentence or ""
        items.append({"event": event, "segments": segments(text, [m for m in marks if m.end <= len(text)])})
    params = filters.query_string()
    from urllib.parse import urlencode

    here = "/review?" + urlencode({**params, "offset": str(offset)})
    return render(request, "review.html", {
        "page": page, "items": items, "origins": origins, "coders": coders, "filters": filters, "params": params, "here": here,
        "reviewer": request.cookies.get("dw_reviewer") or board.reviewer, "done": done,
        "query": urlencode(params), "next_offset": offset + limit if offset + limit < page.total else None,
    })


@router.post("/review", include_in_schema=False)
def review_submit(
    request: Request,
    board: Board,
    event_id: Annotated[str, Form(max_length=128)],
    action: Annotated[str, Form(max_length=20)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    cameo_code: Annotated[str, Form(max_length=10)] = "",
    source_country: Annotated[str, Form(max_length=50)] = "",
    target_country: Annotated[str, Form(max_length=50)] = "",
    date: Annotated[str, Form(max_length=20)] = "",
    reviewer: Annotated[str, Form(max_length=60)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=1000)] = "/review",  # noqa: A002
) -> Response:
    """The review form: only the fields that differ from the event count as changes."""
    board.security.check_write(request, form_csrf=csrf_token)
    with board.reader() as reader:
        current = queries.event(reader.con, event_id) if len(event_id) <= 128 else None
        if current is None:
            raise WebError(Errors.E726, what="event", key=event_id[:128])
        fields: dict[str, Any] = {"event_id": event_id, "action": action, "reviewer": reviewer.strip() or None,
                                  "note": note.strip() or None}
        if action == "correct":
            for name, value in (("cameo_code", cameo_code), ("source_country", source_country),
                                ("target_country", target_country), ("date", date)):
                value = value.strip()
                if value and value != str(current.get(name) or ""):
                    fields[name] = value
        try:
            data: Judgement | Change = Change(**fields) if action == "correct" else Judgement(**fields)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise WebError(Errors.E727, detail=problems) from None
        correction = build_correction(board, reader, data)
    board.access.record(correction)
    from dyadwatch.web.routes.system import _local

    target = _local(next)
    if not target.startswith("/review"):
        target = "/review"
    sep = "&" if "?" in target else "?"
    response = RedirectResponse(f"{target}{sep}done={correction.correction_id}", status_code=303)
    if data.reviewer:
        response.set_cookie("dw_reviewer", data.reviewer, httponly=True, samesite="strict", path="/")
    return response
