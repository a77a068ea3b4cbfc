"""Plain text and Markdown files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dyadwatch.errors import Errors, SourceError
from dyadwatch.library.readers._common import (
    Extracted,
    build_document,
    clean_text,
    decode,
    guess_title,
    read_bytes,
)
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document

# front matter keys that fill Document fields; the rest go to Document.meta
_FRONT_MATTER_FIELDS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "publisher": "publisher",
    "source": "publisher",
    "url": "url",
    "link": "url",
    "author": "author",
    "language": "language",
    "lang": "language",
    "id": "id",
}
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RULE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_BLOCKQUOTE = re.compile(r"^ {0,3}>[ \t]?")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_CODE_SPAN = re.compile(r"`([^`]+)`")


def read_text(ref: SourceRef) -> Iterator[Document]:
    """A plain-text file: one document, titled by its first short line."""
    text = clean_text(decode(read_bytes(ref.location), where=ref.location))
    yield build_document(Extracted(text=text, title=guess_title(text)), ref)


def read_markdown(ref: SourceRef) -> Iterator[Document]:
    """A Markdown file: front matter honoured, markup reduced to plain text."""
    raw = decode(read_bytes(ref.location), where=ref.location)
    front, body = split_front_matter(raw)
    heading, text = markdown_to_text(body)
    text = clean_text(text)
    if not text:
        raise SourceError(Errors.E202, where=ref.location)
    known: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for key, value in front.items():
        name = _FRONT_MATTER_FIELDS.get(key.lower())
        if name is not None and name not in known:
            known[name] = value
        else:
            meta[key] = value
    parts = Extracted(
        text=text,
        title=known.get("title") or heading or guess_title(text),
        url=known.get("url"),
        publisher=known.get("publisher"),
        author=known.get("author"),
        meta_date=known.get("date"),
        language=known.get("language"),
        user_id=known.get("id"),
        meta=meta,
    )
    yield build_document(parts, ref)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split ``---`` front matter (simple ``key: value`` lines) from a Markdown text.

    Values lose their surrounding quotes; indented or list lines are kept whole under
    the previous key. Without front matter the mapping is empty and the text unchanged.
    """
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text  # no closing line: not front matter
    first = next((line for line in lines[1:end] if line.strip()), "")
    if not _FRONT_MATTER_LINE.match(first):
        return {}, text  # a rule between paragraphs, not front matter
    front: dict[str, str] = {}
    last_key: str | None = None
    for line in lines[1:end]:
        match = _FRONT_MATTER_LINE.match(line)
        if match and not line[:1].isspace():
            last_key = match.group(1)
            front[last_key] = _unquote(match.group(2))
        elif last_key is not None and line.strip():
            joined = f"{front[last_key]} {line.strip()}".strip()
            front[last_key] = joined
    return front, "\n".join(lines[end + 1 :])


def markdown_to_text(markdown: str) -> tuple[str | None, str]:
    """The first heading and the plain text of a Markdown body.

    Headings become paragraphs of their own; links keep their words, images and link
    definitions go, and emphasis, code and quote marks are dropped.
    """
    heading: str | None = None
    out: list[str] = []
    lines = _HTML_COMMENT.sub("", markdown.replace("\r\n", "\n")).split("\n")
    for index, line in enumerate(lines):
        if _FENCE.match(line) or _LINK_DEFINITION.match(line) or _THEMATIC_BREAK.match(line):
            out.append("")
            continue
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        atx = _ATX_HEADING.match(line)
        if atx:
            text = _inline(atx.group(2))
            heading = heading or text or None
            out.extend(("", text, ""))
            continue
        if line.strip() and _SETEXT_RULE.match(next_line) and not _LIST_MARKER.match(line):
            text = _inline(line.strip())
            heading = heading or text or None
            out.extend(("", text, ""))
            continue
        if _SETEXT_RULE.match(line):
            out.append("")
            continue
        line = _BLOCKQUOTE.sub("", line)
        line = _LIST_MARKER.sub("", line)
        out.append(_inline(line))
    return heading, "\n".join(out)


def _inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE_SPAN.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    return text.strip()


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
