"""From text to actors: tag a sentence's actor mentions and resolve each on the event's date.

Tagging runs an Aho-Corasick automaton of every alias over a folded copy of the sentence (lower
case, no diacritics, punctuation as spaces, same offsets), keeps whole-word matches, prefers the
longest, then joins adjacent matches into compound mentions ("Russian Foreign Minister Sergey
Lavrov": a state, an agent, a person). Each part is resolved on the date through its entry's
dated roles; the sentence's other mentions settle an alias that several entries share; what no
entry matches is reported, not guessed. Every result carries the reason: which alias, which
entry, which dated role, and where the date came from.

A few rules read the words around a mention: a capital is its government when it speaks and
the place after "in"; "former" (also "Former Socialist prime minister") makes an official ELI;
an ethnic group is coded by the state the sentence says it lives in ("ethnic Albanians in south
Serbia": SRB), the convention of CAMEO-coded data; a title beside a person the dictionary has no
role for on the date gives the sector ("President X"); a sector with a top-level code of its own
("a human rights group": NGO) keeps it when nothing else names a country.

The tagger's hot path works from tables built once per dictionary (the automaton, each alias
key's claimants with and without case) and memos keyed by date (what each alias means on a day,
what each compound means), so that a sentence costs a fold, one automaton pass and a few dict
look-ups per mention.

>>> from dyadwatch.actors import ActorDictionary
>>> resolver = ActorDictionary.load().resolver()
>>> [(m.text, m.country, m.sector) for m in resolver.tag("Kabul rejected the claim.", "2022-01-05")]
[('Kabul', 'AFG', 'GOV')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import ahocorasick

from dyadwatch.actors._text import alias_key, fold, fold_case_kept
from dyadwatch.actors.codes import is_state_code
from dyadwatch.actors.dictionary import AliasEntry, parse_date
from dyadwatch.records import Actor, Mention, Role, Sentence

if TYPE_CHECKING:
    from dyadwatch.actors.dictionary import ActorDictionary

__all__ = ["Resolution", "Resolver"]

# Words before a capital that make it a place ("talks in Moscow"), not a speaker ("Moscow said").
_LOCATIVE = frozenset(["in", "at", "from", "to", "near", "into", "outside", "around", "via", "across", "inside", "toward", "towards"])
# Words after a capital that make it its government ("Moscow said", "Kabul's position"); a
# capital before anything else is left at the country ("the Doha agreement", "Moscow and Kabul").
_SPEAKING = frozenset({
    "s", "said", "says", "say", "saying", "told", "tells", "announced", "announces", "accused",
    "accuses", "rejected", "rejects", "denied", "denies", "warned", "warns", "urged", "urges",
    "welcomed", "welcomes", "condemned", "condemns", "called", "calls", "insisted", "insists",
    "hopes", "hoped", "wants", "wanted", "demanded", "demands", "refused", "refuses", "agreed",
    "agrees", "signed", "signs", "recognised", "recognized", "recognises", "recognizes",
    "protested", "protests", "threatened", "threatens", "offered", "offers", "sent", "sends",
    "pledged", "pledges", "promised", "promises", "responded", "responds", "criticised",
    "criticized", "criticises", "criticizes", "blamed", "blames", "expelled", "expels", "summoned",
    "summons", "approved", "approves", "declined", "declines", "claimed", "claims", "ordered",
    "orders", "decided", "decides", "asked", "asks", "supports", "supported", "opposes", "opposed",
    "backed", "backs", "will", "would", "has", "had", "is", "was", "does", "did", "cannot", "could",
    "should", "may", "might", "must", "plans", "planned", "sees", "saw", "believes", "believed",
    "considers", "considered", "fears", "feared", "views", "viewed"
})
# Prefixes that negate or displace the actor: "anti-Taliban", "pro-Russian", "ex-president".
_PREFIX = re.compile(r"(?:^|[\s(])(anti|pro|non|post|pre)[-\u2010\u2011]$", re.IGNORECASE)
# "former president X", "ex-minister X", and with a party or office between: "Former Socialist
# prime minister X" (capitalised words only, so that "former ruling party" stays the party's).
_FORMER = re.compile(r"\b(?i:former|ex|erstwhile|ousted|deposed|exiled)[\s-]+(?:[A-Z][\w'\u2019-]*\s+){0,2}$")
_FORMER_WINDOW = 40
# An ethnic group is coded by the country it lives in, not by its kin state, as CAMEO-coded data
# does ("ethnic Albanians in Macedonia" are MKD civilians, the ethnicity a secondary code). The words between the group and the
# place that say where it lives: "in", "of", "living in ...", with a direction before the place.
_RESIDENCE = re.compile(
    r"(?:[^.;:!?]*\s)?(?:in|of|inside|within)\s+(?:the\s+)?"
    r"(?:(?:south|north|east|west|central|southern|northern|eastern|western)(?:[\s-]?(?:east|west)(?:ern)?)?\s+)?",
    re.IGNORECASE,
)
_OF_PLACE = re.compile(
    r"\s+of\s+(?:the\s+)?(?:(?:south|north|east|west|central|southern|northern|eastern|western)(?:[\s-]?(?:east|west)(?:ern)?)?\s+)?",
    re.IGNORECASE,
)
# Gaps that join two matches into one compound mention.
_JOIN = re.compile(r"\s*(?:['\u2019]s)?\s*|\s*[-\u2010\u2011]\s*|[-\u2010\u2011]led\s+")
_JOIN_OF = re.compile(r"\s+of\s+(?:the\s+)?", re.IGNORECASE)
# An abbreviation written with stops ("U.S.", "U.N."): its last stop is part of the word, so
# "U.S. officials" is one mention.
_DOTTED = re.compile(r"[A-Z](?:\.[A-Z])+")
# A name after a title that the dictionary does not know: "Foreign Minister Igor Ivanov".
_NAME_AFTER = re.compile(r"\s+((?:[A-Z][\w'\u2019.-]*\s?){1,3})")
# Capitalised words after a title that are not a name ("officials Monday", "troops In ...").
_NOT_NAMES = frozenset(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "The", "A", "An", "In", "On", "At", "And", "But", "Of", "For", "To", "From", "With", "By", "As", "After", "Before", "During", "Since"])
_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019-]*(?:\s+(?:al-|bin\s+|ul-)?[A-Z][\w'\u2019-]*)*")

_ENTITY_RANK = {"person": 0, "group": 1, "body": 2, "party": 2, "igo": 3, "forum": 3, "ngo": 3, "media": 4, "business": 4}
_STATE_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "PRM"})


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a name means on a date: the entry, its dated role, the codes and the reason."""

    name: str
    actor: Actor | None
    role: Role | None
    country: str | None
    sector: str | None
    code: str | None
    date: dt.date
    date_source: str  # "event", "document" or "today"
    reason: str
    confidence: float = 1.0
    candidates: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None

    @property
    def resolved(self) -> bool:
        return self.country is not None or self.actor is not None

    @property
    def actor_id(self) -> str | None:
        return self.actor.actor_id if self.actor else None


@dataclass(slots=True)
class _Part:
    """One alias match in a sentence, resolved on the date (or left ambiguous)."""

    start: int
    end: int
    entries: tuple[AliasEntry, ...]
    alias: AliasEntry | None
    actor: Actor | None
    role: Role | None
    country: str | None
    sector: str | None
    kind: str  # agent, state, entity, agreed, ambiguous; "" while the sentence must decide
    note: str = ""


# What an alias means on a date, before the sentence is looked at (see Resolver._slot_on):
# (alias, actor, role, country, sector, kind, entries); alias None and kind "" while undecided.
_Meaning = tuple[AliasEntry | None, Actor | None, Role | None, str | None, str | None, str, tuple[AliasEntry, ...]]
# What a group of matches means before its context is looked at (see Resolver._core).
_Core = tuple[Actor | None, Role | None, str | None, str | None, str | None, tuple[str, ...], float,
              tuple[str, ...], tuple[str, ...], str, str, str]
# One mention, resolved: (start, end, actor, role, country, sector, code, reason, confidence,
# attributes, candidates, people), people naming a group of people whose country the rest of
# the sentence must settle ("ethnic": "ethnic Albanians"; "of": "Albanians of southern Serbia").
_Found = tuple[int, int, Actor | None, Role | None, str | None, str | None, str | None, str, float,
               tuple[str, ...], tuple[str, ...], str]

_DASHES = "-\u2010\u2011"
_NAMED = frozenset({"state", "entity", "agreed"})  # kinds of match that name who (and so a country)
_KINDS_BY_ENTRY = {"sector": "agent", "state": "state", "place": "state"}
# Memo sizes: news repeats the same few actors and dates, so these stay small in practice;
# a memo that outgrows its bound is emptied rather than evicted entry by entry.
_MEMO_LIMIT = 100_000
_DAYS_LIMIT = 2_000


@lru_cache(maxsize=4096)
def _parse_day(value: str) -> dt.date:
    return parse_date(value)


def _may_be_name(text: str, end: int) -> bool:
    """A cheap test that :data:`_NAME_AFTER` can match at ``end``: space, then a capital."""
    if not text[end:end + 1].isspace():
        return False
    following = text[end + 1:end + 2]
    return following.isspace() or "A" <= following <= "Z"


def _may_be_former(text: str, start: int) -> bool:
    """A cheap test that :data:`_FORMER` can match before ``start`` (most mentions have no such word)."""
    window = text[max(0, start - _FORMER_WINDOW):start].casefold()
    return "ex" in window or "former" in window or "erstwhile" in window or "ousted" in window or "deposed" in window


class Resolver:
    """Tags and resolves actor mentions with one :class:`ActorDictionary`.

    ``fuzzy_threshold`` (0-100, rapidfuzz ratio) is the least similarity at which
    :meth:`resolve` accepts a spelling that no alias matches exactly; below it the name is
    reported as unknown.
    """

    def __init__(self, dictionary: ActorDictionary, *, fuzzy_threshold: float = 90.0) -> None:
        self.dictionary = dictionary
        self.fuzzy_threshold = fuzzy_threshold
        self._keys: list[tuple[str, tuple[AliasEntry, ...], frozenset[str] | None]] = []
        # Per alias key, two "slots": 2*i holds every entry of key i, 2*i + 1 only those that
        # match in any case (what is left when "US" is seen as "us"). Computed here once, so
        # that the tagger's loop only indexes lists.
        self._forms: list[frozenset[str] | None] = []
        self._slots: list[tuple[AliasEntry, ...]] = []
        self._slot_ids: list[tuple[str, ...]] = []
        automaton = ahocorasick.Automaton()
        case_forms = dictionary.case_forms
        for index, (key, entries) in enumerate(sorted(dictionary.aliases.items())):
            forms = case_forms.get(key)
            self._keys.append((key, entries, forms))
            self._forms.append(forms)
            anycase = tuple(e for e in entries if not e.case_sensitive)
            for slot_entries in (entries, anycase):
                self._slots.append(slot_entries)
                self._slot_ids.append(tuple(dict.fromkeys(e.actor_id for e in slot_entries)))
            # the collapsed key, and the folded spelling where punctuation left two spaces
            # ("Kurdistan Workers' Party" folds to "kurdistan workers  party")
            for form in {key, *(fold(e.text).strip() for e in entries)}:
                if form == key or " ".join(form.split()) == key:
                    padded = f" {form} "
                    automaton.add_word(padded, (len(padded), index))
        automaton.make_automaton()
        self._automaton = automaton
        self._roles: dict[tuple[str, dt.date], Role | None] = {}
        self._meanings: dict[dt.date, dict[int, _Meaning]] = {}  # day -> slot -> meaning
        self._cores: dict[tuple[str, dt.date, str | tuple[str, ...]], _Core] = {}
        self._assigned: dict[tuple[int, dt.date], tuple[Actor, Role | None, str | None, str | None, str]] = {}
        self._fuzzy_keys: list[str] | None = None

    # ------------------------------------------------------------------ public API

    def tag(self, sentence: str | Sentence, date: dt.date | str | None = None, *,
            doc_date: dt.date | str | None = None, doc_id: str | None = None,
            sentence_idx: int | None = None, unknown: bool = False) -> list[Mention]:
        """The actor mentions of a sentence, resolved on the date.

        ``date`` is the event's date; without it ``doc_date`` is used, and the reason says so.
        With ``unknown`` the capitalised names that no entry matches are reported as mentions
        without an actor (reason "unknown"), never guessed.

        >>> from dyadwatch.actors import ActorDictionary
        >>> r = ActorDictionary.load().resolver()
        >>> [(m.text, m.country, m.sector) for m in r.tag("Lavrov met Muttaqi.", "2021-10-20")]
        [('Lavrov', 'RUS', 'GOV'), ('Muttaqi', 'AFG', 'GOV')]
        """
        if isinstance(sentence, Sentence):
            text = sentence.text
            doc_id = sentence.doc_id if doc_id is None else doc_id
            sentence_idx = sentence.idx if sentence_idx is None else sentence_idx
        else:
            text = sentence
        doc = doc_id or ""
        idx = sentence_idx or 0
        day, source = self._day(date, doc_date)
        hits = self._hits(text)
        mentions: list[Mention] = []
        if hits:
            found = self._found(text, hits, day, self._date_note(day, source))
            for start, end, actor, _, country, sector, _, reason, confidence, _, _, _ in found:
                mentions.append(Mention(doc, idx, start, end, text[start:end], actor.actor_id if actor else None,
                                        country, sector, reason, confidence))
        if unknown:
            mentions.extend(self._unknown(text, mentions, doc, idx))
            mentions.sort(key=lambda m: m.start)
        return mentions

    def spans(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Dictionary tagging alone: each alias match (start, end, candidate entry ids), whole
        words, longest first, without dates, compounds or reasons.

        >>> from dyadwatch.actors import ActorDictionary
        >>> ActorDictionary.load().resolver().spans("Lavrov met the Taliban.")
        [(0, 6, ('sergey-lavrov',)), (15, 22, ('taliban',))]
        """
        ids = self._slot_ids
        return [(start, end, ids[slot]) for start, end, slot in self._hits(text)]

    def resolutions(self, text: str, date: dt.date | str | None = None, *,
                    doc_date: dt.date | str | None = None) -> list[Resolution]:
        """Like :meth:`tag`, but the full :class:`Resolution` of each mention (entry, role, code)."""
        day, source = self._day(date, doc_date)
        hits = self._hits(text)
        found = self._found(text, hits, day, self._date_note(day, source))
        return [self._resolution(text, one, day, source) for one in found]

    def resolve(self, name: str, date: dt.date | str | None = None, *, sentence: str | None = None,
                doc_date: dt.date | str | None = None, start: int | None = None) -> Resolution:
        """Resolve one name (a span), using its sentence as context where given.

        Exact and compound matching first; then a fuzzy match against the names in the alias
        table at ``fuzzy_threshold``; else an unresolved result that says nothing matched.

        A span that names a sector but no country ("Judge Alejandro Rivera", "rebels") takes
        the country of the sentence's other actors when they name exactly one state, as a
        coder reading the sentence would; the reason says so and the confidence is at most 0.5.
        :meth:`tag` does not: it reports each mention as written.

        >>> from dyadwatch.actors import ActorDictionary
        >>> r = ActorDictionary.load().resolver()
        >>> found = r.resolve("the judge", "2021-10-20", sentence="In Kabul the judge freed two Afghan journalists.")
        >>> found.code, found.confidence
        ('AFGJUD', 0.5)
        """
        day, source = self._day(date, doc_date)
        name = name.strip()
        if sentence and name:
            span = self._locate(name, sentence, start)
            if span is not None:
                found = self._resolve_span(sentence, *span, day, source, context=True)
                if found is not None:
                    return replace(found, name=name)
        found = self._resolve_span(name, 0, len(name), day, source) if name else None
        if found is not None:
            return found
        fuzzy = self._fuzzy(name, day, source, context=sentence)
        if fuzzy is not None:
            return fuzzy
        return Resolution(name=name, actor=None, role=None, country=None, sector=None, code=None,
                          date=day, date_source=source, confidence=0.0,
                          reason=f"unknown: no dictionary entry matches '{name}'{self._date_note(day, source)}")

    @staticmethod
    def _locate(name: str, sentence: str, start: int | None) -> tuple[int, int] | None:
        """Where a name is in its sentence: at ``start`` if it is there, else its first
        occurrence, allowing for other spacing ("Azadliq (Freedom)  opposition")."""
        if start is not None and sentence[start:start + len(name)] == name:
            return start, start + len(name)
        offset = sentence.find(name)
        if offset >= 0:
            return offset, offset + len(name)
        match = re.search(r"\s+".join(map(re.escape, name.split())), sentence)
        return match.span() if match else None

    # ------------------------------------------------------------------ dates

    @staticmethod
    def _day(date: dt.date | str | None, doc_date: dt.date | str | None) -> tuple[dt.date, str]:
        if type(date) is str and date:
            return _parse_day(date), "event"  # the usual call, first
        for value, source in ((date, "event"), (doc_date, "document")):
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime):
                return value.date(), source
            if isinstance(value, dt.date):
                return value, source
            return _parse_day(str(value)), source
        return dt.date.today(), "today"

    @staticmethod
    @lru_cache(maxsize=1024)
    def _date_note(day: dt.date, source: str) -> str:
        if source == "event":
            return f"; date {day}"
        if source == "document":
            return f"; date {day} from document (the mention has no date of its own)"
        return f"; no date given: roles as of today {day}"

    def _role(self, actor: Actor, day: dt.date) -> Role | None:
        key = (actor.actor_id, day)
        try:
            return self._roles[key]
        except KeyError:
            pass
        role = next((r for r in actor.roles if r.covers(day)), None)
        if len(self._roles) > 200_000:
            self._roles.clear()
        self._roles[key] = role
        return role

    # ------------------------------------------------------------------ matching

    def _hits(self, text: str) -> list[tuple[int, int, int]]:
        """Whole-word alias matches as (start, end, slot), the longest first at each start."""
        folded = " " + fold(text) + " "
        # (start, -end, index): sorting the plain tuples puts the longest match first at each start
        found = [(end - length + 1, 1 - end, index) for end, (length, index) in self._automaton.iter(folded)]
        if not found:
            return []
        if len(found) > 1:
            found.sort()
        forms = self._forms
        slots = self._slots
        hits: list[tuple[int, int, int]] = []
        last_end = -1
        for start, negative_end, index in found:
            if start < last_end:
                continue
            end = -negative_end
            slot = 2 * index
            shapes = forms[index]
            if shapes is not None and text[start:end] not in shapes and \
                    " ".join(fold_case_kept(text[start:end]).split()) not in shapes:
                # a case-sensitive alias ("US", "IS") seen in the wrong case ("us", "is"):
                # keep its case-insensitive claimants, if any
                slot += 1
                if not slots[slot]:
                    continue
            if start > 1 and text[start - 1] in _DASHES and _PREFIX.search(text[max(0, start - 6):start]):
                continue  # "anti-Taliban", "pro-Russian": not the actor itself
            hits.append((start, end, slot))
            last_end = end
        return hits

    def _parts(self, hits: list[tuple[int, int, int]], day: dt.date) -> list[_Part]:
        """Each match resolved on the date; shared aliases settled by date, then by the sentence."""
        meanings = self._meanings.get(day)
        if meanings is None:
            if len(self._meanings) > _DAYS_LIMIT:
                self._meanings.clear()
            meanings = self._meanings[day] = {}
        parts: list[_Part] = []
        pending = False
        for start, end, slot in hits:
            meaning = meanings.get(slot)
            if meaning is None:
                meaning = meanings[slot] = self._meaning(slot, day)
            alias, actor, role, country, sector, kind, entries = meaning
            parts.append(_Part(start, end, entries, alias, actor, role, country, sector, kind))
            pending = pending or not kind
        if pending:
            self._settle(parts, day)
        return parts

    def _meaning(self, slot: int, day: dt.date) -> _Meaning:
        """What an alias means on a date before its sentence is read (kept: date and alias decide it)."""
        entries = self._slots[slot]
        if len(entries) > 1:
            written = tuple(e for e in entries if e.explicit)
            entries = written or entries
            live = tuple(e for e in entries if self.dictionary.is_valid_on(e.actor_id, day))
            entries = live or entries
            if len({e.actor_id for e in entries}) > 1:
                holding = tuple(e for e in entries
                                if self._role(self.dictionary.actors[e.actor_id], day) is not None)
                entries = holding or entries
        meaning: _Meaning
        if len(entries) > 1 and len({e.actor_id for e in entries}) > 1:
            meaning = (None, None, None, None, None, "", entries)
        else:
            actor, role, country, sector, kind = self._assigned_on(entries[0], day)
            meaning = (entries[0], actor, role, country, sector, kind, self._slots[slot])
        return meaning

    def _settle(self, parts: list[_Part], day: dt.date) -> None:
        """Settle the aliases several entries share on this date by the sentence's other actors."""
        actors = self.dictionary.actors
        context = {p.country for p in parts if p.kind in ("state", "entity") and p.country}
        for part in [p for p in parts if not p.kind]:
            chosen = [e for e in part.entries if self._country_of(actors[e.actor_id], day) in context]
            if len({e.actor_id for e in chosen}) == 1:
                self._assign(part, chosen[0], day)
                part.note = f"; chosen over {', '.join(sorted({e.actor_id for e in part.entries} - {chosen[0].actor_id}))} by the sentence's other actors"
            else:
                codes = {(self._country_of(actors[e.actor_id], day), self._sector_of(actors[e.actor_id], day))
                         for e in part.entries}
                # "Haqqani", "Bush": the person is not decided, but if every candidate has the
                # same codes on this date the codes are known all the same
                part.kind = "agreed" if len(codes) == 1 else "ambiguous"
                if part.kind == "agreed":
                    part.country, part.sector = next(iter(codes))

    def _country_of(self, actor: Actor, day: dt.date) -> str | None:
        role = self._role(actor, day)
        return role.country if role and role.country else actor.country

    def _sector_of(self, actor: Actor, day: dt.date) -> str | None:
        role = self._role(actor, day)
        return role.sector if role else actor.sector

    def _assigned_on(self, alias: AliasEntry, day: dt.date) -> tuple[Actor, Role | None, str | None, str | None, str]:
        key = (id(alias), day)  # alias entries live as long as the dictionary: identity is enough
        found = self._assigned.get(key)
        if found is None:
            actor = self.dictionary.actors[alias.actor_id]
            role = self._role(actor, day)
            country = role.country if role and role.country else actor.country
            sector = role.sector if role else actor.sector
            kind = _KINDS_BY_ENTRY.get(actor.kind, "entity")
            if kind == "agent":
                country = None
            if len(self._assigned) > _MEMO_LIMIT:
                self._assigned.clear()
            found = self._assigned[key] = (actor, role, country, sector, kind)
        return found

    def _assign(self, part: _Part, alias: AliasEntry, day: dt.date) -> None:
        part.alias = alias
        part.actor, part.role, part.country, part.sector, part.kind = self._assigned_on(alias, day)

    # ------------------------------------------------------------------ compounds

    def _groups(self, text: str, parts: list[_Part]) -> list[list[_Part]]:
        groups: list[list[_Part]] = []
        group: list[_Part] = []
        for part in parts:
            # the first test of _joins, inlined: most matches are words apart
            if group and part.start - group[-1].end <= 8 and self._joins(text, group, part):
                group.append(part)
            else:
                group = [part]
                groups.append(group)
        return groups

    def _joins(self, text: str, group: list[_Part], part: _Part) -> bool:
        last = group[-1]
        if part.start - last.end > (8 if last.kind == "agent" else 5):
            return False  # more than a space, "'s", "-" or " of the " apart
        gap = text[last.end:part.start]
        if gap[:1] == "." and _DOTTED.fullmatch(text, last.start, last.end):
            gap = gap[1:]
        if gap != " " and not _JOIN.fullmatch(gap) and not (last.kind == "agent" and _JOIN_OF.fullmatch(gap)):
            return False
        kind = part.kind
        if len(group) == 1:  # the usual case, the rules below for a group of one
            other = last.kind
            if kind == "ambiguous" or other == "ambiguous":
                return False
            if kind in _NAMED and part.country and other in _NAMED and last.country and part.country != last.country:
                return False
            if kind == "state" and other == "state":
                return False
            if kind == "agreed" or other == "agreed":
                return kind != "agreed" or other in ("agent", "state")
            if kind == "entity" and other == "entity":
                return part.actor is not None and part.actor.kind == "person" and \
                    last.actor is not None and last.actor.kind != "person"
            return True
        if part.kind == "ambiguous" or any(p.kind == "ambiguous" for p in group):
            return False
        countries = {p.country for p in group if p.kind in ("state", "entity", "agreed") and p.country}
        if part.kind in ("state", "entity", "agreed") and part.country and countries and part.country not in countries:
            return False  # "US-Taliban talks", "Russian-Chinese exercises": two actors
        if part.kind == "state" and any(p.kind == "state" for p in group):
            return False
        if part.kind == "agreed" or any(p.kind == "agreed" for p in group):
            return part.kind != "agreed" or all(p.kind in ("agent", "state") for p in group)
        if part.kind == "entity" and any(p.kind == "entity" for p in group):
            # two named entities side by side join only when one is a person of the other
            return part.actor is not None and part.actor.kind == "person" and \
                all(p.actor is not None and p.actor.kind != "person" for p in group if p.kind == "entity")
        return True

    def _found(self, text: str, hits: list[tuple[int, int, int]], day: dt.date, date_note: str) -> list[_Found]:
        """The mentions of a sentence from its matches; ``date_note`` ends every reason."""
        if not hits:
            return []
        found: list[_Found] = []
        placed: list[int] | None = None
        for group in self._groups(text, self._parts(hits, day)):
            one = self._combine(text, group, day, date_note)
            if one[11] and one[11] != "kin":
                placed = [*(placed or ()), len(found)]
            found.append(one)
        for index in placed or ():
            found[index] = self._residence(text, found, index, date_note)
        return found

    @staticmethod
    def _residence(text: str, found: list[_Found], index: int, date_note: str) -> _Found:
        """An ethnic group coded by where the sentence says it lives: the place after "in" or
        "of" ("ethnic Albanians in south Serbia", "Albanians of southern Serbia"), else, for
        an "ethnic" group, the sentence's only other state. Else its kin state, as before."""
        start, end, actor, role, kin, sector, code, reason, confidence, attributes, candidates, people = found[index]
        place: tuple[str, str] | None = None
        for other in found[index + 1:]:
            gap = text[end:other[0]]
            if any(stop in gap for stop in ".;:!?"):
                break
            if is_state_code(other[4]) and other[4] != kin and other[11] != "kin" and \
                    (_RESIDENCE if people == "ethnic" else _OF_PLACE).fullmatch(gap):
                place = (str(other[4]), f"'{text[start:other[1]]}'")
                break
        if place is None and people == "ethnic":
            others = {f[4] for i, f in enumerate(found) if i != index and is_state_code(f[4])}
            others.discard(kin)
            if len(others) == 1:
                only = next(iter(others))
                place = (str(only), f"the sentence's only other state, {only}")
        if place is None:
            return (*found[index][:11], "kin")
        country, where = place
        code = country + (sector or "")
        note = f"; ethnic kin of {kin}, coded by where they live: {country} ({where})"
        return (start, end, None, None, country, sector, code, reason[:len(reason) - len(date_note)] + note + date_note,
                min(confidence, 0.8), attributes, candidates, "")

    @staticmethod
    def _resolution(text: str, found: _Found, day: dt.date, source: str) -> Resolution:
        start, end, actor, role, country, sector, code, reason, confidence, attributes, candidates, _ = found
        return Resolution(
            name=text[start:end], actor=actor, role=role, country=country, sector=sector, code=code,
            date=day, date_source=source, reason=reason, confidence=confidence, attributes=attributes,
            start=start, end=end, candidates=candidates,
        )

    def _combine(self, text: str, group: list[_Part], day: dt.date, date_note: str) -> _Found:
        """One mention from a group of adjacent matches: its codes, then what the context changes."""
        first = group[0]
        start, end = first.start, group[-1].end
        # the codes of a group depend on its words, its parts' entries and the date only, so
        # they are kept: news repeats the same few actors, and this is the tagger's hot path
        key: tuple[str, dt.date, str | tuple[str, ...]]
        if len(group) == 1:
            key = (text[start:end], day, first.alias.actor_id if first.alias else first.kind)
        else:
            key = (text[start:end], day, tuple(p.alias.actor_id if p.alias else p.kind for p in group))
        core = self._cores.get(key)
        if core is None:
            if len(self._cores) > _MEMO_LIMIT:
                self._cores.clear()
            core = self._cores[key] = self._core(text, group)
        actor, role, country, sector, code, core_notes, confidence, attributes, candidates, context, reason, kin = core
        notes: list[str] | None = None
        people = ""
        if kin:
            if text[max(0, start - 7):start].lower() == "ethnic ":
                people = "ethnic"
            elif kin == "demonym" and "of" in text[end:end + 6].lower() and _OF_PLACE.match(text, end):
                people = "of"
            else:
                people = "kin"  # named for a people ("Israeli"), so never the place where one lives
        if context:
            if context == "capital":
                notes = list(core_notes)
                before = text[max(0, start - 12):start].split()
                after = fold(text[end:end + 16]).split()
                if before and before[-1].lower() in _LOCATIVE:
                    confidence = 0.6
                    notes.insert(1, f"a capital after '{before[-1]}': the place, not the government")
                elif after and after[0] in _SPEAKING:
                    sector, code = "GOV", f"{country}GOV"
                    notes.insert(1, f"a capital used for its government (before '{after[0]}')")
                else:
                    confidence = 0.8
                    notes.insert(1, "a capital, neither speaking nor a place: the country")
            elif _may_be_name(text, end) and (match := _NAME_AFTER.match(text, end)) is not None:
                tail = match.group(1).rstrip(" .,'")
                if tail.split()[0] not in _NOT_NAMES and alias_key(tail) not in self.dictionary.aliases:
                    end = match.start(1) + len(tail)
                    notes = [*core_notes, f"unlisted name '{tail}' after the title"]
                    confidence = min(confidence, 0.6)
        if sector in _STATE_SECTORS and start and _may_be_former(text, start) \
                and _FORMER.search(text[max(0, start - _FORMER_WINDOW):start]):
            sector = "ELI"
            code = (country or "") + "ELI" if country else None
            notes = [*(core_notes if notes is None else notes), "'former': out of office (ELI)"]
        if notes is not None:
            reason = "; ".join(notes)
        return (start, end, actor, role, country, sector, code, reason + date_note,
                confidence, attributes, candidates, people)

    def _core(self, text: str, group: list[_Part]) -> _Core:
        """The codes of a group before context: (actor, role, country, sector, code, notes,
        confidence, attributes, candidates, context, reason, kin), context naming what the caller
        must still check, reason the notes joined (for the mentions whose context changes nothing)
        and kin the form ("adjective", "demonym") of a state named for its people ("Albanians")."""
        start, end = group[0].start, group[-1].end
        if group[0].kind == "ambiguous":
            ids = tuple(sorted({e.actor_id for e in group[0].entries}))
            note = (f"ambiguous: alias '{text[start:end]}' is claimed by {', '.join(ids)} and the "
                    "date and sentence do not decide")
            return None, None, None, None, None, (note,), 0.0, (), ids, "", note, ""
        entities = sorted((p for p in group if p.kind == "entity"),
                          key=lambda p: _ENTITY_RANK.get(p.actor.kind if p.actor else "", 9))
        head = entities[0] if entities else None
        states = [p for p in group if p.kind == "state"]
        agents = [p for p in group if p.kind == "agent"]
        agreed = [p for p in group if p.kind == "agreed"]
        candidates: tuple[str, ...] = ()
        notes = [self._describe(p, text) for p in group]
        confidence = 1.0
        attributes: tuple[str, ...] = ()
        actor: Actor | None = None
        role: Role | None = None
        code: str | None = None
        context = ""
        kin = ""
        if head is not None and head.actor is not None:
            actor, role = head.actor, head.role
            country, sector = head.country, head.sector
            attributes = role.attributes if role else ()
            if agents and head.actor.kind == "person" and head.role is None and agents[0].sector:
                # "Russian President Boris Yeltsin" on a date the dictionary has no role for:
                # the title in the text is the better evidence of what he was then
                sector = agents[0].sector
                notes.append(f"the title says {sector}")
            elif agents and head.actor.kind != "person":
                agent = agents[0]
                if head.actor.kind in ("igo", "forum"):
                    if agent.sector not in ("GOV", "IGO"):
                        sector = agent.sector
                elif sector in (None, "GOV") and agent.sector is not None:
                    sector = agent.sector
                    notes.append(f"the {agent.sector} arm of {head.actor.actor_id} at this date")
                elif sector in ("INS", "REB", "SEP") and agent.sector in ("MIL", "UAF"):
                    notes.append(f"armed members of {head.actor.actor_id}, {sector} at this date")
            if sector == head.sector:
                code = self.dictionary.cameo.get(head.actor.actor_id)
                if code and head.country != head.actor.country:
                    code = None
        elif agreed:
            country, sector = agreed[0].country, agreed[0].sector
            candidates = tuple(sorted({e.actor_id for e in agreed[0].entries}))
            confidence = 0.7
        elif states:
            state = states[0]
            actor, role = state.actor, state.role
            attributes = role.attributes if role else ()
            country = state.country
            sector = agents[0].sector if agents else state.sector
            if state is group[0] and state.alias is not None and state.alias.form in ("adjective", "demonym"):
                kin = state.alias.form
            if agents:
                context = "title"
            elif state.alias is not None and state.alias.form == "capital" and len(group) == 1:
                context = "capital"
            elif state.alias is not None and state.alias.form == "demonym" and sector is None:
                sector = "CVL"  # "Afghans", "Liberians": the people, as CAMEO and PLOVER code them
                notes.append("a demonym: the people (CVL)")
        else:
            # agents alone: "the government said", "troops": a sector without a country, except
            # where the sector has a top-level code of its own ("a human rights group": NGO)
            agent_actor = agents[0].actor if agents else None
            country, sector = None, agents[0].sector if agents else None
            confidence = 0.5
            context = "title"
            if agent_actor is not None and agent_actor.country:
                country = agent_actor.country
                notes.append(f"no country in the mention: {country}, as {agent_actor.actor_id} bodies are coded")
            else:
                notes.append("no country in the mention")
        if code is None and country:
            code = country + (sector or "")
        if attributes:
            notes.append(f"attributes {', '.join(attributes)}")
        return (actor, role, country, sector, code, tuple(notes), confidence, attributes, candidates, context,
                "; ".join(notes), kin)

    @staticmethod
    def _describe(part: _Part, text: str) -> str:
        shown = text[part.start:part.end]
        alias = part.alias
        actor = part.actor
        if part.kind == "agreed":
            ids = ", ".join(sorted({e.actor_id for e in part.entries}))
            return (f"alias '{shown}' -> one of {ids}, undecided by date and sentence, but all "
                    f"{part.country or ''}{part.sector or ''} on this date")
        if alias is None or actor is None:
            return f"alias '{shown}'"
        form = "" if alias.form in ("name", "agent") else f" ({alias.form})"
        if part.kind == "agent":
            return f"alias '{shown}' -> agent {actor.sector}"
        role = part.role
        if role is not None:
            title = f" '{role.title}'" if role.title else ""
            held = f", role{title} {role.start or ''}..{role.end or ''} -> {role.country or ''}{role.sector or ''}"
        elif actor.roles:
            held = f", no dated role on this date -> {actor.country or ''}{actor.sector or ''}"
        else:
            held = ""
        return f"alias '{shown}'{form} -> {actor.kind} {actor.actor_id}{held}{part.note}"

    def _resolve_span(self, text: str, start: int, end: int, day: dt.date, source: str, *,
                      context: bool = False) -> Resolution | None:
        hits = self._hits(text)
        if not hits:
            return None
        parts = self._parts(hits, day)
        inside = [p for p in parts if p.start >= start and p.end <= end]
        if not inside:
            return None
        groups = self._groups(text, inside)
        best = max(groups, key=lambda g: (any(p.kind == "entity" for p in g),
                                          any(p.kind == "state" for p in g), g[-1].end - g[0].start))
        date_note = self._date_note(day, source)
        found = self._combine(text, best, day, date_note)
        if found[11] in ("ethnic", "of") or (context and found[4] is None and found[5] is not None):
            # the rest of the sentence decides: where an ethnic group lives, or the country of
            # a sector named alone
            whole = [self._combine(text, group, day, date_note) for group in self._groups(text, parts)]
            mine = [i for i, one in enumerate(whole) if one[0] == found[0]]
            if mine and found[11] in ("ethnic", "of"):
                found = self._residence(text, whole, mine[0], date_note)
            if context and found[4] is None and found[5] is not None:
                found = self._sentence_country(text, whole, found, date_note)
        if found[4] is not None and found[5] is None and len(groups) > 1:
            # "Sierra Leonean ... refugees", "refugees fleeing the war in Liberia": the span is one
            # actor, whose country one group names and whose sector another
            sectors = [g for g in groups if g is not best and all(p.kind == "agent" for p in g)]
            if sectors and sectors[0][0].sector:
                sector = sectors[0][0].sector
                shown = text[sectors[0][0].start:sectors[0][-1].end]
                found = (*found[:5], sector, str(found[4]) + sector,
                         found[7][:len(found[7]) - len(date_note)] + f"; sector {sector} from '{shown}' in the same span" + date_note,
                         *found[8:])
        return self._resolution(text, found, day, source)

    @staticmethod
    def _sentence_country(text: str, whole: list[_Found], found: _Found, date_note: str) -> _Found:
        """A sector named without a country, given the one state the rest of the sentence names."""
        start, end = found[0], found[1]
        named = {one[4]: one for one in whole
                 if (one[1] <= start or one[0] >= end) and is_state_code(one[4])}
        if len(named) != 1:
            return found
        country, other = next(iter(named.items()))
        reason = found[7][:len(found[7]) - len(date_note)]
        note = f"; {country} from the sentence's only named state ('{text[other[0]:other[1]]}')"
        return (start, end, found[2], found[3], country, found[5], str(country) + str(found[5]),
                reason + note + date_note, min(found[8], 0.5), found[9], found[10], "")

    # ------------------------------------------------------------------ fuzzy and unknown

    def _fuzzy(self, name: str, day: dt.date, source: str, *, context: str | None) -> Resolution | None:
        from rapidfuzz import fuzz, process

        key = alias_key(name)
        if len(key) < 6:
            return None  # short strings match too much at any threshold ("Lavro" is not "Lavrov")
        if self._fuzzy_keys is None:
            self._fuzzy_keys = [k for k, entries, _ in self._keys
                                if len(k) >= 6 and any(e.form in ("name", "variant", "surname") for e in entries)]
        scored = [one for one in process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio,
                                                  score_cutoff=self.fuzzy_threshold, limit=5)
                  if self._plausible_spelling(name.strip(), key, one[0])]
        if not scored:
            return None
        best_key, best_score, _ = scored[0]
        actors = {e.actor_id for e in self.dictionary.aliases[best_key]}
        rivals = {e.actor_id for k, s, _ in scored[1:] if s >= best_score - 2 for e in self.dictionary.aliases[k]}
        if len(actors | rivals) > 1:
            ids = tuple(sorted(actors | rivals))
            return Resolution(name=name, actor=None, role=None, country=None, sector=None, code=None,
                              date=day, date_source=source, confidence=0.0, candidates=ids,
                              reason=f"ambiguous: '{name}' is as close to {', '.join(ids)}{self._date_note(day, source)}")
        padded = f"{best_key}"
        found = self._resolve_span(padded, 0, len(padded), day, source)
        if found is None:
            return None
        return replace(found, name=name, confidence=round(best_score / 100 * found.confidence, 3),
                       reason=f"spelling '{name}' ~ alias '{best_key}' ({best_score:.0f}/100); {found.reason}")

    def _plausible_spelling(self, name: str, key: str, alias: str) -> bool:
        """Whether a one-word name close to a one-word alias is a misspelling of it, not another word.

        Full names ("Zamir Kabolov") are taken at the threshold alone. One word differs from
        another by a letter far more often: "Lavrova" is another person (the feminine form),
        "Haqqania" a seminary, "Prussia" not Russia, "Fisher" not Fischer, "hungry" not Hungary.
        So a one-word name is taken only as the misspelt name of a state or a place ("Ethopia",
        "Tajikstan"), written with a capital, beginning with the alias's first letter, no longer
        than the alias, and not the alias with an ending added or dropped.
        """
        if " " in key or " " in alias:
            return True
        if key.startswith(alias) or alias.startswith(key):
            return False
        if key[0] != alias[0] or len(key) > len(alias) or not name[:1].isupper():
            return False
        actors = self.dictionary.actors
        return any(actors[e.actor_id].kind in ("state", "place") and e.form in ("name", "variant")
                   for e in self.dictionary.aliases[alias])

    def _unknown(self, text: str, mentions: Sequence[Mention], doc_id: str, idx: int) -> Iterable[Mention]:
        covered = [(m.start, m.end) for m in mentions]
        for match in _CAPITALISED.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in covered):
                continue
            if start == 0 and " " not in match.group(0):
                continue  # a capitalised first word is usually just the start of the sentence
            yield Mention(doc_id=doc_id, sentence_idx=idx, start=start, end=end, text=match.group(0),
                          reason=f"unknown: no dictionary entry matches '{match.group(0)}'", confidence=0.0)
