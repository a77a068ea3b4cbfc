"""The documents a report quotes, as numbered references, BibTeX and CSL JSON.

A document is cited once however many quotes come from it; the numbers follow the order of
first citation in the report. Keys are built from publisher, year and the first word of the
title that says something (``hindukushmonitor2022taliban``), made unique with a, b, c.
Metadata comes from the evidence in results.json, filled in from the store when one is at
hand (author, a title or date the evidence lacked, the day the document was collected).

>>> cites = collect_citations([{"evidence": [{"doc_id": "d1", "title": "Talks & {more}",
...     "publisher": "Steppe Wire", "date": "2021-10-20", "url": "https://example.org/a"}]}])
>>> cites[0].key
'steppewire2021talks'
>>> print(to_bibtex(cites).splitlines()[1])
  title = {{Talks \\& \\{more\\}}},
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

__all__ = ["Citation", "collect_citations", "link_url", "to_bibtex", "to_csl_json"]

_STOP = {"a", "an", "the", "of", "on", "in", "at", "to", "for", "and", "as", "with", "by", "from", "is", "its"}
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


class _DocumentSource(Protocol):
    def get_document(self, doc_id: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited document, numbered in the order the report first quotes it."""

    number: int
    key: str
    doc_id: str
    title: str | None
    publisher: str | None
    author: str | None
    issued: dt.date | None
    url: str | None  # only http(s) addresses are kept: the report links to them
    accessed: dt.date | None

    @property
    def kind(self) -> str:
        """CSL type: a newspaper-like article when a publisher is known, else a web page."""
        return "article-newspaper" if self.publisher else "webpage"


def link_url(value: object) -> str | None:
    """The address if it is a plain http(s) URL, else None (never a javascript: or data: link).

    >>> link_url("https://undocs.org/S/RES/2593(2021)")
    'https://undocs.org/S/RES/2593(2021)'
    >>> link_url("javascript:alert(1)") is None
    True
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in text):
        return None
    return text


def parse_day(value: object) -> dt.date | None:
    """An ISO date (or the date part of a datetime) as a date; anything else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def collect_citations(
    hypotheses: Iterable[Mapping[str, Any]],
    *,
    store: _DocumentSource | None = None,
    accessed: dt.date | None = None,
) -> list[Citation]:
    """The documents quoted as evidence, in order of first quotation, one entry each."""
    order: list[str] = []
    first: dict[str, Mapping[str, Any]] = {}
    for hyp in hypotheses:
        for item in _ranked_evidence(hyp):
            doc_id = str(item.get("doc_id") or "")
            if doc_id and doc_id not in first:
                order.append(doc_id)
                first[doc_id] = item
    used: set[str] = set()
    out = []
    for number, doc_id in enumerate(order, 1):
        item = first[doc_id]
        doc = store.get_document(doc_id) if store is not None else None
        title = _clean(item.get("title")) or _clean(getattr(doc, "title", None))
        publisher = _clean(item.get("publisher")) or _clean(getattr(doc, "publisher", None))
        issued = parse_day(item.get("date")) or parse_day(getattr(doc, "published", None))
        url = link_url(item.get("url")) or link_url(getattr(doc, "url", None))
        collected = parse_day(getattr(doc, "collected_at", None))
        key = _unique(_key(publisher, issued, title, doc_id), used)
        out.append(Citation(
            number=number, key=key, doc_id=doc_id, title=title, publisher=publisher,
            author=_clean(getattr(doc, "author", None)), issued=issued, url=url,
            accessed=collected or accessed,
        ))
    return out


def _ranked_evidence(hyp: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Evidence strongest first (by weight; the file's order breaks ties)."""
    items = [e for e in hyp.get("evidence") or [] if isinstance(e, Mapping)]
    return sorted(items, key=lambda e: -(e.get("weight") or 0.0) if isinstance(e.get("weight"), int | float) else 0.0)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _key(publisher: str | None, issued: dt.date | None, title: str | None, doc_id: str) -> str:
    head = _ascii_slug(publisher or "")[:24] or "doc"
    year = str(issued.year) if issued else "nd"
    word = ""
    for token in re.split(r"[\s\-–—/]+", title or ""):
        slug = _ascii_slug(token)
        if slug and slug not in _STOP:
            word = slug[:20]
            break
    return f"{head}{year}{word or _ascii_slug(doc_id)[:8]}"


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 0
    while candidate in used:
        candidate = key + _suffix(n)
        n += 1
    used.add(candidate)
    return candidate


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def bibtex_escape(text: str) -> str:
    """Text safe inside a BibTeX field: the special characters escaped, braces balanced.

    >>> bibtex_escape("50% of {x} & $y_1")
    '50\\\\% of \\\\{x\\\\} \\\\& \\\\$y\\\\_1'
    """
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def _bibtex_url(url: str) -> str:
    # url fields are read verbatim by biblatex; only braces, backslashes and spaces could break them
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def to_bibtex(citations: Sequence[Citation]) -> str:
    """A .bib file: @online for documents with an address, @article for the others."""
    entries = []
    for cite in citations:
        fields: list[tuple[str, str]] = []
        if cite.title:
            fields.append(("title", "{" + bibtex_escape(cite.title) + "}"))
        if cite.author:
            fields.append(("author", bibtex_escape(cite.author)))
        if cite.publisher:
            fields.append(("organization" if cite.url else "journal", bibtex_escape(cite.publisher)))
        if cite.issued:
            fields.append(("date", cite.issued.isoformat()))
            fields.append(("year", str(cite.issued.year)))
        if cite.url:
            fields.append(("url", _bibtex_url(cite.url)))
            if cite.accessed:
                fields.append(("urldate", cite.accessed.isoformat()))
        fields.append(("note", f"dyadwatch document {bibtex_escape(cite.doc_id)}"))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{'online' if cite.url else 'article'}{{{cite.key},\n{body}\n}}\n")
    return "\n".join(entries)


def _date_parts(day: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def to_csl_json(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    """CSL JSON items (the input of citeproc, Zotero and pandoc --citeproc)."""
    items = []
    for cite in citations:
        item: dict[str, Any] = {"id": cite.key, "type": cite.kind}
        if cite.title:
            item["title"] = cite.title
        if cite.author:
            item["author"] = [{"literal": cite.author}]
        if cite.publisher:
            item["container-title"] = cite.publisher
            item["publisher"] = cite.publisher
        if cite.issued:
            item["issued"] = _date_parts(cite.issued)
        if cite.url:
            item["URL"] = cite.url
        if cite.accessed:
            item["accessed"] = _date_parts(cite.accessed)
        item["note"] = f"dyadwatch document {cite.doc_id}"
        items.append(item)
    return items
