"""Resolution in context: a span in its sentence, the codes the dictionary accepts, text folding."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dyadwatch.actors import ActorDictionary, Resolver, import_petrarch_actors
from dyadwatch.actors._text import _FOLD, _FOLD_CASE, fold, fold_case_kept
from dyadwatch.actors.codes import (
    NON_STATE_CODES,
    is_country_code,
    is_sector_code,
    is_state_code,
    normalise_country_code,
    sector_from_cameo,
)
from dyadwatch.coding import ontology

# ---- a span resolved in its sentence


def test_a_sector_alone_takes_the_only_state_its_sentence_names(resolver: Resolver) -> None:
    sentence = "In Kabul the judge freed two Afghan journalists."
    result = resolver.resolve("the judge", "2010-01-01", sentence=sentence)
    assert (result.country, result.sector, result.code) == ("AFG", "JUD", "AFGJUD")
    assert "AFG from the sentence's only named state" in result.reason
    assert result.confidence <= 0.5


def test_no_country_is_guessed_when_the_sentence_names_two(resolver: Resolver) -> None:
    sentence = "The judge met Russian and Afghan journalists."
    result = resolver.resolve("The judge", "2010-01-01", sentence=sentence)
    assert result.country is None and result.sector == "JUD"


def test_the_span_is_found_whatever_its_spacing(resolver: Resolver) -> None:
    sentence = "Leaders of the opposition coalition met in Baku."
    result = resolver.resolve("opposition  coalition", "2003-10-20", sentence=sentence)
    assert (result.country, result.sector) == ("AZE", "OPP")


def test_one_span_one_actor_country_and_sector_from_two_groups(resolver: Resolver) -> None:
    sentence = "The agency cares for refugees fleeing the civil war in Liberia."
    result = resolver.resolve("refugees fleeing the civil war in Liberia", "1996-05-01", sentence=sentence)
    assert (result.country, result.sector) == ("LBR", "REF")
    assert "sector REF from 'refugees'" in result.reason


def test_ethnic_group_resolved_as_a_span(resolver: Resolver) -> None:
    sentence = "Up to 100 ethnic Albanians demonstrated on Tuesday in Serbia."
    result = resolver.resolve("ethnic Albanians", "2001-03-06", sentence=sentence)
    assert (result.country, result.sector, result.actor) == ("SRB", "CVL", None)


def test_every_mention_keeps_a_reason(resolver: Resolver) -> None:
    text = ("Ethnic Albanians in south Serbia and U.S. officials met peacekeepers, a human rights group "
            "and former Foreign Minister Andrei Kozyrev in Kabul, Lagos and Juba.")
    mentions = resolver.tag(text, "2001-03-06")
    assert len(mentions) >= 6
    assert all(m.reason for m in mentions)


# ---- the codes an entry may use, through the ontology


def test_country_codes_are_the_ontology_reading() -> None:
    assert all(is_country_code(code) for code in ("AFG", "SUN", "XKX", "CAS", "WST", "IGO", "NGO", "IMG"))
    assert not any(is_country_code(code) for code in ("ROM", "KSV", "TMP", "ZZZ", "USAGUM"))
    for code in ("ROM", "TMP", "MTN", "IMY", "KSV"):
        assert normalise_country_code(code) == ontology.cameo_country_to_iso3(code)
        assert is_country_code(str(normalise_country_code(code)))


def test_state_codes_leave_out_regions_and_non_state_codes() -> None:
    assert is_state_code("AFG") and is_state_code("XKX") and is_state_code("SUN")
    assert not any(is_state_code(code) for code in ("CAS", "EUR", *NON_STATE_CODES, None, ""))


def test_typos_in_coded_data_are_read() -> None:
    assert [normalise_country_code(c) for c in ("JAP", "ITL", "VTN", "uk", "igo", None)] == \
        ["JPN", "ITA", "VNM", "GBR", "IGO", None]


def test_sector_codes_of_both_schemes() -> None:
    assert all(is_sector_code(code) for code in ("GOV", "INS", "SEP", "JRN", "MED", "HLH", "PRE", "UNK", "PKO"))
    assert not is_sector_code("ZZZ")
    assert [sector_from_cameo(c) for c in ("MED", "HLH", "INS", "GOV")] == ["JRN", "HLH", "INS", "GOV"]


def test_imported_cameo_media_code_is_read_as_journalists(tmp_path: Path) -> None:
    path = tmp_path / "media.actors.txt"
    path.write_text("NOVAYA_GAZETA_ [RUSMED]\nKOSOVO_LIBERATION_ARMY_ [KSVREB]\n")
    actors = {a.name: a for a in import_petrarch_actors(path)}
    assert (actors["Novaya Gazeta"].country, actors["Novaya Gazeta"].sector) == ("RUS", "JRN")
    assert actors["Kosovo Liberation Army"].country == "XKX"


def test_packaged_entries_use_the_canonical_codes(actors: ActorDictionary) -> None:
    for actor in actors:
        for code in {actor.country, *(r.country for r in actor.roles)} - {None}:
            assert normalise_country_code(code) == code, (actor.actor_id, code)


# ---- folding: the ASCII fast path is the same function


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fold_matches_the_general_table(text: str) -> None:
    assert fold(text) == text.lower().translate(_FOLD)
    assert fold_case_kept(text) == text.translate(_FOLD_CASE)
