"""A real `dyadwatch ingest` writes the store while the dashboard serves it and takes a correction."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dyadwatch.store import Store
from tests.web.conftest import TOKEN

WORDS = ["Russia", "Taliban", "Moscow", "Kabul", "Tashkent", "trade", "security", "talks", "border", "aid", "envoy", "minister", "said", "on", "Tuesday", "the", "delegation", "met", "visited", "agreed", "pipeline", "wheat"]


def test_ingest_meanwhile(client: TestClient, web_store: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, _ = web_store
    folder = tmp_path / "incoming"
    folder.mkdir()
    rng = random.Random(7)
    n_docs = 150
    for i in range(n_docs):
        words = " ".join(rng.choice(WORDS) for _ in range(50))
        (folder / f"brief-{i:03d}.txt").write_text(f"{words}. Brief number {i} ends here.", encoding="utf-8")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "dyadwatch.cli.main", "ingest", str(folder), "--store", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not client.get("/api/status").json()["writer_active"]:
            assert ingest.poll() is None, "the ingest ended before it was seen writing: make it longer"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # the writer holds the store: every page still answers, from the snapshot, and says so
        answered = 0
        page = client.get("/events", headers={"accept": "text/html"})
        assert page.status_code == 200 and 'data-status="writer"' in page.text and "a writer is active" in page.text
        made = client.post("/api/corrections", json={"event_id": "ev4", "action": "correct", "cameo_code": "057"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
        assert made.status_code == 201 and made.json()["pending"] is True
        correction_id = made.json()["correction_id"]
        while ingest.poll() is None:
            for url in ["/library", "/events?dyad=RUS-AFG", "/dyads", "/api/events?limit=20", "/api/status"]:
                assert client.get(url).status_code == 200, url
                answered += 1
            assert client.get("/api/events/ev4").json()["review"] == "correct"
        out, err = ingest.communicate(timeout=60)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    assert ingest.returncode == 0, err
    assert f"{n_docs} documents added" in out
    assert answered > 0
    ended = time.monotonic()
    # the dashboard catches up by itself: the new documents, and the correction written once
    while True:
        status = client.get("/api/status").json()
        if status["documents"] == 4 + n_docs and status["pending_corrections"] == 0:
            break
        assert time.monotonic() - ended < 60, status
        time.sleep(0.05)
    lag = time.monotonic() - ended
    print(f"dashboard caught up {lag:.2f} s after the ingest ended")
    with Store(path, read_only=True) as store:
        assert store.count("documents") == 4 + n_docs
        rows = store.con.execute("SELECT correction_id, event_id, action FROM corrections").fetchall()
    assert rows == [(correction_id, "ev4", "correct")]
