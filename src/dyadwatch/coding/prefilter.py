"""The relevance pre-filter: which sentences are worth a dependency parse.

Most sentences of a news corpus (and nearly all of a UN General Debate speech) name fewer
than two actors, or no event at all. Parsing them would cost most of the coder's time and
find nothing, so a sentence reaches the parser only when

1. it is prose of a sane length in English (else it is *skipped*, with its reason:
   ``empty``, ``too_long`` -- a table flattened into one "sentence" --, ``not_prose``,
   ``not_english``);
2. it holds an event word: a form of a lexicon verb that is an event on its own, or a noun
   that names one ("talks", "sanctions"), found by one Aho-Corasick pass over the lower-cased
   text (else *pre-filtered out*: ``no_event_verb``);
3. the actor resolver finds at least two different actors in it, one with a country (else
   *pre-filtered out*: ``few_actors``).

The checks run cheapest first; the resolver's mentions are handed on to the coder, so a
sentence is tagged once.

>>> import datetime as dt
>>> from dyadwatch.actors import ActorDictionary
>>> from dyadwatch.coding.rules.lexicon import load_lexicon
>>> pre = Prefilter(load_lexicon(), ActorDictionary.load().resolver())
>>> [pre.check(t, dt.date(2021, 10, 20)).reason for t in (
...     "Lavrov met Muttaqi in Moscow.", "The weather was fine.", "Russia met the press.")]
[None, 'no_event_verb', 'few_actors']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ahocorasick

from dyadwatch.records import Mention

if TYPE_CHECKING:
    from dyadwatch.actors import Resolver
    from dyadwatch.coding.rules.lexicon import Lexicon

__all__ = ["PREFILTER_REASONS", "SKIP_REASONS", "Prefilter", "Verdict", "looks_english"]

#: Why a sentence was skipped as unusable input (counted in ``stats_.skipped``).
SKIP_REASONS = ("empty", "too_long", "not_prose", "not_english", "parse_error")
#: Why a usable sentence was not parsed (counted in ``stats_.prefiltered_out``).
PREFILTER_REASONS = ("no_event_verb", "few_actors")

# the commonest English words: a sentence of eight words or more with almost none of them is
# probably not English (py3langid then decides)
_ENGLISH = frozenset(
    ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "by", "as", "at", "from", "was", "were", "has", "have", "it", "its", "be", "this", "which", "are", "an", "or", "not", "will", "said", "would", "their", "they", "he", "she", "his", "her", "been", "had", "but", "also", "who", "after", "than", "more", "over", "against", "about", "into", "between", "all", "new", "two", "its", "our", "we", "us"]  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans({c: " " for c in "\t\n\r.,;:!?\"'()[]{}<>/\\|`*_=+#@$%^&~\u2018\u2019\u201c\u201d\u2013\u2014"})


def looks_english(text: str) -> bool:
    """False when a sentence is clearly in another language or script; True when unsure."""
    if not text.isascii():
        letters = other = 0
        for char in text:
            if char.isalpha():
                letters += 1
                if ord(char) > 0x24F:
                    other += 1
        if letters and other > 0.3 * letters:
            return False
    words = _WORD.findall(text.lower())
    if len(words) < 8:
        return True
    common = sum(1 for w in words if w in _ENGLISH)
    if common >= 0.1 * len(words):
        return True
    from dyadwatch.library.language import detect_language

    language = detect_language(text)
    return language in (None, "en")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The pre-filter's decision on one sentence."""

    passed: bool
    reason: str | None = None  # why not: one of SKIP_REASONS or PREFILTER_REASONS
    skipped: bool = False  # unusable input (rather than merely irrelevant)
    mentions: tuple[Mention, ...] = field(default=())


class Prefilter:
    """Decides, cheaply, whether a sentence goes on to the parser."""

    def __init__(self, lexicon: Lexicon, resolver: Resolver, *, max_chars: int = 600) -> None:
        self.resolver = resolver
        self.max_chars = max_chars
        self._paired = lexicon.paired_triggers
        automaton = ahocorasick.Automaton()
        words = set(lexicon.trigger_words) | set(lexicon.paired_triggers)
        words.update(noun for nouns in lexicon.paired_triggers.values() for noun in nouns)
        for word in words:
            automaton.add_word(f" {word} ", (word, word in lexicon.trigger_words))
        automaton.make_automaton()
        self._automaton = automaton

    def event_word(self, text: str) -> str | None:
        """The first event word of a text (lower case), or None: a word that names an event on
        its own, or a verb that does so with its object ("signed" with "treaty")."""
        folded = " " + text.lower().translate(_FOLD) + " "
        seen: set[str] = set()
        for _end, (word, alone) in self._automaton.iter(folded):
            if alone:
                return str(word)
            seen.add(word)
        for word in seen:
            nouns = self._paired.get(word)
            if nouns and not nouns.isdisjoint(seen):
                return str(word)
        return None

    def check(self, text: str, date: dt.date | None, *, doc_id: str = "", sentence_idx: int = 0) -> Verdict:
        stripped = text.strip()
        if not stripped:
            return Verdict(False, "empty", skipped=True)
        if len(stripped) > self.max_chars:
            return Verdict(False, "too_long", skipped=True)
        letters = sum(1 for c in stripped if c.isalpha())
        if letters < 0.5 * len(stripped.replace(" ", "")):
            return Verdict(False, "not_prose", skipped=True)
        if not looks_english(stripped):
            return Verdict(False, "not_english", skipped=True)
        if self.event_word(text) is None:
            return Verdict(False, "no_event_verb")
        mentions = self.resolver.tag(text, None, doc_date=date, doc_id=doc_id, sentence_idx=sentence_idx)
        if len(mentions) < 2:
            return Verdict(False, "few_actors")
        keys = {(m.actor_id, m.country, m.sector) for m in mentions if m.country or m.actor_id or m.sector}
        if len(keys) < 2 or not any(m.country for m in mentions):
            return Verdict(False, "few_actors")
        return Verdict(True, mentions=tuple(mentions))
