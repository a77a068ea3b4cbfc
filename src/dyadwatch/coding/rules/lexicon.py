"""The verb-pattern lexicon: reading ``data/verbs.txt``, ``data/frames.txt``, ``data/themes.txt``.

The files are the project's own (their headers give the format). :func:`load_lexicon` reads
them once per process and checks every code against the CAMEO codebook, so a typo in a
pattern is an error at load time, naming the file and line, not a silent miss at coding time.

>>> lex = load_lexicon()
>>> [p.code for p in lex.verbs["meet"]]
['040']
>>> lex.compose("appeal", "046"), lex.compose("intend", "073"), lex.compose("threaten", "163")
('026', '0333', '1312')
>>> lex.refine("070", {"humanitarian", "aid"})
'073'
>>> "talks" in lex.trigger_words and "said" not in lex.trigger_words
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from dyadwatch.coding.ontology import is_cameo
from dyadwatch.coding.rules.inflect import noun_forms, verb_forms
from dyadwatch.errors import ConfigError, Errors

__all__ = [
    "FRAMES",
    "Lexicon",
    "NounSpec",
    "Pattern",
    "Slot",
    "load_lexicon",
]

#: The frame kinds a pattern may carry (see data/frames.txt).
FRAMES = ("appeal", "demand", "intend", "reject", "threaten", "halt", "deny", "accuse")
_FRAME_COLUMNS = ("appeal", "demand", "intend", "reject", "threaten", "halt")
_SLOT_KINDS = frozenset({"obj", "iobj", "mod"})
_LINE = re.compile(r"^(?P<code>\S+)\s+(?P<pattern>.*?)\s*(?:->\s*(?P<slots>[^;]*?))?\s*(?:;(?P<flags>.*))?$")
_PART = re.compile(r"\{(?P<objects>[^}]*)\}|<(?P<mods>[^>]*)>|\+(?P<particle>\S+)|(?P<word>\S+)")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a pattern looks for its target: ``obj``, ``iobj``, ``mod`` or a preposition."""

    name: str
    direct: bool = False  # obj!: the word there must itself be an actor
    deep: bool = False  # for*: anywhere inside the phrase


@dataclass(frozen=True, slots=True)
class NounSpec:
    """A noun, maybe of two words: "aid"; "war_crime" (head "crime" after "war");
    "state_of_emergency" (head "state" with "of emergency")."""

    text: str
    heads: frozenset[str]
    modifier: str | None = None
    of: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """One line of the lexicon."""

    rule_id: str  # "meet.1": lemma and the line's rank among that lemma's lines
    code: str | None  # None: a light verb (code from its object) or a frame without own event
    lemma: str  # the verb lemma, or the nominal's head noun
    nominal: NounSpec | None = None
    particle: str | None = None
    objects: tuple[NounSpec, ...] = ()
    excluded: tuple[NounSpec, ...] = ()  # {!a b}: objects that rule the pattern out
    modifiers: frozenset[str] = frozenset()
    slots: tuple[Slot, ...] = (Slot("obj"),)
    frame: str | None = None
    sym: bool = False
    reverse: bool = False
    allow_none: bool = False
    bare: bool = False
    light: bool = False
    confidence: float = 0.9
    line: int = 0

    @property
    def specificity(self) -> int:
        return (2 if self.objects else 0) + (1 if self.particle else 0) + (1 if self.modifiers else 0)


@dataclass(slots=True)
class Lexicon:
    """The patterns by verb lemma and by nominal head, with the lookup tables the matcher uses."""

    verbs: dict[str, tuple[Pattern, ...]] = field(default_factory=dict)
    nominals: dict[str, tuple[Pattern, ...]] = field(default_factory=dict)  # head form -> patterns
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # verb form -> lemmas
    report_forms: dict[str, str] = field(default_factory=dict)
    occur_forms: dict[str, str] = field(default_factory=dict)
    frames: dict[str, dict[str, str | None]] = field(default_factory=dict)
    themes: dict[str, frozenset[str]] = field(default_factory=dict)
    refinements: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    trigger_words: frozenset[str] = frozenset()  # an event word on its own
    paired_triggers: dict[str, frozenset[str]] = field(default_factory=dict)  # verb form -> its object nouns

    def lemmas(self, form: str) -> tuple[str, ...]:
        """The lexicon's verb lemmas a lower-case word form can be ("met" -> ("meet",))."""
        return self.forms.get(form, ())

    def compose(self, frame: str, code: str) -> str | None:
        """The code of ``frame`` applied to an event of ``code``; None where the table has none.

        The longest row key that prefixes ``code`` decides ("0841" before "084" before "08").
        """
        for size in (4, 3, 2):
            row = self.frames.get(code[:size]) if len(code) >= size else None
            if row is not None:
                return row.get(frame)
        return None

    def refine(self, code: str, words: Iterable[str]) -> str:
        """A more specific code where a theme word is present ("070" + "humanitarian" -> "073")."""
        options = self.refinements.get(code)
        if not options:
            return code
        present = set(words)
        for theme, refined in options:
            if present & self.themes[theme]:
                return refined
        return code


# ---------------------------------------------------------------------------- reading


def _fail(file: str, line: int, detail: str) -> ConfigError:
    return ConfigError(Errors.E440, file=file, line=line, detail=detail)


def _noun_spec(text: str) -> NounSpec:
    parts = text.lower().split("_")
    if "of" in parts[1:-1]:
        at = parts.index("of")
        head = " ".join(parts[:at])
        return NounSpec(text, noun_forms(head), of=noun_forms(" ".join(parts[at + 1 :])))
    if len(parts) == 1:
        return NounSpec(text, noun_forms(parts[0]))
    return NounSpec(text, noun_forms(parts[-1]), modifier=" ".join(parts[:-1]))


def _slot(word: str, file: str, line: int) -> Slot:
    direct, deep = word.endswith("!"), word.endswith("*")
    name = word.rstrip("!*").lower()
    if not name or not (name in _SLOT_KINDS or name.isalpha()):
        raise _fail(file, line, f"'{word}' is not a slot (obj, iobj, mod, none, -, or a preposition)")
    return Slot(name, direct=direct, deep=deep)


def _parse_pattern(raw: str, number: int, file: str) -> Pattern | None:
    text = raw.split("#", 1)[0].strip()
    if not text:
        return None
    match = _LINE.match(text)
    if match is None or not match.group("pattern"):
        raise _fail(file, number, f"'{raw.strip()}' is not CODE PATTERN [-> SLOTS] [; FLAGS]")
    code_text = match.group("code")
    light = code_text == "*"
    code: str | None = None if code_text in ("*", "-") else code_text
    if code is not None and not is_cameo(code):
        raise _fail(file, number, f"'{code}' is not a CAMEO code (write codes with their leading zeros)")
    lemma = ""
    nominal: NounSpec | None = None
    particle: str | None = None
    objects: list[NounSpec] = []
    excluded: list[NounSpec] = []
    modifiers: set[str] = set()
    for part in _PART.finditer(match.group("pattern")):
        if part.group("objects") is not None:
            words = part.group("objects").split()
            if words and words[0].startswith("!"):
                excluded.extend(_noun_spec(w.lstrip("!")) for w in words if w.lstrip("!"))
            else:
                objects.extend(_noun_spec(w) for w in words)
        elif part.group("mods") is not None:
            modifiers.update(w.lower() for w in part.group("mods").split())
        elif part.group("particle") is not None:
            particle = part.group("particle").lower()
        elif not lemma:
            word = part.group("word")
            if word.startswith("@"):
                nominal = _noun_spec(word[1:])
                lemma = word[1:].lower()
            else:
                lemma = word.lower()
        else:
            raise _fail(file, number, f"unexpected word '{part.group(0)}' (a second verb? write a particle as +{part.group(0)})")
    if not lemma:
        raise _fail(file, number, "no verb or @noun")
    slots: list[Slot] = []
    allow_none = False
    slot_text = match.group("slots")
    if slot_text is None:
        slots = [Slot("obj")]
    else:
        for word in slot_text.split():
            if word == "none":
                allow_none = True
            elif word != "-":
                slots.append(_slot(word, file, number))
    frame: str | None = None
    sym = reverse = bare = False
    confidence = 0.9
    for flag in (match.group("flags") or "").split(";"):
        flag = flag.strip()
        if not flag:
            continue
        if flag.startswith("frame="):
            frame = flag.split("=", 1)[1].strip()
            if frame not in FRAMES:
                raise _fail(file, number, f"unknown frame '{frame}' (one of {', '.join(FRAMES)})")
        elif flag == "sym":
            sym = True
        elif flag == "reverse":
            reverse = True
        elif flag == "bare":
            bare = True
        elif flag.startswith("conf="):
            try:
                confidence = float(flag.split("=", 1)[1])
            except ValueError:
                raise _fail(file, number, f"'{flag}': conf must be a number between 0 and 1") from None
            if not 0 < confidence <= 1:
                raise _fail(file, number, f"'{flag}': conf must be a number between 0 and 1")
        else:
            raise _fail(file, number, f"unknown flag '{flag}' (frame=..., sym, reverse, bare, conf=...)")
    if code is None and not light and frame is None:
        raise _fail(file, number, "a pattern without a code ('-') must be a frame")
    return Pattern(
        rule_id="", code=code, lemma=lemma, nominal=nominal, particle=particle, objects=tuple(objects),
        excluded=tuple(excluded), modifiers=frozenset(modifiers), slots=tuple(slots), frame=frame, sym=sym,
        reverse=reverse, allow_none=allow_none, bare=bare, light=light, confidence=confidence, line=number,
    )


def _read(name: str) -> list[str]:
    return resources.files("dyadwatch.coding.rules").joinpath("data", name).read_text(encoding="utf-8").splitlines()


def _read_frames(lexicon: Lexicon) -> None:
    file = "frames.txt"
    for number, raw in enumerate(_read(file), start=1):
        text = raw.split("#", 1)[0].split()
        if not text:
            continue
        if len(text) != 1 + len(_FRAME_COLUMNS):
            raise _fail(file, number, f"{len(text)} columns; a row is KEY then {' '.join(_FRAME_COLUMNS)}")
        key, *codes = text
        row: dict[str, str | None] = {}
        for column, value in zip(_FRAME_COLUMNS, codes, strict=True):
            if value != "-" and not is_cameo(value):
                raise _fail(file, number, f"'{value}' in column {column} is not a CAMEO code")
            row[column] = None if value == "-" else value
        lexicon.frames[key] = row


def _read_themes(lexicon: Lexicon) -> None:
    file = "themes.txt"
    for number, raw in enumerate(_read(file), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        kind, _, rest = text.partition(" ")
        name, _, values = rest.partition(":")
        name = name.strip()
        if kind == "theme":
            words: set[str] = set()
            for word in values.split():
                words.update(f.replace(" ", "_") for f in noun_forms(word.replace("_", " ")))
            lexicon.themes[name] = frozenset(words)
        elif kind == "refine":
            if not is_cameo(name):
                raise _fail(file, number, f"'{name}' is not a CAMEO code")
            options = []
            for pair in values.split():
                theme, _, refined = pair.partition("=")
                if theme not in lexicon.themes:
                    raise _fail(file, number, f"unknown theme '{theme}' (declare it on a 'theme' line first)")
                if not is_cameo(refined):
                    raise _fail(file, number, f"'{refined}' is not a CAMEO code")
                options.append((theme, refined))
            lexicon.refinements[name] = tuple(options)
        else:
            raise _fail(file, number, f"'{kind}' is neither 'theme' nor 'refine'")


@cache
def load_lexicon() -> Lexicon:
    """The project's lexicon, read and checked once per process."""
    lexicon = Lexicon()
    file = "verbs.txt"
    verbs: dict[str, list[Pattern]] = {}
    nominals: dict[str, list[Pattern]] = {}
    counts: dict[str, int] = {}
    for number, raw in enumerate(_read(file), start=1):
        stripped = raw.strip()
        if stripped.startswith("%"):
            kind, *words = stripped.split("#", 1)[0].split()
            table = {"%report": lexicon.report_forms, "%occur": lexicon.occur_forms}.get(kind)
            if table is None:
                raise _fail(file, number, f"unknown list '{kind}' (%report or %occur)")
            for word in words:
                lemma = word.split("_")[0]
                for form in verb_forms(lemma):
                    table.setdefault(form, word)
            continue
        pattern = _parse_pattern(raw, number, file)
        if pattern is None:
            continue
        counts[pattern.lemma] = counts.get(pattern.lemma, 0) + 1
        prefix = "@" if pattern.nominal else ""
        rule_id = f"{prefix}{pattern.lemma}.{counts[pattern.lemma]}"
        pattern = replace(pattern, rule_id=rule_id)
        if pattern.nominal is not None:
            for form in pattern.nominal.heads:
                nominals.setdefault(form, []).append(pattern)
        else:
            verbs.setdefault(pattern.lemma, []).append(pattern)
    # the more specific patterns of a lemma first (stable: file order among equals); light
    # verbs and frames without a code last, so that "hold {exercise}" wins over "hold <talks>"
    def order(p: Pattern) -> tuple[int, int]:
        return (1 if p.light else 0, -p.specificity)

    lexicon.verbs = {lemma: tuple(sorted(ps, key=order)) for lemma, ps in verbs.items()}
    lexicon.nominals = {form: tuple(sorted(ps, key=order)) for form, ps in nominals.items()}
    forms: dict[str, list[str]] = {}
    for lemma in lexicon.verbs:
        for form in verb_forms(lemma):
            forms.setdefault(form, []).append(lemma)
    lexicon.forms = {form: tuple(lemmas) for form, lemmas in forms.items()}
    _read_frames(lexicon)
    _read_themes(lexicon)
    # what the pre-filter looks for: a verb that is an event on its own, or a noun naming one
    # (light verbs alone are not: "held" says nothing until "talks" follows; nor are frames that
    # are no event on their own, "denied", "stopped"; a verb whose every pattern names its
    # object counts by those objects: "sign" by "agreement", "treaty", "deal" ...)
    triggers: set[str] = set()
    paired: dict[str, set[str]] = {}
    for lemma, patterns in lexicon.verbs.items():
        for p in patterns:
            if p.light or p.code is None:
                continue
            if p.objects:
                nouns = {head for spec in p.objects for head in spec.heads}
                for form in verb_forms(lemma):
                    paired.setdefault(form, set()).update(nouns)
            else:
                triggers.update(verb_forms(lemma))
    triggers.update(lexicon.nominals)
    lexicon.trigger_words = frozenset(triggers)
    lexicon.paired_triggers = {form: frozenset(nouns) for form, nouns in paired.items() if form not in triggers}
    return lexicon
