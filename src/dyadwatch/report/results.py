"""Reading the files `dyadwatch study` writes, checked before anything is drawn.

The report reads only results.json (the CSV files hold the same numbers for other tools).
Every problem is a coded :class:`ReportError` naming the file and the key, so that a
hand-edited or half-written results folder never ends in a stack trace mid-render.

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "results.json").write_text(json.dumps({"format": "other/9"}))
>>> try:
...     load_results(folder)
... except ReportError as err:
...     print(err.code)
E704
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dyadwatch.errors import DyadwatchError, Errors

__all__ = ["RESULTS_FORMAT", "ReportError", "StudyResults", "load_results"]

RESULTS_FORMAT = "dyadwatch-study-results/1"
VERDICTS = ("supported", "not supported", "inconclusive")


class ReportError(DyadwatchError, ValueError):
    """The study results cannot be read, or the report cannot be written."""


@dataclass(frozen=True, slots=True)
class StudyResults:
    """The checked content of one results folder (the sections of results.json as read)."""

    path: Path  # the results.json file
    raw: Mapping[str, Any]

    @property
    def study(self) -> Mapping[str, Any]:
        return self.raw["study"]

    @property
    def provenance(self) -> Mapping[str, Any]:
        return self.raw.get("provenance") or {}

    @property
    def series(self) -> Sequence[Mapping[str, Any]]:
        return self.raw.get("series") or []

    @property
    def hypotheses(self) -> Sequence[Mapping[str, Any]]:
        return self.raw.get("hypotheses") or []

    @property
    def frames(self) -> Mapping[str, Any] | None:
        return self.raw.get("frames")

    @property
    def network(self) -> Mapping[str, Any] | None:
        return self.raw.get("network")


def load_results(folder: str | Path) -> StudyResults:
    """Read and check ``folder/results.json`` (a path to the file itself works too)."""
    path = Path(folder)
    if path.is_dir() or path.name != "results.json":
        path = path / "results.json"
    if not path.is_file():
        raise ReportError(Errors.E702, where=str(path.parent))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise ReportError(Errors.E703, where=str(path), detail=f"not UTF-8 text: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(Errors.E703, where=str(path), detail=f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    except ValueError as exc:  # NaN / Infinity, which the format forbids
        raise ReportError(Errors.E703, where=str(path), detail=str(exc)) from exc
    except OSError as exc:
        raise ReportError(Errors.E703, where=str(path), detail=exc.strerror or str(exc)) from exc
    if not isinstance(raw, dict):
        raise ReportError(Errors.E705, where=str(path), key="(top)", detail=f"must be an object. Got {_kind(raw)} instead")
    found = raw.get("format")
    if found != RESULTS_FORMAT:
        raise ReportError(Errors.E704, where=str(path), found=found, expected=RESULTS_FORMAT)
    _check(raw, path)
    return StudyResults(path=path, raw=raw)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed: numbers that cannot be computed must be null")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


class _Checker:
    """Walks the parts of results.json the report uses, naming the first wrong key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, detail: str) -> None:
        raise ReportError(Errors.E705, where=str(self.path), key=key, detail=detail)

    def obj(self, parent: Mapping[str, Any], name: str, key: str, *, optional: bool = False) -> Mapping[str, Any]:
        value = parent.get(name)
        if value is None and optional:
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"must be an object. Got {_kind(value)} instead")
        return value  # type: ignore[return-value]

    def seq(self, parent: Mapping[str, Any], name: str, key: str, *, optional: bool = False) -> list[Any]:
        value = parent.get(name)
        if value is None and optional:
            return []
        if not isinstance(value, list):
            self.fail(key, f"must be a list. Got {_kind(value)} instead")
        return value  # type: ignore[return-value]

    def text(self, parent: Mapping[str, Any], name: str, key: str, *, optional: bool = False) -> None:
        value = parent.get(name)
        if value is None and optional:
            return
        if not isinstance(value, str):
            self.fail(key, f"must be a string. Got {_kind(value)} instead")

    def number(self, value: Any, key: str) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(key, f"must be a number or null. Got {value!r} instead")

    def numbers(self, parent: Mapping[str, Any], name: str, key: str, length: int | None = None) -> None:
        values = self.seq(parent, name, key)
        for i, value in enumerate(values):
            self.number(value, f"{key}[{i}]")
        if length is not None and len(values) != length:
            self.fail(key, f"must have one value per period ({length}). Got {len(values)} instead")


def _check(raw: Mapping[str, Any], path: Path) -> None:
    c = _Checker(path)
    study = c.obj(raw, "study", "study")
    c.text(study, "title", "study.title")
    c.text(study, "question", "study.question", optional=True)
    for i, item in enumerate(c.seq(study, "interventions", "study.interventions", optional=True)):
        if not isinstance(item, dict):
            c.fail(f"study.interventions[{i}]", "must be an object with name and date")
        c.text(item, "date", f"study.interventions[{i}].date")
    c.obj(raw, "provenance", "provenance", optional=True)
    for i, series in enumerate(c.seq(raw, "series", "series", optional=True)):
        key = f"series[{i}]"
        if not isinstance(series, dict):
            c.fail(key, f"must be an object. Got {_kind(series)} instead")
        for name in ("dyad", "measure"):
            c.text(series, name, f"{key}.{name}")
        for j, row in enumerate(c.seq(series, "rows", f"{key}.rows")):
            if not isinstance(row, dict):
                c.fail(f"{key}.rows[{j}]", f"must be an object. Got {_kind(row)} instead")
            c.text(row, "period", f"{key}.rows[{j}].period")
            c.number(row.get("value"), f"{key}.rows[{j}].value")
    for i, hyp in enumerate(c.seq(raw, "hypotheses", "hypotheses", optional=True)):
        key = f"hypotheses[{i}]"
        if not isinstance(hyp, dict):
            c.fail(key, f"must be an object. Got {_kind(hyp)} instead")
        for name in ("id", "statement"):
            c.text(hyp, name, f"{key}.{name}")
        if hyp.get("verdict") not in VERDICTS:
            c.fail(f"{key}.verdict", f"must be one of {', '.join(VERDICTS)}. Got {hyp.get('verdict')!r} instead")
        c.number(hyp.get("estimate"), f"{key}.estimate")
        c.number(hyp.get("p_value"), f"{key}.p_value")
        ci = hyp.get("ci")
        if ci is not None:
            if not isinstance(ci, list) or len(ci) != 2:
                c.fail(f"{key}.ci", f"must be [low, high] or null. Got {ci!r} instead")
            c.numbers(hyp, "ci", f"{key}.ci")
        fit = hyp.get("fit")
        if fit is not None:
            fit = c.obj(hyp, "fit", f"{key}.fit")
            periods = c.seq(fit, "periods", f"{key}.fit.periods")
            c.numbers(fit, "observed", f"{key}.fit.observed", len(periods))
            for name in ("fitted", "counterfactual", "counterfactual_low", "counterfactual_high"):
                if fit.get(name) is not None:  # a method may have no fit or no band (a paired difference)
                    c.numbers(fit, name, f"{key}.fit.{name}", len(periods))
        for j, item in enumerate(c.seq(hyp, "evidence", f"{key}.evidence", optional=True)):
            ekey = f"{key}.evidence[{j}]"
            if not isinstance(item, dict):
                c.fail(ekey, f"must be an object. Got {_kind(item)} instead")
            c.text(item, "doc_id", f"{ekey}.doc_id")
            for name in ("sentence", "title", "publisher", "url", "date"):
                c.text(item, name, f"{ekey}.{name}", optional=True)
        for j, day in enumerate(c.seq(hyp, "change_points", f"{key}.change_points", optional=True)):
            if not isinstance(day, str):
                c.fail(f"{key}.change_points[{j}]", f"must be a date string. Got {_kind(day)} instead")
    frames = raw.get("frames")
    if frames is not None:
        frames = c.obj(raw, "frames", "frames")
        for j, row in enumerate(c.seq(frames, "rows", "frames.rows")):
            if not isinstance(row, dict):
                c.fail(f"frames.rows[{j}]", f"must be an object. Got {_kind(row)} instead")
            c.text(row, "period", f"frames.rows[{j}].period")
            c.text(row, "frame", f"frames.rows[{j}].frame")
            c.number(row.get("share"), f"frames.rows[{j}].share")
    network = raw.get("network")
    if network is not None:
        network = c.obj(raw, "network", "network")
        for j, node in enumerate(c.seq(network, "nodes", "network.nodes")):
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                c.fail(f"network.nodes[{j}]", "must be an object with a string 'id'")
        for j, edge in enumerate(c.seq(network, "edges", "network.edges")):
            if not isinstance(edge, dict) or not isinstance(edge.get("source"), str) or not isinstance(edge.get("target"), str):
                c.fail(f"network.edges[{j}]", "must be an object with string 'source' and 'target'")
            c.number(edge.get("events"), f"network.edges[{j}].events")
            c.number(edge.get("goldstein_mean"), f"network.edges[{j}].goldstein_mean")
