"""The methods section, written from what was run rather than from what was planned.

Every sentence is generated from results.json: the provenance block (store, coders,
dictionary, counts by origin), the study's design (period, unit, dyads, interventions) and
each hypothesis's method, assumptions and warnings. Nothing is claimed that the run did
not record; a missing figure is said to be unrecorded.

>>> parts = methods_sections({"title": "T", "unit": "month", "period": {"start": "2019-01-01",
...     "end": "2025-12-31"}}, {"documents": 132, "sentences": 1187}, [], "0.1.0", "2026-11-25T11:02:13+00:00")
>>> parts[0].paragraphs[0]
'The library held 132 documents (1,187 sentences).'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MethodsSection", "methods_sections"]


@dataclass(frozen=True, slots=True)
class MethodsSection:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "an unrecorded number of"


def _setting(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _codes(codes: object) -> str:
    return ", ".join(str(c) for c in codes) if isinstance(codes, list) and codes else "(none)"


def methods_sections(
    study: Mapping[str, Any],
    provenance: Mapping[str, Any],
    hypotheses: Sequence[Mapping[str, Any]],
    version: str | None,
    run_at: str | None,
) -> list[MethodsSection]:
    """Data, coding, measurement, tests and reproduction, in that order."""
    data = MethodsSection("Data")
    docs, sents = provenance.get("documents"), provenance.get("sentences")
    data.paragraphs.append(f"The library held {_count(docs)} documents ({_count(sents)} sentences).")
    if provenance.get("store"):
        data.paragraphs.append(f"Store: {provenance['store']}.")
    sources = study.get("sources") or []
    if sources:
        data.paragraphs.append(f"The study used the sources: {', '.join(str(s) for s in sources)}.")
    origins = provenance.get("origins") or {}
    if origins:
        data.items.extend(f"{origin}: {_count(n)} events" for origin, n in origins.items())
        data.paragraphs.append("Events by origin (own coding is 'dyadwatch'; the others are imported datasets):")

    coding = MethodsSection("Coding")
    for coder in provenance.get("coders") or []:
        coding.items.append(
            f"{coder.get('name', 'coder')} version {coder.get('version', 'unrecorded')}: {_count(coder.get('events'))} events"
        )
    coding.paragraphs.append(
        "Events were coded by the coders listed below." if coding.items else "No own coding was recorded for this run."
    )
    dictionary = provenance.get("dictionary_version")
    coding.paragraphs.append(
        f"Actor dictionary version: {dictionary}." if dictionary else "The actor dictionary version was not recorded."
    )

    measure = MethodsSection("Measurement")
    period = study.get("period") or {}
    measure.paragraphs.append(
        f"Events were counted per {study.get('unit', 'period')} from {period.get('start', '?')} to "
        f"{period.get('end', '?')}; a period is named by its first day."
    )
    for dyad in study.get("dyads") or []:
        both = " (both directions)" if dyad.get("undirected") else ""
        measure.items.append(
            f"Dyad {dyad.get('name')}: {_codes(dyad.get('source'))} → {_codes(dyad.get('target'))}{both}"
        )
    used = provenance.get("events_used")
    measure.paragraphs.append(f"{_count(used).capitalize()} events entered the study's series.")
    counting = provenance.get("counting")
    if isinstance(counting, Mapping) and counting:
        measure.paragraphs.append(
            "Counting rules: " + "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counting.items()) + "."
        )
    else:  # the rules of the results format, version 1
        measure.paragraphs.append(
            "An own-coded event counts once per story (near-duplicate reports of one story are merged); negated "
            "and non-asserted events are left out unless the study file says otherwise."
        )
    for item in study.get("measures") or []:
        if isinstance(item, Mapping) and item.get("name"):
            kind = f" ({item['kind']})" if item.get("kind") else ""
            measure.items.append(f"Measure {item['name']}{kind}: {item.get('description') or 'no description'}")
    settings = study.get("settings")
    if isinstance(settings, Mapping) and settings:
        measure.paragraphs.append(
            "Settings: " + ", ".join(f"{key.replace('_', ' ')} = {_setting(value)}" for key, value in settings.items()) + "."
        )

    tests = MethodsSection("Tests and their assumptions")
    interventions = "; ".join(f"{i.get('name')} ({i.get('date')})" for i in study.get("interventions") or [])
    if interventions:
        tests.paragraphs.append(f"Interventions: {interventions}.")
    tests.paragraphs.append(
        "A hypothesis is supported when the estimate lies in the expected direction and its interval excludes "
        "no effect; not supported when the data suffice but the effect is absent or opposite; inconclusive when "
        "the series is too short or sparse."
    )
    for hyp in hypotheses:
        line = f"{hyp.get('id')}: {hyp.get('method') or 'no method recorded'}"
        if isinstance(hyp.get("n_obs"), int):
            line += f", {hyp['n_obs']} periods"
        notes = [str(a) for a in hyp.get("assumptions") or []] + [f"Warning: {w}" for w in hyp.get("warnings") or []]
        comparison = hyp.get("comparison")
        if isinstance(comparison, Mapping):
            notes += [f"Comparison with {comparison.get('dyad')}: {a}" for a in comparison.get("assumptions") or []]
            notes += [f"Warning (comparison): {w}" for w in comparison.get("warnings") or []]
        tests.items.append(line + (" — " + " ".join(notes) if notes else " — no assumptions recorded."))
    placebo = study.get("placebo_dates") or []
    if placebo:
        tests.paragraphs.append(f"Placebo interventions were tested at: {', '.join(str(p) for p in placebo)}.")
    comparison = study.get("comparison_dyads") or []
    if comparison:
        tests.paragraphs.append(f"Comparison dyads: {', '.join(str(c) for c in comparison)}.")

    repro = MethodsSection("Reproduction")
    repro.paragraphs.append(
        f"Study file {study.get('file', '(unrecorded)')} (SHA-256 {study.get('sha256', 'unrecorded')}), run with "
        f"dyadwatch {version or 'unrecorded'} at {run_at or 'an unrecorded time'}. To repeat: "
        f"dyadwatch study {study.get('file', 'STUDY.toml')} --out DIR, then dyadwatch report DIR --out REPORT."
    )
    return [data, coding, measure, tests, repro]
