"""Addresses, URL lists and RSS/Atom feeds.

A fetched page is read by its content type: HTML, PDF, plain text or Markdown, or a
feed. Errors about one address in a list, or one entry of a feed, are yielded so the
others are still read; errors about the source itself are raised.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from dyadwatch.errors import Errors, FetchError, SourceError
from dyadwatch.library.dates import parse_date
from dyadwatch.library.fetch import FetchedPage, Fetcher
from dyadwatch.library.readers._common import (
    Extracted,
    build_document,
    check_content,
    clean_text,
    decode,
    guess_title,
    html_fragment_to_text,
    read_bytes,
)
from dyadwatch.library.readers._html import declared_charset, extract_html
from dyadwatch.library.readers._pdf import extract_pdf
from dyadwatch.library.readers._text import markdown_to_text, split_front_matter
from dyadwatch.library.sources import SourceRef, is_url
from dyadwatch.records import Document

logger = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)


def read_url(ref: SourceRef, fetcher: Fetcher) -> Iterator[Document | SourceError]:
    """One address: fetch it (a :class:`FetchError` is raised), then read the page."""
    yield from _read_address(ref.location, ref, fetcher)


def _read_address(url: str, ref: SourceRef, fetcher: Fetcher) -> Iterator[Document | SourceError]:
    page = fetcher.get(url)
    if _is_feed(page):
        yield from _feed_documents(page.content, ref, fetcher, base=page.final_url, where=url)
        return
    yield build_document(extract_page(page).filled_from(publisher=_host(page.final_url)), ref)


def read_urllist(ref: SourceRef, fetcher: Fetcher) -> Iterator[Document | SourceError]:
    """A file of addresses, one a line: each read as :func:`read_url`, errors yielded
    per address (``where`` the address) or per bad line (``E216``, ``where`` path:LINE)."""
    text = decode(read_bytes(ref.location), where=ref.location)
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            yield SourceError(Errors.E216, where=f"{ref.location}:{number}", line=number, detail=line[:120])
            continue
        if line in seen:
            logger.debug("%s:%d: %s listed again; read once", ref.location, number, line)
            continue
        seen.add(line)
        try:
            yield from _read_address(line, ref, fetcher)
        except SourceError as err:
            yield err


def read_feed(ref: SourceRef, fetcher: Fetcher | None) -> Iterator[Document | SourceError]:
    """An RSS or Atom feed, from a file or an address: a document per entry.

    With a fetcher, each entry's link is fetched and read as a page (a failure is
    yielded as that entry's :class:`FetchError`), and the entry's metadata fills what
    the page lacks. Without one (a feed file read offline), the entry's own summary or
    content is its text.
    """
    if is_url(ref.location):
        if fetcher is None:
            raise ValueError("reading a feed from an address needs a Fetcher")
        page = fetcher.get(ref.location)
        yield from _feed_documents(page.content, ref, fetcher, base=page.final_url, where=ref.location)
    else:
        data = read_bytes(ref.location)
        check_content(data, where=ref.location)
        yield from _feed_documents(data, ref, fetcher, base=None, where=ref.location)


def extract_page(page: FetchedPage) -> Extracted:
    """The text and metadata of one fetched page, by its content type.

    Raises ``E212`` (no main text), ``E208``/``E209`` (PDF), or ``E224`` (a type
    dyadwatch does not read).
    """
    where = page.url
    kind = _page_kind(page)
    if kind == "html":
        html = decode(page.content, where=where, hint=page.charset or declared_charset(page.content))
        parts = extract_html(html, url=page.final_url)
        if parts is None:
            raise SourceError(Errors.E212, where=where)
        if parts.url and parts.url != page.final_url:
            # the address read is the one kept; the page's own (canonical) one goes to meta
            return replace(parts, url=page.final_url, meta={**parts.meta, "canonical_url": parts.url})
        return parts.filled_from(url=page.final_url)
    if kind == "pdf":
        return extract_pdf(page.content, where=where).filled_from(url=page.final_url)
    if kind in ("text", "markdown"):
        raw = decode(page.content, where=where, hint=page.charset)
        front: Mapping[str, str] = {}
        heading = None
        if kind == "markdown":
            front, body = split_front_matter(raw)
            heading, raw = markdown_to_text(body)
        text = clean_text(raw)
        if not text:
            raise SourceError(Errors.E202, where=where)
        return Extracted(
            text=text,
            title=front.get("title") or heading or guess_title(text),
            url=page.final_url,
            author=front.get("author"),
            publisher=front.get("publisher"),
            meta_date=front.get("date"),
        )
    raise SourceError(Errors.E224, where=where, detail=page.content_type or "none")


def _page_kind(page: FetchedPage) -> str | None:
    media = page.content_type
    if media in _HTML_TYPES:
        return "html"
    if media == "application/pdf":
        return "pdf"
    if media in ("text/markdown", "text/x-markdown"):
        return "markdown"
    if media == "text/plain":
        return "text"
    if media and media not in ("application/octet-stream", "binary/octet-stream"):
        return None
    # no useful type: look at the bytes
    head = page.content[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def _is_feed(page: FetchedPage) -> bool:
    if page.content_type in _FEED_TYPES:
        return True
    if page.content_type in _XML_TYPES or not page.content_type:
        return _FEED_ROOT.search(page.content[:4096]) is not None
    return False


def _parse_feed(data: bytes, *, base: str | None, where: str) -> Any:
    import feedparser

    headers = {"content-location": base} if base else None
    with warnings.catch_warnings():
        # feedparser's deprecation notices are for its own callers' attribute access
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="feedparser")
        # a stream, so that feedparser never takes the content for a file name or address
        try:
            parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
        except (ValueError, OverflowError) as exc:  # feedparser trips on some bad bytes (a lone surrogate charref)
            raise SourceError(Errors.E210, where=where, detail=f"{type(exc).__name__}: {exc}") from exc
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") or not parsed.get("version"):
            problem = parsed.get("bozo_exception")
            detail = str(problem) if problem else "no RSS or Atom elements in it"
            raise SourceError(Errors.E210, where=where, detail=detail)
        logger.warning("%s: the feed has no entries", where)
    return parsed


def _feed_documents(
    data: bytes, ref: SourceRef, fetcher: Fetcher | None, *, base: str | None, where: str
) -> Iterator[Document | SourceError]:
    parsed = _parse_feed(data, base=base, where=where)
    feed = parsed.get("feed") or {}
    feed_title = dict.get(feed, "title")
    feed_language = dict.get(feed, "language")
    for number, entry in enumerate(parsed.get("entries") or [], start=1):
        try:
            yield _entry_document(entry, number, ref, fetcher, feed_title=feed_title, feed_language=feed_language)
        except SourceError as err:
            yield err


def _entry_document(
    entry: dict[str, Any],
    number: int,
    ref: SourceRef,
    fetcher: Fetcher | None,
    *,
    feed_title: str | None,
    feed_language: str | None,
) -> Document:
    # dict.get: feedparser's own get() maps some missing keys to others, with a warning
    link = dict.get(entry, "link")
    title = dict.get(entry, "title")
    author = dict.get(entry, "author")
    guid = dict.get(entry, "id")
    published = _entry_date(entry)
    where = link or f"{ref.location}#entry-{number}"
    meta = {"guid": guid} if guid else {}
    parts: Extracted | None = None
    if fetcher is not None and link:
        try:
            parts = extract_page(fetcher.get(link))
        except FetchError:
            raise
        except SourceError as err:
            if err.code not in ("E212", "E224", "E202"):
                raise
            logger.info("%s: %s; using the feed's summary instead", link, err.detail)
        if parts is not None:
            # the page's own date and metadata first; the entry fills the gaps
            if parts.page_date or parts.meta_date:
                published = None
            parts = parts.filled_from(
                title=title,
                author=author,
                publisher=feed_title or _host(link),
                meta_date=published,
                declared_language=feed_language,
                url=link,
            )
    if parts is None:
        text = _entry_text(entry)
        if not text:
            raise SourceError(Errors.E202, where=where)
        parts = Extracted(
            text=text,
            title=title,
            url=link,
            publisher=feed_title,
            author=author,
            meta_date=published,
            declared_language=feed_language,
        )
    return build_document(replace(parts, meta={**parts.meta, **meta}), ref)


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _entry_date(entry: dict[str, Any]) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)
        if parsed:
            try:
                return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except (AttributeError, ValueError):
                continue
    for key in ("published", "updated", "created"):
        day = parse_date(dict.get(entry, key), metadata=True)
        if day is not None:
            return day
    return None


def _entry_text(entry: dict[str, Any]) -> str:
    """An entry's own text: its longest content, else its summary, without markup."""
    candidates: list[tuple[str, str]] = []
    for content in dict.get(entry, "content") or []:
        if isinstance(content, Mapping) and content.get("value"):
            candidates.append((content["value"], content.get("type") or "text/html"))
    summary = dict.get(entry, "summary")
    if summary:
        detail = dict.get(entry, "summary_detail") or {}
        candidates.append((summary, detail.get("type") or "text/html"))
    texts = [
        clean_text(value if media == "text/plain" else html_fragment_to_text(value))
        for value, media in candidates
    ]
    return max(texts, key=len, default="")
