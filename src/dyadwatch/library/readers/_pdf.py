"""PDF files, by pypdf (the ``pdf`` extra)."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from typing import Any

from dyadwatch.errors import Errors, SourceError, require
from dyadwatch.library.readers._common import (
    Extracted,
    build_document,
    clean_text,
    guess_title,
    read_bytes,
)
from dyadwatch.library.sources import SourceRef
from dyadwatch.records import Document

logger = logging.getLogger(__name__)

# metadata titles that name the file or the tool, not the document
_JUNK_TITLE = re.compile(r"^(?:untitled|microsoft (?:word|powerpoint) - .*|.*\.(?:docx?|pdf|odt|rtf|txt))$", re.IGNORECASE)


def read_pdf(ref: SourceRef) -> Iterator[Document]:
    """A PDF file: one document with its pages' text; ``E208`` when it cannot be read,
    ``E209`` when it holds no text."""
    yield build_document(extract_pdf(read_bytes(ref.location), where=ref.location), ref)


def extract_pdf(data: bytes, *, where: str) -> Extracted:
    """The text (pages separated by blank lines) and metadata of a PDF."""
    pypdf = require("pypdf", "pdf")
    if not data.strip():
        raise SourceError(Errors.E202, where=where)
    with warnings.catch_warnings():
        # pypdf warns about repairable defects of a file; it also logs them
        warnings.simplefilter("ignore", pypdf.errors.PdfReadWarning)
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _decrypt(reader, where)
            pages = [page.extract_text() or "" for page in reader.pages]
        except SourceError:
            raise
        except pypdf.errors.DependencyError as exc:
            raise SourceError(Errors.E208, where=where, detail=f"it needs a package pypdf lacks ({exc})") from exc
        except Exception as exc:  # pypdf raises many kinds of error on damaged files
            logger.debug("pypdf failed on %s", where, exc_info=True)
            raise SourceError(Errors.E208, where=where, detail=f"{type(exc).__name__}: {exc}") from exc
        info = _metadata(reader)
    text = clean_text("\n\n".join(pages))
    if not text:
        raise SourceError(Errors.E209, where=where)
    title = info.get("title")
    if title and _JUNK_TITLE.match(title):
        title = None
    return Extracted(
        text=text,
        title=title or guess_title(text),
        author=info.get("author"),
        meta_date=info.get("date"),
    )


def _decrypt(reader: Any, where: str) -> None:
    # a file with only an owner password opens with the empty user password
    if not reader.decrypt(""):
        raise SourceError(Errors.E208, where=where, detail="it is encrypted with a password")


def _metadata(reader: Any) -> dict[str, Any]:
    info: dict[str, Any] = {}
    try:
        metadata = reader.metadata
    except Exception:  # damaged metadata must not lose the text
        logger.debug("unreadable PDF metadata", exc_info=True)
        return info
    if metadata is None:
        return info
    for name, attribute in (("title", "title"), ("author", "author"), ("date", "creation_date")):
        try:
            value = getattr(metadata, attribute)
        except Exception:  # pypdf parses dates on access, and may fail on odd ones
            logger.debug("unreadable PDF metadata field %s", attribute, exc_info=True)
            continue
        if value:
            info[name] = value if name == "date" else str(value).strip()
    return info
