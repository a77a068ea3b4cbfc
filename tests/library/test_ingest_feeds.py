"""Feeds through a whole ingest, against a loopback site: from a file or an address, each
entry's page is fetched (politely: one fetcher, a pause per host, dyadwatch's user agent)
and extracted, whether the batch is read in this process or in worker processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import dyadwatch
from dyadwatch.library.fetch import Fetcher
from dyadwatch.library.ingest import ingest


def _feed_file(folder: Path, data_dir: Path, base: str) -> Path:
    path = folder / "ledger.rss"
    path.write_text((data_dir / "feed.rss").read_text(encoding="utf-8").replace("{base}", base), encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "worker-pool"])
def test_a_feed_file_has_each_entrys_page_fetched(
    workers: int, tmp_path: Path, data_dir: Path, news_site: Any
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    feed = _feed_file(folder, data_dir, news_site.base)
    (folder / "note.txt").write_text("Kyrgyzstan joined CSTO drills near the Tajik-Afghan border on Friday.")
    pauses: list[float] = []
    with Fetcher(min_interval=1.0, timeout=2.0, tries=1, sleep=pauses.append) as fetcher, \
            dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = ingest(lib.store, [str(folder)], fetcher=fetcher, on_error="skip", workers=workers)
        # the two live pages were fetched once each; the dead link is listed with its code
        assert news_site.hits("/news/accord.html") == 1 and news_site.hits("/news/talks.html") == 1
        assert [(s.code, s.where) for s in report.skipped] == [("E221", news_site.url("/news/gone.html"))]
        docs = lib.documents(with_text=True).set_index("title")
        accord = docs.loc["Russia and Afghanistan sign trade accord"]
        # the page's text and metadata, not the feed's one-line summary
        assert "joint commission" in accord["text"] and accord["author"] == "Maria Petrova"
        assert accord["source_kind"] == "feed" and accord["source"] == str(feed)
        assert docs.loc["Moscow format talks resume", "date_source"] == "metadata"  # the entry's pubDate
        assert report.documents_added == 3  # two pages and the note
    # the second and third requests to the one host waited for the fetcher's pause (not
    # sleeping here: the pauses it asked for are recorded), and each carried dyadwatch's user agent
    assert len(pauses) == 2 and all(p > 0 for p in pauses)
    agents = {h["User-Agent"] for path in ("/news/accord.html", "/news/talks.html") for h in news_site.headers(path)}
    assert len(agents) == 1 and agents.pop().startswith("dyadwatch/")


def test_a_feed_address_without_a_fetcher_gets_a_polite_one(tmp_path: Path, news_site: Any) -> None:
    """The Python API with no fetcher given: ingest makes its own (default pause 1 s a host)."""
    news_site.page("/short.rss", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title>'
        f"<item><title>Talks</title><link>{news_site.url('/news/talks.html')}</link></item>"
        "</channel></rss>"
    ), content_type="application/rss+xml")
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(news_site.url("/short.rss"))
        assert report.documents_added == 1
        [text] = lib.documents(with_text=True)["text"]
        assert "inclusive government" in text
    assert news_site.headers("/news/talks.html")[0]["User-Agent"].startswith("dyadwatch/")


def test_a_timeout_on_one_entry_page_is_that_entrys_error(tmp_path: Path, site: Any) -> None:
    site.page("/news/ok.html", (
        "<html><head><title>Border reopens</title></head><body><article><p>The Hairatan crossing between "
        "Uzbekistan and Afghanistan reopened to freight on Monday, officials said.</p></article></body></html>"
    ))
    site.page("/slow", "<html><body><article><p>Late.</p></article></body></html>")
    site.set_slow(3.0)
    site.page("/feed.xml", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item><title>Border</title><link>{site.url('/news/ok.html')}</link></item>"
        f"<item><title>Slow</title><link>{site.url('/slow')}</link></item>"
        "</channel></rss>"
    ), content_type="application/rss+xml")
    with Fetcher(min_interval=0, timeout=0.4, tries=2, backoff=0.01) as fetcher, \
            dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(site.url("/feed.xml"), fetcher=fetcher, on_error="skip")
        assert report.documents_added == 1
        [skipped] = report.skipped
        assert skipped.code == "E222" and skipped.where == site.url("/slow")
        assert "timed out after 2 tries" in skipped.message
    assert site.hits("/slow") == 2  # a timeout is retried


def test_cli_ingest_of_a_url_list_with_its_fetch_options(
    tmp_path: Path, news_site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dyadwatch ingest reading.urls --rate-limit --timeout --on-error skip`: the pages are
    stored, the dead one listed; once it is fixed, a re-run stores it and nothing else."""
    from typer.testing import CliRunner

    from dyadwatch.cli._common import console
    from dyadwatch.cli.main import app

    monkeypatch.setattr(console, "width", 220)
    urls = tmp_path / "reading.txt"
    urls.write_text(
        "# to read\n" + "\n".join(news_site.url(p) for p in ("/news/accord.html", "/news/gone.html", "/news/talks.html")) + "\n"
    )
    store = str(tmp_path / "s.duckdb")
    args = ["ingest", str(urls), "--store", store, "--rate-limit", "0", "--timeout", "2", "--on-error", "skip"]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 documents added" in first.output and "1 skipped" in first.output
    [row] = [line for line in first.output.splitlines() if "gone.html" in line]
    assert "E221" in row and "HTTP 404" in row
    news_site.page("/news/gone.html", (
        "<html><head><title>Border crossing reopens</title></head><body><article><p>The Hairatan border "
        "crossing between Uzbekistan and Afghanistan reopened to freight traffic on Monday.</p></article></body></html>"
    ))
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "1 documents added" in second.output and "2 already stored" in second.output
    assert "skipped" not in second.output
    third = runner.invoke(app, args)  # now read without a problem: unchanged, skipped unread
    assert "0 documents added" in third.output and "1 of 1 sources unchanged" in third.output
    assert news_site.hits("/news/accord.html") == 2
