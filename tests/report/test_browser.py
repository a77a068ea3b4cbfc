"""The report in a real browser: offline, charts drawn with data, escaping holds, the PDF.

Chromium is Debian's (/usr/bin/chromium); without it these tests skip with a message.
Screenshots go to build/screenshots/ (kept by CI as artifacts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dyadwatch.report import ReportFiles, build_report
from tests.browser import screenshot, skip_without_chromium
from tests.report.conftest import FIXTURE

CHARTS = ["chart-h1", "chart-h2", "chart-h4", "chart-frames", "chart-network"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    skip_without_chromium()
    return build_report(FIXTURE, tmp_path_factory.mktemp("report"), pdf=True)


def _open_offline(browser: Any, index: Path) -> tuple[Any, list[str], list[str]]:
    """A page of the report with every non-file request aborted and recorded, and page errors."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    attempted: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(index.as_uri(), wait_until="load")
    page.wait_for_function("window.dyadwatchReady === true", timeout=30_000)
    return page, attempted, errors


def test_report_opens_offline_and_charts_render(browser: Any, built: ReportFiles) -> None:
    page, attempted, errors = _open_offline(browser, built.index)
    try:
        assert attempted == []  # nothing but the file itself was requested
        assert errors == [] and page.evaluate("window.dyadwatchError") is None
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
                 id: gd.id,
                 traces: gd.data.length,
                 points: gd.data.reduce((n, t) => n + (t.x ? t.x.filter(v => v !== null).length : 0), 0),
                 paths: gd.querySelectorAll('svg.main-svg path').length,
                 lines: gd.querySelectorAll('.scatterlayer .trace path.js-line').length,
                 markers: gd.querySelectorAll('.scatterlayer .point').length,
                 width: gd.getBoundingClientRect().width,
                 height: gd.getBoundingClientRect().height}))"""
        )
        by_id = {d["id"]: d for d in drawn}
        assert sorted(by_id) == sorted(CHARTS)
        for chart in drawn:
            assert chart["traces"] > 0 and chart["points"] > 0, chart
            assert chart["paths"] > 10 and chart["width"] > 500 and chart["height"] > 300, chart
        assert by_id["chart-h1"]["lines"] >= 3 and by_id["chart-h1"]["markers"] >= 84
        assert by_id["chart-network"]["markers"] == 6
        # intervention and change-point lines are drawn as shapes
        assert page.locator("#chart-h1 .shapelayer path").count() == 4
        screenshot(page, "report-index")
        for chart_id in CHARTS:
            screenshot(page.locator(f"#{chart_id}"), f"report-{chart_id}", full_page=False)
    finally:
        page.close()


def test_evidence_and_references_visible(browser: Any, built: ReportFiles) -> None:
    page, _, _ = _open_offline(browser, built.index)
    try:
        quotes = page.locator("#h1 blockquote.evidence")
        assert quotes.count() == 4
        assert "provisional deal with Russia" in quotes.first.inner_text()
        assert page.locator("ol.references li").count() == 6
        link = page.locator("#ref-4 a")
        assert link.get_attribute("href") == "https://undocs.org/S/RES/2513(2020)"
        screenshot(page.locator("#h1"), "report-h1-section", full_page=False)
    finally:
        page.close()


def test_injected_markup_stays_text(browser: Any, results_dir: Path, tmp_path: Path) -> None:
    path = results_dir / "results.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["hypotheses"][0]["evidence"][0]["sentence"] = "Russia said <script>window.__pwned = 1</script>."
    raw["hypotheses"][0]["evidence"][0]["title"] = "<img src=x onerror=\"window.__pwned = 2\">Deal"
    raw["network"]["nodes"][0]["label"] = "<img src=x onerror=\"window.__pwned = 3\">Russia"
    path.write_text(json.dumps(raw), encoding="utf-8")
    files = build_report(results_dir, tmp_path / "out", pdf=False, figures=False)
    page, attempted, _ = _open_offline(browser, files.index)
    try:
        assert page.evaluate("window.__pwned") is None
        text = page.locator("#h1 blockquote.evidence").first.inner_text()
        assert "<script>window.__pwned = 1</script>" in text and "<img src=x" in text
        assert page.locator("img").count() == 0 and attempted == []
        assert "<img src=x" in page.locator("#chart-network").inner_text()  # shown as text in the chart
    finally:
        page.close()


def test_pdf_printed(built: ReportFiles) -> None:
    assert built.pdf is not None and built.pdf_skipped is None
    data = built.pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    reader = PdfReader(built.pdf)
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Why did Russia revise its foreign policy" in text and "References" in text
    # chart text is vector text in the PDF: the charts were drawn before printing
    assert "Fall of Kabul" in text and "Actor network of the dyads' events" in text and "Tajikistan" in text
