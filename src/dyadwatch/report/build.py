"""Writing the report: one self-contained HTML page, its figures, references and PDF.

The page carries everything it needs (styles, plotly.js from the installed plotly package,
the figures' data), so it opens offline from a laptop, a mail attachment or a CI artifact.
Every text that came from documents or the study file is escaped by Jinja2's autoescape;
links are kept only when they are plain http(s) addresses.

Layout of ``out_dir``::

    index.html           the report
    report.pdf           the same page printed by Chromium (skipped, with the reason, without one)
    references.bib       BibTeX of the quoted documents
    references.json      the same as CSL JSON
    figures/*.png|svg    each chart drawn by matplotlib
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dyadwatch.errors import Errors
from dyadwatch.report import charts as chartdata
from dyadwatch.report.bibliography import (
    Citation,
    collect_citations,
    link_url,
    to_bibtex,
    to_csl_json,
)
from dyadwatch.report.methods import methods_sections
from dyadwatch.report.results import ReportError, StudyResults, load_results

log = logging.getLogger(__name__)

__all__ = ["ReportFiles", "build_report", "write_report"]

EVIDENCE_SHOWN = 5  # quotes per hypothesis


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What a report run wrote, and what it skipped."""

    index: Path
    bibtex: Path
    csl_json: Path
    figures: list[Path] = field(default_factory=list)
    pdf: Path | None = None
    pdf_skipped: str | None = None  # why there is no PDF (None when one was written or not asked for)
    citations: int = 0


def write_report(
    results_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    store: Any = None,
    pdf: bool = True,
    figures: bool = True,
) -> Path:
    """Write the report of a study's results folder into ``out_dir``; return index.html's path.

    ``store`` is a :class:`dyadwatch.store.Store` (or a path to one) used to fill in
    document metadata; by default the store named in the results is used when it exists.
    See :func:`build_report` for the list of files written.
    """
    return build_report(results_dir, out_dir, store=store, pdf=pdf, figures=figures).index


def build_report(
    results_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    store: Any = None,
    pdf: bool = True,
    figures: bool = True,
) -> ReportFiles:
    """Like :func:`write_report`, returning every file written and why a PDF was skipped."""
    results = load_results(Path(results_dir))
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(f"{out} is not writable")
    except OSError as exc:
        raise ReportError(Errors.E706, where=str(out), detail=str(exc)) from exc
    opened, doc_store = _open_store(store, results)
    try:
        return _build(results, out, doc_store, pdf=pdf, figures=figures)
    finally:
        if opened is not None:
            opened.close()


def _open_store(store: Any, results: StudyResults) -> tuple[Any, Any]:
    """(store to close afterwards or None, store to read documents from or None)."""
    if store is not None and hasattr(store, "get_document"):
        return None, store
    from dyadwatch.errors import DyadwatchError
    from dyadwatch.store import Store

    path = store if store is not None else results.provenance.get("store")
    if not path or not Path(str(path)).is_file():
        if store is not None:
            log.warning("no store at %s: document metadata comes from the results only", path)
        return None, None
    try:
        opened = Store(str(path), read_only=True)
    except DyadwatchError as exc:  # locked, newer, ...: the results suffice for a report
        log.warning("store %s not used for document metadata: %s", path, exc)
        return None, None
    return opened, opened


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(Errors.E706, where=str(path), detail=exc.strerror or str(exc)) from exc


def _build(results: StudyResults, out: Path, store: Any, *, pdf: bool, figures: bool) -> ReportFiles:
    from dyadwatch import __version__
    from dyadwatch.report import interactive

    study = results.study
    run_at = str(results.raw.get("run_at") or "")
    accessed = _day(run_at) or dt.date.today()
    citations = collect_citations(results.hypotheses, store=store, accessed=accessed)
    numbers = {c.doc_id: c for c in citations}

    interventions = [i for i in study.get("interventions") or [] if isinstance(i, Mapping)]
    figs: dict[str, dict[str, Any]] = {}
    drawings: list[tuple[str, Any]] = []  # (file name, chart) for matplotlib
    hyp_views = []
    measures = {str(m.get("name")): str(m.get("description") or "") for m in study.get("measures") or []
                if isinstance(m, Mapping) and m.get("description")}
    for hyp in results.hypotheses:
        chart = chartdata.hypothesis_chart(hyp, results.series, interventions)
        if f"chart-{chart.slug}" in figs:  # two ids that differ only in case or punctuation
            chart = dataclasses.replace(chart, slug=f"{chart.slug}-{len(figs) + 1}")
        chart_id = f"chart-{chart.slug}"
        figs[chart_id] = interactive.hypothesis_figure(chart)
        drawings.append((f"hypothesis-{chart.slug}", chart))
        hyp_views.append(_hypothesis_view(hyp, chart, chart_id, numbers, measures))
    frame_views = []
    for frames in chartdata.frame_charts(results.frames):
        chart_id = f"chart-{frames.slug}"
        figs[chart_id] = interactive.frame_figure(frames)
        drawings.append((frames.slug, frames))
        frame_views.append({"chart_id": chart_id, "dyad": frames.dyad})
    network_id = None
    network = chartdata.network_chart(results.network)
    if network is not None:
        network_id = "chart-network"
        figs[network_id] = interactive.network_figure(network)
        drawings.append(("network", network))

    figure_paths: list[Path] = []
    if figures:
        figure_paths = _draw_static(drawings, out / "figures")

    bib_path, csl_path = out / "references.bib", out / "references.json"
    _write(bib_path, to_bibtex(citations))
    _write(csl_path, json.dumps(to_csl_json(citations), indent=2, ensure_ascii=False) + "\n")

    from dyadwatch.report.pdf import find_chromium, print_pdf

    want_pdf = pdf and find_chromium() is not None
    html = _render(
        results, study, hyp_views, citations, frame_views, network_id, figs,
        figure_files=[p.relative_to(out).as_posix() for p in figure_paths],
        pdf_name="report.pdf" if want_pdf else None, version=str(results.raw.get("dyadwatch_version") or __version__),
        run_at=run_at,
    )
    index = out / "index.html"
    _write(index, html)

    pdf_path: Path | None = None
    skipped: str | None = None
    if pdf:
        target = out / "report.pdf"
        skipped = print_pdf(index, target)
        if skipped is None:
            pdf_path = target
        else:
            log.info("PDF skipped: %s", skipped)
    return ReportFiles(index=index, bibtex=bib_path, csl_json=csl_path, figures=figure_paths, pdf=pdf_path,
                       pdf_skipped=skipped, citations=len(citations))


def _draw_static(drawings: Sequence[tuple[str, Any]], folder: Path) -> list[Path]:
    from dyadwatch.report import static

    paths: list[Path] = []
    for name, chart in drawings:
        if isinstance(chart, chartdata.HypothesisChart):
            fig = static.hypothesis_plot(chart)
        elif isinstance(chart, chartdata.FrameChart):
            fig = static.frame_plot(chart)
        else:
            fig = static.network_plot(chart)
        try:
            paths.extend(static.save_figure(fig, folder, name))
        except OSError as exc:
            raise ReportError(Errors.E706, where=str(folder), detail=exc.strerror or str(exc)) from exc
    return paths


def _day(value: object) -> dt.date | None:
    from dyadwatch.report.bibliography import parse_day

    return parse_day(value)


def _num(value: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) >= 0.001 or value == 0 else f"{value:.2e}"


def _p(value: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "n/a"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def _estimate(estimate: object, ci: object) -> str:
    text = _num(estimate)
    if isinstance(ci, list) and len(ci) == 2:
        text += f" [{_num(ci[0])}, {_num(ci[1])}]"
    return text


def _hypothesis_view(
    hyp: Mapping[str, Any],
    chart: chartdata.HypothesisChart,
    chart_id: str,
    numbers: Mapping[str, Citation],
    measures: Mapping[str, str],
) -> dict[str, Any]:
    from dyadwatch.report.bibliography import _ranked_evidence

    evidence = []
    for item in _ranked_evidence(hyp)[:EVIDENCE_SHOWN]:
        cite = numbers.get(str(item.get("doc_id")))
        evidence.append({
            "sentence": item.get("sentence") or "", "doc_id": item.get("doc_id"),
            "title": (cite.title if cite else None) or item.get("title"),
            "publisher": (cite.publisher if cite else None) or item.get("publisher"),
            "date": item.get("date") or (cite.issued.isoformat() if cite and cite.issued else None),
            "url": link_url(item.get("url")) or (cite.url if cite else None),
            "number": cite.number if cite else "?", "cameo_code": item.get("cameo_code") or "",
            "source": item.get("source") or "", "target": item.get("target") or "",
        })
    comparison = hyp.get("comparison")
    comparison_text = None
    if isinstance(comparison, Mapping):
        comparison_text = (f"{comparison.get('dyad')} ({comparison.get('method')}): "
                           f"{_estimate(comparison.get('estimate'), comparison.get('ci'))}, {_p(comparison.get('p_value'))}")
        if comparison.get("reason"):
            comparison_text += f"; {comparison['reason']}"
    placebo = [p for p in hyp.get("placebo") or [] if isinstance(p, Mapping)]
    verdict = str(hyp.get("verdict"))
    return {
        "id": hyp.get("id"), "slug": chart.slug, "statement": hyp.get("statement"), "verdict": verdict,
        "verdict_class": verdict.replace(" ", "-"), "sentence": hyp.get("sentence") or "",
        "reason": hyp.get("reason") or "", "method": hyp.get("method") or "not recorded",
        "estimate_text": _estimate(hyp.get("estimate"), hyp.get("ci")), "p_text": _p(hyp.get("p_value")),
        "measure": hyp.get("measure"), "measure_description": measures.get(str(hyp.get("measure"))),
        "versus": hyp.get("versus"), "dyad": hyp.get("dyad"), "expected": hyp.get("expected") or "change",
        "intervention": hyp.get("intervention") or "the intervention", "intervention_date": hyp.get("intervention_date"),
        "warnings": [str(w) for w in hyp.get("warnings") or []], "change_points": chart.change_points,
        "has_fit": chart.fitted is not None, "chart_id": chart_id, "evidence": evidence,
        "comparison_text": comparison_text,
        "placebo_text": "; ".join(f"{p.get('date')}: {_num(p.get('estimate'))}" for p in placebo),
    }


def _agreement(frames: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The frame classifier's agreement figures, when the study measured them (scalars only)."""
    agreement = (frames or {}).get("agreement")
    if not isinstance(agreement, Mapping):
        return []
    return [(str(k).replace("_", " "), _num(v) if isinstance(v, float) else str(v)) for k, v in agreement.items()
            if isinstance(v, str | int | float)]


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("dyadwatch.report", "templates"),
        autoescape=True,  # every text from documents and study files is escaped
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _render(
    results: StudyResults,
    study: Mapping[str, Any],
    hypotheses: list[dict[str, Any]],
    citations: list[Citation],
    frame_views: list[dict[str, Any]],
    network_id: str | None,
    figs: dict[str, dict[str, Any]],
    *,
    figure_files: list[str],
    pdf_name: str | None,
    version: str,
    run_at: str,
) -> str:
    from importlib.resources import files

    import plotly.offline
    from markupsafe import Markup

    from dyadwatch.report.interactive import figure_json

    env = _environment()
    css = files("dyadwatch.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    plotly_js = plotly.offline.get_plotlyjs().replace("</script", "<\\/script").replace("<!--", "<\\!--")
    variables = study.get("variables") or {}
    actors = [(str(k), ", ".join(str(c) for c in v) if isinstance(v, list) else str(v))
              for k, v in (study.get("actors") or {}).items()]
    dyads = [f"{d.get('name')} ({', '.join(map(str, d.get('source') or []))} → {', '.join(map(str, d.get('target') or []))})"
             for d in study.get("dyads") or [] if isinstance(d, Mapping)]
    citation_rows = [{
        "number": c.number, "key": c.key, "title": c.title, "publisher": c.publisher, "author": c.author,
        "issued": c.issued.isoformat() if c.issued else None, "url": c.url,
        "accessed": c.accessed.isoformat() if c.accessed else None,
    } for c in citations]
    return env.get_template("report.html.j2").render(
        study={"title": study.get("title") or "Study", "question": study.get("question"),
               "unit": study.get("unit") or "period", "file": study.get("file") or "(unrecorded)",
               "sha256": study.get("sha256")},
        variables={"independent": variables.get("independent"), "dependent": list(variables.get("dependent") or [])},
        period=study.get("period") or {"start": "?", "end": "?"},
        interventions=[i for i in study.get("interventions") or [] if isinstance(i, Mapping)],
        actors=actors, dyads=dyads,
        comparison_dyads=", ".join(str(d) for d in study.get("comparison_dyads") or []),
        placebo_dates=", ".join(str(d) for d in study.get("placebo_dates") or []),
        sources=", ".join(str(s) for s in study.get("sources") or []),
        hypotheses=hypotheses, citations=citation_rows, frames=frame_views, network_id=network_id,
        frame_agreement=_agreement(results.frames),
        methods=methods_sections(study, results.provenance, results.hypotheses, version, run_at),
        figure_files=figure_files, pdf_name=pdf_name, version=version, run_at=run_at or "at an unrecorded time",
        written_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        css=Markup(css), plotly_js=Markup(plotly_js), figures_json=Markup(figure_json(figs)),
    )
