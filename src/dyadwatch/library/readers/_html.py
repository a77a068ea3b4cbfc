"""HTML pages: the main text and metadata, by trafilatura."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from dyadwatch.errors import Errors, SourceError
from dyadwatch.library.readers._common import (
    Extracted,
    build_document,
    decode,
    lines_to_paragraphs,
    read_bytes,
)
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.IGNORECASE)
_EXTRACTOR_MODULES = r"(trafilatura|htmldate|justext|courlan|lxml)"
_MIN_WORDS = 5
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u061f\u0964]")
# trafilatura reads dates from the page's markup only (fast, and no guessing from text)
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def read_html(ref: SourceRef) -> Iterator[Document]:
    """An HTML file: one document, or ``E212`` when it holds no main text."""
    data = read_bytes(ref.location)
    html = decode(data, where=ref.location, hint=declared_charset(data))
    parts = extract_html(html)
    if parts is None:
        raise SourceError(Errors.E212, where=ref.location)
    yield build_document(parts, ref)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def extract_html(html: str, *, url: str | None = None) -> Extracted | None:
    """The main text and metadata of a page, or ``None`` when it has no main text.

    Paragraphs are separated by blank lines; the page's date is kept as a page date.
    """
    import trafilatura

    with warnings.catch_warnings():
        # trafilatura's dependencies warn about their own deprecations
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=_EXTRACTOR_MODULES)
        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMS,
        )
    if result is None:
        return None
    text = lines_to_paragraphs(_field(result, "text") or "")
    if not _looks_like_prose(text):
        return None
    lang = _HTML_LANG.search(html[:4096])
    publisher = _field(result, "sitename")
    if publisher and url and publisher.lower() in _host_names(url):
        publisher = None  # trafilatura's stand-in when the page names no site
    return Extracted(
        text=text,
        title=_field(result, "title"),
        url=_field(result, "url") or url,
        publisher=publisher,
        author=_field(result, "author"),
        page_date=_field(result, "date"),
        declared_language=lang.group(1) if lang else _field(result, "language"),
    )


def _looks_like_prose(text: str) -> bool:
    # trafilatura's last resort on a page without an article is its menu ("Home World
    # Sport"): main text has a few words and at least one sentence end
    return len(text.split()) >= _MIN_WORDS and _SENTENCE_END.search(text) is not None


def _host_names(url: str) -> set[str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return {parts.netloc.lower(), host, host.removeprefix("www.")}


def _field(result: Any, name: str) -> Any:
    # trafilatura 2 returns a Document object, 1.x a dict
    if isinstance(result, dict):
        return result.get(name)
    return getattr(result, name, None)
