"""The dyads page: the series of any directed dyad, one line per source, side by side."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from dyadwatch.web import queries
from dyadwatch.web.context import Dashboard, event_filters, get_dashboard, render
from dyadwatch.web.models import DyadSeries, ErrorBody, OriginSeries, SeriesPoint

router = APIRouter()
Board = Annotated[Dashboard, Depends(get_dashboard)]
Filters = Annotated[queries.EventFilters, Depends(event_filters)]
Unit = Annotated[Literal["week", "month", "quarter", "year"], Query()]


def series(board: Dashboard, reader: Any, filters: queries.EventFilters, unit: str) -> DyadSeries:
    rows = board.cached(reader, ("series", filters, unit), lambda: queries.dyad_series(reader.con, filters, unit=unit))
    by_origin: dict[str, list[SeriesPoint]] = {}
    for row in rows:
        by_origin.setdefault(row["origin"], []).append(
            SeriesPoint(period=row["period"], events=row["events"], goldstein_mean=row["goldstein_mean"],
                        cooperation_share=row["cooperation_share"])
        )
    return DyadSeries(
        dyad="-".join(filters.dyad) if filters.dyad else "all", unit=unit, undirected=filters.undirected,  # type: ignore[arg-type]
        series=[OriginSeries(origin=o, total=sum(p.events for p in pts), points=pts) for o, pts in sorted(by_origin.items())],
    )


@router.get("/api/dyads/series", response_model=DyadSeries, tags=["dyads"], responses={422: {"model": ErrorBody}})
def api_series(board: Board, filters: Filters, unit: Unit = "month") -> DyadSeries:
    """Events, mean Goldstein score and cooperation share per period of a dyad, per source dataset.

    Without ``dyad``, the series of every event (``"dyad": "all"``)."""
    with board.reader() as reader:
        return series(board, reader, filters, unit)


@router.get("/api/dyads/top", response_model=list[dict[str, Any]], tags=["dyads"])
def api_top(board: Board, limit: Annotated[int, Query(ge=1, le=200)] = 30) -> list[dict[str, Any]]:
    """The directed country dyads with the most events."""
    with board.reader() as reader:
        return board.cached(reader, ("top", limit), lambda: _top(reader.con, limit))


@router.get("/dyads", include_in_schema=False)
def dyads_page(request: Request, board: Board, filters: Filters, unit: Unit = "month") -> Response:
    with board.reader() as reader:
        top = board.cached(reader, ("top", 30), lambda: _top(reader.con, 30))
        chosen = filters
        if chosen.dyad is None and top:
            chosen = dataclasses.replace(filters, dyad=(top[0]["source"], top[0]["target"]))
        data = series(board, reader, chosen, unit) if chosen.dyad is not None else None
    params = chosen.query_string()
    params["unit"] = unit
    from urllib.parse import urlencode

    return render(request, "dyads.html", {
        "filters": chosen, "unit": unit, "top": top, "data": data, "api": "/api/dyads/series?" + urlencode(params),
        "events_link": "/events?" + urlencode(chosen.query_string()),
    })


def _top(con: Any, limit: int) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT source_country, target_country, count(*) FROM web_events WHERE source_country IS NOT NULL "
        "AND target_country IS NOT NULL AND source_country <> target_country GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT ?",
        [limit],
    ).fetchall()
    return [{"source": r[0], "target": r[1], "events": int(r[2])} for r in rows]
