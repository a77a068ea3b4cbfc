"""Find events in a parsed sentence: trigger words, their source and target actors, the code.

The matcher reads a spaCy ``Doc`` (tagger and dependency parser only: no NER, no lemmatizer)
and the sentence's actor mentions from the dictionary resolver. For each word that the
lexicon knows as an event verb it finds

- the **source**: the subject, the ``by`` agent of a passive ("was received by Lavrov"), the
  controller of an infinitive ("agreed to send": the one who agreed), the subject a
  coordinated verb shares ("condemned ... and urged"), the noun a relative clause hangs on
  ("Russia, which hosted ..."), or, for "it"/"we"/"they", the speaker whose words the clause
  reports ("Moscow said it would ...", '"We will send aid," Lavrov said');
- the **target** in the slots the pattern names (object, dative, a preposition on the verb or
  its object: "met with", "imposed sanctions on"), expanding coordination ("Russia and China
  urged the Taliban"), apposition ("the envoy, Zamir Kabulov"), and names inside a phrase
  ("the Taliban delegation", "Russia's embassy"; "a delegation of the Taliban");
- the **code**: the pattern's, refined by theme words ("humanitarian aid": 073), or, for a
  light verb, the code of its noun ("held talks"), or, for a frame verb, the composition of
  the frame and the event it frames ("urged X to hold talks": 026).

An event needs an actor on both sides, except mobilisation: no target is ever invented from
an object that is not an actor. Negation, modality and the speaker are read from the verb
and the chain of frames and clauses above it (:mod:`dyadwatch.coding.rules.modality`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from dyadwatch.coding.rules.lexicon import Lexicon, NounSpec, Pattern, Slot
from dyadwatch.coding.rules.modality import Context, read_context
from dyadwatch.records import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["Found", "Matcher"]

_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_PRONOUNS = frozenset({"it", "he", "she", "they", "we", "i"})
_RELATIVE = frozenset({"WDT", "WP"})
_NP_DEPS = frozenset({"compound", "amod", "poss", "nmod", "npadvmod"})
# verbs whose object is the one who is to act: "urged the Taliban to form a government"
_OBJECT_CONTROL = frozenset({
    "urge", "ask", "call", "press", "pressure", "force", "invite", "encourage", "allow", "order",
    "persuade", "want", "help", "tell", "request", "push", "compel", "permit", "expect", "implore",
})
# raising verbs whose passive subject is the actor of the infinitive: "Moscow is expected to keep"
_RAISING = frozenset({"expected", "scheduled", "set", "due", "said", "reported", "believed", "thought", "alleged", "likely"})
# "a round of talks", "a series of meetings", "a shipment of wheat": the event is the "of" noun
_QUANTIFIERS = frozenset({"round", "rounds", "series", "number", "session", "sessions", "set", "batch", "new", "days",
                          "weeks", "dollars", "worth", "tons", "tonnes", "kg", "million", "billion", "package", "wave"})
# roots whose stated future is an intent to cooperate (03x), and those whose stated future is a threat (13x)
_COOPERATIVE_ROOTS = frozenset({"04", "05", "06", "07", "08"})
_COERCIVE_ROOTS = frozenset({"14", "15", "16", "17", "18", "19", "20"})
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside"})
# "a delegation led by X", "the diplomat sent by Kabul": the agent is the owner ("victims killed
# by X" are not X's)
_OWNER_VERBS = frozenset({"sent", "led", "appointed", "named", "nominated", "dispatched", "deployed", "headed",
                          "commanded", "accredited", "chosen", "designated", "backed", "funded"})
# "a court in Guyana", "the government in Kabul": an institution in a country is that country's
_INSTITUTION_SECTORS = frozenset({"GOV", "JUD", "LEG", "COP"})
_FOREIGN_POSTS = frozenset({"embassy", "embassies", "consulate", "consulates", "mission", "missions", "envoy", "envoys",
                            "ambassador", "ambassadors", "diplomat", "diplomats", "delegation", "delegations"})
# a gerund after these prepositions has the subject of the clause it hangs on ("after meeting
# X, Lavrov said"); after "for" (a reason) it may be anyone's
_TEMPORAL_PREPS = frozenset({"after", "before", "while", "by", "during", "upon", "on", "since", "through", "via", "without"})
# verbs of saying that, said of another's coercive act, are an accusation (112)
_ACCUSING_REPORTS = frozenset({"claim", "claimed", "claims", "claiming", "allege", "alleged", "alleges", "alleging"})
# verbs by which a named event took place, for "talks between X and Y" (with the lexicon's %occur)
_HOSTING = frozenset({"host", "hosted", "hosts", "hosting", "sign", "signed", "reach", "reached", "broker", "brokered"})
_STATE_SECTORS = frozenset({None, "", "GOV", "MIL", "LEG", "SPY", "COP"})
_IRREGULAR_SECTORS = frozenset({"INS", "REB", "UAF", "SEP", "CRM", "RAD"})


@dataclass(slots=True)
class Found:
    """One event found in a sentence, before it becomes an :class:`~dyadwatch.records.Event`."""

    code: str
    rule: str
    source: int  # index into the sentence's mentions
    target: int | None
    trigger: int  # token index of the verb or noun that names the event
    chain: tuple[int, ...]  # the trigger and the frames above it (token indices)
    verb: tuple[int, int]  # characters of the verb phrase
    confidence: float
    context: Context
    families: tuple[str, ...] = ()
    location: int | None = None  # a mention used as the place


@dataclass(slots=True)
class _Inner:
    """A framed event: what "to hold talks with X" in "urged Y to hold talks with X" codes."""

    code: str
    rule: str
    token: int
    targets: list[int]
    subject: list[int] | None
    span: tuple[int, int]
    families: tuple[str, ...] = ()
    threatened: bool = False
    sym: bool = False


@dataclass(slots=True)
class _Sentence:
    doc: Doc
    tokens: list[Token]  # the doc's tokens, made once (each iteration of a Doc builds new objects)
    mentions: list[Mention]
    tok_men: list[int]
    consumed: set[int] = field(default_factory=set)
    composed: dict[tuple[int, int], int] = field(default_factory=dict)


_NOT_PLACES = frozenset({"IGO", "NGO", "IMG", "MNC", "UIS", "INT"})


def _is_place(mention: Mention) -> bool:
    """A country or a place in one (a capital, a province), not a person or organisation."""
    return mention.sector is None and mention.country is not None and mention.country not in _NOT_PLACES


def _weak(mention: Mention) -> bool:
    """An agent word with no country or entry: "officials", "troops", "the government"."""
    return mention.country is None and mention.actor_id is None


def _is_verbal(tok: Token) -> bool:
    tag = tok.tag_
    if tag.startswith("VB"):
        return True
    # the small model sometimes tags a verb as a noun ("Russia hosts talks"): accept a noun
    # that governs both a subject and an object
    if tag in ("NN", "NNS"):
        deps = {c.dep_ for c in tok.children}
        return "nsubj" in deps and "dobj" in deps
    return False


def _is_passive(v: Token) -> bool:
    if v.dep_ == "acl" and v.tag_ == "VBN":
        return True
    return any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in v.children)


def _spec_matches(spec: NounSpec, tok: Token) -> bool:
    if tok.lower_ not in spec.heads:
        return False
    if spec.modifier is not None:
        words = spec.modifier.split()
        lefts = [c.lower_ for c in tok.lefts]
        if not all(w in lefts for w in words):
            return False
    if spec.of is not None:
        return any(p.lower_ in spec.of for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                   for p in c.children if p.dep_ == "pobj")
    return True


class Matcher:
    """Applies a :class:`~dyadwatch.coding.rules.lexicon.Lexicon` to parsed sentences."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # lemma -> the frames it can carry, for telling framed clauses apart quickly
        self._frames: dict[str, frozenset[str]] = {
            lemma: frozenset(p.frame for p in patterns if p.frame is not None and p.frame != "accuse")
            for lemma, patterns in lexicon.verbs.items()
        }

    # ------------------------------------------------------------------ entry point

    def match(self, doc: Doc, mentions: Sequence[Mention]) -> tuple[list[Found], list[Mention]]:
        """The events of one parsed sentence whose actor mentions are ``mentions``, and the
        mentions their indices point into: the given ones, then any this matcher composed
        ("U.S. officials" when the resolver found "U.S." and "officials" apart)."""
        s = self._sentence(doc, mentions)
        framed = self._framed(s.tokens)
        found: list[Found] = []
        forms = self.lexicon.forms
        nominals: list[Token] = []
        for tok in s.tokens:
            lower = tok.lower_
            if lower in self.lexicon.nominals:
                nominals.append(tok)
            lemmas = forms.get(lower)
            if not lemmas or s.tok_men[tok.i] >= 0 or not _is_verbal(tok):
                continue
            for lemma in lemmas:
                events = self._verb(s, tok, lemma)
                if events:
                    found.extend(events)
                    break
        found.extend(self._between(s, nominals))
        kept: dict[tuple[int, int | None, str], Found] = {}
        for event in found:
            if (event.trigger in s.consumed or event.trigger in framed) and "between" not in event.families:
                continue  # a framed event, coded by its frame ("denied supplying": not a supply)
            key = (event.source, event.target, event.code)
            if key not in kept or kept[key].confidence < event.confidence:
                kept[key] = event
            accusation = self._accusation(s, event)
            if accusation is not None:
                key = (accusation.source, accusation.target, accusation.code)
                kept.setdefault(key, accusation)
        return list(kept.values()), s.mentions

    def _accusation(self, s: _Sentence, event: Found) -> Found | None:
        """"The US claimed that ISIL had attacked Iraq": besides the reported attack, the claim
        itself accuses ISIL (112). Only verbs of claiming and alleging, only of coercion."""
        context = event.context
        if context.speaker is None or context.speaker_token is None or not context.speaker_is_verb:
            return None
        if s.doc[context.speaker_token].lower_ not in _ACCUSING_REPORTS or event.code[:2] not in _COERCIVE_ROOTS:
            return None
        if not self._different(s, context.speaker, event.source):
            return None
        verb = s.doc[context.speaker_token]
        accused = replace(context, modality="asserted", negated=False, speaker=None, speaker_token=None, spans=())
        return Found(code="112", rule=f"{verb.lower_}:claim+{event.rule}", source=context.speaker, target=event.source,
                     trigger=verb.i, chain=(verb.i,), verb=(verb.idx, verb.idx + len(verb.text)),
                     confidence=round(event.confidence * 0.8, 3), context=accused,
                     families=(*event.families, "accusation"), location=None)

    def _framed(self, tokens: Sequence[Token]) -> set[int]:
        """Verbs framed by an appeal, demand, intent, threat, rejection or denial: "urged X to
        release Y" does not say Y was released, whether or not the appeal itself is coded."""
        framed: set[int] = set()
        for tok in tokens:
            dep = tok.dep_
            if dep not in ("xcomp", "ccomp") or not tok.tag_.startswith("VB"):
                continue
            for lemma in self.lexicon.lemmas(tok.head.lower_):
                frames = self._frames.get(lemma)
                if frames and (dep == "xcomp" or frames & {"appeal", "demand", "intend"}):
                    framed.add(tok.i)
        return framed

    @staticmethod
    def _sentence(doc: Doc, mentions: Sequence[Mention]) -> _Sentence:
        tokens = list(doc)
        starts = [tok.idx for tok in tokens]
        ends = [start + len(tok) for start, tok in zip(starts, tokens, strict=True)]
        tok_men = [-1] * len(tokens)
        for index in sorted(range(len(mentions)), key=lambda i: mentions[i].start):
            mention = mentions[index]
            for i in range(bisect_right(ends, mention.start), len(tokens)):
                if starts[i] >= mention.end:
                    break
                tok_men[i] = index
        return _Sentence(doc, tokens, list(mentions), tok_men)

    def subject_and_object(self, doc: Doc, mentions: Sequence[Mention]) -> tuple[int, int, int] | None:
        """For the fallback model: the first event-verb whose subject and some later phrase are
        two different actors, as (verb token, source mention, target mention)."""
        s = self._sentence(doc, mentions)
        tok_men = s.tok_men
        for tok in doc:
            if not self.lexicon.lemmas(tok.lower_) or tok_men[tok.i] >= 0 or not _is_verbal(tok):
                continue
            sources, _ = self._sources(s, tok)
            if len(sources) != 1:
                continue
            subject_tokens = {t.i for c in tok.children if c.dep_ in _SUBJECT_DEPS for t in c.subtree}
            for t in tok.subtree:
                m = tok_men[t.i]
                if m >= 0 and m != sources[0] and t.i not in subject_tokens and self._different(s, sources[0], m):
                    return tok.i, sources[0], m
        return None

    # ------------------------------------------------------------------ one verb

    def _verb(self, s: _Sentence, v: Token, lemma: str) -> list[Found]:
        for pattern in self.lexicon.verbs.get(lemma, ()):
            events = self._apply(s, v, pattern)
            if events:
                return events
        return []

    def _objects(self, v: Token, pattern: Pattern | None = None) -> list[Token]:
        """The verb's object(s): dobj, or the subject of a passive; "a round of talks" -> talks."""
        if v.dep_ == "acl" and v.tag_ == "VBN":
            found = [v.head]
        elif _is_passive(v):
            found = [c for c in v.children if c.dep_ == "nsubjpass"]
        else:
            found = [c for c in v.children if c.dep_ in ("dobj", "obj")]
        particle = pattern.particle if pattern is not None else None
        out: list[Token] = []
        for tok in found:
            if particle is not None and tok.lower_ == particle:
                continue
            if tok.tag_ in _RELATIVE and v.dep_ == "relcl":
                tok = v.head  # "the aid that Russia sent": the antecedent
            if tok.lower_ in _QUANTIFIERS:
                inner = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children if p.dep_ == "pobj"]
                if inner:
                    tok = inner[0]
            out.append(tok)
        return out

    def _has_particle(self, v: Token, particle: str) -> bool:
        return any(c.lower_ == particle and c.dep_ in ("prt", "prep", "dobj", "acomp", "oprd", "advmod", "dative")
                   for c in v.children)

    def _constraints(self, v: Token, pattern: Pattern, objects: list[Token]) -> Token | None | Literal[False]:
        """False if the pattern's particle or object does not fit; else the matched object (or None)."""
        if pattern.particle is not None and not self._has_particle(v, pattern.particle):
            return False
        if pattern.excluded and any(_spec_matches(spec, tok) for tok in objects for spec in pattern.excluded):
            return False
        if pattern.bare and any(c.dep_ in ("oprd", "xcomp", "ccomp", "acomp") for c in v.children):
            return False
        if pattern.objects:
            candidates = list(objects)
            if not candidates:
                # "agreed on a ceasefire", "took part in talks": a prepositional object
                candidates = [p for c in v.children if c.dep_ == "prep" and c.lower_ in ("on", "to", "in", "for", "into")
                              for p in c.children if p.dep_ == "pobj"]
            for tok in candidates:
                if any(_spec_matches(spec, tok) for spec in pattern.objects):
                    return tok
            return False
        return None

    def _nominal_of(self, tok: Token, context: Token | None = None) -> Pattern | None:
        """The nominal pattern a noun names ("talks" -> @talk.1), its modifiers checked."""
        if not tok.tag_.startswith("NN") and tok.tag_ != "VBG":
            return None
        for pattern in self.lexicon.nominals.get(tok.lower_, ()):
            if pattern.nominal is not None and not _spec_matches(pattern.nominal, tok):
                continue
            if pattern.modifiers:
                words = {c.lower_ for c in tok.children}
                if context is not None:
                    words.update(c.lower_ for c in context.children)
                if not words & pattern.modifiers:
                    continue
            return pattern
        return None

    def _apply(self, s: _Sentence, v: Token, pattern: Pattern) -> list[Found]:
        objects = self._objects(v, pattern)
        matched = self._constraints(v, pattern, objects)
        if matched is False:
            return []
        if pattern.frame is not None:
            return self._frame(s, v, pattern, objects)
        families: list[str] = []
        bases = [v, *objects]
        event = pattern
        rule = pattern.rule_id
        span_end = v.idx + len(v.text)
        if pattern.light:
            nominal_tok, nominal = self._light_object(v, objects)
            if nominal is None or nominal_tok is None:
                return []
            event, rule = nominal, f"{pattern.rule_id}+{nominal.rule_id}"
            bases = [v, nominal_tok]
            families.append("light")
            span_end = nominal_tok.idx + len(nominal_tok.text)
        elif matched is not None and matched is not False:
            span_end = max(span_end, matched.idx + len(matched.text))
        assert event.code is not None
        sources, source_families = self._sources(s, v)
        if not sources:
            return []
        families.extend(source_families)
        targets, slot = self._targets(s, event.slots, v, bases, objects, exclude=sources)
        if slot is not None and slot.name not in ("obj", "iobj"):
            families.append("prep")
        code = self._refine(s, event.code, v, bases[1:] if len(bases) > 1 else objects, sources)
        span = (min(v.idx, bases[-1].idx if pattern.light else v.idx), span_end)
        return self._emit(s, v, code, rule, sources, targets, pattern=event, families=families, chain=(v.i,),
                          span=span, slot=slot, allow_none=event.allow_none or pattern.allow_none,
                          sym=event.sym or pattern.sym, reverse=pattern.reverse, base_conf=min(pattern.confidence, event.confidence))

    def _light_object(self, v: Token, objects: list[Token]) -> tuple[Token | None, Pattern | None]:
        candidates = list(objects)
        candidates += [p for c in v.children if c.dep_ == "prep" and c.lower_ in ("in", "on", "into")
                       for p in c.children if p.dep_ == "pobj"]
        for tok in candidates:
            nominal = self._nominal_of(tok, v)
            if nominal is not None:
                return tok, nominal
        # "a mediation mission", "a mediation effort": the noun before the head names the event
        for tok in candidates:
            for c in tok.lefts:
                if c.dep_ == "compound":
                    nominal = self._nominal_of(c, v)
                    if nominal is not None:
                        return tok, nominal
        return None, None

    # ------------------------------------------------------------------ frames

    def _complement(self, v: Token, objects: list[Token]) -> Token | None:
        for c in v.children:
            if c.dep_ == "xcomp" and (_is_verbal(c) or c.tag_.startswith("VB")):
                return c
        for c in v.children:
            if c.dep_ == "ccomp" and c.tag_.startswith("VB"):
                return c
        for tok in objects:
            if tok.tag_ == "VBG" or self._nominal_of(tok, v) is not None:
                return tok
        for c in v.children:
            if c.dep_ in ("prep", "prt") and c.lower_ in ("for", "to", "on", "with", "of", "against", "in", "into", "from"):
                for g in c.children:
                    if g.dep_ == "pcomp" and g.tag_.startswith("VB"):
                        return g
                    if g.dep_ == "pobj" and (g.tag_ == "VBG" or self._nominal_of(g, v) is not None):
                        return g
        return None

    def _inner(self, s: _Sentence, c: Token, frame_verb: Token, depth: int) -> _Inner | None:
        """The event a frame's complement names, with its targets (its source is the frame's)."""
        if depth > 3:
            return None
        nominal = self._nominal_of(c, frame_verb) if c.tag_.startswith("NN") else None
        if nominal is not None and nominal.code is not None:
            targets, _ = self._targets(s, nominal.slots, c, [c, frame_verb], [], exclude=set())
            code = self._refine(s, nominal.code, c, [c], [])
            return _Inner(code, nominal.rule_id, c.i, targets, None, (c.idx, c.idx + len(c.text)), ("nominal",),
                          sym=nominal.sym)
        if not (c.tag_.startswith("VB") or _is_verbal(c)):
            return None
        subject: list[int] | None = None
        if c.dep_ == "ccomp":
            own = [t for t in c.children if t.dep_ in _SUBJECT_DEPS or t.dep_ == "nsubjpass"]
            if own and own[0].lower_ not in _PRONOUNS:
                subject = self._actors(s, own[0])[0]
        best: _Inner | None = None
        for lemma in self.lexicon.lemmas(c.lower_):
            for pattern in self.lexicon.verbs.get(lemma, ()):
                objects = self._objects(c, pattern)
                matched = self._constraints(c, pattern, objects)
                if matched is False:
                    continue
                end = c.idx + len(c.text)
                if pattern.frame is not None:
                    sub = self._complement(c, objects)
                    inner = self._inner(s, sub, c, depth + 1) if sub is not None else None
                    if inner is None:
                        if pattern.code is None:
                            continue
                        own_targets, _ = self._targets(s, pattern.slots, c, [c, *objects], objects, exclude=set())
                        candidate = _Inner(pattern.code, pattern.rule_id, c.i, own_targets, subject, (c.idx, end))
                    else:
                        composed, threatened = self._compose(pattern, inner.code)
                        if composed is None:
                            continue
                        s.consumed.add(inner.token)
                        candidate = _Inner(composed, f"{pattern.rule_id}+{inner.rule}", c.i, inner.targets, subject,
                                           (c.idx, max(end, inner.span[1])), ("frame",), threatened, inner.sym)
                elif pattern.light:
                    tok, nominal = self._light_object(c, objects)
                    if tok is None or nominal is None or nominal.code is None:
                        continue
                    targets, _ = self._targets(s, nominal.slots, c, [c, tok], objects, exclude=set())
                    code = self._refine(s, nominal.code, c, [tok], [])
                    candidate = _Inner(code, f"{pattern.rule_id}+{nominal.rule_id}", c.i, targets, subject,
                                       (c.idx, tok.idx + len(tok.text)), ("light",), sym=nominal.sym)
                else:
                    assert pattern.code is not None
                    targets, _ = self._targets(s, pattern.slots, c, [c, *objects], objects, exclude=set())
                    code = self._refine(s, pattern.code, c, objects, [])
                    candidate = _Inner(code, pattern.rule_id, c.i, targets, subject, (c.idx, end), sym=pattern.sym)
                if candidate.targets:
                    return candidate
                if best is None:
                    best = candidate
        return best

    def _compose(self, pattern: Pattern, code: str) -> tuple[str | None, bool]:
        """The frame's code for a framed event of ``code``, and whether it is a threat."""
        frame = pattern.frame
        assert frame is not None
        if frame == "deny":
            return code, False
        if frame == "accuse":
            return pattern.code, False
        composed = self.lexicon.compose(frame, code)
        if frame == "intend" and code[:2] >= "13":
            threat = self.lexicon.compose("threaten", code)
            if threat is not None:
                return threat, True
        if frame == "threaten":
            return composed or pattern.code, True
        if composed is None:
            return (None if frame == "halt" else pattern.code), False
        return composed, False

    def _frame(self, s: _Sentence, v: Token, pattern: Pattern, objects: list[Token]) -> list[Found]:
        sources, source_families = self._sources(s, v)
        if not sources:
            return []
        complement = self._complement(v, objects)
        inner = self._inner(s, complement, v, 1) if complement is not None else None
        own, own_slot = self._targets(s, pattern.slots, v, [v, *objects], objects, exclude=sources)
        families = ["frame", *source_families]
        negated_by_frame = False
        threatened = False
        if (inner is not None and inner.subject is not None and pattern.frame not in ("appeal", "demand")
                and not set(inner.subject) & set(sources)):
            # "Moscow warned that the Taliban would attack": a report, not Moscow's threat
            inner = None
            complement = None
        if inner is None:
            if pattern.code is None:
                return []
            code = pattern.code
            if pattern.frame == "accuse" and complement is not None:
                code = self.lexicon.refine(code, self._words(s, complement, set()))
            targets, slot, rule, span = own, own_slot, pattern.rule_id, (v.idx, v.idx + len(v.text))
            families = [*source_families]
            if not targets and complement is not None and self._may_search_complement(pattern, v, objects, complement):
                # "demanded that the US cancel its plans": the one asked to act; "threatened to cut
                # off electricity to Nakhichevan": the one the threat is about
                targets = self._complement_actors(s, complement, sources)
                if targets:
                    families.append("complement")
        else:
            code_or_none, threatened = self._compose(pattern, inner.code)
            if code_or_none is None:
                return []
            code = code_or_none
            if pattern.frame == "accuse":
                code = self.lexicon.refine(code, self._words(s, s.doc[inner.token], set()))
            s.consumed.add(inner.token)
            rule = f"{pattern.rule_id}+{inner.rule}"
            span = (min(v.idx, inner.span[0]), max(v.idx + len(v.text), inner.span[1]))
            families.extend(inner.families)
            if pattern.frame in ("appeal", "demand"):
                targets = own or (inner.subject or []) or inner.targets
            elif pattern.frame in ("accuse", "threaten", "intend"):
                targets = own or inner.targets
            else:
                targets = inner.targets or own
            if not targets and complement is not None and self._may_search_complement(pattern, v, objects, complement):
                targets = self._complement_actors(s, complement, sources)
                if targets:
                    families.append("complement")
            slot = own_slot
            negated_by_frame = pattern.frame == "deny"
            threatened = threatened or inner.threatened
        targets = [t for t in targets if all(self._different(s, t, src) for src in sources)]
        chain = (v.i,) if inner is None else (inner.token, v.i)
        return self._emit(s, v, code, rule, sources, targets, pattern=pattern, families=families, chain=chain,
                          span=span, slot=slot, allow_none=False, sym=False,
                          mutual=pattern.sym or (inner is not None and inner.sym), reverse=pattern.reverse,
                          base_conf=pattern.confidence * (0.95 if inner is not None else 1.0) * (0.8 if "complement" in families else 1.0),
                          frame=pattern.frame if inner is not None else None, denied=negated_by_frame,
                          threatened=threatened)

    @staticmethod
    def _may_search_complement(pattern: Pattern, v: Token, objects: Sequence[Token], complement: Token) -> bool:
        """Whether a frame with no target may take one from its clause: appeals and demands
        that name no addressee ("demanded that X ..."), threats and refusals by infinitive
        ("threatened to cut off electricity to X"); never a "that" clause of a threat, which
        reports ("warned that IS fighters are trying ..."), nor past an addressee who is no actor
        ("urged members to keep the U.S. engaged")."""
        if pattern.frame in ("appeal", "demand"):
            return not objects and not any(c.dep_ in ("dative", "iobj") for c in v.children)
        if pattern.frame in ("threaten", "reject"):
            return complement.dep_ == "xcomp"
        return False

    def _complement_actors(self, s: _Sentence, complement: Token, sources: Sequence[int]) -> list[int]:
        """Actors named by a framed clause that is no event of the lexicon: its subject (for a
        clause of its own), else the first actor among its objects and prepositions."""
        if complement.dep_ == "ccomp":
            own = [t for t in complement.children if t.dep_ in _SUBJECT_DEPS]
            if own and own[0].lower_ not in _PRONOUNS:
                found = [m for m in self._actors(s, own[0])[0] if all(self._different(s, m, src) for src in sources)]
                if found:
                    return found
        skip = {t.i for c in complement.children if c.dep_ in (*_SUBJECT_DEPS, "advcl", "mark") for t in c.subtree}
        for t in complement.subtree:
            if t.i in skip or t.i == complement.i:
                continue
            m = s.tok_men[t.i]
            if m >= 0 and not _weak(s.mentions[m]) and all(self._different(s, m, src) for src in sources):
                return [m]
        return []

    # ------------------------------------------------------------------ actors

    def _actors(self, s: _Sentence, tok: Token, *, direct: bool = False, deep: bool = False) -> tuple[list[int], list[str]]:
        """The actor mentions a phrase headed by ``tok`` names, coordination expanded."""
        found: list[int] = []
        families: list[str] = []
        heads = [tok, *tok.conjuncts]
        index = s.tok_men[tok.i]
        for c in tok.children:
            # "Barack Obama and Vladimir Putin" parsed with the conjunct on "Obama", inside the name;
            # "The US, Russia, and Switzerland" parsed as an apposition holding a list
            if index >= 0 and s.tok_men[c.i] == index:
                heads.extend(c.conjuncts)
            elif c.dep_ == "appos" and c.conjuncts and s.tok_men[c.i] >= 0:
                heads.extend((c, *c.conjuncts))
        for head in heads:
            actor, how = self._np_actor(s, head, direct=direct, deep=deep)
            if actor is None:
                continue
            if actor not in found:
                found.append(actor)
                if how:
                    families.append(how)
            # "Russian and Uzbek forces": the coordinated modifiers are actors too
            for extra in self._coordinated_modifiers(s, head, actor):
                if extra not in found:
                    found.append(extra)
        if len(found) > 1:
            families.append("coord")
        return found, families

    def _coordinated_modifiers(self, s: _Sentence, head: Token, index: int) -> list[int]:
        out: list[int] = []
        agent = s.mentions[index]
        for c in head.lefts:
            if c.dep_ not in ("amod", "compound", "nmod") or not c.conjuncts:
                continue
            for t in (c, *c.conjuncts):
                m = s.tok_men[t.i]
                if m < 0 or m == index or _weak(s.mentions[m]):
                    continue
                out.append(self._compose_mention(s, agent, m, span="owner") if agent.sector and s.mentions[m].sector is None else m)
        return out

    def _np_actor(self, s: _Sentence, head: Token, *, direct: bool, deep: bool, depth: int = 0) -> tuple[int | None, str]:
        tok_men = s.tok_men
        index = tok_men[head.i]
        if index >= 0:
            if _weak(s.mentions[index]) and depth < 2:
                # "U.S. officials" tagged apart, "its citizens", "the diplomat sent by Kabul"
                country = self._country_of_phrase(s, head, index, depth)
                if country is not None:
                    return country, "np"
            return index, ""
        for c in head.children:
            if c.dep_ == "appos" and tok_men[c.i] >= 0:
                return tok_men[c.i], "appos"
        if direct:
            return None, ""
        stack = [c for c in head.children if c.dep_ in _NP_DEPS]
        while stack:
            c = stack.pop(0)
            m = tok_men[c.i]
            if m >= 0 and not _weak(s.mentions[m]):  # "military" in "military bases" is no actor
                return m, "np"
            stack.extend(g for g in c.children if g.dep_ in _NP_DEPS)
        for c in head.children:
            # "a delegation of the Taliban", "the attack by the Islamic State", "an offer from Kabul"
            if c.dep_ in ("prep", "agent") and c.lower_ in ("of", "by", "from"):
                for p in c.children:
                    if p.dep_ == "pobj":
                        inner, _ = self._np_actor(s, p, direct=False, deep=False, depth=depth + 1)
                        if inner is not None and not _weak(s.mentions[inner]):
                            return inner, "np"
        if deep:
            for t in head.subtree:
                m = tok_men[t.i]
                if m >= 0 and not _weak(s.mentions[m]):
                    return m, "deep"
        return None, ""

    def _country_of_phrase(self, s: _Sentence, head: Token, index: int, depth: int) -> int | None:
        """The actor a weak head word ("officials") belongs to, from its own phrase."""
        tok_men = s.tok_men
        candidates: list[Token] = []
        for c in head.children:
            if c.dep_ in ("compound", "amod", "nmod", "poss") and tok_men[c.i] != index:
                candidates.append(c)
            elif c.dep_ == "prep" and c.lower_ in ("of", "from") or c.dep_ == "prep" and c.lower_ == "in" and s.mentions[index].sector in _INSTITUTION_SECTORS \
                    and head.lower_ not in _FOREIGN_POSTS:
                candidates.extend(p for p in c.children if p.dep_ == "pobj")
            elif c.dep_ == "acl" and c.tag_ == "VBN" and c.lower_ in _OWNER_VERBS:
                candidates.extend(p for a in c.children if a.dep_ == "agent" for p in a.children if p.dep_ == "pobj")
        for c in candidates:
            m = tok_men[c.i]
            if m >= 0 and m != index and not _weak(s.mentions[m]):
                return self._combine(s, index, m)
            if c.dep_ == "poss" and c.lower_ in ("its", "their", "his", "her", "our"):
                owner = self._antecedent_of_possessive(s, head, depth)
                if owner is not None:
                    return self._combine(s, index, owner, span="agent")
            if c.dep_ == "pobj":
                inner, _ = self._np_actor(s, c, direct=False, deep=False, depth=depth + 1)
                if inner is not None and not _weak(s.mentions[inner]):
                    return self._combine(s, index, inner)
        return None

    def _antecedent_of_possessive(self, s: _Sentence, head: Token, depth: int) -> int | None:
        """"Beijing urged its citizens": the subject of the clause; "The Taliban said their
        fighters would ...": the speaker when the phrase is itself the subject."""
        verb = head
        for _ in range(6):
            if verb.tag_.startswith("VB") or verb.head.i == verb.i:
                break
            verb = verb.head
        if not verb.tag_.startswith("VB"):
            return None
        in_subject = any(head.i in {t.i for t in c.subtree} for c in verb.children if c.dep_ in _SUBJECT_DEPS)
        if not in_subject:
            tokens, _, _ = self._subject_tokens(verb)
            for tok in tokens:
                m = s.tok_men[tok.i]
                if m >= 0 and not _weak(s.mentions[m]):
                    return m
        found = self._antecedent(s, verb)
        strong = [m for m in found if not _weak(s.mentions[m])]
        return strong[0] if strong else None

    def _combine(self, s: _Sentence, weak: int, strong: int, *, span: str = "both") -> int:
        """A weak agent mention read with the actor it belongs to: "U.S." + "officials" is USAGOV."""
        owner = s.mentions[strong]
        if owner.sector not in _STATE_SECTORS:
            return strong  # "their fighters" of the Taliban: the Taliban themselves
        if owner.sector is not None and span != "agent":
            return strong
        # "U.S. officials"; "its citizens" of Beijing (its government): the country's citizens
        return self._compose_mention(s, s.mentions[weak], strong, span=span)

    def _compose_mention(self, s: _Sentence, agent: Mention, strong: int, *, span: str = "both") -> int:
        """A new mention: ``agent``'s sector, ``strong``'s country; its span covers both words
        when they stand together, else the owner's ("Russian" of "Russian and Uzbek troops")
        or the agent's ("citizens" of "its citizens")."""
        key = (id(agent), strong)
        if key in s.composed:
            return s.composed[key]
        owner = s.mentions[strong]
        adjacent = abs(agent.start - owner.end) <= 3 or abs(owner.start - agent.end) <= 3
        if span == "both" and adjacent:
            start, end = min(agent.start, owner.start), max(agent.end, owner.end)
        elif span == "owner":
            start, end = owner.start, owner.end
        else:
            start, end = agent.start, agent.end
        text = s.doc.text[start:end]
        composed = Mention(
            doc_id=agent.doc_id, sentence_idx=agent.sentence_idx, start=start, end=end, text=text,
            actor_id=None, country=owner.country, sector=agent.sector,
            reason=f"{agent.reason}; dyadwatch: the {agent.sector or ''} of '{owner.text}' ({owner.country}) by the phrase",
            confidence=round(min(0.8, owner.confidence), 3),
        )
        s.mentions.append(composed)
        index = s.composed[key] = len(s.mentions) - 1
        return index

    def _subject_tokens(self, v: Token, depth: int = 0) -> tuple[list[Token], Token, list[str]]:
        """The tokens that are the source of ``v``, the verb that owns them, and how they were found."""
        if _is_passive(v):
            agents = [p for c in v.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
            if not agents:
                # "four people were killed in Israeli tank shelling", "... in a U.S. drone strike"
                agents = self._attack_authors(v)
                return agents, v, ["passive", "attack-author"] if agents else ["passive"]
            return agents, v, ["passive"]
        subjects = [c for c in v.children if c.dep_ in _SUBJECT_DEPS]
        if subjects:
            first = subjects[0]
            if first.tag_ in _RELATIVE and v.dep_ == "relcl":
                return [v.head], v, ["relcl"]
            return [first], v, []
        if depth > 5 or v.head.i == v.i:
            return [], v, []
        head, dep = v.head, v.dep_
        if dep == "conj":
            tokens, owner, how = self._subject_tokens(head, depth + 1)
            return tokens, owner, [*how, "conj-verb"]
        if dep == "xcomp":
            head_lemmas = set(self.lexicon.lemmas(head.lower_)) | {head.lower_}
            objects = [c for c in head.children if c.dep_ in ("dobj", "obj")]
            if objects and head_lemmas & _OBJECT_CONTROL:
                return [objects[0]], head, ["control"]
            if _is_passive(head) and head.lower_ in _RAISING:
                raised = [c for c in head.children if c.dep_ == "nsubjpass"]
                if raised:
                    return raised, head, ["control"]
            tokens, owner, how = self._subject_tokens(head, depth + 1)
            return tokens, owner, [*how, "control"]
        if dep == "pcomp" and head.lower_ not in _TEMPORAL_PREPS:
            return [], v, []
        if dep == "acomp" or (dep == "advcl" and v.tag_ == "VBG") or dep == "pcomp":
            target = head.head if dep == "pcomp" else head
            if target.i == head.i or target.tag_.startswith("VB"):
                return self._subject_tokens(target, depth + 1)
        if dep == "relcl":
            return [head], v, ["relcl"]
        if dep == "acl" and v.tag_ == "VBG":
            return [head], v, ["relcl"]
        return [], v, []

    def _attack_authors(self, v: Token) -> list[Token]:
        """Who carried out the attack a passive violent verb happened "in" or "by"."""
        if not any(root in ("18", "19", "20") for lemma in self.lexicon.lemmas(v.lower_)
                   for p in self.lexicon.verbs.get(lemma, ()) if p.code for root in (p.code[:2],)):
            return []
        for c in v.children:
            if c.dep_ != "prep" or c.lower_ not in ("in", "during"):
                continue
            for attack in (p for p in c.children if p.dep_ == "pobj"):
                nominal = self._nominal_of(attack)
                if nominal is None or nominal.code is None or nominal.code[:2] not in ("18", "19", "20"):
                    continue
                by = [p for b in attack.children if b.dep_ == "prep" and b.lower_ == "by" for p in b.children if p.dep_ == "pobj"]
                return by or [attack]
        return []

    def _sources(self, s: _Sentence, v: Token) -> tuple[list[int], list[str]]:
        tokens, owner, how = self._subject_tokens(v)
        found: list[int] = []
        families = list(how)
        for tok in tokens:
            if tok.lower_ in _PRONOUNS and s.tok_men[tok.i] < 0:
                speaker = self._antecedent(s, owner)
                if speaker:
                    found.extend(m for m in speaker if m not in found)
                    families.append("pronoun")
                continue
            actors, more = self._actors(s, tok)
            found.extend(m for m in actors if m not in found)
            families.extend(more)
        return found, families

    def _antecedent(self, s: _Sentence, owner: Token) -> list[int]:
        """"Moscow said it would ...": the subject of the verb whose clause holds the pronoun."""
        t = owner
        for _ in range(6):
            if t.head.i == t.i:
                return []
            if t.dep_ in ("ccomp", "xcomp", "conj", "advcl", "parataxis", "relcl"):
                head = t.head
                if head.tag_.startswith("VB"):
                    tokens, _, _ = self._subject_tokens(head)
                    found: list[int] = []
                    for tok in tokens:
                        if tok.lower_ in _PRONOUNS and s.tok_men[tok.i] < 0:
                            continue
                        found.extend(self._actors(s, tok)[0])
                    if found:
                        return found
            t = t.head
        return []

    def _targets(self, s: _Sentence, slots: Sequence[Slot], v: Token, bases: Sequence[Token],
                 objects: Sequence[Token], *, exclude: Sequence[int] | set[int]) -> tuple[list[int], Slot | None]:
        for slot in slots:
            tokens: list[Token] = []
            if slot.name == "obj":
                tokens = list(objects)
            elif slot.name == "iobj":
                tokens = [c for c in v.children if c.dep_ in ("dative", "iobj") and c.tag_ != "IN"]
            elif slot.name == "mod":
                tokens = [c for b in bases[1:] for c in b.children if c.dep_ in _NP_DEPS]
            else:
                for base in bases:
                    for c in base.children:
                        if c.dep_ in ("prep", "dative", "prt", "agent") and c.lower_ == slot.name:
                            tokens.extend(p for p in c.children if p.dep_ == "pobj")
                            for other in c.conjuncts:  # "with X and with Y"
                                tokens.extend(p for p in other.children if p.dep_ == "pobj")
            found: list[int] = []
            for tok in tokens:
                if slot.name == "mod":
                    index = s.tok_men[tok.i]
                    actors = [index] if index >= 0 else []
                else:
                    actors, _ = self._actors(s, tok, direct=slot.direct, deep=slot.deep)
                found.extend(a for a in actors if a not in found and all(self._different(s, a, e) for e in exclude))
            if found:
                return found, slot
        return [], None

    # ------------------------------------------------------------------ codes

    def _words(self, s: _Sentence, tok: Token, skip: set[int]) -> set[str]:
        words: set[str] = set()
        previous = ""
        for t in tok.subtree:
            if s.tok_men[t.i] >= 0 and s.tok_men[t.i] in skip:
                previous = ""
                continue
            lower = t.lower_
            words.add(lower)
            if previous:
                words.add(f"{previous}_{lower}")
            previous = lower
        return words

    def _refine(self, s: _Sentence, code: str, v: Token, objects: Sequence[Token], sources: Sequence[int]) -> str:
        if code not in self.lexicon.refinements and code != "183":
            return code
        words: set[str] = set()
        for tok in objects:
            words |= self._words(s, tok, set())
        for c in v.children:
            if c.dep_ in ("prep", "agent") and c.lower_ in ("with", "by", "in", "using"):
                words |= self._words(s, c, set())
            elif c.dep_ in ("advmod", "npadvmod", "amod", "compound"):
                words.add(c.lower_)
        if v.tag_.startswith("NN"):
            words |= self._words(s, v, set())
        if code[:2] in ("18", "19", "20"):
            # "a suicide bomber struck", "a U.S. drone strike killed": the attacker's words
            for c in v.children:
                if c.dep_ in ("nsubj", "nsubjpass", "agent"):
                    words |= self._words(s, c, set())
        refined = self.lexicon.refine(code, words)
        if refined == "183" and v.tag_.startswith("VB") and sources:
            # a state that bombs uses aircraft (195); an armed group that bombs plants a bomb (183)
            source = s.mentions[sources[0]]
            if source.country and source.sector in _STATE_SECTORS and source.sector not in _IRREGULAR_SECTORS:
                return "195"
        return refined

    # ------------------------------------------------------------------ events

    def _different(self, s: _Sentence, a: int, b: int) -> bool:
        """Are two mentions two sides? Not when they are one actor, or a state and its own
        government ("Putin" and "Russia"); yes for a state and its rebels, people or parties."""
        if a == b:
            return False
        ma, mb = s.mentions[a], s.mentions[b]
        if ma.actor_id and ma.actor_id == mb.actor_id and ma.sector == mb.sector:
            return False
        if ma.country is None or ma.country != mb.country:
            return True
        if ma.sector == mb.sector:
            return bool(ma.actor_id and mb.actor_id and ma.actor_id != mb.actor_id and ma.sector not in _STATE_SECTORS)
        state = _STATE_SECTORS
        return not ((ma.sector is None and mb.sector in state) or (mb.sector is None and ma.sector in state))

    def _emit(self, s: _Sentence, v: Token, code: str, rule: str, sources: list[int], targets: list[int], *,
              pattern: Pattern, families: list[str], chain: tuple[int, ...], span: tuple[int, int],
              slot: Slot | None, allow_none: bool, sym: bool, reverse: bool, base_conf: float,
              frame: str | None = None, denied: bool = False, threatened: bool = False,
              mutual: bool = False) -> list[Found]:
        pairs: list[tuple[int, int | None, tuple[str, ...], float]] = []
        if targets:
            for src in sources:
                for tgt in targets:
                    if not self._different(s, src, tgt):
                        continue
                    pair = (tgt, src) if reverse else (src, tgt)
                    pairs.append((pair[0], pair[1], (), 1.0))
                    if sym:
                        pairs.append((pair[1], pair[0], ("sym",), 0.9))
        elif (sym or mutual) and len(sources) > 1:
            for src in sources:
                for tgt in sources:
                    if self._different(s, src, tgt):
                        pairs.append((src, tgt, ("sym",), 0.9))
        elif allow_none:
            pairs.extend((src, None, ("no-target",), 0.8) for src in sources)
        pairs = [p for p in pairs if p[1] is None or not (_weak(s.mentions[p[0]]) and _weak(s.mentions[p[1]]))]
        if not pairs:
            return []
        context = read_context(s.doc, chain, self.lexicon, frame=frame, denied=denied, threatened=threatened)
        if frame is None and context.future:
            # CAMEO codes a stated future as what it is: "will send aid" an intent to give aid
            # (033), "would blockade Paris" a threat of blockade (1381)
            if code[:2] in _COOPERATIVE_ROOTS:
                intent = self.lexicon.compose("intend", code)
                if intent is not None:
                    code, families = intent, [*families, "future"]
            elif code[:2] in _COERCIVE_ROOTS:
                threat = self.lexicon.compose("threaten", code)
                if threat is not None:
                    code, families = threat, [*families, "future"]
                    context = context.as_threat()
        speaker_mentions = self._speaker_mentions(s, context)
        location = self._location(s, chain, exclude={m for p in pairs for m in (p[0], p[1]) if m is not None})
        out: list[Found] = []
        slot_conf = 1.0
        if slot is not None and slot.deep:
            slot_conf = 0.85
        if "np" in families or "deep" in families:
            slot_conf = min(slot_conf, 0.9)
        if "pronoun" in families:
            slot_conf *= 0.9
        for src, other, extra, factor in pairs:
            source_conf = s.mentions[src].confidence
            target_conf = s.mentions[other].confidence if other is not None else 1.0
            confidence = base_conf * slot_conf * factor * (min(source_conf, target_conf) ** 0.5)
            out.append(Found(
                code=code, rule=rule, source=src, target=other, trigger=v.i, chain=chain, verb=span,
                confidence=round(max(0.05, min(0.99, confidence)), 3),
                context=context.with_speaker(speaker_mentions, src, s.mentions),
                families=tuple(dict.fromkeys((*families, *extra))), location=location,
            ))
        return out

    def _speaker_mentions(self, s: _Sentence, context: Context) -> list[int]:
        if context.speaker_token is None:
            return []
        tok = s.doc[context.speaker_token]
        if context.speaker_is_verb:
            tokens, _, _ = self._subject_tokens(tok)
            found: list[int] = []
            for t in tokens:
                found.extend(self._actors(s, t)[0])
            return found
        return self._actors(s, tok)[0]

    def _location(self, s: _Sentence, chain: tuple[int, ...], exclude: set[int]) -> int | None:
        """A place the event happened in: "in Moscow", "at the Termez range near the border"."""
        for index in chain:
            tok = s.doc[index]
            bases = [tok, *(c for c in tok.children if c.dep_ in ("dobj", "nsubjpass"))]
            for base in bases:
                for c in base.children:
                    if c.dep_ != "prep" or c.lower_ not in _LOCATIVE:
                        continue
                    for p in c.children:
                        if p.dep_ != "pobj":
                            continue
                        for place in (p, *(q for r in p.children if r.dep_ == "prep" and r.lower_ in _LOCATIVE
                                           for q in r.children if q.dep_ == "pobj")):
                            m, _ = self._np_actor(s, place, direct=False, deep=False)
                            if m is not None and m not in exclude and _is_place(s.mentions[m]):
                                return m
        return None

    # ------------------------------------------------------------------ "talks between X and Y"

    def _between(self, s: _Sentence, nominals: Sequence[Token]) -> list[Found]:
        out: list[Found] = []
        for tok in nominals:
            if not tok.tag_.startswith("NN"):
                continue
            preps = [c for c in tok.children if c.dep_ == "prep" and c.lower_ == "between"]
            if not preps:
                continue
            pattern = self._nominal_of(tok)
            if pattern is None or pattern.code is None or not pattern.sym:
                continue
            governor = self._occurrence(tok)
            if governor is None:
                continue
            sides: list[int] = []
            for prep in preps:
                for p in prep.children:
                    if p.dep_ == "pobj":
                        for m in self._actors(s, p)[0]:
                            if m not in sides:
                                sides.append(m)
            if len(sides) < 2:
                continue
            code = self._refine(s, pattern.code, tok, [tok], [])
            span = (tok.idx, tok.idx + len(tok.text))
            events = self._emit(s, tok, code, f"{pattern.rule_id}:between", sides, [], pattern=pattern,
                                families=["nominal", "between"], chain=(tok.i, governor.i), span=span, slot=None,
                                allow_none=False, sym=True, reverse=False, base_conf=pattern.confidence * 0.9)
            out.extend(events)
        return out

    def _occurrence(self, tok: Token) -> Token | None:
        """The verb by which a named event took place, if the sentence says it did."""
        lexicon = self.lexicon
        head = tok.head
        if tok.dep_ == "nsubj" and head.tag_.startswith("VB"):
            return head  # "Fighting between X and Y killed dozens": it took place
        if tok.dep_ in ("nsubjpass", "dobj") and head.tag_.startswith("VB"):
            lower = head.lower_
            if lower in lexicon.occur_forms or lower in _HOSTING:
                return head
            if any(p.light for lemma in lexicon.lemmas(lower) for p in lexicon.verbs.get(lemma, ())):
                return head
        for c in tok.children:
            if c.dep_ == "acl" and c.tag_ == "VBN" and (c.lower_ in lexicon.occur_forms or c.lower_ in _HOSTING):
                return c
        return None
