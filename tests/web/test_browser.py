"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server.

Charts must render with data, the events filter must work, a correction made in the review
page must show in `dyadwatch evaluate`, and the security cases must hold in the browser: a
write without the token, a cross-site form post, a `<script>` in a document, path traversal.
Screenshots go to build/screenshots/ (kept by CI).
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser import browser, screenshot  # noqa: F401  (browser is a fixture)
from tests.web.conftest import TOKEN, build_store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The dashboard under uvicorn on loopback, in a thread."""

    def __init__(self, store: Path) -> None:
        import uvicorn

        from dyadwatch.web.app import create_app

        self.app = create_app(store, allow_edits=True, token=TOKEN, poll_interval=0.1)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path, dict[str, Any]]]:
    store = tmp_path_factory.mktemp("browser") / "web.duckdb"
    ids = build_store(store)
    with LiveServer(store) as server:
        yield server, store, ids


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    assert page.csp_errors == [], page.csp_errors  # type: ignore[attr-defined]
    context.close()


def log_in(page: Any, server: LiveServer, next_path: str) -> None:
    page.goto(f"{server.url}/login?" + urlencode({"next": next_path}))
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path.split('?')[0]}*")


def test_dyad_charts_render_with_data(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, _, _ = live
    page.goto(f"{server.url}/dyads?dyad=RUS-AFG")
    for chart in ("#dyad-counts", "#dyad-goldstein"):
        page.wait_for_selector(f"{chart}[data-rendered=true]", timeout=20_000)
        traces = page.eval_on_selector(chart, "el => el.data.map(t => [t.name, t.x.length, t.y.filter(v => v !== null).length])")
        assert sorted(t[0] for t in traces) == ["dyadwatch", "gdelt2"]
        assert all(n > 0 and m > 0 for _, n, m in traces)
        assert page.locator(f"{chart} .main-svg .scatterlayer .trace").count() == 2  # drawn, not only loaded
    assert page.locator("#source-totals .source-card").count() == 2
    screenshot(page, "dashboard-dyads")


def test_filter_events_and_the_histogram(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, _, _ = live
    page.goto(f"{server.url}/events")
    page.wait_for_selector("#events-chart[data-rendered=true]", timeout=20_000)
    assert page.locator("#events-chart .barlayer .point").count() > 0
    assert page.locator("#events-table tbody tr").count() == 17
    page.fill("#event-filters input[name=dyad]", "CHN-AFG")
    page.click("#event-filters button[type=submit]")
    page.wait_for_url("**/events?dyad=CHN-AFG*")
    rows = page.locator("#events-table tbody tr")
    assert rows.count() == 1 and "070" in rows.first.inner_text()
    page.wait_for_selector("#events-chart[data-rendered=true]", timeout=20_000)
    assert page.eval_on_selector("#events-chart", "el => el.data.reduce((n, t) => n + t.y.reduce((a, b) => a + b, 0), 0)") == 1
    page.select_option("#event-filters select[name=origin]", "gdelt2")
    page.fill("#event-filters input[name=dyad]", "")
    page.click("#event-filters button[type=submit]")
    page.wait_for_url("**origin=gdelt2*")
    assert page.locator("#events-table tbody tr").count() == 12
    screenshot(page, "dashboard-events-filtered")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == "dyadwatch-events.csv"


def test_document_highlights_and_script_as_text(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, _, ids = live
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/library/{ids['script_doc']}")
    text = page.inner_text("#document-text")
    assert '<script>alert("pwned")</script>' in text  # shown as the characters it is made of
    assert page.evaluate("document.querySelectorAll('#document-text script').length") == 0
    assert page.inner_text("#document-text mark.role-source") == "Russia"
    assert page.inner_text("#document-text mark.role-target") == "Taliban"
    page.goto(f"{server.url}/library?q=pwned")
    assert page.locator("ol.hits li").count() == 1
    assert dialogs == []
    screenshot(page, "dashboard-document-script-escaped")


def test_correct_an_event_and_evaluate(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, store, _ = live
    log_in(page, server, "/review?dyad=RUS-AFG&origin=dyadwatch")
    assert page.locator(".review-item").count() == 3  # RUS-AFG, own coding only
    item = page.locator("#review-ev1")
    assert item.locator("mark.role-verb").inner_text() == "criticised"
    item.locator("input[name=cameo_code]").fill("042")
    item.locator("input[name=reviewer]").fill("browser-test")
    item.locator("button[value=correct]").click()
    page.wait_for_selector("#review-done")
    assert page.locator("#review-ev1 .state").inner_text() == "correct"
    screenshot(page, "dashboard-review-corrected")
    deadline = time.monotonic() + 30
    while json.loads(page.request.get(f"{server.url}/api/status").text())["pending_corrections"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    result = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "evaluate", "--corrections", "--store", str(store), "--coder", "rules", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    evaluation = json.loads(result.stdout)["evaluations"][0]
    assert evaluation["sentences"] == 1 and evaluation["gold_events"] == 1
    root = evaluation["measures"]["root"]  # the coder said 11 (criticise), the reviewer 04 (consult)
    assert (root["tp"], root["fp"], root["fn"]) == (0, 1, 1)
    exported = page.request.get(f"{server.url}/api/corrections?format=jsonl").text().splitlines()
    assert [json.loads(line)["reviewer"] for line in exported] == ["browser-test"]


def test_write_without_token_and_cross_site_write(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, _, _ = live
    before = len(json.loads(page.request.get(f"{server.url}/api/corrections").text()))
    page.goto(f"{server.url}/review")
    status = page.evaluate(
        """async () => (await fetch('/api/corrections', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({event_id: 'ev0', action: 'reject'})})).status"""
    )
    assert status == 401
    # log in, then visit a page on another origin that posts the review form to the dashboard
    log_in(page, server, "/review")
    evil = f"""<!doctype html><form id="f" method="post" action="{server.url}/review">
      <input name="event_id" value="ev0"><input name="action" value="reject"><input name="csrf_token" value="guess">
      </form><script>document.getElementById('f').submit()</script>"""

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = evil.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        with page.expect_response(f"{server.url}/review") as answer:
            page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
        assert answer.value.status == 403
        page.wait_for_selector("#error-message")
        assert "E724" in page.inner_text("h1") or "Cross-site" in page.inner_text("#error-message")
        screenshot(page, "dashboard-cross-site-refused")
    finally:
        attacker.shutdown()
        attacker.server_close()
    after = len(json.loads(page.request.get(f"{server.url}/api/corrections").text()))
    assert after == before


def test_path_traversal_in_the_browser(live: tuple[LiveServer, Path, dict[str, Any]], page: Any) -> None:
    server, _, _ = live
    for path in ["/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/studies/x/report/..%2F..%2F..%2Fweb.duckdb",
                 "/vendor/..%2F..%2Fetc%2Fpasswd", "/library/..%2F..%2Fetc%2Fpasswd"]:
        response = page.goto(server.url + path)
        assert response is not None and response.status in (404, 422), path
        assert "root:x:" not in page.content()
    screenshot(page, "dashboard-path-refused")
