"""The dashboard (``dyadwatch serve``): a FastAPI app over one store.

``create_app(store_path, allow_edits=False, token=None)`` builds it; see :mod:`dyadwatch.web.app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(store_path: Any, **options: Any) -> FastAPI:
    """See :func:`dyadwatch.web.app.create_app` (imported lazily: FastAPI is needed only here)."""
    from dyadwatch.web.app import create_app as build

    return build(store_path, **options)
