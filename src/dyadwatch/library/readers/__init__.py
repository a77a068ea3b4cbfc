"""Readers: a :class:`~dyadwatch.library.sources.SourceRef` in, documents out.

:func:`read` yields a :class:`~dyadwatch.records.Document` per document in the source.
A problem with the source as a whole (missing, empty, binary, undecodable, not a feed,
an encrypted PDF, a CSV without a ``text`` column, an address that fails) is *raised*
as a :class:`~dyadwatch.errors.SourceError` whose ``where`` is the path or address.
A problem with one record of a source that holds many (a JSONL line that is not JSON, a
CSV row without text, a feed entry whose page fails, an address in a URL list) is
*yielded* as a :class:`~dyadwatch.errors.SourceError`, with ``where`` ``"path:LINE"``
(or the address), so the caller can stop at it or skip it and count.

Every document's ``source`` is the ref's location and ``source_kind`` its kind.

>>> import pathlib, tempfile
>>> from dyadwatch.library.sources import expand
>>> path = pathlib.Path(tempfile.mkdtemp()) / "talks.txt"
>>> _ = path.write_text("Talks in Moscow\\n\\nOn 15 August 2021 the ministers met in Moscow.\\n")
>>> [doc] = read(expand(str(path))[0])
>>> doc.title, doc.published, doc.date_source
('Talks in Moscow', datetime.date(2021, 8, 15), 'text')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dyadwatch.errors import Errors, SourceError
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.readers._html import read_html
from dyadwatch.library.readers._pdf import read_pdf
from dyadwatch.library.readers._records import read_csv, read_jsonl
from dyadwatch.library.readers._remote import read_feed, read_url, read_urllist
from dyadwatch.library.readers._text import read_markdown, read_text
from dyadwatch.library.sources import SourceRef, is_url
from dyadwatch.records import Document

__all__ = ["read"]

_Read = Callable[[SourceRef], Iterator[Document] | Iterator[Document | SourceError]]
_FILE_READERS: dict[str, _Read] = {
    "text": read_text,
    "markdown": read_markdown,
    "html": read_html,
    "pdf": read_pdf,
    "jsonl": read_jsonl,
    "csv": read_csv,
}


def read(ref: SourceRef, *, fetcher: Fetcher | None = None) -> Iterator[Document | SourceError]:
    """The documents of one source, with per-record errors yielded in their place.

    ``fetcher`` fetches addresses, URL lists, remote feeds and feed entries' pages.
    Without one, a remote source is fetched with a default :class:`Fetcher` (closed
    when the iteration ends), and a feed *file* is read offline from its entries'
    summaries.
    """
    file_reader = _FILE_READERS.get(ref.kind)
    if file_reader is not None:
        yield from file_reader(ref)
        return
    if ref.kind not in ("url", "urllist", "feed"):
        raise SourceError(Errors.E214, where=ref.location, detail=ref.kind)
    if ref.kind == "feed" and not is_url(ref.location):
        yield from read_feed(ref, fetcher)
    elif fetcher is None:
        with Fetcher() as own:
            yield from _read_remote(ref, own)
    else:
        yield from _read_remote(ref, fetcher)


def _read_remote(ref: SourceRef, fetcher: Fetcher) -> Iterator[Document | SourceError]:
    if ref.kind == "url":
        yield from read_url(ref, fetcher)
    elif ref.kind == "urllist":
        yield from read_urllist(ref, fetcher)
    else:
        yield from read_feed(ref, fetcher)
