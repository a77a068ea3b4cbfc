"""The report: time to write it from the hand-made results (HTML only, + figures, + PDF), and its size.

The results are tests/report/fixtures/results (three hypotheses over 84 monthly periods,
frames by quarter, a six-actor network). The PDF needs Chromium (/usr/bin/chromium or
$DYADWATCH_CHROMIUM); without it that figure is skipped.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROJECT_ROOT, figure, skip  # noqa: E402

from dyadwatch.report import build_report  # noqa: E402
from dyadwatch.report.pdf import find_chromium  # noqa: E402

RESULTS = PROJECT_ROOT / "tests" / "report" / "fixtures" / "results"


def timed(out: Path, *, pdf: bool, figures: bool) -> float:
    started = time.perf_counter()
    build_report(RESULTS, out, pdf=pdf, figures=figures)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        timed(Path(tmp) / "warm", pdf=False, figures=False)  # imports plotly, jinja2, networkx once
        html_only = timed(Path(tmp) / "html", pdf=False, figures=False)
        figure("report HTML only (fixture, 5 charts)", html_only, "< 3", "s")
        with_figures = timed(Path(tmp) / "figs", pdf=False, figures=True)
        figure("report HTML + 10 PNG/SVG figures", with_figures, "< 10", "s")
        size = (Path(tmp) / "figs" / "index.html").stat().st_size / 1e6
        figure("report index.html size (plotly.js inlined)", size, "< 8", "MB")
        if find_chromium() is None:
            skip("report HTML + figures + PDF", "no Chromium")
        else:
            figure("report HTML + figures + PDF", timed(Path(tmp) / "pdf", pdf=True, figures=True), "< 20", "s")


if __name__ == "__main__":
    main()
