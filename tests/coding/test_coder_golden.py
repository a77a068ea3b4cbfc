"""Golden cases for the rule coder: one JSONL line per sentence, with the events it must yield.

Files: ``golden/coder_roots.jsonl`` (every CAMEO root and common sub-codes),
``coder_syntax.jsonl`` (passive, coordination, apposition, prepositional targets, light verbs,
quotes and reported speech, relative clauses, control, named events, several events in one
sentence, dates, and sentences that must yield nothing: no invented targets),
``coder_modality.jsonl`` (negation, denial, conditionals, intents, threats, reports) and
``coder_russia_afghanistan.jsonl`` (sentences of the example library).

A line: ``{"id", "family", "text", "date", "events": [{"source", "code", "target", ...}],
"exact"}``. An actor is written as a country ("RUS": any sector), country and sector
("RUSGOV"), or null (no country; for a target: no target). ``negated``, ``modality``,
``date`` and ``location`` are checked when given. ``exact``: no other event may be coded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dyadwatch.coding.coder import RuleCoder
from dyadwatch.records import Event

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("coder_*.jsonl"))


def _cases() -> list[Any]:
    cases = []
    for path in FILES:
        for _number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                case = json.loads(line)
                cases.append(pytest.param(case, id=f"{path.stem}:{case['id']}"))
    return cases


@pytest.fixture(scope="module")
def coder() -> RuleCoder:
    return RuleCoder()


def _actor_matches(expected: str | None, country: str | None, sector: str | None, present: bool) -> bool:
    if expected is None:
        return country is None
    if not present:
        return False
    if len(expected) <= 3:
        return country == expected
    return country == expected[:3] and sector == expected[3:]


def _matches(expected: dict[str, Any], event: Event) -> bool:
    if event.cameo_code != expected["code"]:
        return False
    if not _actor_matches(expected["source"], event.source_country, event.source_sector, True):
        return False
    target = expected["target"]
    if target is None and event.target_name is not None:
        return False
    if target is not None and not _actor_matches(target, event.target_country, event.target_sector, event.target_name is not None):
        return False
    checks = {
        "negated": event.negated,
        "modality": event.modality,
        "date": event.date.isoformat() if event.date else None,
        "location": event.location_name,
    }
    return all(checks[key] == expected[key] for key in checks if key in expected)


def _show(events: list[Event]) -> str:
    return "\n".join(
        f"  {e.source_country}{e.source_sector or ''} {e.cameo_code} {e.target_country}{e.target_sector or ''}"
        f" negated={e.negated} modality={e.modality} date={e.date} location={e.location_name} rule={e.rule}"
        for e in events
    ) or "  (none)"


def test_golden_files_exist() -> None:
    assert {p.name for p in FILES} >= {
        "coder_roots.jsonl", "coder_syntax.jsonl", "coder_modality.jsonl", "coder_russia_afghanistan.jsonl",
    }


def test_every_root_has_a_golden_case() -> None:
    roots = {json.loads(line)["family"][-2:] for line in (GOLDEN / "coder_roots.jsonl").read_text().splitlines() if line.strip()}
    assert roots == {f"{n:02d}" for n in range(1, 21)}


@pytest.mark.parametrize("case", _cases())
def test_golden(case: dict[str, Any], coder: RuleCoder) -> None:
    events = coder.code_text(case["text"], case.get("date"))
    assert not coder.stats_.skipped.get("rule_error"), "the matcher failed on this sentence"
    unmatched = [e for e in events]
    for expected in case["events"]:
        hit = next((e for e in unmatched if _matches(expected, e)), None)
        assert hit is not None, f"expected {expected} in:\n{_show(events)}"
        unmatched.remove(hit)
    if case.get("exact", True):
        assert not unmatched, f"unexpected events:\n{_show(unmatched)}"
