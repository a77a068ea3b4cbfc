"""The report files written from the hand-made results (no browser needed here)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyadwatch.cli.main import app
from dyadwatch.report import ReportError, build_report, write_report
from tests.report.conftest import FIXTURE

runner = CliRunner()


class _Refs(HTMLParser):
    """Every address the page would load by itself (scripts, styles, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "srcset", "data", "poster"):
            if values.get(name):
                self.loads.append(f"{tag} {name}={values[name]}")
        if tag == "link" and values.get("href"):
            self.loads.append(f"link href={values['href']}")
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    return write_report(FIXTURE, out, pdf=False)


def test_files_written(report: Path) -> None:
    out = report.parent
    assert report.name == "index.html"
    assert (out / "references.bib").is_file() and (out / "references.json").is_file()
    assert not (out / "report.pdf").exists()  # pdf=False
    names = sorted(p.name for p in (out / "figures").iterdir())
    assert names == sorted(f"{n}.{ext}" for n in ("hypothesis-h1", "hypothesis-h2", "hypothesis-h4", "frames", "network")
                           for ext in ("png", "svg"))


def test_html_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(html)
    assert refs.loads == []  # nothing fetched: no script src, no stylesheet link, no image
    assert refs.scripts == 3  # plotly.js inlined, the figures' data, the drawing code
    assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js is in the page
    # the only outside addresses are the documents' own links
    assert {u for u in refs.links if u.startswith("http")} == {"https://undocs.org/S/RES/2513(2020)"}


def test_html_content(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "Why did Russia revise its foreign policy toward Afghanistan" in html
    for hid in ("H1", "H2", "H4"):
        assert f'id="{hid.lower()}"' in html
    assert "2.84 [1.91, 4.22]" in html and "p &lt; 0.001" in html
    assert "The rate ratio is above 1" in html
    # evidence with document, publisher, date and the reference number
    assert "Taliban sign provisional fuel and wheat deal with Russia, Hindu Kush Monitor, 2022-09-28" in html
    assert 'href="#ref-1"' in html and 'id="ref-6"' in html and 'id="ref-7"' not in html
    # the methods come from the provenance and the hypotheses' assumptions
    assert "dyadwatch-rules version 0.1.0: 412 events" in html
    assert "Actor dictionary version: dyadwatch-actors 2026.11." in html
    assert "The library held 132 documents (1,187 sentences)." in html
    assert "Newey-West errors, 3 lags" in html
    assert "Only 9 months after 2025-04-01 have events" in html


def test_figure_data_embedded(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="dyadwatch-figures">') + len(
        '<script type="application/json" id="dyadwatch-figures">')
    figures = json.loads(html[start:html.index("</script>", start)])
    assert set(figures) == {"chart-h1", "chart-h2", "chart-h4", "chart-frames", "chart-network"}
    h1 = {t.get("name"): t for t in figures["chart-h1"]["data"]}
    assert {"observed", "ITS fit", "counterfactual (pre-trend)", "counterfactual 95% band", "change point"} <= set(h1)
    assert len(h1["observed"]["x"]) == 84 and h1["observed"]["x"][0] == "2019-01-01"
    shapes = figures["chart-h1"]["layout"]["shapes"]
    assert [s["x0"] for s in shapes] == ["2021-08-15", "2022-09-05", "2021-09-01", "2025-04-01"]
    # H4 has no fit: its chart shows the observed series only
    assert [t.get("name") for t in figures["chart-h4"]["data"]] == ["observed"]
    assert len(figures["chart-frames"]["data"]) == 7
    nodes = figures["chart-network"]["data"][-1]
    assert nodes["text"] == ["Russia", "Taliban", "Tajikistan", "Uzbekistan", "Pakistan", "United States"]


def test_png_and_svg_non_trivial(report: Path) -> None:
    for png in (report.parent / "figures").glob("*.png"):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, png.name
    for svg in (report.parent / "figures").glob("*.svg"):
        root = ET.parse(svg).getroot()
        paths = root.findall(".//{http://www.w3.org/2000/svg}path")
        assert root.tag.endswith("svg") and len(paths) > 20, svg.name


def test_text_from_documents_is_escaped(results_dir: Path, tmp_path: Path) -> None:
    path = results_dir / "results.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    evidence = raw["hypotheses"][0]["evidence"][0]
    evidence["sentence"] = 'Moscow said <script>window.__pwned = 1</script> "fine" & more.'
    evidence["title"] = "<img src=x onerror=alert(1)>Title"
    evidence["url"] = "javascript:alert(1)"
    raw["study"]["title"] = "</title><script>alert(2)</script>"
    raw["network"]["nodes"][0]["label"] = "<b>Russia</b></script>"
    path.write_text(json.dumps(raw), encoding="utf-8")
    html = write_report(results_dir, tmp_path / "out", pdf=False, figures=False).read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html and "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &#34;fine&#34; &amp; more." in html
    assert "&lt;img src=x onerror=alert(1)&gt;Title" in html
    assert "javascript:alert" not in html and 'href="javascript' not in html
    assert "<b>Russia</b></script>" not in html  # inside the figures' JSON too
    assert not (tmp_path / "out" / "figures").exists()  # figures=False


def test_store_path_absent_is_fine(results_dir: Path, tmp_path: Path) -> None:
    files = build_report(results_dir, tmp_path / "out", store=tmp_path / "missing.duckdb", pdf=False, figures=False)
    assert files.index.is_file() and files.pdf is None and files.pdf_skipped is None and files.citations == 6


def test_out_dir_not_writable(results_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError) as err:
        write_report(results_dir, blocker / "out", pdf=False)
    assert err.value.code == "E706"


def test_cli_writes_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(FIXTURE), "--out", str(tmp_path / "rep"), "--no-pdf", "--no-figures"])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output and (tmp_path / "rep" / "index.html").is_file()
    assert not (tmp_path / "rep" / "report.pdf").exists()


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda d: (d / "results.json").unlink(), "E702"),
        (lambda d: (d / "results.json").write_text("{not json", encoding="utf-8"), "E703"),
        (lambda d: (d / "results.json").write_text('{"format": "x/1"}', encoding="utf-8"), "E704"),
    ],
)
def test_cli_errors_are_coded(tmp_path: Path, setup: object, code: str) -> None:
    folder = Path(shutil.copytree(FIXTURE, tmp_path / "results"))
    setup(folder)  # type: ignore[operator]
    result = runner.invoke(app, ["report", str(folder), "--out", str(tmp_path / "rep"), "--no-pdf"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ReportError) and result.exception.code == code
    assert str(folder) in str(result.exception)


def test_pdf_skipped_without_chromium(results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYADWATCH_CHROMIUM", str(tmp_path / "no-chromium"))
    files = build_report(results_dir, tmp_path / "out", pdf=True, figures=False)
    assert files.pdf is None and files.pdf_skipped is not None and "Chromium" in files.pdf_skipped
    assert files.index.is_file() and not (tmp_path / "out" / "report.pdf").exists()
    assert 'href="report.pdf"' not in files.index.read_text(encoding="utf-8")
