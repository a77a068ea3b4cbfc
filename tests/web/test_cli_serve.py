"""`dyadwatch serve`: loopback by default, --public to bind elsewhere (with a warning), the token printed."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from dyadwatch.cli.serve import is_loopback


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.org", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dyadwatch.cli.main", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_non_loopback_needs_public(web_store: tuple[Path, dict[str, Any]]) -> None:
    proc = serve("--store", str(web_store[0]), "--host", "0.0.0.0")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "E734" in err and "--public" in err


def test_public_bind_warns(web_store: tuple[Path, dict[str, Any]]) -> None:
    proc = serve("--store", str(web_store[0]), "--host", "0.0.0.0", "--port", "0", "--public")
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        while "Serving on" not in proc.stdout.readline():
            assert time.monotonic() < deadline and proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    assert "warning" in err and "anyone who can reach this machine" in err


def test_serve_prints_the_token_and_takes_writes(web_store: tuple[Path, dict[str, Any]]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = serve("--store", str(web_store[0]), "--port", str(port), "--allow-edits")
    try:
        assert proc.stdout is not None
        token = None
        deadline = time.monotonic() + 120
        while token is None:
            line = proc.stdout.readline()
            assert time.monotonic() < deadline and proc.poll() is None, line
            if line.startswith("Token"):
                token = line.rsplit(" ", 1)[-1].strip()
        assert len(token) >= 24
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(base + "/api/status").status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        body = {"event_id": "ev0", "action": "accept"}
        assert httpx.post(base + "/api/corrections", json=body).status_code == 401
        made = httpx.post(base + "/api/corrections", json=body, headers={"Authorization": f"Bearer {token}"})
        assert made.status_code == 201 and made.json()["event_id"] == "ev0"
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
