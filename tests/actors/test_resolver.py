"""Resolution of single names: dates, reasons, fuzzy spelling, unknown names, speed-critical paths."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dyadwatch.actors import ActorDictionary, Resolver
from dyadwatch.actors._text import fold
from dyadwatch.records import Sentence


def test_lookup_keeps_the_reason(actors: ActorDictionary) -> None:
    result = actors.lookup("Lavrov", "2021-10-20")
    assert result.code == "RUSGOV"
    assert result.actor is not None and result.actor.actor_id == "sergey-lavrov"
    assert result.role is not None and result.role.title == "Minister of Foreign Affairs"
    assert "alias 'Lavrov'" in result.reason and "sergey-lavrov" in result.reason
    assert "2004-03-09.." in result.reason and "date 2021-10-20" in result.reason


def test_without_a_date_the_document_date_is_used_and_said(actors: ActorDictionary) -> None:
    result = actors.lookup("Taliban", doc_date="2020-01-01")
    assert result.code == "AFGINS" and result.date_source == "document"
    assert "from document" in result.reason


def test_without_any_date_today_is_used_and_said(actors: ActorDictionary) -> None:
    result = actors.lookup("Taliban")
    assert result.date == dt.date.today() and result.date_source == "today"
    assert "no date given" in result.reason


def test_unknown_names_are_reported_not_guessed(actors: ActorDictionary) -> None:
    for name in ("Xyzzy Quux", "Lavender", "Moscowitz", "Kabulistan Federation"):
        result = actors.lookup(name, "2021-10-20")
        assert not result.resolved, (name, result.reason)
        assert result.reason.startswith("unknown")


def test_fuzzy_spelling_within_the_threshold(actors: ActorDictionary) -> None:
    result = actors.lookup("Zamir Kabolov", "2021-10-20")
    assert result.actor is not None and result.actor.actor_id == "zamir-kabulov"
    assert "spelling 'Zamir Kabolov'" in result.reason
    assert result.confidence < 1


def test_short_names_are_never_fuzzy(actors: ActorDictionary) -> None:
    assert not actors.lookup("Lavro", "2021-10-20").resolved


def test_span_in_its_sentence(actors: ActorDictionary) -> None:
    sentence = "Zamir Kabulov, Russia's envoy, met Baradar in Doha."
    result = actors.lookup("Baradar", "2021-03-18", sentence=sentence)
    assert result.code == "AFGINS" and result.actor_id == "abdul-ghani-baradar"


def test_ambiguous_alias_is_reported(write_toml) -> None:  # type: ignore[no-untyped-def]
    text = (
        '[[actor]]\nid = "ali-khan-one"\nname = "Ali Zorbek"\nkind = "person"\ncountry = "AFG"\n'
        'roles = [{ sector = "GOV", start = 2001-01-01 }]\n\n'
        '[[actor]]\nid = "ali-khan-two"\nname = "Omar Zorbek"\nkind = "person"\ncountry = "PAK"\n'
        'roles = [{ sector = "GOV", start = 2001-01-01 }]\n\n'
        '[[actor]]\nid = "pak"\nname = "Pakistan"\nkind = "state"\ncountry = "PAK"\n'
    )
    resolver = ActorDictionary.load([write_toml(text)], cache=False).resolver()
    [mention] = resolver.tag("Zorbek said so.", "2010-01-01")
    assert mention.actor_id is None and mention.country is None
    assert "ambiguous" in mention.reason and "ali-khan-one" in mention.reason
    mention = resolver.tag("Zorbek said so in Pakistan.", "2010-01-01")[0]
    assert mention.actor_id == "ali-khan-two" and "chosen over" in mention.reason


def test_tag_takes_a_sentence_record(resolver: Resolver) -> None:
    sent = Sentence(doc_id="d1", idx=3, start=0, end=28, text="The Kremlin denied the report.")
    [mention] = resolver.tag(sent, "2020-01-01")
    assert (mention.doc_id, mention.sentence_idx, mention.text, mention.country) == ("d1", 3, "Kremlin", "RUS")
    assert sent.text[mention.start:mention.end] == mention.text


def test_unknown_capitalised_names_can_be_reported(resolver: Resolver) -> None:
    mentions = resolver.tag("Lavrov met Ibrahim Zorbekov in Kazan.", "2023-09-29", unknown=True)
    unknown = [m for m in mentions if m.actor_id is None and m.reason.startswith("unknown")]
    assert {m.text for m in unknown} >= {"Ibrahim Zorbekov"}


def test_resolutions_carry_codes_and_roles(resolver: Resolver) -> None:
    [result] = resolver.resolutions("Amir Khan Muttaqi spoke.", "2021-10-20")
    assert result.code == "AFGGOV" and result.role is not None
    assert result.role.title == "Minister of Foreign Affairs (acting)"


@given(st.text())
def test_folding_keeps_offsets(text: str) -> None:
    assert len(fold(text)) == len(text)
