"""The example's notebook runs top to bottom through the Python API, in a temporary folder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "russia-afghanistan" / "walkthrough.ipynb"


def test_walkthrough_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "walkthrough.ipynb"
    shutil.copy(NOTEBOOK, copy)
    # the kernel must be this virtual environment's python (the kernelspec says "python")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{__import__('os').environ.get('PATH', '')}")
    monkeypatch.setenv("DYADWATCH_WALKTHROUGH_DIR", str(tmp_path / "work"))
    (tmp_path / "work").mkdir()
    notebook = nbformat.read(copy, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(out.get("output_type") == "error" for cell in outputs for out in cell)
    figures = [out for cell in outputs for out in cell if "image/png" in out.get("data", {})]
    assert len(figures) >= 2  # the H1 fit and the frame shares
    text = "".join(out.get("text", "") for cell in outputs for out in cell)
    assert "H1 " in text and ("supported" in text or "inconclusive" in text)
    written = sorted(p.name for p in (tmp_path / "work" / "results").iterdir())
    assert written == ["evidence.csv", "frames.csv", "hypotheses.csv", "results.json", "series.csv"]
