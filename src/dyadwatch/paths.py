"""Where dyadwatch keeps what it can rebuild (compiled dictionaries, trained models, embeddings)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """$DYADWATCH_CACHE_DIR, else $XDG_CACHE_HOME/dyadwatch, else ~/.cache/dyadwatch."""
    if os.environ.get("DYADWATCH_CACHE_DIR"):
        return Path(os.environ["DYADWATCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dyadwatch"
