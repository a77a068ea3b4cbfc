"""The bundled example: the Russia–Afghanistan study, run end to end into a fresh store.

The demo ingests the example library, codes it, and runs the example study
(``examples/russia-afghanistan/study.toml``: the four hypotheses of the case), writing the
results files into ``OUT/study`` and its report (HTML, figures, references, PDF) into
``OUT/study/report``.

>>> from dyadwatch.demo import example_folder
>>> example_folder().name
'russia-afghanistan'
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dyadwatch.api import Library
from dyadwatch.coding.pipeline import CodeReport
from dyadwatch.errors import ConfigError, Errors
from dyadwatch.library.ingest import IngestReport
from dyadwatch.store import Store
from dyadwatch.study.run import StudyResults

EXAMPLE = "russia-afghanistan"
DEMO_DYAD = ("RUS", "taliban")

__all__ = ["DemoResult", "example_folder", "run_demo"]


def example_folder(name: str = EXAMPLE) -> Path:
    """The example's folder: $DYADWATCH_EXAMPLES/NAME, else examples/NAME of this checkout."""
    candidates = []
    if os.environ.get("DYADWATCH_EXAMPLES"):
        candidates.append(Path(os.environ["DYADWATCH_EXAMPLES"]) / name)
    candidates.append(Path(__file__).resolve().parents[2] / "examples" / name)
    for folder in candidates:
        if (folder / "library").is_dir():
            return folder
    raise ConfigError(
        Errors.E701,
        detail=(
            f"the example '{name}' was not found (looked in {', '.join(str(c) for c in candidates)}). "
            "Run the demo from a clone of the dyadwatch repository, or set DYADWATCH_EXAMPLES to its examples folder"
        ),
    )


@dataclass(frozen=True, slots=True)
class DemoResult:
    store: Path
    ingest: IngestReport
    code: CodeReport
    summary: dict[str, Any]
    dyad_events: pd.DataFrame  # Russia-Taliban events (both directions), with their evidence
    study: StudyResults | None = None  # the example study's results (None when the example has no study.toml)
    study_dir: Path | None = None  # where its results files are (OUT/study)
    report: Any = None  # the report's files (dyadwatch.report.ReportFiles), OUT/study/report


def run_demo(out: str | os.PathLike[str] = "dyadwatch-demo", *, study: bool = True, report: bool = True,
             pdf: bool = True) -> DemoResult:
    """Ingest the example library into a fresh store in ``out``, code it, summarise it, and
    (with ``study``) run the example study into ``out/study`` and (with ``report``) write its
    report into ``out/study/report`` (``pdf``: print it to PDF too, where Chromium is installed)."""
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    store_path = out_dir / "dyadwatch.duckdb"
    for stale in (store_path, Path(f"{store_path}.wal"), Path(f"{store_path}.search")):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    folder = example_folder()
    with Library(Store(store_path)) as lib:
        ingested = lib.ingest(str(folder / "library"))
        coded = lib.code()
        summary = lib.summary()
        dyad = lib.events(dyad=DEMO_DYAD, undirected=True)
        results, study_dir, files = None, None, None
        if study and (folder / "study.toml").is_file():
            study_dir = out_dir / "study"
            results = lib.study(folder / "study.toml", out=study_dir)
            if report:
                from dyadwatch.report import build_report

                files = build_report(study_dir, study_dir / "report", store=lib.store, pdf=pdf)
    return DemoResult(store=store_path, ingest=ingested, code=coded, summary=summary, dyad_events=dyad,
                      study=results, study_dir=study_dir, report=files)
