"""Fetching pages politely: one client, a clear user agent, a pause per host, retries.

>>> with Fetcher(min_interval=0) as fetcher:          # doctest: +SKIP
...     page = fetcher.get("https://example.org/news/talks.html")
>>> page.status, page.content_type                    # doctest: +SKIP
(200, 'text/html')

Errors are :class:`~dyadwatch.errors.FetchError` with the address as ``where``: an HTTP
error status (after retries, for 429 and 5xx) is ``E221``, a timeout ``E222``, a failed
connection ``E223``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from dyadwatch.errors import Errors, FetchError

__all__ = ["FetchedPage", "Fetcher", "user_agent"]

logger = logging.getLogger(__name__)

_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/rss", "application/atom", "application/json")


def user_agent() -> str:
    """The User-Agent dyadwatch sends: its name, version and what it is for."""
    try:
        from dyadwatch import __version__ as version
    except ImportError:  # a partly installed package still fetches
        version = "0"
    return f"dyadwatch/{version} (+research event-data tool)"


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A fetched response.

    ``content_type`` is the media type alone, lower case (``"text/html"``), ``charset``
    the one the server declared (or ``None``), ``content`` the raw body and ``text`` the
    body decoded (empty for binary types such as PDF).
    """

    url: str
    final_url: str
    status: int
    content_type: str
    content: bytes
    text: str
    charset: str | None = None


class Fetcher:
    """Fetch pages over HTTP(S), politely and with retries.

    Settings are keyword-only: ``min_interval`` seconds between two requests to the same
    host (default 1.0; 0 in tests), ``timeout`` seconds per request (default 20),
    ``tries`` attempts in all for timeouts, connection errors, 429 and 5xx (default 3),
    ``backoff`` the first pause between tries in seconds, doubled each time, and
    ``max_retry_after``: a ``Retry-After`` up to this many seconds is honoured, a longer
    one ends the retries. ``transport`` swaps httpx's network transport (tests use
    :class:`httpx.MockTransport`).

    The HTTP client is made on the first request; close it with :meth:`close` or use the
    fetcher as a context manager. A fetcher may be shared between threads.

    >>> with Fetcher(min_interval=0, tries=1) as fetcher:
    ...     fetcher.tries
    1
    """

    def __init__(
        self,
        *,
        min_interval: float = 1.0,
        timeout: float = 20.0,
        tries: int = 3,
        backoff: float = 1.0,
        max_retry_after: float = 30.0,
        user_agent: str | None = None,
        follow_redirects: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.timeout = timeout
        self.tries = tries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent
        self.follow_redirects = follow_redirects
        self.transport = transport
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client (a later :meth:`get` opens a new one)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _get_client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                if self.tries < 1:
                    raise ValueError(f"tries must be at least 1. Got {self.tries!r} instead.")
                if self.min_interval < 0 or self.timeout <= 0:
                    raise ValueError(
                        "min_interval must be >= 0 and timeout > 0. "
                        f"Got {self.min_interval!r} and {self.timeout!r} instead."
                    )
                self._client = httpx.Client(
                    headers={"User-Agent": self.user_agent or user_agent()},
                    timeout=self.timeout,
                    follow_redirects=self.follow_redirects,
                    transport=self.transport,
                )
            return self._client

    # -- fetching ----------------------------------------------------------------------

    def get(self, url: str) -> FetchedPage:
        """Fetch ``url`` and return the page, or raise :class:`FetchError`.

        Timeouts, connection errors, 429 and 5xx are retried with exponential backoff
        (honouring a short ``Retry-After``); other 4xx fail at once.
        """
        client = self._get_client()
        try:
            host = urlsplit(url).netloc.lower()
        except ValueError as exc:  # "https://[host": the pattern of an address, not a parsable one
            raise FetchError(Errors.E201, where=url, detail=f"not a valid http(s) address ({exc})") from exc
        failure: tuple[str, BaseException] | None = None
        for attempt in range(1, self.tries + 1):
            self._wait_turn(host)
            try:
                response = client.get(url)
            except httpx.TimeoutException as timeout:
                failure = ("timeout", timeout)
                logger.info("timeout fetching %s (try %d of %d)", url, attempt, self.tries)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError(Errors.E201, where=url, detail=f"not a valid http(s) address ({exc})") from exc
            except httpx.TransportError as broken:
                failure = ("connection", broken)
                logger.info("connection error fetching %s (try %d of %d): %s", url, attempt, self.tries, broken)
            else:
                status = response.status_code
                if status < 400:
                    return _page(url, response)
                if not _is_retryable(status) or attempt == self.tries:
                    raise FetchError(Errors.E221, where=url, status=status)
                pause = self._retry_after(response, attempt)
                if pause is None:
                    logger.info("HTTP %d from %s with a long Retry-After: giving up", status, url)
                    raise FetchError(Errors.E221, where=url, status=status)
                logger.info("HTTP %d from %s (try %d of %d); retrying in %.2f s", status, url, attempt, self.tries, pause)
                self._sleep(pause)
                continue
            if attempt < self.tries:
                self._sleep(self._backoff(attempt))
        kind, error = failure if failure is not None else ("connection", RuntimeError("no try made"))
        template = Errors.E222 if kind == "timeout" else Errors.E223
        detail = str(error) or type(error).__name__
        raise FetchError(template, where=url, retries=self.tries, detail=detail) from error

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * 2 ** (attempt - 1))

    def _retry_after(self, response: httpx.Response, attempt: int) -> float | None:
        """The pause before the next try: the server's Retry-After when it is short,
        ``None`` when it asks for longer than ``max_retry_after``, else the backoff."""
        attempt_pause = self._backoff(attempt)
        value = response.headers.get("Retry-After")
        if value is None:
            return attempt_pause
        seconds = _parse_retry_after(value)
        if seconds is None:
            return attempt_pause
        return seconds if seconds <= self.max_retry_after else None

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``min_interval`` has passed since the last request to ``host``."""
        if self.min_interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._last_request.get(host, -float("inf")) + self.min_interval)
            self._last_request[host] = start  # reserve the slot, so threads queue up
        if start > now:
            self._sleep(start - now)


def _is_retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _page(url: str, response: httpx.Response) -> FetchedPage:
    header = response.headers.get("Content-Type", "")
    media_type = header.split(";", 1)[0].strip().lower()
    charset = response.charset_encoding
    content = response.content
    text = ""
    if not media_type or media_type.startswith(_TEXT_TYPES) or media_type.endswith(("+xml", "+json")):
        text = _decode_body(content, charset)
    return FetchedPage(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content_type=media_type,
        content=content,
        text=text,
        charset=charset,
    )


def _decode_body(content: bytes, charset: str | None) -> str:
    if charset:
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace")
