"""Studies in the dashboard: upload a study file, run it on a copy of the store, show its report.

Each study lives in ``<store>.web/studies/<name>/``: ``study.toml`` (as uploaded), ``state.json``,
``results/`` (what ``dyadwatch study`` writes) and ``report/`` (what ``dyadwatch report``
writes). A run works on its own copy of the dashboard's snapshot, in a thread, so it neither
blocks the pages nor takes the store's lock from a writer. Files are served only from a
study's ``report/`` folder, after resolving the path (``..`` and links that leave it are refused).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import threading
import tomllib
from pathlib import Path
from typing import Any

from dyadwatch.errors import DyadwatchError, Errors
from dyadwatch.web.access import StoreAccess
from dyadwatch.web.security import WebError

log = logging.getLogger(__name__)

__all__ = ["MAX_UPLOAD", "StudyWorkspace", "study_name"]

MAX_UPLOAD = 256 * 1024
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def study_name(filename: str) -> str:
    """A study's name from its file name: ``Russia Afghanistan.toml`` -> ``russia-afghanistan``."""
    stem = Path(filename.replace("\\", "/")).name
    if not stem.lower().endswith(".toml"):
        raise WebError(Errors.E729, detail=f"the file name {stem[:80]!r} does not end in .toml")
    slug = re.sub(r"[^a-z0-9]+", "-", stem[:-5].lower()).strip("-")[:40].strip("-")
    return slug or "study"


class StudyWorkspace:
    """The studies of one dashboard."""

    def __init__(self, access: StoreAccess, *, timeout: float = 600.0) -> None:
        self.access = access
        self.folder = access.folder / "studies"
        self.timeout = timeout
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    # -- reading ---------------------------------------------------------------------

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and NAME.match(p.name))

    def folder_of(self, name: str) -> Path:
        if not NAME.match(name) or not (self.folder / name / "study.toml").is_file():
            raise WebError(Errors.E731, name=name[:60])
        return self.folder / name

    def state(self, name: str) -> dict[str, Any]:
        folder = self.folder_of(name)
        try:
            state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = {"state": "new"}
        state["name"] = name
        if (folder / "report" / "index.html").is_file():
            state["report"] = f"/studies/{name}/report/index.html"
        return state

    def results(self, name: str) -> dict[str, Any] | None:
        path = self.folder_of(name) / "results" / "results.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def source(self, name: str) -> str:
        return (self.folder_of(name) / "study.toml").read_text(encoding="utf-8")

    def report_file(self, name: str, relative: str) -> Path:
        """A file of the study's report; anything that resolves outside that folder is refused."""
        root = (self.folder_of(name) / "report").resolve()
        if "\x00" in relative:
            raise WebError(Errors.E730, path=relative[:200].replace("\x00", "\\0"))
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise WebError(Errors.E730, path=relative[:200])
        return target

    # -- writing ---------------------------------------------------------------------

    def upload(self, filename: str, data: bytes) -> str:
        """Check and store an uploaded study file; its name."""
        if len(data) > MAX_UPLOAD:
            raise WebError(Errors.E728, size=len(data), limit=MAX_UPLOAD)
        name = study_name(filename)
        try:
            text = data.decode("utf-8")
            tomllib.loads(text)
        except UnicodeDecodeError:
            raise WebError(Errors.E729, detail="it is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise WebError(Errors.E729, detail=f"it is not valid TOML: {exc}") from None
        from dyadwatch.study.spec import StudySpec

        try:
            StudySpec.from_toml(text, where=f"{name}.toml")
        except DyadwatchError as exc:
            raise WebError(Errors.E729, detail=str(exc)) from None
        with self._lock:
            if name in self._threads and self._threads[name].is_alive():
                raise WebError(Errors.E737, name=name, state="running")
            folder = self.folder / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "study.toml").write_text(text, encoding="utf-8")
            self._write_state(folder, {"state": "new", "uploaded_at": _now()})
        return name

    def run(self, name: str) -> None:
        """Start a run in a thread (one at a time per study)."""
        folder = self.folder_of(name)
        with self._lock:
            if name in self._threads and self._threads[name].is_alive():
                raise WebError(Errors.E737, name=name, state="running")
            state = self.state(name)
            self._write_state(folder, {**state, "state": "running", "started_at": _now(), "message": None})
            thread = threading.Thread(target=self._run, args=(name, folder), name=f"study-{name}", daemon=True)
            self._threads[name] = thread
            thread.start()

    def wait(self, name: str, timeout: float | None = None) -> None:
        thread = self._threads.get(name)
        if thread is not None:
            thread.join(timeout)

    def _run(self, name: str, folder: Path) -> None:
        from dyadwatch.store import Store

        work = folder / "work"
        copy = work / "store.duckdb"
        try:
            if work.exists():
                shutil.rmtree(work)
            work.mkdir()
            self._copy_snapshot(copy)
            try:
                from dyadwatch.study.run import run_study
                from dyadwatch.study.spec import StudySpec
            except ImportError as exc:
                raise WebError(Errors.E733, detail=f"dyadwatch.study is not installed ({exc})") from exc

            spec = StudySpec.from_toml((folder / "study.toml").read_text(encoding="utf-8"), where=f"{name}.toml")
            with Store(copy) as store:
                results = run_study(store, spec)
                for sub in ("results", "report"):
                    if (folder / sub).exists():
                        shutil.rmtree(folder / sub)
                results.write(folder / "results")
                message = None
                try:
                    from dyadwatch.report import write_report

                    write_report(folder / "results", folder / "report", store=store, pdf=False)
                except ImportError:
                    message = "the report module is not installed: the results are shown without the report"
            state = {**self.state(name), "state": "done", "finished_at": _now(), "message": message}
        except DyadwatchError as exc:
            state = {**self.state(name), "state": "failed", "finished_at": _now(), "message": str(exc)}
        except Exception as exc:  # a failed run is shown on the study's page, never fatal
            log.exception("study %s failed", name)
            state = {**self.state(name), "state": "failed", "finished_at": _now(),
                     "message": f"[E732] {type(exc).__name__}: {exc}"}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        state.pop("report", None)
        state.pop("name", None)
        self._write_state(folder, state)

    def _copy_snapshot(self, target: Path) -> None:
        """A file copy of the current snapshot (its corrections included), for a run to own."""
        with self.access.reader() as reader:
            snap = reader.snapshot
            with snap.write_lock:  # no commit runs meanwhile: the file and its WAL agree
                shutil.copyfile(snap.path, target)
                wal = Path(str(snap.path) + ".wal")
                if wal.is_file():
                    shutil.copyfile(wal, str(target) + ".wal")
        partitions = Path(self.access.store_path + ".partitions")
        if partitions.is_dir():
            (target.parent / (target.name + ".partitions")).symlink_to(partitions)

    @staticmethod
    def _write_state(folder: Path, state: dict[str, Any]) -> None:
        tmp = folder / "state.json.tmp"
        tmp.write_text(json.dumps(state, default=str, indent=1), encoding="utf-8")
        tmp.replace(folder / "state.json")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
