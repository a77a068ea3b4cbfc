"""Readers of remote sources, against a loopback site: addresses, URL lists and feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.errors import FetchError, SourceError
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.readers import read
from dyadwatch.library.sources import SourceRef, expand
from dyadwatch.records import Document


def _feed_file(tmp_path: Path, data_dir: Path, name: str, base: str) -> Path:
    path = tmp_path / name
    path.write_text((data_dir / name).read_text(encoding="utf-8").replace("{base}", base), encoding="utf-8")
    return path


def _docs(items: list[Document | SourceError]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


# -- addresses -------------------------------------------------------------------------


def test_an_html_address(news_site: Any, fetcher: Fetcher) -> None:
    url = news_site.url("/news/accord.html")
    [doc] = read(SourceRef(url, "url"), fetcher=fetcher)
    assert isinstance(doc, Document)
    assert doc.title == "Russia and Afghanistan sign trade accord"
    assert (doc.published, doc.date_source) == (dt.date(2021, 8, 15), "page")
    assert doc.publisher == "The Daily Ledger"
    assert doc.source == url and doc.source_kind == "url"
    assert doc.url == url  # the address read; the page's canonical one is kept in meta
    assert doc.meta == {"canonical_url": "https://ledger.example/world/russia-afghanistan-trade-accord"}
    assert "Privacy policy" not in doc.text


def test_a_pdf_and_a_text_address(site: Any, fetcher: Fetcher, text_pdf: Callable[..., bytes]) -> None:
    pdf_url = site.page("/docs/statement.pdf", text_pdf(["Statement", "The Ministry welcomes the accord."]), "application/pdf")
    text_url = site.page("/docs/brief.txt", "Brief\n\nMoscow hosted talks on 20 October 2021.\n", "text/plain; charset=utf-8")
    md_url = site.page("/docs/brief.md", "---\ntitle: A brief\n---\n# Heading\n\nKabul *asked* for aid.\n", "text/markdown")
    [pdf] = read(SourceRef(pdf_url, "url"), fetcher=fetcher)
    [text] = read(SourceRef(text_url, "url"), fetcher=fetcher)
    [markdown] = read(SourceRef(md_url, "url"), fetcher=fetcher)
    assert isinstance(pdf, Document) and "welcomes the accord" in pdf.text and pdf.url == pdf_url
    assert isinstance(text, Document) and text.title == "Brief" and text.published == dt.date(2021, 10, 20)
    assert isinstance(markdown, Document) and markdown.title == "A brief" and markdown.text == "Heading\n\nKabul asked for aid."


def test_an_address_that_fails_raises(site: Any, fetcher: Fetcher) -> None:
    url = site.url("/news/missing.html")
    with pytest.raises(FetchError) as caught:
        list(read(SourceRef(url, "url"), fetcher=fetcher))
    assert caught.value.code == "E221" and caught.value.where == url
    assert str(caught.value).startswith(f"[E221] {url}: HTTP 404 from the server.")


def test_an_address_of_an_unreadable_type_is_e224(site: Any, fetcher: Fetcher) -> None:
    url = site.page("/img/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png")
    with pytest.raises(SourceError) as caught:
        list(read(SourceRef(url, "url"), fetcher=fetcher))
    assert caught.value.code == "E224" and "image/png" in str(caught.value)


def test_an_address_serving_a_feed_is_read_as_a_feed(news_site: Any, fetcher: Fetcher) -> None:
    items = list(read(SourceRef(news_site.url("/feed.rss"), "url"), fetcher=fetcher))
    assert len(_docs(items)) == 2 and len(items) == 3


def test_without_a_fetcher_a_default_one_is_used_and_closed(news_site: Any) -> None:
    [doc] = read(SourceRef(news_site.url("/news/talks.html"), "url"))
    assert isinstance(doc, Document) and doc.title == "Moscow format talks resume"
    assert doc.publisher == "127.0.0.1"  # a page that names no site: its host
    agent = news_site.headers("/news/talks.html")[0]["User-Agent"]
    assert agent.startswith("dyadwatch/") and "research event-data tool" in agent


# -- URL lists -------------------------------------------------------------------------


def test_a_url_list_yields_documents_and_per_address_errors(tmp_path: Path, news_site: Any, fetcher: Fetcher) -> None:
    path = tmp_path / "reading.urls"
    path.write_text(
        "# articles to read\n"
        f"{news_site.url('/news/accord.html')}\n"
        "\n"
        f"{news_site.url('/news/gone.html')}\n"
        "ftp://old.example/file.txt\n"
        f"{news_site.url('/news/talks.html')}\n"
        f"{news_site.url('/news/accord.html')}\n",
        encoding="utf-8",
    )
    [ref] = expand(str(path))
    assert ref.kind == "urllist"
    items = list(read(ref, fetcher=fetcher))
    assert [type(item).__name__ for item in items] == ["Document", "FetchError", "SourceError", "Document"]
    accord, gone, bad_line, talks = items
    assert isinstance(accord, Document) and accord.url and accord.source == str(path)
    assert isinstance(gone, FetchError) and gone.code == "E221" and gone.where == news_site.url("/news/gone.html")
    assert isinstance(bad_line, SourceError) and bad_line.code == "E216" and bad_line.where == f"{path}:5"
    assert "ftp://old.example/file.txt" in str(bad_line)
    assert isinstance(talks, Document)
    assert news_site.hits("/news/accord.html") == 1  # listed twice, fetched once


# -- feeds -----------------------------------------------------------------------------


def test_rss_feed_from_an_address_fetches_each_entry(news_site: Any, fetcher: Fetcher) -> None:
    url = news_site.url("/feed.rss")
    [ref] = expand(url)
    assert ref.kind == "feed"
    items = list(read(ref, fetcher=fetcher))
    assert [type(item).__name__ for item in items] == ["Document", "Document", "FetchError"]
    accord, talks, gone = items
    assert isinstance(accord, Document) and isinstance(talks, Document) and isinstance(gone, FetchError)
    # the page's own metadata first
    assert accord.title == "Russia and Afghanistan sign trade accord"
    assert (accord.published, accord.date_source) == (dt.date(2021, 8, 15), "page")
    assert accord.publisher == "The Daily Ledger" and accord.author == "Maria Petrova"
    assert "joint commission" in accord.text and "Privacy policy" not in accord.text
    assert accord.meta == {
        "guid": "ledger-2021-0815-accord",
        "canonical_url": "https://ledger.example/world/russia-afghanistan-trade-accord",
    }
    # the entry fills what the page lacks: date, author, publisher (the feed's title)
    assert (talks.published, talks.date_source) == (dt.date(2021, 10, 20), "metadata")
    assert talks.author == "Ivan Sokolov"
    assert talks.publisher == "The Daily Ledger: World"
    assert talks.url == news_site.url("/news/talks.html")
    assert "inclusive government" in talks.text
    assert all(doc.source == url and doc.source_kind == "feed" for doc in (accord, talks))
    # a failed entry is yielded with its link
    assert gone.code == "E221" and gone.where == news_site.url("/news/gone.html")


def test_atom_feed_file_with_a_fetcher(tmp_path: Path, data_dir: Path, news_site: Any, fetcher: Fetcher) -> None:
    path = _feed_file(tmp_path, data_dir, "feed.atom", news_site.base)
    fetcher.tries = 2
    items = list(read(expand(str(path))[0], fetcher=fetcher))
    assert [type(item).__name__ for item in items] == ["Document", "FetchError"]
    talks, failed = items
    assert isinstance(talks, Document) and isinstance(failed, FetchError)
    assert talks.title == "Moscow format talks resume" and talks.publisher == "Steppe Wire"
    assert (talks.published, talks.date_source) == (dt.date(2021, 10, 20), "metadata")
    assert talks.source == str(path)
    assert failed.code == "E221" and "HTTP 500" in str(failed)
    assert news_site.hits("/news/airport.html") == 2  # a 5xx is retried


def test_feed_files_offline_use_the_entries_own_text(tmp_path: Path, data_dir: Path) -> None:
    rss = _feed_file(tmp_path, data_dir, "feed.rss", "https://ledger.example")
    docs = _docs(list(read(expand(str(rss))[0])))
    assert [doc.title for doc in docs] == [
        "Russia and Afghanistan sign trade accord",
        "Moscow format talks resume",
        "Border crossing reopens",
    ]
    assert docs[1].text == "Delegations from ten countries met near Moscow for talks on Afghanistan.\n\nLavrov urged an inclusive government."
    assert docs[0].author == "Maria Petrova" and docs[0].publisher == "The Daily Ledger: World"
    assert [(doc.published, doc.date_source) for doc in docs] == [
        (dt.date(2021, 8, 15), "metadata"),
        (dt.date(2021, 10, 20), "metadata"),
        (dt.date(2021, 11, 1), "metadata"),
    ]
    assert docs[2].url == "https://ledger.example/news/gone.html"

    atom = _feed_file(tmp_path, data_dir, "feed.atom", "https://wire.example")
    talks, airport = _docs(list(read(expand(str(atom))[0])))
    assert talks.text == "Delegations met near Moscow for talks on Afghanistan."
    assert airport.text.startswith("The first international passenger flight") and "Qatari officials" in airport.text
    assert (airport.published, airport.date_source) == (dt.date(2021, 9, 9), "metadata")
    assert airport.language == "en"


def test_an_entry_whose_page_has_no_text_falls_back_to_its_summary(site: Any, fetcher: Fetcher) -> None:
    site.page("/news/video.html", "<html><body><nav><a href='/'>Home</a></nav><video src='v.mp4'></video></body></html>")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Video: talks</title>'
        f"<link>{site.url('/news/video.html')}</link><description>Envoys met in Doha on Tuesday to discuss aid.</description>"
        "</item></channel></rss>"
    )
    url = site.page("/video.rss", feed, "application/rss+xml")
    [doc] = read(SourceRef(url, "feed"), fetcher=fetcher)
    assert isinstance(doc, Document) and doc.text == "Envoys met in Doha on Tuesday to discuss aid."
    assert doc.url == site.url("/news/video.html")


def test_a_short_entry_takes_the_feed_language(tmp_path: Path) -> None:
    path = tmp_path / "court.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Brèves</title><language>fr-FR</language>'
        "<item><title>Kaboul</title><description>Vols repris.</description></item></channel></rss>",
        encoding="utf-8",
    )
    [doc] = read(expand(str(path))[0])
    assert isinstance(doc, Document) and doc.text == "Vols repris." and doc.language == "fr"
    assert doc.url is None and doc.publisher == "Brèves"


@pytest.mark.parametrize(
    "content",
    [
        b"This is a plain note, not a feed.\nIt has two lines.\n",
        b"<html><body><p>A page, not a feed.</p></body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off',
    ],
)
def test_not_a_feed_is_e210(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "news.xml"
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        list(read(expand(str(path))[0]))
    assert caught.value.code == "E210" and caught.value.where == str(path)
    assert "not valid RSS or Atom" in str(caught.value)


def test_a_feed_without_entries_yields_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "quiet.rss"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>', encoding="utf-8")
    assert list(read(expand(str(path))[0])) == []
    assert "no entries" in caplog.text


def test_an_empty_feed_file_is_e202(tmp_path: Path) -> None:
    path = tmp_path / "empty.rss"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"^\[E202\]"):
        list(read(expand(str(path))[0]))
