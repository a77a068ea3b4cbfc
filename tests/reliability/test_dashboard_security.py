"""The dashboard's surface under hostile input (SECURITY.md): SQL injection through every
query and path parameter the OpenAPI schema lists, and bodies far over any sensible size.
Token, CSRF, origin, escaping, hosts, headers and path traversal are proven in
tests/web/test_security.py; this file adds what the review found untested."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reliability.crash import Content
from tests.web.conftest import TOKEN, build_store

OWN = "http://127.0.0.1:8765"
PAYLOADS = [
    "' OR 1=1 --",
    "RUS' OR '1'='1",
    "x') UNION SELECT doc_id, text FROM documents --",
    "'; DROP TABLE events; --",
    "\\'; DELETE FROM documents; --",
    "%' OR '%'='",
    "1; ATTACH '/tmp/x.duckdb' AS x; --",
    "read_csv('/etc/passwd')",
]
HARMLESS = "zzznomatch"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    from dyadwatch.web.app import create_app

    path = tmp_path / "web.duckdb"
    build_store(path)
    app = create_app(path, allow_edits=True, token=TOKEN, poll_interval=0.05)
    with TestClient(app, base_url=OWN) as client:
        yield client, path


def _size(response: Any) -> int | None:
    """How many rows an answer holds (None for an answer that is not a list of rows)."""
    if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
        return None
    data = response.json()
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        for key in ("total", "items", "events", "documents", "rows", "series"):
            value = data.get(key)
            if isinstance(value, int):
                return value
            if isinstance(value, list):
                return len(value)
    return None


def _string_parameters(client: TestClient) -> list[tuple[str, str, str]]:
    """(path, where, name) of every string parameter of every GET operation."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        for parameter in get.get("parameters", []):
            schema = parameter.get("schema", {})
            kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if "string" in kinds:
                found.append((path, parameter["in"], parameter["name"]))
    return found


def test_sql_injection_through_every_parameter(served: tuple[TestClient, Path]) -> None:
    """Each payload in each string parameter: never a server error, never more rows than a
    value that matches nothing, and the store is the same afterwards."""
    client, path = served
    parameters = _string_parameters(client)
    assert len(parameters) >= 10, parameters
    before = Content.read(path)
    tried = 0
    for route, where, name in parameters:
        if where == "path":
            baseline = client.get(route.replace("{" + name + "}", HARMLESS))
        else:
            baseline = client.get(route, params={name: HARMLESS})
        for payload in PAYLOADS:
            if where == "path":
                response = client.get(route.replace("{" + name + "}", payload.replace("/", "%2F")))
            else:
                response = client.get(route, params={name: payload})
            tried += 1
            assert response.status_code < 500, (route, name, payload, response.text[:300])
            size, base = _size(response), _size(baseline)
            if size is not None and base is not None:
                assert size <= base, (route, name, payload, size, base)
            assert "root:x:0:0" not in response.text
    assert tried >= len(parameters) * len(PAYLOADS)
    assert Content.read(path) == before


def test_injection_in_a_correction_is_stored_as_text(served: tuple[TestClient, Path]) -> None:
    client, _ = served
    note = "'); DROP TABLE events; --"
    response = client.post("/api/corrections", json={"event_id": "ev0", "action": "accept", "note": note},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201, response.text
    notes = [c.get("note") for c in client.get("/api/corrections").json()]
    assert note in notes
    assert client.get("/api/events").json()["total"] == 17


@pytest.mark.parametrize("megabytes", [5, 40])
def test_oversized_bodies_are_refused_before_they_are_read(served: tuple[TestClient, Path], megabytes: int) -> None:
    client, _ = served
    body = '{"event_id": "ev0", "action": "accept", "note": "' + "x" * (megabytes << 20) + '"}'
    response = client.post("/api/corrections", content=body,
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "E738", response.text[:300]
    upload = client.post("/api/studies", files={"file": ("big.toml", b"#" * (megabytes << 20), "application/toml")},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert upload.status_code == 413 and upload.json()["error"]["code"] == "E738"
    assert client.get("/api/corrections").json() == []


def test_a_streamed_body_without_a_length_is_cut_off(served: tuple[TestClient, Path]) -> None:
    client, _ = served

    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to refuse it by
        yield b'{"event_id": "ev0", "action": "accept", "note": "'
        for _ in range(64):
            yield b"x" * (64 << 10)
        yield b'"}'

    response = client.post("/api/corrections", content=chunks(),
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "E738"
    assert client.get("/api/corrections").json() == []


def test_a_study_upload_over_its_own_limit_is_refused(served: tuple[TestClient, Path]) -> None:
    client, _ = served
    upload = client.post("/api/studies", files={"file": ("big.toml", b"#" * (300 << 10), "application/toml")},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert upload.status_code == 413 and upload.json()["error"]["code"] == "E728"


def test_no_cross_origin_access_is_granted(served: tuple[TestClient, Path]) -> None:
    """A preflight from another site gets no CORS grant, so its scripts can neither read the
    API nor send the Authorization header."""
    client, _ = served
    preflight = client.options("/api/corrections", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code in (404, 405)
    assert not any(h.lower().startswith("access-control-allow") for h in preflight.headers)
    read = client.get("/api/events", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in read.headers
