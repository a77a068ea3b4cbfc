"""Driving Debian's Chromium from the tests, and keeping screenshots as CI artifacts.

Playwright's own browser downloads are not used: the tests drive the system Chromium
(``/usr/bin/chromium``, or ``$DYADWATCH_CHROMIUM``) with the flags that work in a
container. When no Chromium is installed the browser tests are skipped with a message
naming the package to install; CI installs it, so there they always run.

Use it from a test module or a conftest::

    from tests.browser import launch_browser, screenshot

    @pytest.fixture(scope="module")
    def browser():
        with launch_browser() as b:
            yield b

    def test_page(browser, tmp_path):
        page = browser.new_page()
        page.goto(path.as_uri())
        screenshot(page, "report-index")

``browser`` below is such a fixture, ready to import (``from tests.browser import browser``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# headless in a container: no sandbox (no user namespaces), no GPU, and no calls home
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def chromium_path() -> str | None:
    """The Chromium executable the tests drive, or None when there is none."""
    path = os.environ.get("DYADWATCH_CHROMIUM") or DEFAULT_CHROMIUM
    return path if Path(path).is_file() and os.access(path, os.X_OK) else None


def skip_without_chromium() -> str:
    """The Chromium path, or skip the calling test with a message saying what to install."""
    path = chromium_path()
    if path is None:
        pytest.skip(
            f"no Chromium at {os.environ.get('DYADWATCH_CHROMIUM') or DEFAULT_CHROMIUM}: the browser "
            "tests need Debian's chromium (apt-get install chromium) or $DYADWATCH_CHROMIUM; CI installs it"
        )
    return path


@contextmanager
def launch_browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), closed on exit; skips when absent."""
    path = skip_without_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One browser per test module: starting Chromium costs about a second."""
    with launch_browser() as b:
        yield b


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page as build/screenshots/<name>.png (kept by CI) and return its path.

    ``page`` may also be a Playwright ``Locator`` (one element); ``full_page`` applies to pages.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    if hasattr(page, "goto"):
        page.screenshot(path=str(path), full_page=full_page)
    else:
        page.screenshot(path=str(path))
    return path
