"""The coder's parts: the lexicon and its checks, inflections, in-text dates, the pre-filter."""

from __future__ import annotations

import datetime as dt

import pytest

from dyadwatch.actors import ActorDictionary
from dyadwatch.coding import ontology
from dyadwatch.coding.prefilter import Prefilter, looks_english
from dyadwatch.coding.rules.dates import find_dates
from dyadwatch.coding.rules.inflect import noun_forms, verb_forms
from dyadwatch.coding.rules.lexicon import _parse_pattern, load_lexicon
from dyadwatch.errors import ConfigError

WEDNESDAY = dt.date(2021, 10, 20)


# ---------------------------------------------------------------------------- the lexicon


def test_lexicon_covers_every_root_with_valid_codes() -> None:
    lexicon = load_lexicon()
    codes = {p.code for ps in (*lexicon.verbs.values(), *lexicon.nominals.values()) for p in ps if p.code}
    assert all(ontology.is_cameo(code) for code in codes)
    assert {code[:2] for code in codes} == {f"{n:02d}" for n in range(1, 21)}
    # the common sub-codes the study needs
    assert {"040", "041", "042", "043", "046", "054", "057", "062", "070", "072", "111", "112",
            "130", "163", "173", "190", "195"} <= codes
    assert "010" not in codes  # never "make statement"


def test_lexicon_word_lists() -> None:
    lexicon = load_lexicon()
    assert lexicon.lemmas("met") == ("meet",) and lexicon.lemmas("held") == ("hold",)
    assert {"talks", "sanctions", "recognised", "bombed", "agreement", "exercises"} <= lexicon.trigger_words
    # saying, light verbs and frames that are no event alone are not triggers
    assert not {"said", "held", "made", "the", "signed", "denied", "stopped"} & lexicon.trigger_words
    assert lexicon.report_forms["said"] == "say"
    assert "treaty" in lexicon.paired_triggers["signed"] and "relations" not in lexicon.trigger_words


@pytest.mark.parametrize(("frame", "code", "expected"), [
    ("appeal", "046", "026"), ("demand", "087", "1056"), ("intend", "0733", "0333"), ("intend", "073", "0333"),
    ("reject", "0841", "1243"), ("threaten", "163", "1312"), ("halt", "046", "164"), ("halt", "163", "085"),
    ("threaten", "040", None), ("appeal", "112", None),
])
def test_frame_composition(frame: str, code: str, expected: str | None) -> None:
    assert load_lexicon().compose(frame, code) == expected


def test_theme_refinement() -> None:
    lexicon = load_lexicon()
    assert lexicon.refine("070", {"humanitarian", "aid"}) == "073"
    assert lexicon.refine("070", {"arms"}) == "072"
    assert lexicon.refine("112", {"war_crimes", "crimes"}) == "1124"
    assert lexicon.refine("051", {"humanitarian"}) == "051"


@pytest.mark.parametrize(("line", "message"), [
    ("999  meet -> with", "not a CAMEO code"),
    ("43   meet -> with", "not a CAMEO code"),
    ("040  meet -> with ; frame=wish", "unknown frame"),
    ("040  meet -> with ; loud", "unknown flag"),
    ("040  meet -> with ; conf=2", "conf must be"),
    ("040  meet -> wi-th", "not a slot"),
    ("-    meet -> with", "must be a frame"),
    ("040  meet greet -> with", "a second verb"),
])
def test_a_bad_lexicon_line_names_file_and_line(line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E440\] Lexicon file verbs.txt, line 7: .*" + message):
        _parse_pattern(line, 7, "verbs.txt")


def test_pattern_parts() -> None:
    pattern = _parse_pattern("163  impose {sanction embargo} -> on against ; conf=0.8", 1, "x")
    assert pattern is not None
    assert pattern.code == "163" and pattern.lemma == "impose" and pattern.confidence == 0.8
    assert [s.name for s in pattern.slots] == ["on", "against"]
    assert "sanctions" in pattern.objects[0].heads
    nominal = _parse_pattern("195  @air_strike -> on against*", 1, "x")
    assert nominal is not None and nominal.nominal is not None
    assert nominal.nominal.modifier == "air" and "strikes" in nominal.nominal.heads and nominal.slots[1].deep
    assert _parse_pattern("   # a comment", 1, "x") is None


# ---------------------------------------------------------------------------- inflections


@pytest.mark.parametrize(("lemma", "forms"), [
    ("meet", {"meets", "met", "meeting"}), ("expel", {"expelled", "expelling"}), ("ban", {"banned"}),
    ("recognise", {"recognised", "recognising"}), ("carry out", {"carried out"}), ("supply", {"supplied", "supplies"}),
    ("withdraw", {"withdrew", "withdrawn"}), ("panic", {"panicked"}),
])
def test_verb_forms(lemma: str, forms: set[str]) -> None:
    assert forms <= verb_forms(lemma)


def test_noun_forms() -> None:
    assert noun_forms("ally") == {"ally", "allies"}
    assert noun_forms("talks") == {"talks", "talk"}
    assert noun_forms("peace talk") == {"peace talk", "peace talks"}


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "future", "expected"), [
    ("They met on Tuesday.", False, ("on Tuesday", "2021-10-19", "day")),
    ("They met on Wednesday.", False, ("on Wednesday", "2021-10-20", "day")),
    ("They will meet on Tuesday.", True, ("on Tuesday", "2021-10-26", "day")),
    ("They met last Wednesday.", False, ("last Wednesday", "2021-10-13", "day")),
    ("It happened yesterday.", False, ("yesterday", "2021-10-19", "day")),
    ("Talks were held last week.", False, ("last week", "2021-10-13", "day")),
    ("Two days ago the envoy arrived.", False, ("Two days ago", "2021-10-18", "day")),
    ("The Taliban entered Kabul on 15 August 2021.", False, ("on 15 August 2021", "2021-08-15", "day")),
    ("The deadline passed on Aug. 31.", False, ("on Aug. 31", "2021-08-31", "day")),
    ("They met on Dec. 2.", False, ("on Dec. 2", "2020-12-02", "day")),
    ("They will meet on Jan. 5.", True, ("on Jan. 5", "2022-01-05", "day")),
    ("Uzbekistan left the CSTO in 2012.", False, ("in 2012", "2012-01-01", "year")),
    ("The format was used in late December.", False, ("in late December", "2020-12-01", "month")),
    ("It was signed on 2020-02-29.", False, ("2020-02-29", "2020-02-29", "day")),
])
def test_dates(text: str, future: bool, expected: tuple[str, str, str]) -> None:
    [found] = find_dates(text, WEDNESDAY, future=future)
    assert text[found.start:found.end] == found.text
    assert (found.text.strip(), found.date.isoformat(), found.precision) == expected or \
        (found.text.replace("on ", "", 1), found.date.isoformat(), found.precision) == expected


def test_dates_need_an_anchor_for_relative_forms() -> None:
    assert find_dates("They met on Tuesday.", None) == []
    assert [d.date for d in find_dates("Signed on 15 August 2021.", None)] == [dt.date(2021, 8, 15)]
    assert find_dates("Russia may meet China.", WEDNESDAY) == []  # "may" the verb is no month


# ---------------------------------------------------------------------------- the pre-filter


@pytest.fixture(scope="module")
def prefilter() -> Prefilter:
    return Prefilter(load_lexicon(), ActorDictionary.load().resolver(), max_chars=600)


@pytest.mark.parametrize(("text", "reason"), [
    ("Lavrov met Muttaqi in Moscow.", None),
    ("Russia and China held talks.", None),  # the noun names the event
    ("The weather in Moscow and Kabul was fine.", "no_event_verb"),
    ("Russia and China signed the guest book.", "no_event_verb"),  # "sign" counts with its object
    ("Russia and China signed a treaty.", None),
    ("Lavrov said Russia and China agreed.", None),
    ("Russia met the press.", "few_actors"),
    ("Russia met Moscow.", "few_actors"),  # one actor named twice
    ("Officials met diplomats.", "few_actors"),  # no country on either side
    ("", "empty"),
    ("x" * 601, "too_long"),
    ("2019 | 2020 | 2021 | 11.2 | 13.4", "not_prose"),
])
def test_prefilter(prefilter: Prefilter, text: str, reason: str | None) -> None:
    verdict = prefilter.check(text, WEDNESDAY)
    assert verdict.reason == reason
    assert verdict.passed == (reason is None)
    if verdict.passed:
        assert len(verdict.mentions) >= 2


def test_looks_english() -> None:
    assert looks_english("Russia and China held talks on Afghanistan in Moscow on Tuesday afternoon.")
    assert looks_english("Short.")
    assert not looks_english("Президент России Владимир Путин провёл переговоры с лидером Китая в Москве.")
    assert not looks_english("La Russie et la Chine ont tenu des pourparlers sur l'Afghanistan à Moscou mardi.")
