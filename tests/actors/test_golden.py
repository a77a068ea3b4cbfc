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
