"""What a source names: files, folders, globs, addresses, feeds and URL lists.

:func:`expand` turns one source as a user writes it into :class:`SourceRef` items, each
a location and a kind that says which reader reads it.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "talks.md").write_text("# Talks\\n\\nMoscow hosted the talks.\\n")
>>> [ref.kind for ref in expand(str(folder))]
['markdown']
>>> expand("https://example.org/news/talks.html")
[SourceRef(location='https://example.org/news/talks.html', kind='url')]
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dyadwatch.errors import Errors, SourceError

__all__ = ["KINDS", "SourceRef", "expand", "expand_source", "fingerprint", "is_url", "kind_of_file"]

logger = logging.getLogger(__name__)

KINDS = ("text", "markdown", "html", "pdf", "jsonl", "csv", "feed", "url", "urllist")

_KIND_BY_SUFFIX = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".urls": "urllist",
}
_FEED_URL_SUFFIXES = (".xml", ".rss", ".atom")
_FEED_URL_NAMES = frozenset({"feed", "rss", "atom"})
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_GLOB_CHARS = frozenset("*?[")
_SNIFF_BYTES = 8192
_URLLIST_SNIFF_BYTES = 65536


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One readable source: ``location`` (an absolute path or an address) and ``kind``,
    one of :data:`KINDS`."""

    location: str
    kind: str


def is_url(value: str) -> bool:
    """Whether ``value`` is an http(s) address.

    >>> is_url("https://example.org/a"), is_url("notes/a.txt")
    (True, False)
    """
    if _URL.fullmatch(value.strip()) is None:
        return False
    try:
        urlsplit(value.strip())  # "https://[host" fits the pattern but no parser takes it
    except ValueError:
        return False
    return True


def expand(source: str) -> list[SourceRef]:
    """The sources that ``source`` names, in a stable order.

    ``source`` is a file, a folder (read recursively, in sorted order, hidden files and
    folders skipped), a glob (``news/**/*.html``), an http(s) address (a feed when its
    path ends in .xml, .rss or .atom, or is ``/feed`` or ``/rss``), or a URL-list file
    (``*.urls``, or a ``*.txt`` whose non-empty, non-``#`` lines are all addresses).

    A file named on its own must be of a type dyadwatch reads (else ``E214``, or ``E206``
    for a binary file); in a folder or glob such files are passed over and logged
    (:func:`expand_source` also returns them). Nothing matching raises
    :class:`SourceError` ``E211``.
    """
    return expand_source(source)[0]


def expand_source(source: str) -> tuple[list[SourceRef], list[SourceError]]:
    """:func:`expand`, and the files of a folder or glob it passed over, with why.

    An ingest lists the passed-over files with what it skipped, so that a picture or a
    Word file left in a folder of articles is reported, not silently left out.
    """
    source = source.strip()
    if not source:
        raise SourceError(Errors.E211, where=repr(source))
    if is_url(source):
        return [SourceRef(source, _kind_of_url(source))], []
    path = os.path.expanduser(source)
    if os.path.isfile(path):
        return [SourceRef(os.path.abspath(path), kind_of_file(path))], []
    if os.path.isdir(path):
        return _collect(_walk(path), where=source)
    if _GLOB_CHARS.intersection(source):
        paths: list[str] = []
        for match in sorted(glob.glob(path, recursive=True)):
            if os.path.isdir(match):
                paths.extend(_walk(match))
            elif os.path.isfile(match):
                paths.append(match)
        return _collect(paths, where=source)
    raise SourceError(Errors.E211, where=source)


def kind_of_file(path: str) -> str:
    """The kind of one file: from its extension, else from its first bytes.

    Raises :class:`SourceError` ``E206`` for a binary file and ``E214`` for a type
    dyadwatch does not read.
    """
    suffix = os.path.splitext(path)[1].lower()
    kind = _KIND_BY_SUFFIX.get(suffix)
    if kind == "text":
        return "urllist" if _is_url_list(path) else "text"
    if kind is not None:
        return kind
    return _sniff(path, suffix)


def fingerprint(path: str) -> str:
    """A cheap token that changes when a file changes: its size, mtime (ns) and path.

    Nothing is read from the file, so an ingest can skip unchanged files quickly.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
    ...     fingerprint(handle.name) == fingerprint(handle.name)
    True
    """
    absolute = os.path.abspath(path)
    try:
        stat = os.stat(absolute)
    except OSError as exc:
        raise SourceError(Errors.E201, where=path, detail=exc.strerror or str(exc)) from exc
    token = f"{stat.st_size}\x1f{stat.st_mtime_ns}\x1f{absolute}"
    return hashlib.blake2b(token.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _kind_of_url(url: str) -> str:
    path = urlsplit(url).path.lower().rstrip("/")
    if path.endswith(_FEED_URL_SUFFIXES) or path.rsplit("/", 1)[-1] in _FEED_URL_NAMES:
        return "feed"
    return "url"


def _walk(folder: str) -> list[str]:
    paths: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        paths.extend(os.path.join(root, name) for name in files if not name.startswith("."))
    return sorted(paths)


def _collect(paths: list[str], *, where: str) -> tuple[list[SourceRef], list[SourceError]]:
    refs: list[SourceRef] = []
    skipped: list[SourceError] = []
    for path in paths:
        try:
            refs.append(SourceRef(os.path.abspath(path), kind_of_file(path)))
        except SourceError as err:
            logger.warning("skipping %s", err)
            skipped.append(err)
    if not refs:
        if skipped:  # say why the files found were not taken, not that there were none
            raise skipped[0]
        raise SourceError(Errors.E211, where=where)
    if skipped:
        logger.info("%s: %d files taken, %d skipped", where, len(refs), len(skipped))
    return refs, skipped


def _read_head(path: str, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise SourceError(Errors.E201, where=path, detail=exc.strerror or str(exc)) from exc


def _is_url_list(path: str) -> bool:
    head = _read_head(path, _URLLIST_SNIFF_BYTES)
    if b"\x00" in head:
        return False
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    if len(head) == _URLLIST_SNIFF_BYTES and lines:
        lines.pop()  # the last line may be cut short
    return _all_urls(lines)


def _all_urls(lines: list[str]) -> bool:
    seen_url = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            return False
        seen_url = True
    return seen_url


def _sniff(path: str, suffix: str) -> str:
    head = _read_head(path, _SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return "pdf"
    described = f"'{suffix}'" if suffix else "a file with no extension"
    if b"\x00" in head:
        raise SourceError(Errors.E206, where=path, detail=f"{described} holding NUL bytes")
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    lower = text[:2048].lower()
    if lower.startswith("<?xml") or lower.startswith(("<rss", "<feed", "<rdf:rdf")):
        if "<rss" in lower or "<feed" in lower or "<rdf:rdf" in lower:
            return "feed"
        if "<html" in lower:
            return "html"
    elif lower.startswith(("<!doctype html", "<html")):
        return "html"
    lines = text.splitlines()
    if len(head) == _SNIFF_BYTES and lines:
        lines.pop()
    if lines and lines[0].startswith("{") and _is_json_object(lines[0]):
        return "jsonl"
    if _all_urls(lines):
        return "urllist"
    raise SourceError(Errors.E214, where=path, detail=suffix or "no extension")


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
