"""The rule coder's contract: settings, lazy loading, the event record, stats, ids, the fallback
hook, worker processes, and bad input (skipped with a counted reason, never a crash)."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from dyadwatch.coding import ontology
from dyadwatch.coding.coder import CodingStats, RuleCoder
from dyadwatch.errors import ConfigError
from dyadwatch.records import Event, Sentence

DATE = dt.date(2021, 10, 20)


@pytest.fixture(scope="module")
def coder() -> RuleCoder:
    return RuleCoder()


def _sentences(*texts: str, doc_id: str = "d1") -> list[Sentence]:
    return [Sentence(doc_id=doc_id, idx=i, start=0, end=len(t), text=t) for i, t in enumerate(texts)]


# ---------------------------------------------------------------------------- settings


def test_settings_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        RuleCoder(None)  # type: ignore[misc]


def test_init_does_no_work_and_checks_settings_on_use() -> None:
    coder = RuleCoder(max_chars=5)
    assert not any(name.endswith("_") for name in vars(coder))  # nothing loaded, no stats yet
    with pytest.raises(ConfigError, match=r"\[E441\].*max_chars"):
        list(coder.code(_sentences("Lavrov met Muttaqi."), doc_dates={}))


@pytest.mark.parametrize("settings", [{"batch_size": 0}, {"n_process": 0}, {"batch_size": True}, {"max_chars": "600"}])
def test_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"\[E441\]"):
        RuleCoder(**settings).code_text("Lavrov met Muttaqi.")


def test_fallback_must_have_predict_root() -> None:
    with pytest.raises(ConfigError, match=r"\[E442\]"):
        RuleCoder(fallback=object()).code_text("Lavrov met Muttaqi.")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- the event record


def test_event_record(coder: RuleCoder) -> None:
    text = "Lavrov held talks with Muttaqi in Moscow on Tuesday."
    events = coder.code_text(text, DATE)
    event = next(e for e in events if e.source_country == "RUS")
    assert event.origin == "dyadwatch"
    assert event.coder == f"{RuleCoder.name} {RuleCoder.version}"
    assert (event.cameo_code, event.cameo_root) == ("046", "04")
    assert event.goldstein == ontology.goldstein("046")  # the CAMEO 1.1b3 table
    assert event.quad_class == ontology.quad_class("046") == 1  # ICEWS lines
    assert (event.plover_type, event.plover_mode) == ontology.cameo_to_plover("046")
    assert (event.source_country, event.source_sector, event.source_actor) == ("RUS", "GOV", "sergey-lavrov")
    assert (event.target_country, event.target_actor) == ("AFG", "amir-khan-muttaqi")
    assert event.date == dt.date(2021, 10, 19) and event.date_source == "text"
    assert (event.location_name, event.location_country) == ("Moscow", "RUS")
    assert event.negated is False and event.modality == "asserted"
    assert event.sentence == text and event.sentence_idx == 0
    spans = event.spans
    assert text[slice(*spans["source"])] == event.source_name == "Lavrov"
    assert text[slice(*spans["target"])] == event.target_name == "Muttaqi"
    assert text[slice(*spans["verb"])] == "held talks"
    assert text[slice(*spans["date"])] == "on Tuesday"
    assert text[slice(*spans["location"])] == "Moscow"
    assert event.rule is not None and event.rule.startswith("lexicon:hold.")
    assert 0 < (event.confidence or 0) <= 1


def test_document_date_when_the_text_gives_none(coder: RuleCoder) -> None:
    [event] = coder.code_text("Russia recognised the Taliban government.", DATE)
    assert (event.date, event.date_source) == (DATE, "document")
    [undated] = coder.code_text("Russia recognised the Taliban government.")
    assert (undated.date, undated.date_source) == (None, None)


def test_doc_meta_and_ids(coder: RuleCoder) -> None:
    sentences = _sentences("Russia recognised the Taliban government.", "China praised Pakistan.")
    events = list(coder.code(sentences, doc_dates={"d1": DATE},
                             doc_meta={"d1": {"url": "https://example.org/a", "publisher": "Steppe Wire"}}))
    assert [e.sentence_idx for e in events] == [0, 1]
    assert all(e.url == "https://example.org/a" and e.publisher == "Steppe Wire" for e in events)
    again = list(RuleCoder().code(sentences, doc_dates={"d1": DATE}))
    assert [e.event_id for e in events] == [e.event_id for e in again]  # stable across runs and coders
    assert len({e.event_id for e in events}) == 2


def test_stats(coder: RuleCoder) -> None:
    texts = ("Lavrov met Muttaqi.", "The weather was fine in Moscow.", "Russia met the press.",
             "Russia " * 200, "La Russie et la Chine ont rencontré les talibans à Moscou mardi dernier.")
    events = list(coder.code(_sentences(*texts), doc_dates={"d1": DATE}))
    stats = coder.stats_
    assert isinstance(stats, CodingStats)
    assert stats.seen == 5 and stats.parsed == 1 and stats.events == len(events) == 2
    assert stats.prefiltered_out == {"no_event_verb": 1, "few_actors": 1}
    assert stats.skipped == {"too_long": 1, "not_english": 1}
    assert sum(stats.by_rule.values()) == 2 and all(k.startswith("lexicon:meet.") for k in stats.by_rule)
    assert stats.as_dict()["prefiltered_out"]["few_actors"] == 1


def test_saying_is_never_an_event(coder: RuleCoder) -> None:
    # no "make statement" (010) fallback: a verb of saying only names the speaker
    assert coder.code_text("Lavrov told Muttaqi that the talks in Moscow were useful.", DATE) == []
    assert all(e.cameo_root != "01" for e in coder.code_text("Russia said China hosted the Taliban.", DATE))


def test_negated_and_modal_events_are_emitted_flagged(coder: RuleCoder) -> None:
    [negated] = coder.code_text("Russia did not recognise the Taliban.", DATE)
    assert negated.negated and negated.modality == "asserted" and "negation" in negated.spans
    [reported] = coder.code_text("Afghan officials said Russia delivered wheat to Afghanistan.", DATE)
    assert reported.modality == "reported"
    text = reported.sentence or ""
    assert text[slice(*reported.spans["speaker"])] == "Afghan officials"


# ---------------------------------------------------------------------------- pickling and workers


def test_coder_pickles_without_its_models(coder: RuleCoder) -> None:
    coder.code_text("Lavrov met Muttaqi.")
    blob = pickle.dumps(coder)
    assert len(blob) < 10_000
    copy = pickle.loads(blob)
    assert [e.cameo_code for e in copy.code_text("Lavrov met Muttaqi.")] == ["040", "040"]


@pytest.mark.slow
def test_worker_processes_give_the_same_events(coder: RuleCoder) -> None:
    texts = ["Lavrov met Muttaqi.", "Russia sent humanitarian aid to Afghanistan.", "The weather was fine.",
             "China praised Pakistan.", "The United States imposed sanctions on Russia."] * 3
    sentences = [Sentence(doc_id=f"d{i}", idx=0, start=0, end=len(t), text=t) for i, t in enumerate(texts)]
    dates = {s.doc_id: DATE for s in sentences}
    serial = [e.event_id for e in RuleCoder(batch_size=4).code(sentences, doc_dates=dates)]
    workers = RuleCoder(batch_size=4, n_process=2)
    parallel = [e.event_id for e in workers.code(sentences, doc_dates=dates)]
    assert parallel == serial
    assert workers.stats_.seen == len(texts) and workers.stats_.prefiltered_out == {"no_event_verb": 3}


# ---------------------------------------------------------------------------- the fallback model


class FakeModel:
    name = "fake-roots"

    def __init__(self, answer: tuple[str | None, float], extra: int = 0) -> None:
        self.answer = answer
        self.extra = extra
        self.asked: list[str] = []

    def predict_root(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        self.asked.extend(texts)
        return [self.answer] * (len(texts) + self.extra)


NO_PATTERN = "Lavrov hosted a dinner for Muttaqi."  # an event verb and two actors, no pattern fires


def test_fallback_is_asked_only_where_no_pattern_fires() -> None:
    model = FakeModel(("04", 0.8))
    coder = RuleCoder(fallback=model)
    events = list(coder.code(_sentences(NO_PATTERN, "Lavrov met Muttaqi.", "The weather was fine."),
                             doc_dates={"d1": DATE}))
    assert model.asked == [NO_PATTERN]
    fallback = [e for e in events if e.rule == "model:fake-roots"]
    assert len(fallback) == 1
    [event] = fallback
    assert (event.source_country, event.cameo_code, event.target_country) == ("RUS", "04", "AFG")
    assert event.confidence == pytest.approx(0.4)
    assert coder.stats_.fallback_events == 1 and coder.stats_.by_rule["model:fake-roots"] == 1


def test_fallback_abstains_and_must_answer_each_sentence() -> None:
    assert RuleCoder(fallback=FakeModel((None, 0.9))).code_text(NO_PATTERN) == []
    with pytest.raises(ConfigError, match=r"\[E443\]"):
        RuleCoder(fallback=FakeModel(("04", 0.9), extra=1)).code_text(NO_PATTERN)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("Russia | 1990 | 2000 | 3,400 | 5,600 | 7,800 | 9,100 | China | 12.5 | 13.7 | 14.2 | 88", "not_prose"),
    (" ".join(["Russia met China on 12 May and signed 4 deals worth 3,400 million."] * 12), "too_long"),
    ("Министр иностранных дел России Сергей Лавров встретился с представителями талибов в Москве.", "not_english"),
    ("La Russie et la Chine ont rencontré les talibans à Moscou mardi dernier pour des pourparlers.", "not_english"),
])
def test_unusable_input_is_skipped_with_its_reason(coder: RuleCoder, text: str, reason: str) -> None:
    assert coder.code_text(text, DATE) == []
    assert dict(coder.stats_.skipped) == {reason: 1}


@pytest.mark.parametrize("text", [
    "Russia \x00met\x07 China \u200b in Moscow.",
    "Lavrov met Muttaqi 😀😀😀 " + "x" * 300 + ".",
    "Russia Russia Russia China China met met met.",
    "???!!! Lavrov ... met ... Muttaqi ???",
    '"""Lavrov""" met (((Muttaqi))) [[[in]]] {Moscow}',
])
def test_odd_text_never_crashes(coder: RuleCoder, text: str) -> None:
    events = coder.code_text(text, DATE)
    stats = coder.stats_
    assert stats.seen == 1 and not stats.skipped.get("rule_error")
    assert all(e.source_country != e.target_country or e.source_sector != e.target_sector for e in events)


class _BrokenParser:
    """Stands in for spaCy where the parser chokes on one sentence of a batch."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp

    def make_doc(self, text: str) -> Any:
        return self.nlp.make_doc(text)

    def pipe(self, docs: Any, batch_size: int = 1) -> Iterator[Any]:
        docs = list(docs)
        if any("Kazan" in d.text for d in docs):
            raise ValueError("the parser cannot handle this batch")
        yield from self.nlp.pipe(docs, batch_size=batch_size)

    def __call__(self, doc: Any) -> Any:
        if "Kazan" in doc.text:
            raise ValueError("the parser cannot handle this sentence")
        return self.nlp(doc)


def test_a_sentence_the_parser_cannot_handle_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    coder = RuleCoder()
    nlp, prefilter, matcher = coder._parts()
    coder._parts_ = (_BrokenParser(nlp), prefilter, matcher)  # type: ignore[assignment]
    sentences = _sentences("Lavrov met Muttaqi in Kazan.", "China praised Pakistan.")
    with caplog.at_level(logging.WARNING, logger="dyadwatch.coding.coder"):
        events = list(coder.code(sentences, doc_dates={"d1": DATE}))
    assert [(e.sentence_idx, e.cameo_code) for e in events] == [(1, "051")]
    assert coder.stats_.skipped == {"parse_error": 1} and coder.stats_.parsed == 1
    assert "parser failed" in caplog.text


def test_a_matcher_failure_is_counted_not_raised(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    coder = RuleCoder()
    _, _, matcher = coder._parts()
    original = matcher.match

    def match(doc: Any, mentions: Any) -> Any:
        if "Pakistan" in doc.text:
            raise RuntimeError("boom")
        return original(doc, mentions)

    monkeypatch.setattr(matcher, "match", match)
    with caplog.at_level(logging.ERROR, logger="dyadwatch.coding.coder"):
        events = list(coder.code(_sentences("China praised Pakistan.", "Lavrov met Muttaqi."), doc_dates={}))
    assert {e.sentence_idx for e in events} == {1}
    assert coder.stats_.skipped == {"rule_error": 1}


def test_events_are_records(coder: RuleCoder) -> None:
    events = coder.code_text("Russia and China urged the Taliban to form an inclusive government.", DATE)
    assert events and all(isinstance(e, Event) for e in events)
    assert {(e.source_country, e.target_country) for e in events} == {("RUS", "AFG"), ("CHN", "AFG")}
