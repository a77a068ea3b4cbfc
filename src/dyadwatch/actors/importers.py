"""Import actor and agent dictionaries in the PETRARCH / TABARI / Phoenix formats.

Users bring their own dictionaries; the imported entries keep where they came from
(``Actor.source`` is ``file:line``, each role keeps its original code as the attribute
``cameo=RUSGOV``). Imported entries sit beside the packaged ones
(:meth:`ActorDictionary.from_actors`), they do not replace them.

Actor format (one entry, its synonyms, its codes, possibly dated)::

    VLADIMIR_PUTIN_  # comment
    +PRESIDENT_PUTIN_
        [RUSGOV 991231-080507]
        [RUSGOV >080508]

Agent format: ``FARMER [~AGR]``, with ``{PLURALS}`` and ``!MACRO! = A, B`` substitutions.

CountryInfo format (the source the Phoenix country actors were generated from): ``<Country>``
blocks with names, ``<Nationality>`` forms, capitals, ``<Leaders>`` with dated terms and
``<Government>`` office-holders with CAMEO codes (:func:`import_countryinfo`).

Codes are read in the dictionary's terms (:mod:`dyadwatch.actors.codes`): legacy CAMEO country
codes become ISO (``ROM`` -> ``ROU``, ``KSV`` -> ``XKX``) and CAMEO's media code ``MED`` becomes
``JRN`` (the dictionary's ``MED`` is health, as in PLOVER).

>>> import io, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.actors.txt"
>>> _ = path.write_text("TALIBAN_ [AFGREB]\\n+TALEBAN_\\n")
>>> [(a.name, a.aliases, a.country, a.sector, a.source) for a in import_petrarch_actors(path)]
[('Taliban', ('Taleban',), 'AFG', 'REB', 'mine.actors.txt:1')]
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from dyadwatch.actors.codes import (
    is_country_code,
    is_sector_code,
    normalise_country_code,
    sector_from_cameo,
)
from dyadwatch.errors import DictionaryError, Errors
from dyadwatch.records import Actor, Role

__all__ = ["import_countryinfo", "import_petrarch_actors", "import_petrarch_agents", "parse_petrarch_code"]

log = logging.getLogger(__name__)

_CODE = re.compile(r"\[([^\]]*)\]")
_MACRO = re.compile(r"^(![A-Z]+!)\s*=\s*(.+)$")
# Two-digit years in TABARI dates: 00-25 are 20xx, 26-99 are 19xx ("320101" is 1932).
_PIVOT = 25


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            yield from enumerate(handle, start=1)
    except OSError as exc:
        raise DictionaryError(Errors.E301, where=str(path), detail=f"cannot read the file ({exc})") from exc


def _date(text: str) -> dt.date:
    if len(text) == 6:
        year = int(text[:2])
        year += 2000 if year <= _PIVOT else 1900
        return dt.date(year, int(text[2:4]), int(text[4:6]))
    if len(text) == 8:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    raise ValueError(f"a date must be YYMMDD or YYYYMMDD. Got '{text}' instead")


def parse_petrarch_code(body: str) -> Role | None:
    """A dated role from the inside of a ``[...]`` code; None for the null code ``---``.

    >>> parse_petrarch_code("RUSGOV 991231-080507")
    Role(country='RUS', sector='GOV', start=datetime.date(1999, 12, 31), end=datetime.date(2008, 5, 7), title=None, attributes=('cameo=RUSGOV',))
    """
    parts = body.split()
    if not parts or parts[0].strip("-~") == "":
        return None
    code = parts[0].strip("~").upper()
    start = end = None
    if len(parts) > 1:
        restriction = "".join(parts[1:])
        if restriction.startswith(">"):
            start = _date(restriction[1:])
        elif restriction.startswith("<"):
            end = _date(restriction[1:])
        elif "-" in restriction:
            first, last = restriction.split("-", 1)
            start, end = _date(first), _date(last)
        else:
            raise ValueError(f"unknown date restriction '{restriction}'")
    country = normalise_country_code(code[:3])
    if country is None or not is_country_code(country):
        raise ValueError(f"unknown country code '{code[:3]}' in '{code}'")
    triples = [code[i:i + 3] for i in range(3, len(code), 3)]
    sector = next((sector_from_cameo(t) for t in triples if is_sector_code(t)), None)
    return Role(country=country, sector=sector, start=start, end=end, attributes=(f"cameo={code}",))


def _phrase(text: str) -> str:
    """'VLADIMIR_V._PUTIN_' -> 'Vladimir V. Putin' (TABARI phrases are upper case, _ for space)."""
    words = text.replace("_", " ").split()
    return " ".join(w if any(c.isdigit() for c in w) else w.capitalize() if w.isupper() else w for w in words)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "entry"


def _kind(roles: list[Role]) -> str:
    if roles and all(r.country == "IGO" for r in roles):
        return "igo"
    if roles and all(r.country == "NGO" for r in roles):
        return "ngo"
    if any(r.start or r.end for r in roles):
        return "person"
    if len(roles) == 1 and roles[0].sector is None and len(roles[0].attributes[0]) == len("cameo=") + 3:
        return "state"
    return "group"


def import_petrarch_actors(path: str | Path, *, strict: bool = False, prefix: str = "petrarch") -> list[Actor]:
    """Read a PETRARCH/TABARI/Phoenix ``.actors`` file (plain or ``.gz``) into actor records.

    Lines that cannot be read are skipped and logged; with ``strict`` the first one raises
    :class:`~dyadwatch.errors.DictionaryError` (E307) naming the file and line. Entries
    without any usable code are dropped.
    """
    path = Path(path)
    actors: list[Actor] = []
    used: set[str] = set()
    skipped = 0
    current: dict | None = None

    def finish() -> None:
        if current is None or not current["roles"]:
            return
        roles = current["roles"]
        undated = [r for r in roles if r.start is None and r.end is None]
        dated = sorted((r for r in roles if r.start or r.end), key=lambda r: r.start or dt.date.min)
        default = undated[-1] if undated else dated[-1]
        slug = f"{prefix}:{_slug(current['name'])}"
        actor_id, n = slug, 2
        while actor_id in used:
            actor_id, n = f"{slug}-{n}", n + 1
        used.add(actor_id)
        actors.append(Actor(
            actor_id=actor_id, name=current["name"], kind=_kind(roles),
            country=default.country, sector=default.sector,
            aliases=tuple(dict.fromkeys(current["aliases"])), roles=tuple(dated),
            source=f"{path.name}:{current['line']}",
        ))

    for number, raw in _lines(path):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        try:
            codes = [parse_petrarch_code(body) for body in _CODE.findall(line)]
        except ValueError as exc:
            skipped += 1
            if strict:
                raise DictionaryError(Errors.E307, where=f"{path}:{number}", line=number, detail=str(exc)) from exc
            log.info("%s:%d: skipped (%s)", path, number, exc)
            continue
        text = _CODE.sub(" ", line).strip()
        if line[0] in " \t":
            if current is not None:
                current["roles"].extend(r for r in codes if r is not None)
            continue
        if line.startswith("+"):
            if current is not None and text[1:].strip():
                current["aliases"].append(_phrase(text[1:]))
            continue
        if line.startswith(("<", "!")):
            continue
        finish()
        current = {"name": _phrase(text), "aliases": [], "roles": [r for r in codes if r is not None],
                   "line": number}
    finish()
    if skipped:
        log.warning("%s: %d line(s) skipped that could not be read as PETRARCH actors", path, skipped)
    return actors


def import_petrarch_agents(path: str | Path, *, strict: bool = False, prefix: str = "petrarch-agent") -> list[Actor]:
    """Read a PETRARCH/Phoenix ``agents`` file into sector entries, one per agent code.

    ``FARMER [~AGR]`` and ``!MINIST! OF_DEFENCE [~GOVMIL]`` become aliases of the sector the
    code names first among known sectors (AGR, GOV); plural forms in ``{...}`` are kept.
    """
    path = Path(path)
    macros: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    skipped = 0
    for number, raw in _lines(path):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        macro = _MACRO.match(line)
        if macro:
            macros[macro.group(1)] = [v.strip() for v in macro.group(2).split(",") if v.strip()]
            continue
        codes = _CODE.findall(line)
        sector = None
        for body in codes:
            code = body.strip().strip("~").upper()
            triples = [code[i:i + 3] for i in range(0, len(code), 3)]
            sector = next((sector_from_cameo(t) for t in triples if is_sector_code(t)), None)
            if sector:
                break
        if sector is None:
            skipped += 1
            if strict:
                raise DictionaryError(Errors.E307, where=f"{path}:{number}", line=number,
                                      detail=f"no known sector code in {codes or 'the line'}")
            continue
        text = _CODE.sub(" ", line)
        plurals = re.findall(r"\{([^}]*)\}", text)
        text = re.sub(r"\{[^}]*\}", " ", text).strip()
        forms = [text, *(p for p in plurals if p.strip())]
        for form in forms:
            for expanded in _expand(form, macros):
                phrases.setdefault(sector, []).append(_phrase(expanded))
        first_line.setdefault(sector, number)
    if skipped:
        log.info("%s: %d agent line(s) without a known sector code skipped", path, skipped)
    return [
        Actor(actor_id=f"{prefix}:{sector.lower()}", name=f"{sector} agents ({path.name})", kind="sector",
              sector=sector, aliases=tuple(dict.fromkeys(p for p in found if p)),
              source=f"{path.name}:{first_line[sector]}")
        for sector, found in sorted(phrases.items())
    ]


def _expand(phrase: str, macros: dict[str, list[str]]) -> list[str]:
    match = re.search(r"![A-Z]+!", phrase)
    if not match or match.group(0) not in macros:
        return [phrase.replace(match.group(0), "")] if match else [phrase]
    result = []
    for value in macros[match.group(0)]:
        result.extend(_expand(phrase[:match.start()] + value + phrase[match.end():], macros))
    return result


# --------------------------------------------------------------------------- CountryInfo

_TAG_LINE = re.compile(r"^<(?P<tag>[A-Za-z][\w -]*)>(?P<body>.*?)(?:</(?P=tag)>)?$")
_CLOSE = re.compile(r"^</(?P<tag>[^>]+)>$")
_SPEC = re.compile(r"^(?:(?P<a>\d{8})\s*-\s*(?P<b>\d{8})|>\s*(?P<since>\d{8})|<\s*(?P<until>\d{8}))$")
_NAME_SYNONYMS = re.compile(r"\{([^}]*)\}")


def _ci_date(text: str) -> dt.date:
    """A CountryInfo date, YYYYMMDD. The file has days past a month's end ("20100631"), which
    are read as the month's last day; other shapes are errors."""
    import calendar

    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"a date must be YYYYMMDD. Got '{text}' instead")
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month} in date '{text}'")
    return dt.date(year, month, min(max(day, 1), calendar.monthrange(year, month)[1]))


def _ci_span(spec: str) -> tuple[dt.date | None, dt.date | None]:
    """``19791227 - 19861124`` (in office), ``>20100201`` (in office from, at the file's last
    update), ``<20041231`` (in office until, since before the first coding)."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"unknown date restriction '{spec.strip()}'")
    if match.group("a"):
        return _ci_date(match.group("a")), _ci_date(match.group("b"))
    if match.group("since"):
        return _ci_date(match.group("since")), None
    return None, _ci_date(match.group("until"))


def _ci_state_code(text: str) -> str | None:
    """The state a ``<CountryCode>`` names: a plain code (``AFG``, ``USAASM``) or, for states
    with a dated history, the code of its last bracket (``[USRARM <19900823]...[ARM >19911221]``)."""
    bodies = [b.split()[0] for b in _CODE.findall(text) if b.split()] or [text.strip()]
    for code in reversed(bodies):  # the latest code this state had that the ontology reads
        for candidate in (code.upper(), code[:3].upper()):
            normal = normalise_country_code(candidate)
            if normal and is_country_code(normal):
                return normal
    return None


def import_countryinfo(path: str | Path, *, strict: bool = False, prefix: str = "countryinfo") -> list[Actor]:
    """Read a CountryInfo file (the source of the Phoenix country-actor dictionaries; plain or
    ``.gz``): one state per ``<Country>`` (its name, ``<Nationality>`` forms and ``<Capital>``
    as aliases) and one person per leader or office-holder, with a dated role per term.

    ``<Leaders>`` terms are coded as the state's government, titled by their sub-tag
    ("Prime ministers"); ``<Government>`` lines carry their own CAMEO code
    (``[AFGGOVAGR 20050101 - 20050331] # Minister of Agriculture``), kept as the attribute
    ``cameo=AFGGOVAGR``. A person listed in several places (two offices, two states) is one
    entry with all the roles. Every entry keeps its source, ``file:line`` of its first line.
    Lines that cannot be read are skipped and logged; with ``strict`` the first raises
    :class:`~dyadwatch.errors.DictionaryError` (E307) naming the file and line.
    """
    path = Path(path)
    states: list[Actor] = []
    people: dict[str, dict] = {}
    used: set[str] = set()
    skipped = 0
    block: dict | None = None
    section = ""
    leader_title = ""

    def problem(number: int, detail: str) -> None:
        nonlocal skipped
        skipped += 1
        if strict:
            raise DictionaryError(Errors.E307, where=f"{path}:{number}", line=number, detail=detail)
        log.info("%s:%d: skipped (%s)", path, number, detail)

    def person(names: list[str], number: int, roles: list[Role]) -> None:
        name = names[0]
        actor_id = f"{prefix}:{_slug(name)}"
        found = people.setdefault(actor_id, {"name": name, "aliases": [], "roles": [],
                                             "source": f"{path.name}:{number}"})
        found["aliases"].extend(n for n in names if n != found["name"])
        found["roles"].extend(roles)

    def finish_state() -> None:
        if block is None or block["code"] is None or not block["name"]:
            return
        actor_id, n = f"{prefix}:{_slug(block['name'])}", 2
        while actor_id in used:
            actor_id, n = f"{prefix}:{_slug(block['name'])}-{n}", n + 1
        used.add(actor_id)
        states.append(Actor(
            actor_id=actor_id, name=block["name"], kind="state",
            country=block["code"], aliases=tuple(dict.fromkeys(a for a in block["aliases"] if a != block["name"])),
            source=f"{path.name}:{block['line']}",
        ))

    in_doc = False
    for number, raw in _lines(path):
        stripped = raw.strip()
        if stripped.startswith("<!--"):
            in_doc = "-->" not in stripped
            continue
        if in_doc:
            in_doc = "-->" not in stripped
            continue
        text, _, comment = raw.partition("#")
        line = text.strip()
        if not line:
            continue
        if line == "<Country>":
            finish_state()
            block = {"code": None, "name": "", "aliases": [], "line": number}
            section = ""
            continue
        if line == "</Country>":
            finish_state()
            block = None
            continue
        if block is None:
            continue
        closing = _CLOSE.match(line)
        if closing:
            if closing.group("tag") == section:
                section = ""
            leader_title = ""
            continue
        tag = _TAG_LINE.match(line)
        if tag:
            # a closing tag may be misspelt in the source ("<CountryName>...</CountyName>")
            name, body = tag.group("tag"), re.sub(r"</[^>]*>$", "", tag.group("body")).strip()
            if section == "Leaders" and name not in ("Leaders", "Government"):
                leader_title = name
                continue
            if name == "CountryCode":
                block["code"] = _ci_state_code(body)
                if block["code"] is None:
                    problem(number, f"unknown country code '{body}'")
            elif name == "CountryName":
                block["name"] = _phrase(body)
            elif not body:
                section = name
            continue
        if section in ("Nationality", "Capital"):
            block["aliases"].append(_phrase(line))
        elif section in ("Leaders", "Government") and block["code"]:
            synonyms = _NAME_SYNONYMS.findall(line.split("[", 1)[0])
            names = [_phrase(s) for s in synonyms] or [_phrase(line.split("[", 1)[0])]
            names = [n for n in names if n]
            if not names:
                problem(number, "no name before the dates")
                continue
            roles: list[Role] = []
            codes = [b for b in _CODE.findall(line) if b.strip()[:2] not in ("B:", "D:")]
            # "# Minister of Interior & Minister of Education": one title per code, in order
            titles = [t.strip() for t in comment.split(" & ")]
            if len(titles) != len(codes):
                titles = [comment.strip()] * len(codes)
            try:
                for body, title in zip(codes, titles, strict=True):
                    if section == "Leaders" and not body.strip()[:1].isalpha():
                        start, end = _ci_span(body)
                        roles.append(Role(country=block["code"], sector="GOV", start=start, end=end,
                                          title=leader_title or None))
                    else:
                        code, _, spec = body.strip().partition(" ")
                        role = parse_petrarch_code(code)
                        if role is None:
                            continue
                        start, end = _ci_span(spec) if spec.strip() else (None, None)
                        if section == "Leaders":
                            title = leader_title
                        roles.append(Role(country=role.country, sector=role.sector, start=start, end=end,
                                          title=title or None, attributes=role.attributes))
            except ValueError as exc:
                problem(number, str(exc))
                continue
            if roles:
                person(names, number, roles)
    finish_state()
    if skipped:
        log.warning("%s: %d line(s) skipped that could not be read as CountryInfo", path, skipped)
    result = list(states)
    for person_id, found in people.items():
        actor_id = person_id if person_id not in used else f"{person_id}-person"
        roles = sorted(found["roles"], key=lambda r: (r.start or dt.date.min, r.end or dt.date.max))
        last = roles[-1]
        result.append(Actor(
            actor_id=actor_id, name=found["name"], kind="person", country=last.country, sector=last.sector,
            aliases=tuple(dict.fromkeys(found["aliases"])), roles=tuple(roles), source=found["source"],
        ))
    return result
