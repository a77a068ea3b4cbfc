"""The study report: a self-contained HTML page, its figures as PNG/SVG, a PDF, the references.

>>> from dyadwatch.report import write_report  # write_report(results_dir, out_dir) -> index.html
"""

from __future__ import annotations

from dyadwatch.report.build import ReportFiles, build_report, write_report
from dyadwatch.report.results import RESULTS_FORMAT, ReportError, StudyResults, load_results

__all__ = ["RESULTS_FORMAT", "ReportError", "ReportFiles", "StudyResults", "build_report", "load_results", "write_report"]
