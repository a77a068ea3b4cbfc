"""Studies: list and upload study files, run one, view its results and its report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from dyadwatch.errors import Errors
from dyadwatch.web.context import Dashboard, get_dashboard, render
from dyadwatch.web.models import ErrorBody, StudyOut
from dyadwatch.web.security import WebError
from dyadwatch.web.studies import MAX_UPLOAD

router = APIRouter()
Board = Annotated[Dashboard, Depends(get_dashboard)]
Name = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="The study's name.")]
ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
    413: {"model": ErrorBody}, 415: {"model": ErrorBody},
}


def _study(board: Dashboard, name: str) -> StudyOut:
    state = board.studies.state(name)
    results = board.studies.results(name)
    title = (results or {}).get("study", {}).get("title") if isinstance((results or {}).get("study"), dict) else None
    return StudyOut(name=name, title=title, state=state.get("state", "new"), uploaded_at=state.get("uploaded_at"),
                    finished_at=state.get("finished_at"), report=state.get("report"), message=state.get("message"))


@router.get("/api/studies", response_model=list[StudyOut], tags=["studies"])
def api_studies(board: Board) -> list[StudyOut]:
    """The uploaded studies and the state of their last run."""
    return [_study(board, name) for name in board.studies.names()]


@router.get("/api/studies/{name}", response_model=StudyOut, tags=["studies"], responses={404: {"model": ErrorBody}})
def api_study(board: Board, name: Name) -> StudyOut:
    return _study(board, name)


async def _read_upload(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise WebError(Errors.E728, size=f"more than {MAX_UPLOAD}", limit=MAX_UPLOAD)
    kind = (upload.content_type or "").split(";")[0].strip().lower()
    if kind not in ("", "application/toml", "text/plain", "application/octet-stream", "text/x-toml"):
        raise WebError(Errors.E729, detail=f"its type is {kind[:60]!r}")
    return data


@router.post("/api/studies", response_model=StudyOut, status_code=201, tags=["studies"], responses=ERRORS)
async def api_upload(request: Request, board: Board, file: Annotated[UploadFile, File()]) -> StudyOut:
    """Upload a study file (TOML, at most 256 KiB; needs --allow-edits and the token)."""
    board.security.check_write(request)
    name = board.studies.upload(file.filename or "", await _read_upload(file))
    return _study(board, name)


@router.post("/api/studies/{name}/run", response_model=StudyOut, status_code=202, tags=["studies"], responses=ERRORS)
def api_run(request: Request, board: Board, name: Name) -> StudyOut:
    """Run a study on the dashboard's copy of the store; poll GET /api/studies/{name}."""
    board.security.check_write(request)
    board.studies.run(name)
    return _study(board, name)


@router.get("/studies", include_in_schema=False)
def studies_page(request: Request, board: Board) -> Response:
    return render(request, "studies.html", {"studies": [_study(board, n) for n in board.studies.names()],
                                             "max_upload": MAX_UPLOAD})


@router.post("/studies", include_in_schema=False)
async def studies_upload(request: Request, board: Board, file: Annotated[UploadFile, File()],
                         csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    board.security.check_write(request, form_csrf=csrf_token)
    name = board.studies.upload(file.filename or "", await _read_upload(file))
    return RedirectResponse(f"/studies/{name}", status_code=303)


@router.get("/studies/{name}", include_in_schema=False)
def study_page(request: Request, board: Board, name: Name) -> Response:
    study = _study(board, name)
    return render(request, "study.html", {"study": study, "results": board.studies.results(name),
                                           "source": board.studies.source(name)})


@router.post("/studies/{name}/run", include_in_schema=False)
def study_run(request: Request, board: Board, name: Name,
              csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    board.security.check_write(request, form_csrf=csrf_token)
    board.studies.run(name)
    return RedirectResponse(f"/studies/{name}", status_code=303)


@router.get("/studies/{name}/report/{path:path}", include_in_schema=False)
def study_report(board: Board, name: Name, path: str) -> Response:
    """A file of the study's report (served sandboxed: see the CSP in app.py)."""
    return FileResponse(board.studies.report_file(name, path))
