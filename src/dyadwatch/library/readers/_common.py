"""What every reader shares: reading bytes, decoding, cleaning text, building records."""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any

from dyadwatch.errors import Errors, SourceError
from dyadwatch.library.dates import resolve_date
from dyadwatch.library.language import detect_language
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_CHAOS = 0.2  # charset-normalizer's mess ratio above which a guess is not trusted
_COHERENCE_TIE = 0.05
_LATIN_DEFAULT = "cp1252"
_BLANK_RUNS = re.compile(r"\n{3,}")
_TITLE_MAX = 150


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a reader found in one source, before it becomes a :class:`Document`."""

    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    meta_date: Any = None  # a date the source states as metadata
    page_date: Any = None  # a date the page carries
    language: str | None = None  # stated by the source's metadata: trusted
    declared_language: str | None = None  # a page template's lang: used when detection can't say
    user_id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def filled_from(self, **fallbacks: Any) -> Extracted:
        """A copy where each empty field takes the given fallback."""
        changes = {name: value for name, value in fallbacks.items() if not getattr(self, name) and value}
        return replace(self, **changes) if changes else self


def read_bytes(path: str) -> bytes:
    """The bytes of a file, or :class:`SourceError` ``E201``."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise SourceError(Errors.E201, where=path, detail=exc.strerror or str(exc)) from exc


def check_content(data: bytes, *, where: str) -> None:
    """Raise ``E202`` for empty or blank content and ``E206`` for binary content."""
    if not data.strip():
        raise SourceError(Errors.E202, where=where)
    if _bom_encoding(data) is None and b"\x00" in data:
        offset = data.index(b"\x00")
        raise SourceError(Errors.E206, where=where, detail=f"a NUL byte at offset {offset}")


def detect_encoding(data: bytes, *, where: str, hint: str | None = None, complete: bool = True) -> str:
    """The encoding to read ``data`` with: a BOM's, else UTF-8, else the declared
    ``hint``, else charset-normalizer's guess when it is reliable (else ``E207``).

    ``complete=False`` says ``data`` is the head of a longer file, so a multi-byte
    character cut at its end is not an error.
    """
    bom = _bom_encoding(data)
    if bom is not None:
        return bom
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            codecs.lookup(hint)
            data.decode(hint)
            return hint
        except (LookupError, UnicodeDecodeError):
            logger.info("%s: declared charset %r does not fit; guessing", where, hint)
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise SourceError(Errors.E207, where=where, detail="no encoding fits its bytes")
    best = matches[0]
    if best.chaos > _MAX_CHAOS or best.coherence <= 0.0:
        raise SourceError(
            Errors.E207,
            where=where,
            detail=f"best guess {best.encoding}, {best.percent_chaos:.0f}% garbled, {best.percent_coherence:.0f}% coherent",
        )
    encoding = str(best.encoding)
    # The single-byte Latin code pages often tie (same bytes, same letters); break the
    # tie for Windows-1252, by far the most common of them.
    tied = {
        str(match.encoding)
        for match in matches
        if match.chaos <= best.chaos and match.coherence >= best.coherence - _COHERENCE_TIE
    }
    if encoding != _LATIN_DEFAULT and _LATIN_DEFAULT in tied:
        try:
            codecs.getincrementaldecoder(_LATIN_DEFAULT)().decode(data, final=complete)
            encoding = _LATIN_DEFAULT
        except UnicodeDecodeError:
            pass
    logger.info("%s: not UTF-8; reading it as %s", where, encoding)
    return encoding


def decode(data: bytes, *, where: str, hint: str | None = None) -> str:
    """Decode a whole text source (see :func:`detect_encoding`), checking first that it
    is neither empty (``E202``) nor binary (``E206``)."""
    check_content(data, where=where)
    encoding = detect_encoding(data, where=where, hint=hint)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:  # a guess that fits the head but not the rest
        raise SourceError(Errors.E207, where=where, detail=f"{encoding} fails at byte {exc.start}") from exc
    if not text.strip():
        raise SourceError(Errors.E202, where=where)
    return text


def clean_text(text: str) -> str:
    """Newlines as ``\\n``, no trailing spaces, paragraph breaks kept as one blank line,
    and no blank lines at the ends."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = (
        text.replace("\u2029", "\n\n")
        .replace("\u2028", "\n")
        .replace("\f", "\n\n")
        .replace("\v", "\n")
        .replace("\x85", "\n")
        .replace("\ufeff", "")
    )
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n").strip()


def lines_to_paragraphs(text: str) -> str:
    """Each non-empty line becomes a paragraph (extractors give one block per line)."""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def guess_title(text: str) -> str | None:
    """The first line of ``text`` when it is short and more text follows it."""
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip().lstrip("#").strip()
    if first and rest.strip() and len(first) <= _TITLE_MAX:
        return first
    return None


def clean_value(value: Any) -> str | None:
    """A metadata value as a stripped one-line string, ``None`` when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def clean_language(value: Any) -> str | None:
    """A declared language as its lower-case primary subtag: ``"en-GB"`` -> ``"en"``."""
    text = clean_value(value)
    if not text:
        return None
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def build_document(parts: Extracted, ref: SourceRef) -> Document:
    """The :class:`Document` for what a reader extracted from ``ref``."""
    text = clean_text(parts.text)
    published, date_source = resolve_date(parts.meta_date, parts.page_date, text)
    return Document.from_text(
        text,
        title=clean_value(parts.title),
        url=clean_value(parts.url),
        publisher=clean_value(parts.publisher),
        author=clean_value(parts.author),
        published=published,
        date_source=date_source,
        language=clean_language(parts.language) or detect_language(text) or clean_language(parts.declared_language),
        source_kind=ref.kind,
        source=ref.location,
        user_id=parts.user_id,
        meta=dict(parts.meta),
        collected_at=dt.datetime.now(dt.UTC),
    )


def html_fragment_to_text(fragment: str) -> str:
    """The text of a small piece of HTML (a feed summary), block elements as paragraphs."""
    parser = _FragmentParser()
    parser.feed(fragment)
    parser.close()
    paragraphs = ("".join(parts) for parts in parser.paragraphs)
    return "\n\n".join(p for p in (" ".join(para.split()) for para in paragraphs) if p)


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


class _FragmentParser(HTMLParser):
    _BLOCKS = frozenset(
        ["p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dd", "dt"]
    )
    _SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.paragraphs[-1].append(data)

    def _break(self) -> None:
        if self.paragraphs[-1]:
            self.paragraphs.append([])
