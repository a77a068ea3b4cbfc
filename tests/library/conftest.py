"""Fixtures for the library's readers: the data folder, hand-made PDFs, and a loopback
HTTP server that stands in for news sites (pages, feeds, a 404, a flaky server, a slow
one)."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dyadwatch.library.fetch import Fetcher

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


# -- PDFs ------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_text_pdf(lines: list[str], *, title: str | None = None, created: str | None = None) -> bytes:
    """A one-page PDF whose content stream writes ``lines`` in Helvetica, built by hand
    (pypdf writes pages but not text), with an Info dictionary when asked."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "16 TL"]
    for line in lines:
        ops += [f"{_pdf_string(line)} Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    info = []
    if title is not None:
        info.append(f"/Title {_pdf_string(title)}")
    if created is not None:
        info.append(f"/CreationDate {_pdf_string(created)}")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ("<< " + " ".join(info) + " >>").encode("latin-1"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objects) + 1))
    out.write(b"0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


@pytest.fixture
def text_pdf() -> Callable[..., bytes]:
    return make_text_pdf


def blank_pdf(*, password: str | None = None) -> bytes:
    """A one-page PDF with no text, written by pypdf; encrypted (RC4) with a password."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pdf_maker() -> Callable[..., bytes]:
    return blank_pdf


# -- the loopback server ---------------------------------------------------------------


@dataclass
class Response:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, list[Response]] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.slow_seconds = 2.0
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout test) is expected, not a failure


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        server = self.server
        path = self.path.split("?", 1)[0]
        with server.lock:
            server.requests.append((path, dict(self.headers.items())))
            hit = server.hits.get(path, 0)
            server.hits[path] = hit + 1
            routes = server.routes.get(path)
        if path == "/slow":
            server.stopping.wait(server.slow_seconds)
        if not routes:
            self._send(Response(b"<html><body><h1>Not found</h1></body></html>", status=404))
            return
        # a route with several responses gives them in turn, then repeats the last
        self._send(routes[min(hit, len(routes) - 1)])

    def _send(self, route: Response) -> None:
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(route.body)
        except OSError:
            pass  # the client hung up

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


class LoopbackSite:
    """A news site on 127.0.0.1: add routes, read back what was requested."""

    Route = Response  # tests write site.Route(body, status=...)

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, *responses: Response) -> str:
        self._server.routes[path] = list(responses)
        return self.url(path)

    def page(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8") -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.add(path, Response(data, content_type))

    def hits(self, path: str) -> int:
        return self._server.hits.get(path, 0)

    def headers(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self._server.requests if seen == path]

    def set_slow(self, seconds: float) -> None:
        self._server.slow_seconds = seconds


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LoopbackSite(server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def news_site(site: LoopbackSite, data_dir: Path) -> LoopbackSite:
    """The site with the data folder's pages and feeds (links pointing back at it)."""
    site.page("/news/accord.html", (data_dir / "article.html").read_bytes())
    site.page("/news/talks.html", (data_dir / "talks.html").read_bytes())
    site.add("/news/airport.html", Response(b"<html><body>Server error</body></html>", status=500))
    for name, path, media in (
        ("feed.rss", "/feed.rss", "application/rss+xml"),
        ("feed.atom", "/atom.xml", "application/atom+xml"),
    ):
        body = (data_dir / name).read_text(encoding="utf-8").replace("{base}", site.base)
        site.page(path, body, content_type=media)
    return site


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    """A fetcher for tests: no pause between requests, short timeout and backoff."""
    with Fetcher(min_interval=0, timeout=2.0, tries=3, backoff=0.01) as fetcher:
        yield fetcher


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (a connection there is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
