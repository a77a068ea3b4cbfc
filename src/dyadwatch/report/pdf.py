"""The PDF of the report: the written HTML printed by Chromium, charts drawn first.

Printing the very page the reader opens keeps the PDF and the HTML identical. Chromium is
found at ``$DYADWATCH_CHROMIUM``, /usr/bin/chromium, or on the PATH; Playwright drives it.
Without either the PDF is skipped with the reason, never an error: the HTML, the figures and
the bibliography are complete on their own. Every request other than a local file is
aborted while printing, so the PDF shows what the offline page shows.
"""

from __future__ import annotations

import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["CHROMIUM_ARGS", "find_chromium", "print_pdf"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The Chromium to print with, or None."""
    env = os.environ.get("DYADWATCH_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, *, timeout_s: float = 60.0) -> str | None:
    """Print ``html`` to ``pdf``; return None when written, else why it was skipped.

    Playwright's synchronous API refuses to run where an asyncio loop runs (a notebook, a
    web server, a test already driving a browser), so the printing gets a thread of its own.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dyadwatch-pdf") as pool:
        return pool.submit(_print_pdf, html, pdf, timeout_s).result()


def _print_pdf(html: Path, pdf: Path, timeout_s: float) -> str | None:
    chromium = find_chromium()
    if chromium is None:
        return "no Chromium found (install chromium, or set DYADWATCH_CHROMIUM to its path)"
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1000, "height": 1400})
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                page.goto(html.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
                page.wait_for_function("window.dyadwatchReady === true", timeout=timeout_s * 1000)
                # laid out 1000 px wide and scaled to the A4 text width: charts keep their size
                page.pdf(path=str(pdf), format="A4", scale=0.7, print_background=True,
                         margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
            finally:
                browser.close()
    except PlaywrightError as exc:
        log.warning("printing %s to PDF failed: %s", html, exc)
        return f"Chromium could not print the page ({str(exc).splitlines()[0]})"
    return None
