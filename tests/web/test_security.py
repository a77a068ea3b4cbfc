"""Security: read-only by default, token + CSRF + origin on writes, escaping, hosts, headers, paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import TOKEN

OWN = "http://127.0.0.1:8765"
CORRECTION = {"event_id": "ev0", "action": "accept"}


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(client: TestClient) -> str:
    """Log in through the form, as a browser does; the CSRF token of the session."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"token": TOKEN, "csrf_token": token, "next": "/review"},
                           headers={"Origin": OWN}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/review"
    assert "dw_session" in client.cookies
    return token


def test_read_only_refuses_every_write(readonly_client: TestClient) -> None:
    response = readonly_client.post("/api/corrections", json=CORRECTION, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "E721"
    assert readonly_client.post("/api/studies/x/run").status_code in (403, 422)
    page = readonly_client.get("/review").text
    assert "review-form" not in page and "read-only" in page


def test_write_without_token_is_refused(client: TestClient) -> None:
    response = client.post("/api/corrections", json=CORRECTION)
    assert response.status_code == 401 and response.json()["error"]["code"] == "E722"
    wrong = client.post("/api/corrections", json=CORRECTION, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    form = client.post("/review", data={"event_id": "ev0", "action": "accept"}, headers={"Origin": OWN})
    assert form.status_code == 401
    assert client.get("/api/corrections").json() == []


def test_bearer_write_from_another_origin_is_refused(client: TestClient) -> None:
    response = client.post("/api/corrections", json=CORRECTION,
                           headers={"Authorization": f"Bearer {TOKEN}", "Origin": "https://evil.example"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "E724"


def test_session_write_needs_csrf_and_same_origin(client: TestClient) -> None:
    token = log_in(client)
    form = {"event_id": "ev0", "action": "accept", "reviewer": "ana", "next": "/review"}
    # no CSRF field
    assert client.post("/review", data=form, headers={"Origin": OWN}).status_code == 403
    # a CSRF field that is not the cookie's
    forged = client.post("/review", data={**form, "csrf_token": "abc.def"}, headers={"Origin": OWN})
    assert forged.status_code == 403 and "E723" in forged.text
    # cross-site: a page elsewhere posting the victim's form (the browser adds the cookies)
    cross = client.post("/review", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "E724" in cross.text
    cross_referer = client.post("/review", data={**form, "csrf_token": token},
                                headers={"Referer": "https://evil.example/page"})
    assert cross_referer.status_code == 403
    no_origin = client.post("/review", data={**form, "csrf_token": token})
    assert no_origin.status_code == 403
    assert client.get("/api/corrections").json() == []
    ok = client.post("/review", data={**form, "csrf_token": token}, headers={"Origin": OWN}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/review?done=")
    assert [c["event_id"] for c in client.get("/api/corrections").json()] == ["ev0"]


def test_login_with_a_wrong_token(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"token": "guess", "csrf_token": token}, headers={"Origin": OWN})
    assert response.status_code == 401 and "dw_session" not in client.cookies
    cross = client.post("/login", data={"token": TOKEN, "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "dw_session" not in client.cookies


def test_login_redirect_stays_on_the_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example"]:
        response = client.post("/login", data={"token": TOKEN, "csrf_token": token, "next": target},
                               headers={"Origin": OWN}, follow_redirects=False)
        assert response.headers["location"] == "/review", target


def test_script_in_a_document_shows_as_text(client: TestClient, web_store: tuple[Path, dict[str, Any]]) -> None:
    _, ids = web_store
    for url in [f"/library/{ids['script_doc']}", "/library?q=pwned", "/review?dyad=RUS-AFG", "/events"]:
        page = client.get(url).text
        assert "<script>alert" not in page, url
    page = client.get(f"/library/{ids['script_doc']}").text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js">']


def test_only_http_links(client: TestClient) -> None:
    page = client.get("/events", params={"origin": "gdelt2", "date_to": "2021-09-01"}).text
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page  # shown as text, never a link
    assert 'href="https://example.org/' not in page or "noopener" in page


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/library").headers
    csp = headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "'unsafe-eval'" not in script_src.group(1)
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    cookie = headers.get("set-cookie", "")
    assert "dw_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_foreign_host_header_is_refused(client: TestClient) -> None:
    """DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends Host: evil.example."""
    response = client.get("/api/status", headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "E736"
    assert client.get("/api/status", headers={"Host": "localhost:8765"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2f..%2fapp.py", "/vendor/..%2f..%2fetc%2fpasswd",
        "/studies/..%2f..%2f/report/index.html", "/library/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_paths_outside_the_folders_are_not_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422), (path, response.status_code)
    assert "root:" not in response.text and "import" not in response.text[:200]
