"""Status, log-in and the vendored Plotly script."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from dyadwatch.errors import Errors
from dyadwatch.web import queries
from dyadwatch.web.context import Dashboard, get_dashboard, render
from dyadwatch.web.models import ErrorBody, StatusOut
from dyadwatch.web.security import CSRF_COOKIE, SESSION_COOKIE, WebError

router = APIRouter()


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/library", status_code=303)


@router.get("/api/status", response_model=StatusOut, tags=["status"])
def status(board: Annotated[Dashboard, Depends(get_dashboard)]) -> StatusOut:
    """The store's counts, and how fresh the dashboard's copy of it is."""
    with board.reader() as reader:
        numbers: dict[str, Any] = dict(board.cached(reader, ("counts",), lambda: queries.counts(reader.con)))
        numbers["corrections"] = queries.count_corrections(reader.con)  # corrections land within a snapshot
    return StatusOut(**board.access.status(), allow_edits=board.security.allow_edits, **numbers)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/review") -> Response:  # noqa: A002
    return render(request, "login.html", {"next": _local(next), "failed": False})


@router.post("/login", include_in_schema=False, responses={401: {"model": ErrorBody}})
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/review",  # noqa: A002
) -> Response:
    """Trade the token for a session cookie (HttpOnly, SameSite=Strict)."""
    board = get_dashboard(request)
    security = board.security
    if not security.allow_edits:
        raise WebError(Errors.E721)
    security.check_origin(request, required=True)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or cookie != csrf_token or not security.csrf_valid(cookie):
        raise WebError(Errors.E723, detail="the log-in form is stale")
    if not security.token_matches(token.strip()):
        return render(request, "login.html", {"next": _local(next), "failed": True}, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, security.session_value(), httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    get_dashboard(request).security.check_origin(request, required=True)
    response = RedirectResponse("/library", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_script() -> Response:
    from dyadwatch.web.app import plotly_js

    return FileResponse(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


def _local(target: str) -> str:
    """Only a path of this site is a place to go back to (no //host, no scheme)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return "/review"
    return target
