"""English inflections for the lexicon's verbs and nouns.

The coder never asks spaCy's lemmatizer (the pipe is disabled for speed): the lexicon's own
words are expanded into every form news copy uses, and a token's lower-case text is looked
up in that table. Irregular verbs are listed; regular ones follow the spelling rules, and
where a rule is uncertain (doubling a final consonant) both spellings are produced: a form
that never occurs costs nothing.

>>> sorted(verb_forms("expel"))
['expel', 'expeled', 'expeling', 'expelled', 'expelling', 'expels']
>>> sorted(verb_forms("meet"))
['meet', 'meeting', 'meets', 'met']
>>> sorted(noun_forms("ally"))
['allies', 'ally']
"""

from __future__ import annotations

from functools import cache

__all__ = ["noun_forms", "verb_forms"]

# lemma: past, past participle (when they differ from the regular -ed forms)
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("was", "were", "been", "is", "are", "am"),
    "beat": ("beat", "beaten"),
    "begin": ("began", "begun"),
    "bind": ("bound",),
    "blow": ("blew", "blown"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "build": ("built",),
    "buy": ("bought",),
    "catch": ("caught",),
    "choose": ("chose", "chosen"),
    "come": ("came", "come"),
    "cut": ("cut",),
    "deal": ("dealt",),
    "do": ("did", "done", "does"),
    "draw": ("drew", "drawn"),
    "drive": ("drove", "driven"),
    "fight": ("fought",),
    "find": ("found",),
    "fly": ("flew", "flown", "flies"),
    "forbid": ("forbade", "forbidden"),
    "forgive": ("forgave", "forgiven"),
    "freeze": ("froze", "frozen"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "have": ("had", "has"),
    "hear": ("heard",),
    "hit": ("hit",),
    "hold": ("held",),
    "keep": ("kept",),
    "lay": ("laid",),
    "lead": ("led",),
    "leave": ("left",),
    "lend": ("lent",),
    "lose": ("lost",),
    "make": ("made",),
    "meet": ("met",),
    "overrun": ("overran", "overrun"),
    "overthrow": ("overthrew", "overthrown"),
    "pay": ("paid",),
    "put": ("put",),
    "quit": ("quit",),
    "read": ("read",),
    "rebuild": ("rebuilt",),
    "ring": ("rang", "rung"),
    "rise": ("rose", "risen"),
    "run": ("ran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "seek": ("sought",),
    "sell": ("sold",),
    "send": ("sent",),
    "set": ("set",),
    "shake": ("shook", "shaken"),
    "shoot": ("shot",),
    "shut": ("shut",),
    "sit": ("sat",),
    "slay": ("slew", "slain"),
    "speak": ("spoke", "spoken"),
    "spend": ("spent",),
    "spread": ("spread",),
    "stand": ("stood",),
    "steal": ("stole", "stolen"),
    "strike": ("struck", "stricken"),
    "swear": ("swore", "sworn"),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "undertake": ("undertook", "undertaken"),
    "uphold": ("upheld",),
    "wage": ("waged",),
    "win": ("won",),
    "withdraw": ("withdrew", "withdrawn"),
    "withhold": ("withheld",),
    "write": ("wrote", "written"),
}

_VOWELS = frozenset("aeiou")


def _doubles(lemma: str) -> bool:
    """Might the final consonant double before -ed/-ing ("ban" -> "banned", "expel" -> "expelled")?"""
    if len(lemma) < 3:
        return False
    a, b, c = lemma[-3], lemma[-2], lemma[-1]
    return c not in _VOWELS and c not in "wxy" and b in _VOWELS and a not in _VOWELS


@cache
def verb_forms(lemma: str) -> frozenset[str]:
    """Every spelling of a verb lemma: base, -s, -ed, -ing, irregular past forms.

    Multi-word lemmas ("carry out") inflect their first word.
    """
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = {head}
    if head.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(head + "es")
    elif head.endswith("y") and len(head) > 2 and head[-2] not in _VOWELS:
        forms.add(head[:-1] + "ies")
    else:
        forms.add(head + "s")
    if head.endswith("e"):
        stem = head[:-1]
        forms.update({head + "d", (stem if not head.endswith(("ee", "ye", "oe")) else head) + "ing"})
    elif head.endswith("y") and len(head) > 2 and head[-2] not in _VOWELS:
        forms.update({head[:-1] + "ied", head + "ing"})
    elif head.endswith("c"):
        forms.update({head + "ked", head + "king"})  # "panic" -> "panicked"
    else:
        forms.add(head + "ing")
        if head not in _IRREGULAR:
            forms.add(head + "ed")
        if _doubles(head):
            forms.add(head + head[-1] + "ing")
            if head not in _IRREGULAR:
                forms.add(head + head[-1] + "ed")
    forms.update(_IRREGULAR.get(head, ()))
    return frozenset(f + tail for f in forms)


@cache
def noun_forms(noun: str) -> frozenset[str]:
    """A noun and its plural (or a plural and its singular): "ally" <-> "allies", "talks" stays.

    Multi-word nouns inflect their last word ("peace talk" -> "peace talks").
    """
    *front, last = noun.split(" ")
    lead = " ".join(front) + " " if front else ""
    forms = {last}
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-3] + "y")
    elif last.endswith(("ches", "shes", "sses", "xes")):
        forms.add(last[:-2])
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        forms.add(last[:-1])
    elif last.endswith("y") and len(last) > 2 and last[-2] not in _VOWELS:
        forms.add(last[:-1] + "ies")
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(last + "es")
    else:
        forms.add(last + "s")
    return frozenset(lead + f for f in forms)
