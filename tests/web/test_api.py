"""The JSON API and the pages over a small real store (DuckDB in tmp_path)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dyadwatch.store import Store


def test_status_counts_the_store(client: TestClient) -> None:
    status = client.get("/api/status").json()
    assert (status["documents"], status["events"], status["corrections"]) == (4, 17, 0)
    assert status["writer_active"] is False and status["pending_corrections"] == 0 and status["allow_edits"] is True


def test_events_filters(client: TestClient) -> None:
    def ids(**params: Any) -> list[str]:
        page = client.get("/api/events", params={**params, "limit": 100}).json()
        assert page["total"] == len(page["items"])
        return sorted(e["event_id"] for e in page["items"])

    assert len(ids()) == 17
    assert ids(dyad="CHN-AFG") == ["ev2"]
    assert ids(dyad="AFG-CHN") == []
    assert ids(dyad="AFG-CHN", undirected="true") == ["ev2"]
    assert ids(code="11") == ["ev1", "ev3"]
    assert ids(quad=3) == ["ev1", "ev3"]
    assert ids(origin="dyadwatch", date_from="2022-01-01", date_to="2022-12-31") == ["ev1", "ev2", "ev3"]
    assert len(ids(origin="gdelt2")) == 12
    assert ids(coder="rules", dyad="RUS-AFG") == ["ev0", "ev1", "ev4"]
    assert ids(dyad="PAK-taliban") == ["ev3"]  # an actor id stands for a side as well
    assert ids(dyad="taliban-PAK") == []
    assert ids(dyad="taliban-PAK", undirected="true") == ["ev3"]
    first = client.get("/api/events", params={"limit": 5}).json()
    second = client.get("/api/events", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == 17 and not {e["event_id"] for e in first["items"]} & {e["event_id"] for e in second["items"]}
    dates = [e["date"] for e in first["items"]]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_event_export_csv_and_jsonl(client: TestClient) -> None:
    response = client.get("/api/events/export", params={"dyad": "RUS-AFG", "origin": "dyadwatch", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["event_id"] for r in rows] == ["ev0", "ev1", "ev4"]  # oldest first
    assert rows[0]["cameo_code"] == "042"  # the leading zero kept
    lines = client.get("/api/events/export", params={"code": "07", "format": "jsonl"}).text.splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == ["ev2"]


def test_dyad_series_per_source(client: TestClient) -> None:
    data = client.get("/api/dyads/series", params={"dyad": "RUS-AFG"}).json()
    by_origin = {s["origin"]: s for s in data["series"]}
    assert sorted(by_origin) == ["dyadwatch", "gdelt2"]
    assert by_origin["gdelt2"]["total"] == 12 and [p["events"] for p in by_origin["gdelt2"]["points"]] == [4, 4, 4]
    own = by_origin["dyadwatch"]["points"]
    assert [(p["period"], p["events"], p["cooperation_share"]) for p in own] == [
        ("2021-10-01", 1, 1.0), ("2022-03-01", 1, 0.0), ("2023-01-01", 1, 1.0)]
    quarters = client.get("/api/dyads/series", params={"dyad": "RUS-AFG", "unit": "quarter"}).json()
    assert [p["period"] for p in {s["origin"]: s for s in quarters["series"]}["gdelt2"]["points"]] == ["2021-07-01", "2021-10-01"]
    everything = client.get("/api/dyads/series").json()  # no dyad: every event
    assert everything["dyad"] == "all" and sum(s["total"] for s in everything["series"]) == 17
    top = client.get("/api/dyads/top").json()
    assert top[0] == {"source": "RUS", "target": "AFG", "events": 15}


def test_histogram(client: TestClient) -> None:
    rows = client.get("/api/events/histogram", params={"origin": "dyadwatch"}).json()
    assert sum(r["events"] for r in rows) == 5
    assert {(r["period"], r["quad_class"]) for r in rows} >= {("2022-06-01", 2), ("2022-06-01", 3)}


def test_documents_and_search(client: TestClient, web_store: tuple[Path, dict[str, Any]]) -> None:
    _, ids = web_store
    page = client.get("/api/documents").json()
    assert page["total"] == 4 and page["items"][0]["published"] == "2023-01-10"
    assert {d["doc_id"]: d["events"] for d in page["items"]}[ids["docs"][2]] == 2
    assert client.get("/api/documents", params={"publisher": "Steppe Wire"}).json()["total"] == 2
    assert client.get("/api/documents", params={"publisher": "x' OR '1'='1"}).json()["total"] == 0  # a value, not SQL
    hits = client.get("/api/search", params={"q": "earthquake"}).json()
    assert [(h["doc_id"], h["sentence_idx"]) for h in hits] == [(ids["docs"][2], 0)]
    assert hits[0]["text"][slice(*hits[0]["highlights"][0])] == "earthquake"
    assert client.get("/api/search", params={"q": "Taliban", "publisher": "Eurasia Brief"}).json()
    assert client.get("/api/search", params={"q": "Taliban", "date_from": "2024-01-01"}).json() == []
    assert client.get("/api/search", params={"q": '"unclosed'}).status_code == 200  # read as words
    assert client.get("/api/search", params={"q": "Taliban", "date_to": "1175-09-27"}).json() == []  # beyond tantivy's dates
    assert client.get("/api/search", params={"q": "Taliban", "date_from": "9999-01-01"}).json() == []


def test_document_detail_marks_event_spans(client: TestClient, web_store: tuple[Path, dict[str, Any]]) -> None:
    _, ids = web_store
    detail = client.get(f"/api/documents/{ids['docs'][2]}").json()
    first = detail["sentences"][0]
    marked = {s["role"]: first["text"][s["start"]:s["end"]] for s in first["spans"]}
    assert marked == {"source": "China", "verb": "sent aid", "target": "Afghanistan"}
    page = client.get(f"/library/{ids['docs'][2]}").text
    assert '<mark class="role-source " title="source of ev2">China</mark>' in page
    assert '<mark class="role-target " title="target of ev3">Taliban</mark>' in page
    assert client.get("/api/documents/nope").status_code == 404
    assert client.get("/api/events/nope").status_code == 404
    assert client.get("/api/events/ev2").json()["cameo_code"] == "070"


@pytest.mark.parametrize(
    "url",
    [
        "/api/events?limit=0", "/api/events?limit=100000", "/api/events?offset=-1", "/api/events?quad=9",
        "/api/events?date_from=2021-13-01", "/api/events?date_from=yesterday", "/api/events?dyad=RUS",
        "/api/events?dyad=RUS'--AFG", "/api/events?code=04' OR 1=1", "/api/events?origin=GDELT%00",
        "/api/dyads/series?dyad=RUS-AFG&unit=decade", "/api/search?q=", "/api/documents?limit=99999999999999999999",
        "/api/events/export?format=xml", "/api/corrections?format=xml", "/api/documents/..%2F..%2Fetc",
    ],
)
def test_bad_parameters_are_4xx_not_500(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])


def test_pages_render(client: TestClient, web_store: tuple[Path, dict[str, Any]]) -> None:
    _, ids = web_store
    for url in ["/library", "/library?q=Taliban", f"/library/{ids['docs'][0]}", "/events", "/events?dyad=RUS-AFG&quad=1",
                "/dyads", "/dyads?dyad=CHN-AFG&unit=quarter", "/review", "/studies", "/login",
                "/events?dyad=&code=&quad=&date_from="]:
        response = client.get(url, headers={"accept": "text/html"})
        assert response.status_code == 200, url
        assert "text/html" in response.headers["content-type"]
    bad = client.get("/events?quad=7", headers={"accept": "text/html"})
    assert bad.status_code == 422 and "quad" in bad.text and "<h1>422" in bad.text


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ["/api/events", "/api/events/export", "/api/dyads/series", "/api/documents", "/api/documents/{doc_id}",
                 "/api/search", "/api/corrections", "/api/status", "/api/studies"]:
        assert path in paths, path
    assert not any(p.startswith(("/library", "/review")) for p in paths)  # the pages are not API
    limit = next(p for p in paths["/api/events"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500


def test_corrections_land_once_and_export(client: TestClient, web_store: tuple[Path, dict[str, Any]]) -> None:
    path, _ = web_store
    auth = {"Authorization": "Bearer test-token-0123456789"}
    made = client.post("/api/corrections", headers=auth,
                       json={"event_id": "ev1", "action": "correct", "cameo_code": "112", "reviewer": "ana"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["changes"] == {"cameo_code": "112"} and body["reviewer"] == "ana"
    # shown at once (the snapshot holds it), review state included
    assert client.get("/api/events/ev1").json()["review"] == "correct"
    board = client.app.state.dashboard  # type: ignore[attr-defined]
    board.access.sync_once()
    with Store(path, read_only=True) as store:
        rows = store.con.execute("SELECT event_id, action, reviewer, CAST(changes AS VARCHAR) FROM corrections").fetchall()
        coder = store.con.execute("SELECT cameo_code FROM events WHERE event_id = 'ev1'").fetchall()
    assert [(r[0], r[1], r[2], json.loads(r[3])) for r in rows] == [("ev1", "correct", "ana", {"cameo_code": "112"})]
    assert coder == [("111",)]  # the coder's output is untouched
    board.access.journal.mark_applied(0)  # replaying the whole journal adds nothing
    board.access.sync_once()
    with Store(path, read_only=True) as store:
        assert store.count("corrections") == 1
    lines = client.get("/api/corrections", params={"format": "jsonl"}).text.splitlines()
    assert [json.loads(line)["correction_id"] for line in lines] == [body["correction_id"]]
    table = list(csv.DictReader(io.StringIO(client.get("/api/corrections", params={"format": "csv"}).text)))
    assert table[0]["event_id"] == "ev1" and json.loads(table[0]["changes"]) == {"cameo_code": "112"}


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"event_id": "ev1", "action": "correct"}, 422, "needs at least one"),
        ({"event_id": "ev1", "action": "accept", "cameo_code": "042"}, 422, "cameo_code: Extra inputs"),
        ({"event_id": "ev1", "action": "correct", "cameo_code": "999"}, 422, "not a CAMEO code"),
        ({"event_id": "ev1", "action": "correct", "cameo_code": None}, 422, "cameo_code"),
        ({"event_id": "ev1", "action": "approve"}, 422, "action"),
        ({"event_id": "missing", "action": "accept"}, 404, "No event 'missing'"),
        ({"event_id": "ev1", "action": "correct", "date": "2021-02-30"}, 422, "date"),
        ({"event_id": "ev1", "action": "accept", "colour": "red"}, 422, "colour"),
    ],
)
def test_bad_corrections_are_refused(client: TestClient, payload: dict[str, Any], status: int, words: str) -> None:
    response = client.post("/api/corrections", json=payload, headers={"Authorization": "Bearer test-token-0123456789"})
    assert response.status_code == status and words in response.text, response.text
