"""Fetcher: user agent, retries with backoff, Retry-After, timeouts, connection errors,
the per-host pause; all against a loopback server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dyadwatch.errors import FetchError
from dyadwatch.library.fetch import FetchedPage, Fetcher, user_agent


def test_a_page_and_the_user_agent(site: Any, fetcher: Fetcher) -> None:
    url = site.page("/news/a.html", "<html><body><p>Привет, Kabul.</p></body></html>")
    page = fetcher.get(url)
    assert isinstance(page, FetchedPage)
    assert (page.url, page.final_url, page.status) == (url, url, 200)
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert "Привет, Kabul." in page.text and page.content.startswith(b"<html>")
    [headers] = site.headers("/news/a.html")
    assert headers["User-Agent"] == user_agent()
    assert user_agent().startswith("dyadwatch/") and user_agent().endswith("(+research event-data tool)")


def test_redirects_are_followed(site: Any, fetcher: Fetcher) -> None:
    target = site.page("/new.html", "<p>moved here</p>")
    site.add("/old.html", site.Route(b"", status=301, headers={"Location": "/new.html"}))
    page = fetcher.get(site.url("/old.html"))
    assert page.final_url == target and page.url == site.url("/old.html")


def test_binary_content_has_no_text(site: Any, fetcher: Fetcher) -> None:
    url = site.page("/doc.pdf", b"%PDF-1.4\n\x00\x01", "application/pdf")
    page = fetcher.get(url)
    assert page.content_type == "application/pdf" and page.text == "" and page.content.startswith(b"%PDF")


def test_a_404_fails_at_once(site: Any, fetcher: Fetcher) -> None:
    url = site.url("/missing.html")
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    err = caught.value
    assert (err.code, err.where, err.values["status"]) == ("E221", url, 404)
    assert "HTTP 404" in str(err) and "--on-error skip" in str(err)
    assert site.hits("/missing.html") == 1


def test_a_500_then_200_is_retried(site: Any, fetcher: Fetcher) -> None:
    url = site.add(
        "/flaky.html",
        site.Route(b"oops", status=500),
        site.Route(b"<p>Back again.</p>"),
    )
    assert fetcher.get(url).text == "<p>Back again.</p>"
    assert site.hits("/flaky.html") == 2


def test_a_server_that_stays_down_fails_after_all_tries(site: Any) -> None:
    pauses: list[float] = []
    url = site.add("/down.html", site.Route(b"busy", status=503))
    with Fetcher(min_interval=0, tries=3, backoff=0.5, sleep=pauses.append) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.code == "E221" and "HTTP 503" in str(caught.value)
    assert site.hits("/down.html") == 3
    assert pauses == [0.5, 1.0]  # exponential backoff


def test_a_short_retry_after_is_honoured(site: Any) -> None:
    pauses: list[float] = []
    url = site.add(
        "/busy.html",
        site.Route(b"slow down", status=429, headers={"Retry-After": "2"}),
        site.Route(b"<p>ok</p>"),
    )
    with Fetcher(min_interval=0, backoff=0.01, sleep=pauses.append) as fetcher:
        assert fetcher.get(url).status == 200
    assert pauses == [2.0]


def test_a_long_retry_after_ends_the_retries(site: Any) -> None:
    pauses: list[float] = []
    url = site.add("/later.html", site.Route(b"come back tomorrow", status=503, headers={"Retry-After": "86400"}))
    with Fetcher(min_interval=0, sleep=pauses.append) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.code == "E221"
    assert site.hits("/later.html") == 1 and pauses == []


def test_a_timeout_is_retried_then_e222(site: Any) -> None:
    site.set_slow(3.0)
    url = site.add("/slow", site.Route(b"<p>late</p>"))
    with Fetcher(min_interval=0, timeout=0.2, tries=2, backoff=0.01) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    err = caught.value
    assert err.code == "E222" and err.where == url
    assert str(err).startswith(f"[E222] {url}: The request timed out after 2 tries")
    assert site.hits("/slow") == 2


def test_a_refused_connection_is_e223(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/news.html"
    with Fetcher(min_interval=0, tries=2, backoff=0.01) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.code == "E223" and caught.value.where == url
    assert "after 2 tries" in str(caught.value)


def test_an_address_that_is_not_http_is_e201() -> None:
    with Fetcher(min_interval=0) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get("ftp://files.example/report.txt")
    assert caught.value.code == "E201"


def test_requests_to_one_host_are_spaced(site: Any) -> None:
    pauses: list[float] = []
    url = site.page("/a.html", "<p>a</p>")
    with Fetcher(min_interval=0.5, sleep=pauses.append) as fetcher:
        fetcher.get(url)
        fetcher.get(url)
    assert len(pauses) == 1 and 0.3 < pauses[0] <= 0.5


def test_the_pause_is_per_host(site: Any) -> None:
    pauses: list[float] = []
    url = site.page("/a.html", "<p>a</p>")
    other_host = url.replace("127.0.0.1", "localhost")
    with Fetcher(min_interval=0.5, sleep=pauses.append) as fetcher:
        fetcher.get(url)
        fetcher.get(other_host)  # another host: no wait
        assert pauses == []
        fetcher.get(url)  # the same host again: waits out the rest of its interval
    assert len(pauses) == 1


def test_an_in_memory_transport_and_closing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/plain; charset=utf-8"}, text=request.headers["User-Agent"])

    fetcher = Fetcher(min_interval=0, transport=httpx.MockTransport(handler), user_agent="test-agent/1")
    assert fetcher.get("https://news.example/a").text == "test-agent/1"
    fetcher.close()
    fetcher.close()  # closing twice is harmless
    assert fetcher.get("https://news.example/b").text == "test-agent/1"  # and it reopens
    fetcher.close()


def test_settings_are_checked_on_use() -> None:
    with Fetcher(tries=0) as fetcher, pytest.raises(ValueError, match="tries must be at least 1. Got 0 instead."):
        fetcher.get("https://news.example/a")
