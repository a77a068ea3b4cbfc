"""The library: documents with search and filters; one document with its events marked in the text."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from dyadwatch.errors import Errors
from dyadwatch.web import queries
from dyadwatch.web.context import Dashboard, get_dashboard, render
from dyadwatch.web.models import (
    ID_PATTERN,
    MAX_LIMIT,
    MAX_OFFSET,
    PUBLISHER_MAX,
    DocumentDetail,
    DocumentOut,
    DocumentPage,
    ErrorBody,
    EventOut,
    IsoDay,
    SearchHitOut,
    SentenceOut,
    SpanOut,
)
from dyadwatch.web.security import WebError

router = APIRouter()
Board = Annotated[Dashboard, Depends(get_dashboard)]
DocId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128, description="A document id.")]
Publisher = Annotated[str | None, Query(max_length=PUBLISHER_MAX, description="Exactly this publisher.")]
DateFrom = Annotated[IsoDay | None, Query(description="Published on or after (YYYY-MM-DD).")]
DateTo = Annotated[IsoDay | None, Query(description="Published on or before (YYYY-MM-DD).")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
SearchQuery = Annotated[str, Query(min_length=1, max_length=500, description="Words, \"phrases\", AND, OR, -word.")]


@router.get("/api/documents", response_model=DocumentPage, tags=["library"])
def api_documents(board: Board, publisher: Publisher = None, date_from: DateFrom = None, date_to: DateTo = None,
                  limit: Limit = 50, offset: Offset = 0) -> DocumentPage:
    """The library's documents, newest first, with the number of events coded from each."""
    filters = queries.DocFilters(publisher=publisher or None, date_from=date_from, date_to=date_to)
    with board.reader() as reader:
        total, rows = board.cached(reader, ("documents", filters, limit, offset),
                                   lambda: queries.documents(reader.con, filters, limit=limit, offset=offset))
    return DocumentPage(total=total, limit=limit, offset=offset, items=[DocumentOut(**r) for r in rows])


@router.get("/api/documents/{doc_id}", response_model=DocumentDetail, tags=["library"],
            responses={404: {"model": ErrorBody}})
def api_document(board: Board, doc_id: DocId) -> DocumentDetail:
    """One document: its sentences, each with the spans (source, verb, target) of its events."""
    with board.reader() as reader:
        return board.cached(reader, ("document", doc_id), lambda: _detail(reader.con, doc_id))


@router.get("/api/search", response_model=list[SearchHitOut], tags=["library"], responses={422: {"model": ErrorBody}})
def api_search(board: Board, q: SearchQuery, publisher: Publisher = None, date_from: DateFrom = None,
               date_to: DateTo = None, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[SearchHitOut]:
    """Ranked keyword search over the sentences (BM25)."""
    with board.reader() as reader:
        return _search(board, reader, q, publisher, date_from, date_to, limit)


@router.get("/library", include_in_schema=False)
def library_page(request: Request, board: Board, q: Annotated[str | None, Query(max_length=500)] = None,
                 publisher: Publisher = None, date_from: DateFrom = None, date_to: DateTo = None,
                 offset: Offset = 0) -> Response:
    limit = 50
    filters = queries.DocFilters(publisher=publisher or None, date_from=date_from, date_to=date_to)
    with board.reader() as reader:
        publishers = board.cached(reader, ("facet", "publisher"), lambda: queries.facet(reader.con, "publisher"))
        hits: list[SearchHitOut] = []
        total, docs = 0, list[dict[str, Any]]()
        if q and q.strip():
            hits = _search(board, reader, q, publisher, date_from, date_to, 100)
        else:
            total, docs = board.cached(reader, ("documents", filters, limit, offset),
                                       lambda: queries.documents(reader.con, filters, limit=limit, offset=offset))
    return render(request, "library.html", {
        "q": q or "", "publisher": publisher or "", "date_from": date_from, "date_to": date_to,
        "publishers": publishers, "hits": [_marked_hit(h) for h in hits], "docs": docs, "total": total,
        "offset": offset, "limit": limit,
    })


@router.get("/library/{doc_id}", include_in_schema=False)
def document_page(request: Request, board: Board, doc_id: DocId) -> Response:
    with board.reader() as reader:
        detail = board.cached(reader, ("document", doc_id), lambda: _detail(reader.con, doc_id))
    paragraphs: list[list[dict[str, Any]]] = []
    last = None
    for sentence in detail.sentences:
        if sentence.paragraph != last:
            paragraphs.append([])
            last = sentence.paragraph
        paragraphs[-1].append({"idx": sentence.idx, "segments": segments(sentence.text, sentence.spans)})
    return render(request, "document.html", {"detail": detail, "paragraphs": paragraphs})


def _detail(con: Any, doc_id: str) -> DocumentDetail:
    doc = queries.document(con, doc_id)
    if doc is None:
        raise WebError(Errors.E726, what="document", key=doc_id)
    author = doc.pop("author", None)
    events = queries.document_events(con, doc_id)
    spans: dict[int, list[SpanOut]] = {}
    for event in events:
        idx = event.get("sentence_idx")
        if idx is None:
            continue
        for role, (start, end) in event["spans"].items():
            spans.setdefault(int(idx), []).append(SpanOut(role=role, start=start, end=end, event_id=event["event_id"]))
    sentences = []
    for row in queries.sentences(con, doc_id):
        text = row["text"]
        own = [s for s in spans.get(row["idx"], []) if s.end <= len(text)]
        sentences.append(SentenceOut(idx=row["idx"], paragraph=row["paragraph"], text=text, spans=own))
    return DocumentDetail(
        document=DocumentOut(**doc), author=author, sentences=sentences,
        events=[EventOut(**{k: v for k, v in e.items() if k != "spans"}) for e in events],
    )


def segments(text: str, spans: list[SpanOut]) -> list[dict[str, Any]]:
    """The sentence cut at every span boundary: [{"text", "roles", "events"}], for marking up.

    The text stays text: the template escapes each piece, so markup in a document shows as
    the characters it is made of.
    """
    cuts = {0, len(text)}
    for span in spans:
        cuts.update((span.start, span.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for start, end in zip(points, points[1:], strict=False):
        covering = [s for s in spans if s.start <= start and end <= s.end]
        roles = sorted({s.role for s in covering})
        out.append({"text": text[start:end], "roles": roles, "events": sorted({s.event_id for s in covering})})
    return out


def _search(board: Dashboard, reader: Any, q: str, publisher: str | None, date_from: dt.date | None,
            date_to: dt.date | None, limit: int) -> list[SearchHitOut]:
    assert board.search is not None
    hits = board.search.search(reader, q, limit=limit, date_from=date_from, date_to=date_to, publisher=publisher or None)
    docs = queries.documents_by_id(reader.con, sorted({h.doc_id for h in hits}))
    return [
        SearchHitOut(
            doc_id=h.doc_id, sentence_idx=h.sentence_idx, score=h.score, text=h.text,
            title=docs.get(h.doc_id, {}).get("title"), published=docs.get(h.doc_id, {}).get("published"),
            publisher=docs.get(h.doc_id, {}).get("publisher"), highlights=[(x[0], x[1]) for x in h.highlights],
        )
        for h in hits
    ]


def _marked_hit(hit: SearchHitOut) -> dict[str, Any]:
    spans = [SpanOut(role="verb", start=s, end=e, event_id="") for s, e in hit.highlights if 0 <= s < e <= len(hit.text)]
    return {"hit": hit, "segments": segments(hit.text, spans)}
