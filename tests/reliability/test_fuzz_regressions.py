"""Inputs the fuzzers found that once escaped as uncoded exceptions, kept as regression tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dyadwatch.errors import FetchError, SourceError
from dyadwatch.library.readers import read
from dyadwatch.library.sources import SourceRef, is_url
from tests.reliability.targets import offline_fetcher

FEED_HEAD = b'<rss version="2.0"><channel><title>Wire</title><item><title>'
FEED_TAIL = b"</title><description>Talks in Kabul on 3 May 2022.</description></item></channel></rss>"


@pytest.mark.parametrize(
    "data",
    [
        # a character reference to a lone surrogate: feedparser raised UnicodeEncodeError
        FEED_HEAD + b"Envoys &#xD800; meet" + FEED_TAIL,
        # an XML declaration naming an encoding in bytes that are not text: UnicodeDecodeError
        b'<?xml version="1.0" encoding="\xfe\xff"?>' + FEED_HEAD + b"Envoys meet" + FEED_TAIL,
    ],
    ids=["surrogate-charref", "binary-encoding-name"],
)
def test_feeds_that_trip_the_feed_parser_are_refused_with_e210(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_bytes(data)
    with pytest.raises(SourceError) as refused:
        list(read(SourceRef(str(path), "feed")))
    assert refused.value.code == "E210"


def test_an_address_with_a_broken_ipv6_host_is_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    """'https://[host/a' fits the address pattern but urlsplit refuses it (ValueError)."""
    assert not is_url("https://[news.example.org/a")
    path = tmp_path / "list.urls"
    path.write_text("https://news.example.org/a.html\nhttps://[news.example.org/b\n", encoding="utf-8")
    with offline_fetcher() as fetcher:
        items = list(read(SourceRef(str(path), "urllist"), fetcher=fetcher))
    codes = [getattr(item, "code", None) for item in items]
    assert codes == [None, "E216"]  # one document, then the bad line
    with offline_fetcher() as fetcher, pytest.raises(FetchError) as bad:
        fetcher.get("https://[news.example.org/b")
    assert bad.value.code == "E201"
