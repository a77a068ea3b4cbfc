"""What the benchmarks share: finding ../shared/data, and printing a figure beside its target."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """../shared/data beside the project (or $DYADWATCH_SHARED_DATA), if present."""
    env = os.environ.get("DYADWATCH_SHARED_DATA")
    folder = Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"
    return folder if folder.is_dir() else None


def figure(name: str, value: float, target: str, unit: str = "") -> None:
    """Print one measured figure beside its target, in a fixed layout that `make bench` collects."""
    shown = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    print(f"{name:<42} {shown:>14} {unit:<12} (target {target})", flush=True)


def skip(name: str, why: str) -> None:
    print(f"{name:<42} {'skipped':>14} {'':<12} ({why})", file=sys.stdout, flush=True)
