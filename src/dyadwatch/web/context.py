"""What every route needs: the store access, the write policy, templates, caches and search."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import jinja2
from fastapi import Query, Request
from fastapi.templating import Jinja2Templates

from dyadwatch.errors import ConfigError
from dyadwatch.library.search import Hit, SentenceIndex, refresh_index
from dyadwatch.store.duckdb_store import max_sentence_seq, sentences_after
from dyadwatch.web import queries
from dyadwatch.web.access import Reader, StoreAccess
from dyadwatch.web.models import CODE_PATTERN, CODER_PATTERN, DYAD_PATTERN, ORIGIN_PATTERN, IsoDay
from dyadwatch.web.security import Security

T = TypeVar("T")
HERE = Path(__file__).resolve().parent


class ResultCache:
    """Results of expensive reads, per snapshot (a snapshot never changes, so neither do they)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value




class SearchService:
    """The dashboard's own full-text index (in its folder), fed from the snapshots."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "search"
        self._index: SentenceIndex | None = None
        self._lock = threading.Lock()

    def search(self, reader: Reader, query: str, *, limit: int, date_from: dt.date | None,
               date_to: dt.date | None, publisher: str | None) -> list[Hit]:
        with self._lock:
            self._index = refresh_index(_SentenceSource(reader, self.path), self._index)
            try:
                return self._index.search(query, limit=limit, date_from=date_from, date_to=date_to, publisher=publisher)
            except ConfigError:  # not tantivy's syntax: search its words instead
                words = " ".join(re.findall(r"\w+", query))
                if not words:
                    return []
                return self._index.search(words, limit=limit, date_from=date_from, date_to=date_to, publisher=publisher)


@dataclass
class _SentenceSource:
    reader: Reader
    search_index_path: Path

    def max_sentence_seq(self) -> int:
        return max_sentence_seq(self.reader.con)

    def sentences_after(self, seq: int, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        return sentences_after(self.reader.con, seq, batch)


@dataclass
class Dashboard:
    """One dashboard: reachable from every request as ``request.app.state.dashboard``."""

    access: StoreAccess
    security: Security
    reviewer: str
    templates: Jinja2Templates = field(default_factory=lambda: _templates())
    cache: ResultCache = field(default_factory=ResultCache)
    search: SearchService | None = None
    studies: Any = None

    def __post_init__(self) -> None:
        if self.search is None:
            self.search = SearchService(self.access.folder)

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        with self.access.reader() as reader:
            yield reader

    def cached(self, reader: Reader, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self.cache.get((reader.snapshot.number, *key), compute)


def _templates() -> Jinja2Templates:
    """Templates that escape every value (document text shows as text, whatever it holds)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True
    )
    env.filters["http_url"] = http_url
    return Jinja2Templates(env=env)


def http_url(value: object) -> str | None:
    """A link target only if it is an http(s) address: never ``javascript:`` or ``data:``."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def get_dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


def event_filters(
    dyad: Annotated[str | None, Query(pattern=DYAD_PATTERN, description="SOURCE-TARGET, e.g. RUS-AFG (directed).")] = None,
    undirected: Annotated[bool, Query(description="Both directions of the dyad.")] = False,
    date_from: Annotated[IsoDay | None, Query(description="On or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[IsoDay | None, Query(description="On or before (YYYY-MM-DD).")] = None,
    code: Annotated[str | None, Query(pattern=CODE_PATTERN, description="CAMEO code or prefix: 04, 043.")] = None,
    quad: Annotated[int | None, Query(ge=1, le=4, description="Quad class 1..4.")] = None,
    origin: Annotated[str | None, Query(pattern=ORIGIN_PATTERN, description="dyadwatch, gdelt2, icews, ...")] = None,
    coder: Annotated[str | None, Query(pattern=CODER_PATTERN, description="Coder name (first word of the coder column).")] = None,
    review: Annotated[
        Literal["unreviewed", "reviewed"] | None, Query(description="Only events with / without a correction.")
    ] = None,
) -> queries.EventFilters:
    """The events filters, validated (a bad value answers 422 before any query runs)."""
    pair: tuple[str, str] | None = None
    if dyad:
        source, _, target = dyad.partition("-")
        pair = (source, target)
    return queries.EventFilters(
        dyad=pair, undirected=undirected, date_from=date_from, date_to=date_to, code=code or None,
        quad_class=quad, origin=origin or None, coder=coder or None, review=review,
    )


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> Any:
    """A page, with what the layout needs (status banner, login state, CSRF token)."""
    board = get_dashboard(request)
    status = board.access.status()
    base = {
        "status": status,
        "allow_edits": board.security.allow_edits,
        "logged_in": board.security.logged_in(request),
        "csrf": getattr(request.state, "csrf", ""),
        "nav": name.split(".")[0],
    }
    return board.templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
