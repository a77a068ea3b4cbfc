"""Run a study over a store and write its results (results.json and four CSV files).

>>> import dyadwatch, datetime as dt
>>> from dyadwatch.study.spec import StudySpec
>>> spec = StudySpec.from_toml('''
... title = "Empty"
... sources = "all"
... [period]
... start = 2020-01-01
... end = 2020-12-31
... unit = "month"
... [[dyads]]
... name = "RUS-AFG"
... source = "RUS"
... target = "AFG"
... [measures]
... use = ["events", "cooperation_share"]
... ''')
>>> with dyadwatch.open(":memory:") as lib:
...     run_study(lib.store, spec)
Traceback (most recent call last):
...
dyadwatch.errors.StoreError: [E608] :memory:: The store holds no events from the study's sources (sources all; the store has no events). Ingest and code documents (dyadwatch ingest, dyadwatch code) or import a dataset (dyadwatch import), or change 'sources'.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dyadwatch.errors import ConfigError, Errors, StoreError
from dyadwatch.study.measures import (
    ANY,
    dyad_condition,
    filter_conditions,
    finalise,
    measure_condition,
    partial_aggregates,
)
from dyadwatch.study.spec import Hypothesis, StudySpec
from dyadwatch.study.verdicts import evaluate, first_post_index, series_from_frame

if TYPE_CHECKING:
    from dyadwatch.store import Store

log = logging.getLogger(__name__)

FORMAT = "dyadwatch-study-results/1"
N_EVIDENCE = 5

__all__ = ["FORMAT", "StudyResults", "run_study", "write_results"]


@dataclass(slots=True)
class StudyResults:
    """A study's results: the JSON document and the same content as data frames.

    ``series`` is the long measures frame (dyad, measure, origin, period, value, n_events),
    ``hypotheses`` one row per hypothesis, ``evidence`` the events and sentences that weigh
    most in each, ``frames`` the frame shares.
    """

    document: dict[str, Any]
    series: pd.DataFrame
    frames: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def hypotheses(self) -> pd.DataFrame:
        return _hypotheses_frame(self.document["hypotheses"])

    @property
    def evidence(self) -> pd.DataFrame:
        return _evidence_frame(self.document["hypotheses"])

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self.document["provenance"])

    def verdicts(self) -> dict[str, str]:
        """Hypothesis id -> verdict."""
        return {h["id"]: h["verdict"] for h in self.document["hypotheses"]}

    def write(self, out: str | os.PathLike[str]) -> Path:
        """Write results.json, series.csv, hypotheses.csv, evidence.csv and frames.csv to ``out``."""
        return write_results(self, out)

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{k}: {v}" for k, v in self.verdicts().items())
        return f"<StudyResults {self.document['study']['title']!r} {verdicts}>"


def run_study(
    store: Store,
    spec: StudySpec,
    *,
    relation: str = "all_events",
    progress: Callable[[str], None] | None = None,
    partials: pd.DataFrame | None = None,
) -> StudyResults:
    """Compute every measure of ``spec`` over ``store``, test its hypotheses, gather evidence.

    ``partials`` are the study's additive partials when they were computed elsewhere (on a
    runner's workers: :func:`dyadwatch.runner.analytics.study_partials`); by default they are
    computed here, over ``relation``.
    """
    from dyadwatch import __version__

    say = progress or (lambda _msg: None)
    con = store.con
    origins = _origins(con, relation)
    needs_events = any(m.kind != "frame" for m in spec.measures)
    wanted = origins if spec.sources == ("all",) else {o: n for o, n in origins.items() if o in spec.sources}
    if needs_events and not any(wanted.values()):
        raise StoreError(
            Errors.E608, where=store.path,
            detail=f"sources {', '.join(spec.sources)}; the store has {', '.join(f'{o}: {n}' for o, n in origins.items()) or 'no events'}",
        )
    say("aggregating events")
    if partials is None or partials.empty:
        partials = partial_aggregates(con, relation, spec)
    long = finalise(partials, spec)
    frames_long, frame_rows, classifier, frameset = _frames(store, spec, say)
    if not frames_long.empty:
        long = pd.concat([long, frames_long], ignore_index=True)
    say("testing hypotheses")
    records = []
    for hypothesis in spec.hypotheses:
        record = _hypothesis(hypothesis, spec, long)
        record["evidence"] = _evidence(store, relation, spec, hypothesis, classifier, frameset)
        records.append(record)
    document = {
        "format": FORMAT,
        "dyadwatch_version": __version__,
        "run_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "study": spec.to_json(),
        "provenance": _provenance(store, spec, origins, partials),
        "series": _series_json(long),
        "hypotheses": records,
        "frames": _frames_json(frame_rows, frameset),
        "network": _network(partials, spec),
    }
    return StudyResults(document=document, series=long, frames=frame_rows)


# --------------------------------------------------------------------------- parts


def _origins(con: Any, relation: str) -> dict[str, int]:
    rows = con.execute(f"SELECT origin, count(*) FROM {relation} GROUP BY origin ORDER BY origin").fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def _frames(store: Store, spec: StudySpec, say: Callable[[str], None]) -> tuple[pd.DataFrame, pd.DataFrame, Any, Any]:
    """Frame measures: the shares per dyad from :func:`dyadwatch.study.frames.frame_shares`."""
    frame_measures = [m for m in spec.measures if m.kind == "frame"]
    empty = pd.DataFrame(columns=["dyad", "origin", "period", "measure", "value", "n_events"])
    if not frame_measures or not spec.frames:
        return empty, pd.DataFrame(columns=["dyad", "period", "frame", "share", "n_sentences"]), None, None
    try:
        from dyadwatch.study import frames as frames_module
    except ImportError as exc:
        raise ConfigError(Errors.E612, what="the frame classifier", detail=str(exc)) from None
    say("classifying frames")
    frameset = frames_module.FrameSet.load(spec.frames)
    for measure in frame_measures:
        for part in (measure.frame or "").split("+"):
            if part not in frameset.ids:
                raise ConfigError(Errors.E607, where=spec.file or "study", key=f"measure {measure.name}",
                                  what="frame", name=part, known=", ".join(frameset.ids))
    classifier = frames_module.FrameClassifier(frameset, method=spec.frame_method).fit()
    dyad_names = sorted({h.dyad for h in spec.hypotheses if spec.measure(h.measure).kind == "frame"
                         or (h.versus and spec.measure(h.versus).kind == "frame")}) or [d.name for d in spec.dyads]
    long_rows, share_rows = [], []
    for name in dyad_names:
        dyad = spec.dyad(name)
        shares = frames_module.frame_shares(
            store, source_codes=list(dyad.source), target_codes=list(dyad.target), unit=spec.unit,
            start=spec.start, end=spec.end, frames=frameset, classifier=classifier,
        )
        shares["period"] = [_as_day(p) for p in shares["period"]]
        shares.insert(0, "dyad", name)
        share_rows.append(shares)
        table = shares.pivot_table(index="period", columns="frame", values="share", aggfunc="first", dropna=False)
        n = shares.groupby("period")["n_sentences"].first().reindex(spec.periods()).fillna(0)
        for measure in frame_measures:
            parts = (measure.frame or "").split("+")
            value = table.reindex(spec.periods())[parts].sum(axis=1, min_count=len(parts))
            value[n.to_numpy() == 0] = np.nan
            long_rows.append(pd.DataFrame({
                "dyad": name, "origin": "sentences", "period": spec.periods(), "measure": measure.name,
                "value": value.to_numpy(dtype="float64"), "n_events": n.to_numpy(dtype="int64"),
            }))
    return (pd.concat(long_rows, ignore_index=True) if long_rows else empty,
            pd.concat(share_rows, ignore_index=True), classifier, frameset)


def _hypothesis(hypothesis: Hypothesis, spec: StudySpec, long: pd.DataFrame) -> dict[str, Any]:
    series = series_from_frame(long, spec, hypothesis.dyad, hypothesis.measure)
    versus = series_from_frame(long, spec, hypothesis.dyad, hypothesis.versus) if hypothesis.versus else None
    names = hypothesis.comparison_dyads or (spec.comparison_dyads if hypothesis.intervention and not hypothesis.versus else ())
    comparisons = [series_from_frame(long, spec, name, hypothesis.measure) for name in names if name != hypothesis.dyad]
    return evaluate(hypothesis, spec, series, versus=versus, comparisons=comparisons)


def _evidence(store: Store, relation: str, spec: StudySpec, hypothesis: Hypothesis, classifier: Any,
              frameset: Any) -> list[dict[str, Any]]:
    """The events (or, for frames, the sentences) that weigh most: after the intervention (the
    whole period without one), by Goldstein magnitude, one per story."""
    measure = spec.measure(hypothesis.measure)
    dyad = spec.dyad(hypothesis.dyad)
    start = spec.start
    if hypothesis.intervention:
        periods = spec.periods()
        t0 = first_post_index(periods, spec.intervention(hypothesis.intervention).date)
        start = periods[min(t0, len(periods) - 1)]
    if measure.kind == "frame":
        return _frame_evidence(store, spec, dyad.source, dyad.target, measure.frame or "", start, classifier)
    clauses = filter_conditions(spec) + [dyad_condition(dyad), f"date >= DATE '{start.isoformat()}'"]
    condition = measure_condition(measure)
    if condition:
        clauses.append(condition)
    if measure.name in ("cooperation", "cooperation_goldstein", "cooperation_share"):
        clauses.append("quad_class IN (1, 2)")
    have = _columns(store.con, relation)

    def col(name: str) -> str:
        return f"e.{name}" if name in have else "NULL"

    story = f"coalesce({col('story_group')}, {col('doc_id')}, e.event_id)"
    magnitude = f"abs(coalesce({col('goldstein')}, 1.0))"
    sql = (
        f"SELECT e.event_id, {col('doc_id')} AS doc_id, {col('sentence_idx')} AS sentence_idx, "
        f"{col('sentence')} AS sentence, e.date, d.title, coalesce(d.publisher, {col('publisher')}) AS publisher, "
        f"coalesce(d.url, {col('url')}) AS url, e.cameo_code, "
        "concat_ws('/', e.source_country, e.source_actor) AS source, "
        "concat_ws('/', e.target_country, e.target_actor) AS target, "
        f"{magnitude} * coalesce({col('confidence')}, 1.0) AS weight "
        # the strongest candidates first (a top-N, cheap over millions of rows), then one per story
        f"FROM (SELECT * FROM {relation} WHERE {' AND '.join(clauses)} "
        f"ORDER BY abs(coalesce(goldstein, 1.0)) DESC, date, event_id LIMIT {N_EVIDENCE * 40}) e "
        f"LEFT JOIN documents d ON d.doc_id = {col('doc_id')} "
        f"QUALIFY row_number() OVER (PARTITION BY {story} ORDER BY {magnitude} DESC, e.date, e.event_id) = 1 "
        f"ORDER BY weight DESC, e.date, e.event_id LIMIT {N_EVIDENCE}"
    )
    frame = store.con.execute(sql).df()
    return [_evidence_row(row) for row in frame.to_dict("records")]


def _columns(con: Any, relation: str) -> set[str]:
    return {r[0] for r in (con.execute(f"SELECT * FROM {relation} LIMIT 0").description or [])}


def _frame_evidence(store: Store, spec: StudySpec, source: tuple[str, ...], target: tuple[str, ...], frame: str,
                    start: dt.date, classifier: Any) -> list[dict[str, Any]]:
    if classifier is None:
        return []
    from dyadwatch.study.frames import dyad_sentences

    sentences = dyad_sentences(store, source_codes=list(source), target_codes=list(target), start=start, end=spec.end)
    if sentences.empty:
        return []
    wanted = set(frame.split("+"))
    labels = classifier.predict(sentences["text"].tolist())
    keep = [i for i, found in enumerate(labels) if wanted & set(found)][:N_EVIDENCE]
    rows = sentences.iloc[keep]
    docs = store.documents_frame()
    meta = docs.set_index("doc_id")[["title", "publisher", "url"]].to_dict("index") if len(docs) else {}
    out = []
    for row in rows.to_dict("records"):
        info = meta.get(row["doc_id"], {})
        out.append(_evidence_row({
            "event_id": None, "doc_id": row["doc_id"], "sentence_idx": row["sentence_idx"], "sentence": row["text"],
            "date": row["published"], "title": info.get("title"), "publisher": info.get("publisher"),
            "url": info.get("url"), "cameo_code": None, "source": "+".join(source), "target": "+".join(target),
            "weight": 1.0,
        }))
    return out


def _evidence_row(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("event_id", "doc_id", "sentence_idx", "sentence", "date", "title", "publisher", "url",
                "cameo_code", "source", "target", "weight"):
        value = row.get(key)
        if value is not None and not isinstance(value, str) and pd.isna(value):
            value = None
        if key == "date" and value is not None:
            value = _as_day(value).isoformat()
        elif key == "sentence_idx" and value is not None:
            value = int(value)
        elif key == "weight" and value is not None:
            value = round(float(value), 4)
        out[key] = value
    return out


def _provenance(store: Store, spec: StudySpec, origins: dict[str, int], partials: pd.DataFrame) -> dict[str, Any]:
    con = store.con
    coders = con.execute(
        "SELECT split_part(coder, ' ', 1), nullif(trim(substr(coder, length(split_part(coder, ' ', 1)) + 1)), ''), "
        "count(*) FROM events WHERE origin = 'dyadwatch' AND coder IS NOT NULL GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    versions = [r[0] for r in con.execute(
        "SELECT DISTINCT dictionary_version FROM actors WHERE dictionary_version IS NOT NULL").fetchall()]
    used = int(partials.loc[partials["dyad"] == ANY, "n_events"].sum()) if len(partials) else 0
    return {
        "store": store.path,
        "coders": [{"name": r[0], "version": r[1], "events": int(r[2])} for r in coders],
        "dictionary_version": versions[0] if len(versions) == 1 else (", ".join(map(str, versions)) or None),
        "origins": origins,
        "documents": store.count("documents"),
        "sentences": store.count("sentences"),
        "events_used": used,
        "counting": {
            "story_dedup": "own-coded events count once per (story group, date, actors, CAMEO code)",
            "negated": "included" if spec.include_negated else "excluded",
            "modality": "asserted and reported only" if spec.asserted_only else "every modality",
        },
    }


def _series_json(long: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for (dyad, measure, origin), rows in long.groupby(["dyad", "measure", "origin"], sort=False):
        out.append({
            "dyad": dyad, "measure": measure, "origin": origin,
            "rows": [
                {"period": _as_day(p).isoformat(), "value": None if pd.isna(v) else float(v), "n_events": int(n)}
                for p, v, n in zip(rows["period"], rows["value"], rows["n_events"], strict=True)
            ],
        })
    return out


def _frames_json(rows: pd.DataFrame, frameset: Any) -> dict[str, Any] | None:
    if frameset is None:
        return None
    return {
        "names": list(frameset.ids),
        "rows": [
            {"dyad": r["dyad"], "period": _as_day(r["period"]).isoformat(), "frame": r["frame"],
             "share": None if pd.isna(r["share"]) else float(r["share"]), "n_sentences": int(r["n_sentences"])}
            for r in rows.to_dict("records")
        ],
        "agreement": None,
    }


def _network(partials: pd.DataFrame, spec: StudySpec) -> dict[str, Any]:
    """The study's dyads as a graph: sides as nodes (named by their [actors] group where one
    matches), one edge per dyad with its events and mean Goldstein score over the period."""
    def label(codes: tuple[str, ...]) -> str:
        for name, group in spec.actors.items():
            if tuple(group) == codes:
                return name
        return "+".join(codes)

    nodes: dict[str, int] = {}
    edges = []
    for dyad in spec.dyads:
        rows = partials[partials["dyad"] == dyad.name] if not partials.empty else partials
        events = int(rows["n_events"].sum()) if len(rows) else 0
        g = float(rows["goldstein_n"].sum()) if len(rows) else 0.0
        mean = float(rows["goldstein_sum"].sum()) / g if g else None
        source, target = label(dyad.source), label(dyad.target)
        for node in (source, target):
            nodes[node] = nodes.get(node, 0) + events
        edges.append({"source": source, "target": target, "dyad": dyad.name, "events": events,
                      "goldstein_mean": mean, "undirected": dyad.undirected})
    return {"nodes": [{"id": n, "label": n, "events": e} for n, e in nodes.items()], "edges": edges}


# --------------------------------------------------------------------------- files


def _hypotheses_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for h in records:
        ci = h.get("ci") or [None, None]
        comparison = h.get("comparison") or {}
        rows.append({
            "id": h["id"], "statement": h["statement"], "measure": h["measure"], "dyad": h["dyad"],
            "intervention": h["intervention"], "intervention_date": h["intervention_date"],
            "expected": h["expected"], "method": h["method"], "estimate": h["estimate"],
            "ci_low": ci[0], "ci_high": ci[1], "p_value": h["p_value"], "verdict": h["verdict"],
            "reason": h["reason"], "sentence": h["sentence"],
            "comparison_estimate": comparison.get("estimate"),
            "change_points": ";".join(h.get("change_points") or []),
        })
    return pd.DataFrame(rows, columns=[
        "id", "statement", "measure", "dyad", "intervention", "intervention_date", "expected", "method",
        "estimate", "ci_low", "ci_high", "p_value", "verdict", "reason", "sentence", "comparison_estimate",
        "change_points",
    ])


def _evidence_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["hypothesis", "rank", "event_id", "doc_id", "sentence_idx", "sentence", "date", "title",
               "publisher", "url", "cameo_code", "source", "target", "weight"]
    rows = [{"hypothesis": h["id"], "rank": rank, **e}
            for h in records for rank, e in enumerate(h.get("evidence") or [], start=1)]
    return pd.DataFrame(rows, columns=columns)


def write_results(results: StudyResults, out: str | os.PathLike[str]) -> Path:
    """Write the results files into ``out`` (created); returns the folder."""
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(results.document, indent=2, ensure_ascii=False, allow_nan=False, default=str)
        (folder / "results.json").write_text(text + "\n", encoding="utf-8")
        series = results.series.copy()
        series["period"] = [_as_day(p).isoformat() for p in series["period"]]
        series[["dyad", "measure", "origin", "period", "value", "n_events"]].to_csv(
            folder / "series.csv", index=False, quoting=csv.QUOTE_MINIMAL)
        results.hypotheses.to_csv(folder / "hypotheses.csv", index=False)
        results.evidence.to_csv(folder / "evidence.csv", index=False)
        frames = results.frames
        columns = ["dyad", "period", "frame", "share", "n_sentences"]
        frames = frames.reindex(columns=columns) if len(frames) else pd.DataFrame(columns=columns)
        if len(frames):
            frames["period"] = [_as_day(p).isoformat() for p in frames["period"]]
        frames.to_csv(folder / "frames.csv", index=False)
    except OSError as exc:
        raise StoreError(Errors.E609, where=str(folder), detail=f"{folder} ({exc.strerror or exc})") from None
    return folder


def _as_day(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])

