"""Golden cases: sentences with a date and the actor codes expected, one JSONL line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.actors import Resolver

GOLDEN = Path(__file__).parent / "golden" / "resolution.jsonl"
CASES: list[dict[str, Any]] = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_golden_ids_are_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))


def test_golden_cases_cover_the_kinds_the_issue_lists() -> None:
    """The Taliban either side of 2021-08-15, the TTP apart from them, a Russian official by surname
    only, a capital as a metonym, a transliteration variant, a mention dated by its document."""
    by_id = {case["id"]: case for case in CASES}
    sectors = {case["date"]: e["sector"] for case in CASES for e in case["expected"]
               if e.get("actor") == "taliban" and e["text"] == "Taliban" and case.get("date")}
    assert sectors.get("2021-08-14") == "INS" and sectors.get("2021-08-15") == "GOV"
    assert any(e.get("actor") == "ttp" for case in CASES for e in case["expected"])
    surnames = [e for case in CASES for e in case["expected"]
                if e["country"] == "RUS" and e.get("actor") and " " not in e["text"] and e["text"][0].isupper()
                and e["actor"].endswith(e["text"].lower())]
    assert surnames
    assert any(case_id.startswith("capital-metonym") for case_id in by_id)
    assert sum(case_id.startswith("transliteration") for case_id in by_id) >= 2
    assert any("doc_date" in case and "date" not in case for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_golden(case: dict[str, Any], resolver: Resolver) -> None:
    mentions = resolver.tag(case["sentence"], case.get("date"), doc_date=case.get("doc_date"))
    found = {m.text: m for m in mentions}
    for expected in case["expected"]:
        assert expected["text"] in found, f"no mention '{expected['text']}' in {[m.text for m in mentions]}"
        mention = found[expected["text"]]
        got = {"actor": mention.actor_id, "country": mention.country, "sector": mention.sector}
        want = {key: expected[key] for key in ("actor", "country", "sector")}
        assert got == want, mention.reason
        assert mention.reason, "every resolution keeps its reason"
        if "reason_contains" in expected:
            assert expected["reason_contains"] in mention.reason
    for actor_id in case.get("absent", []):
        assert actor_id not in {m.actor_id for m in mentions}
