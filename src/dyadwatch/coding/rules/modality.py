"""Negation, modality and the speaker of an event, read from the parse around its verb.

An event is read from its verb (and the frame verbs above it: "agreed to send") upward to the
first verb of saying. On that path:

- **negation**: ``not``/``never``/``n't`` on the verb or a frame ("did not recognise", "did
  not agree to send"), ``no`` before its object ("held no talks"), ``failed to``, and a
  denial ("denied supplying weapons": the supply is coded, negated);
- **modality** (DESIGN.md's values): ``conditional`` for ``if``/``unless`` clauses, the modals
  could/might/may/should/must/can, "would" outside reported speech, and questions;
  ``threatened`` for threats ("threatened to impose", "vowed to retaliate");
  ``intended`` for will/shall/"going to"/"ready to"/"expected to", "would" in reported speech
  ("Lavrov said Russia would send aid") and intent frames ("pledged to", "agreed to");
  ``reported`` when a third party says it happened ("Afghan officials said Russia sent
  wheat", "amid reports that ...", "according to ..."); else ``asserted``;
- the **speaker**: the subject of the verb of saying, or the "according to" phrase.

The coder emits negated and non-asserted events, flagged, so that analysis can filter them:
the study counts asserted, non-negated events by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dyadwatch.records import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from dyadwatch.coding.rules.lexicon import Lexicon

__all__ = ["MODALITIES", "Context", "read_context"]

#: DESIGN.md's modality values.
MODALITIES = ("asserted", "intended", "threatened", "conditional", "reported")

_FUTURE = frozenset({"will", "'ll", "shall", "wo"})
_WOULD = frozenset({"would", "'d"})
_HEDGES = frozenset({"could", "might", "may", "should", "must", "can", "ca", "ought"})
_CONDITION_MARKS = frozenset({"if", "unless", "whether"})
_INTENT_HEADS = frozenset({"going", "ready", "willing", "prepared", "set", "expected", "scheduled", "due",
                           "poised", "about", "determined", "keen", "eager", "planning", "plans", "intends"})
_HEDGE_HEADS = frozenset({"likely", "unlikely", "possible", "able", "considering", "may"})
_FAIL = frozenset({"fail", "failed", "fails", "failing", "refrain", "refrained", "avoid", "avoided"})
_REPORT_NOUNS = frozenset({"report", "reports", "claim", "claims", "allegation", "allegations", "accusation",
                           "accusations", "rumour", "rumours", "rumor", "rumors", "suspicion", "suspicions",
                           "speculation", "belief", "assertion", "assertions"})
_DENY = frozenset({"deny", "denies", "denied", "denying"})


@dataclass(frozen=True, slots=True)
class Context:
    """What the words around an event say about it."""

    negated: bool = False
    modality: str = "asserted"
    speaker_token: int | None = None  # the verb of saying (speaker_is_verb) or the "according to" noun
    speaker_is_verb: bool = True
    speaker: int | None = None  # mention index, once resolved
    report_noun: bool = False
    future: bool = False  # will / shall / going to / scheduled to: the event lies ahead
    spans: tuple[tuple[str, tuple[int, int]], ...] = ()

    def as_threat(self) -> Context:
        """A stated future of something coercive is a threat, conditional or not."""
        return replace(self, modality="threatened")

    def with_speaker(self, speakers: Sequence[int], source: int, mentions: Sequence[Mention]) -> Context:
        """The context once the speaker's mention is known: a third party's report is "reported"."""
        modality = self.modality
        speaker = speakers[0] if speakers else None
        if modality == "asserted":
            if self.report_noun:
                modality = "reported"
            elif speaker is not None and speaker != source:
                said_by, actor = mentions[speaker], mentions[source]
                same_side = bool(said_by.country) and said_by.country == actor.country
                if not same_side:
                    modality = "reported"
        return replace(self, modality=modality, speaker=speaker)


def _span(tok: Token) -> tuple[int, int]:
    return (tok.idx, tok.idx + len(tok.text))


def read_context(doc: Doc, chain: Sequence[int], lexicon: Lexicon, *, frame: str | None = None,
                 denied: bool = False, threatened: bool = False) -> Context:
    """Negation, modality and the speaker of an event whose verb and frames are ``chain``
    (token indices, the event's own verb first)."""
    negated = denied
    future = would = hedge = condition = False
    spans: list[tuple[str, tuple[int, int]]] = []
    speaker_token: int | None = None
    speaker_is_verb = True
    report_noun = False
    report_forms = lexicon.report_forms

    def scan(tok: Token) -> None:
        nonlocal negated, future, would, hedge, condition
        for c in tok.children:
            dep, lower = c.dep_, c.lower_
            if dep == "neg":
                negated = True
                spans.append(("negation", _span(c)))
            elif dep in ("aux", "auxpass"):
                if lower in _FUTURE:
                    future = True
                    spans.append(("modal", _span(c)))
                elif lower in _WOULD:
                    would = True
                    spans.append(("modal", _span(c)))
                elif lower in _HEDGES:
                    hedge = True
                    spans.append(("modal", _span(c)))
            elif dep == "advcl" and any(m.dep_ == "mark" and m.lower_ in _CONDITION_MARKS for m in c.children):
                condition = True
        if tok.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _CONDITION_MARKS for m in tok.children):
            condition = True

    first = doc[chain[0]]
    # "held no talks", "no talks were held"
    for c in first.children:
        if c.dep_ in ("dobj", "nsubjpass", "nsubj") and any(d.dep_ == "det" and d.lower_ == "no" for d in c.children):
            negated = True
            spans.append(("negation", _span(c)))
    for index in chain:
        scan(doc[index])
    # climb from the top of the chain to the first verb of saying
    tok = doc[chain[-1]]
    for _ in range(8):
        head = tok.head
        if head.i == tok.i:
            break
        dep = tok.dep_
        lower = head.lower_
        if lower in _REPORT_NOUNS and head.tag_.startswith("NN"):
            report_noun = True
            break
        if head.tag_.startswith("VB") and lower in report_forms and dep in ("ccomp", "parataxis", "advcl", "xcomp", "conj", "dep"):
            speaker_token = head.i
            spans.append(("speaker", _span(head)))
            break
        if lower in _DENY and dep == "ccomp":
            negated = True
            speaker_token = head.i
            spans.append(("negation", _span(head)))
            break
        if dep == "xcomp" or dep == "acomp":
            if lower in _FAIL:
                negated = True
                spans.append(("negation", _span(head)))
            if lower in _INTENT_HEADS:
                future = True
                spans.append(("modal", _span(head)))
            elif lower in _HEDGE_HEADS:
                hedge = True
                spans.append(("modal", _span(head)))
            scan(head)
            tok = head
            continue
        if dep in ("ccomp",) and lower not in report_forms:
            # "Russia hopes that ...", "Moscow believes ...": another's mind, not an event told
            if head.tag_.startswith("VB"):
                hedge = hedge or lower not in lexicon.forms
            break
        if dep in ("advcl",):
            scan(head)
            if any(m.dep_ == "mark" and m.lower_ in _CONDITION_MARKS for m in tok.children):
                condition = True
            tok = head
            continue
        if dep in ("conj", "acomp", "prep", "pcomp", "pobj", "acl", "relcl"):
            tok = head
            continue
        break
    if speaker_token is None:
        # "Russia will send aid, Lavrov said": the verb of saying hangs below the event
        top = doc[chain[-1]]
        for candidate in (top, top.head):
            for c in candidate.children:
                # "... signed a deal with Russia, acting Commerce Minister Azizi said": a conj too
                # (an attribution says nothing else: "officials describe the contacts as ..." is
                # a clause of its own)
                if c.dep_ in ("parataxis", "ccomp", "conj") and c.lower_ in report_forms and c.i not in chain \
                        and c.i > top.i and not any(g.dep_ in ("dobj", "ccomp", "xcomp", "oprd") for g in c.children):
                    speaker_token = c.i
                    spans.append(("speaker", _span(c)))
                    break
            if speaker_token is not None:
                break
    if speaker_token is None and "according" in doc.text.lower():
        for t in doc:
            if t.lower_ == "according":
                to = [c for c in t.children if c.lower_ == "to"]
                objects = [p for c in to for p in c.children if c.dep_ in ("prep", "pcomp") and p.dep_ == "pobj"]
                if objects:
                    speaker_token = objects[0].i
                    speaker_is_verb = False
                    spans.append(("speaker", _span(t)))
                break
    question = doc[-1].text == "?" or (len(doc) > 1 and doc[-2].text == "?")
    if condition or hedge or question or (would and speaker_token is None and frame != "intend"):
        modality = "conditional"
    elif threatened or frame == "threaten":
        modality = "threatened"
    elif future or would or frame == "intend":
        modality = "intended"
    else:
        modality = "asserted"
    return Context(negated=negated, modality=modality, speaker_token=speaker_token, speaker_is_verb=speaker_is_verb,
                   report_noun=report_noun, future=future or (would and speaker_token is not None), spans=tuple(spans))
