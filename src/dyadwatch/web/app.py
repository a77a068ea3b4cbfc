"""The dashboard application: ``create_app(store_path)`` returns a FastAPI app.

Pages (HTML, Jinja2 with autoescape) and a JSON API under ``/api`` (OpenAPI at
``/openapi.json``) over one store. The store is read through snapshots (see
:mod:`dyadwatch.web.access`), so the dashboard keeps working while ``dyadwatch ingest`` or
``dyadwatch code`` writes the store. Writes (corrections, studies) need ``allow_edits`` and the
token (see :mod:`dyadwatch.web.security`).
"""

from __future__ import annotations

import getpass
import logging
import os
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dyadwatch.errors import DyadwatchError, Errors
from dyadwatch.web.access import StoreAccess
from dyadwatch.web.context import HERE, Dashboard, render
from dyadwatch.web.security import CSRF_COOKIE, STATUS, Security, WebError

log = logging.getLogger(__name__)

__all__ = ["create_app"]

# scripts only from the dashboard itself (no inline script); Plotly sets inline styles
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; frame-src 'self'"
)
# a study report runs its own scripts, but sandboxed (an opaque origin: no cookies, no API)
REPORT_CSP = (
    "sandbox allow-scripts allow-popups; default-src 'self' data: blob: 'unsafe-inline'; "
    "connect-src 'none'; frame-ancestors 'self'"
)


def create_app(
    store_path: str | os.PathLike[str],
    *,
    allow_edits: bool = False,
    token: str | None = None,
    folder: str | os.PathLike[str] | None = None,
    allowed_hosts: Iterable[str] | None = None,
    reviewer: str | None = None,
    poll_interval: float = 0.5,
    wait: float = 30.0,
    study_timeout: float = 600.0,
) -> FastAPI:
    """The dashboard over the store at ``store_path`` (which must exist).

    ``allow_edits`` turns on review and studies; writes then need ``token`` (generated when
    None: read it from ``app.state.dashboard.security.token``). ``folder`` is where the
    dashboard keeps its snapshots, journal, index and studies (default ``<store>.web``).
    ``allowed_hosts`` are the Host names served (default: loopback names). The snapshot is
    taken here; the app's shutdown (or ``app.state.dashboard.access.stop()``) stops its thread.
    """
    access = StoreAccess(store_path, folder=folder, poll_interval=poll_interval, wait=wait)
    access.start()
    security = Security.build(allow_edits=allow_edits, token=token, hosts=allowed_hosts)
    board = Dashboard(access=access, security=security, reviewer=reviewer or _user())
    from dyadwatch.web.studies import StudyWorkspace

    board.studies = StudyWorkspace(access, timeout=study_timeout)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        access.stop()

    app = FastAPI(
        title="dyadwatch dashboard",
        version=_version(),
        description="Read the library, the events and the dyads of a dyadwatch store; review events; run studies.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.dashboard = board
    _install_middleware(app, security)
    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from dyadwatch.web.routes import dyads, events, library, review, studies, system

    for module in (system, library, events, dyads, review, studies):
        app.include_router(module.router)
    return app


# the largest request body read: a study file upload (studies.MAX_UPLOAD) with its form around it
MAX_BODY = 512 * 1024


async def _empty_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _install_middleware(app: FastAPI, security: Security) -> None:
    app.add_middleware(Guard, security=security, fastapi_app=app)


class Guard:
    """Every request passes here (a plain ASGI middleware: cheaper than ``@app.middleware``).

    It refuses foreign Host headers, answers OPTIONS without CORS, reads empty form fields of the
    pages as absent, hands out the CSRF cookie and adds the security headers to every answer.
    """

    def __init__(self, app: ASGIApp, *, security: Security, fastapi_app: FastAPI) -> None:
        self.app = app
        self.security = security
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        security = self.security
        try:
            security.check_host(request)
        except WebError as exc:
            scope.setdefault("state", {})["csrf"] = ""
            await _error_response(request, exc.status, exc.code, str(exc))(scope, receive, send)
            return
        if request.method == "OPTIONS":  # no CORS here: say which methods the path has, and no more
            allowed = _methods(self.fastapi_app, request)
            answer = Response(status_code=405 if allowed else 404, headers={"Allow": ", ".join(allowed)} if allowed else None)
            await answer(scope, receive, self._with_headers(scope, send, None))
            return
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            bounded = await self._bounded_body(request, receive)
            if bounded is None:
                scope.setdefault("state", {})["csrf"] = ""
                too_large = WebError(Errors.E738, size=MAX_BODY + 1, limit=MAX_BODY)
                await _error_response(request, 413, too_large.code, str(too_large))(scope, _empty_body, send)
                return
            receive = bounded
        path: str = scope["path"]
        if not path.startswith("/api") and scope.get("query_string"):
            # an HTML form sends its empty fields as "name=": for the pages, empty means not given
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            scope["query_string"] = urlencode([(k, v) for k, v in pairs if v != ""]).encode("latin-1")
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = not security.csrf_valid(cookie)
        csrf = security.new_csrf() if fresh else cookie
        scope.setdefault("state", {})["csrf"] = csrf
        new_cookie = csrf if fresh and not path.startswith(("/static", "/api", "/vendor")) else None
        await self.app(scope, receive, self._with_headers(scope, send, new_cookie))

    @staticmethod
    async def _bounded_body(request: Request, receive: Receive) -> Receive | None:
        """The body read here, at most MAX_BODY bytes, and replayed to the app; None when it is
        larger (by its Content-Length, or as it streams in): nothing bigger is ever held."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # after the body: a disconnect, as the server tells it
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    @staticmethod
    def _with_headers(scope: Scope, send: Send, new_cookie: str | None) -> Send:
        path: str = scope["path"]
        report = path.startswith("/studies/") and "/report/" in path

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_cookie:
                    headers.append("set-cookie", f"{CSRF_COOKIE}={new_cookie}; HttpOnly; Path=/; SameSite=strict")
                headers["Content-Security-Policy"] = REPORT_CSP if report else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "SAMEORIGIN" if report else "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if "cache-control" not in headers and not path.startswith(("/static", "/vendor")):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        return send_with_headers


def _methods(app: FastAPI, request: Request) -> list[str]:
    """The methods the API documents for this path (from the OpenAPI schema)."""
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            table.append((re.compile(f"^{pattern}$"), sorted(m.upper() for m in operations)))
        app.state.allow_table = table
    return next((methods for regex, methods in table if regex.match(request.url.path)), [])


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(DyadwatchError)
    async def coded(request: Request, exc: DyadwatchError) -> Response:
        status = exc.status if isinstance(exc, WebError) else STATUS.get(exc.code, 400)
        return _error_response(request, status, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        if request.url.path.startswith("/api"):
            return JSONResponse(
                {"detail": [_plain(e) for e in exc.errors()], "error": {"code": "E725", "message": "; ".join(problems)}},
                status_code=422,
            )
        return _error_response(request, 422, "E725", "Invalid request: " + "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(request, exc.status_code, "", str(exc.detail), headers=dict(exc.headers or {}))


def _plain(error: Any) -> dict[str, Any]:
    return {"loc": [str(p) for p in error.get("loc", ())], "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}


def _error_response(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)
    if not hasattr(request.state, "csrf"):
        request.state.csrf = ""
    try:
        response: Response = render(request, "error.html", {"code": code, "message": message, "http_status": status},
                                    status_code=status)
    except Exception:  # never let an error page fail
        log.exception("error page failed")
        response = JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    if headers:
        response.headers.update(headers)
    return response


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


def _version() -> str:
    from dyadwatch import __version__

    return str(__version__)


def plotly_js() -> Path:
    """plotly.min.js from the installed plotly package (served at /static-vendor/plotly.min.js)."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
