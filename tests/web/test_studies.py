"""Studies: upload limits, a run on the dashboard's copy of the store, the report served from its folder only."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
STUDY = b"""
title = "Russia and Afghanistan, fixture"
question = "Does the fixture hold events?"
sources = ["dyadwatch", "gdelt2"]

[period]
start = 2021-01-01
end = 2023-12-31
unit = "quarter"

[[dyads]]
name = "RUS-AFG"
source = "RUS"
target = "AFG"

[[interventions]]
name = "talks"
date = 2022-01-01

[measures]
use = ["events", "cooperation_share"]

[[hypotheses]]
id = "H1"
statement = "Russian events towards Afghanistan rise after the talks."
measure = "events"
dyad = "RUS-AFG"
intervention = "talks"
expected = "increase"
"""


def upload(client: TestClient, name: str, data: bytes, kind: str = "application/toml") -> Any:
    return client.post("/api/studies", files={"file": (name, data, kind)}, headers=AUTH)


def test_upload_limits(client: TestClient) -> None:
    assert client.post("/api/studies", files={"file": ("s.toml", STUDY, "application/toml")}).status_code == 401
    big = upload(client, "big.toml", b"# " + b"x" * (300 * 1024))
    assert big.status_code == 413 and big.json()["error"]["code"] == "E728"
    assert upload(client, "study.exe", STUDY).status_code == 415
    assert upload(client, "study.toml", STUDY, kind="image/png").status_code == 415
    assert upload(client, "bad.toml", b"title = [unclosed").status_code == 415
    assert upload(client, "latin.toml", "title = 'caf\u00e9'".encode("latin-1")).status_code == 415
    invalid = upload(client, "nodyads.toml", b'title = "x"\n')
    assert invalid.status_code == 415 and "Study file" in invalid.json()["error"]["message"]
    assert client.get("/api/studies").json() == []


def test_run_a_study_and_view_its_report(client: TestClient) -> None:
    made = upload(client, "../../Fixture Study.toml", STUDY)
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "fixture-study"  # the name is made from the file name, never a path
    assert client.post("/api/studies/fixture-study/run").status_code == 401
    started = client.post("/api/studies/fixture-study/run", headers=AUTH)
    assert started.status_code == 202
    board = client.app.state.dashboard  # type: ignore[attr-defined]
    board.studies.wait("fixture-study", timeout=300)
    study = client.get("/api/studies/fixture-study").json()
    assert study["state"] == "done", study
    assert study["title"] == "Russia and Afghanistan, fixture"
    page = client.get("/studies/fixture-study").text
    assert "H1" in page and 'id="hypotheses"' in page
    assert study["report"] == "/studies/fixture-study/report/index.html", study
    if study["report"]:  # its files come from the study's folder only
        report = client.get(study["report"])
        assert report.status_code == 200 and "text/html" in report.headers["content-type"]
        assert report.headers["content-security-policy"].startswith("sandbox")
    folder = board.studies.folder / "fixture-study"
    assert (folder / "results" / "results.json").is_file()
    (folder / "report").mkdir(exist_ok=True)
    for path in ["..%2Fstudy.toml", "..%2F..%2F..%2Fweb.duckdb", "%2Fetc%2Fpasswd", "..%2Fstate.json", "%00"]:
        response = client.get(f"/studies/fixture-study/report/{path}")
        assert response.status_code == 404, path
        assert "Russia and Afghanistan" not in response.text and "root:" not in response.text


def test_study_pages_without_studies(client: TestClient, readonly_client: TestClient) -> None:
    assert client.get("/studies/none-such").status_code == 404
    assert client.get("/api/studies/NOT_A_NAME").status_code == 422
    assert "upload" in client.get("/studies").text.lower()


@pytest.mark.parametrize("name", ["Russia Afghanistan.toml", "a/b/c.TOML", "x.toml"])
def test_study_names(name: str) -> None:
    from dyadwatch.web.studies import study_name

    assert study_name(name).replace("-", "").isalnum()


def test_run_uses_a_copy(client: TestClient, web_store: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """A run never opens the store itself: a writer may hold it meanwhile."""
    upload(client, "copy.toml", STUDY)
    board = client.app.state.dashboard  # type: ignore[attr-defined]
    opened: list[str] = []
    import dyadwatch.store as store_module

    original = store_module.Store.__init__

    def spy(self: Any, path: Any = ":memory:", **kw: Any) -> None:
        opened.append(str(path))
        original(self, path, **kw)

    monkeypatch.setattr(store_module.Store, "__init__", spy)
    client.post("/api/studies/copy/run", headers=AUTH)
    board.studies.wait("copy", timeout=300)
    deadline = time.monotonic() + 5
    while client.get("/api/studies/copy").json()["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened and str(web_store[0]) not in opened
