"""The actor dictionary: TOML files of dated actor entries, validated on load.

Each file holds ``[[actor]]`` tables, one per actor (see ``data/README.md`` for every field).
Loading checks every entry and stops on the first problem with an error that names the file,
the entry and the field; :func:`check` collects every problem instead. The validated dictionary
and its compiled alias automaton are pickled to a cache keyed by the files' contents, so the
second load of the same files takes milliseconds.

>>> from dyadwatch.actors import ActorDictionary
>>> actors = ActorDictionary.load()
>>> actors.lookup("Taliban", "2020-02-29").code, actors.lookup("Taliban", "2021-10-20").code
('AFGINS', 'AFGGOV')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dyadwatch.actors._text import alias_key, fold_case_kept
from dyadwatch.actors.codes import is_country_code, is_sector_code
from dyadwatch.errors import DictionaryError, Errors
from dyadwatch.paths import cache_dir
from dyadwatch.records import Actor, Role

if TYPE_CHECKING:
    from dyadwatch.actors.resolver import Resolution, Resolver

__all__ = [
    "KINDS",
    "ActorDictionary",
    "AliasEntry",
    "check",
    "default_paths",
    "parse_date",
]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
# Bump when the pickled layout changes, so that old caches are ignored.
CACHE_FORMAT = "dyadwatch-actors-3"

KINDS = ("state", "place", "body", "igo", "forum", "group", "person", "sector", "ngo", "party", "media", "business")
# Forms an alias takes; "surname" and "variant" are derived by the loader, the rest written.
FORMS = ("name", "adjective", "demonym", "capital", "surname", "variant", "agent")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ENTRY_FIELDS = {
    "id", "name", "kind", "country", "sector", "aliases", "adjectives", "demonyms", "capitals",
    "roles", "attributes", "start", "end", "cameo", "iso", "note", "surname", "variants",
    "case_sensitive",
}
_ROLE_FIELDS = {"country", "sector", "start", "end", "title", "attributes", "note"}
_ATTRIBUTE_FIELDS = {"name", "start", "end", "note"}
_NEEDS_COUNTRY = {"state", "body", "person", "group", "igo", "forum", "ngo", "party", "media", "business"}


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One way an actor is named: the folded key, the actor, and how the name is used."""

    key: str
    actor_id: str
    form: str  # one of FORMS
    text: str  # as written in the dictionary
    case_sensitive: bool = False
    explicit: bool = True  # written in a file, not derived (surnames, transliterations)


def parse_date(value: Any, *, what: str = "date") -> dt.date:
    """A date from a ``date``, a ``datetime`` or an ISO string ("2021-08-15").

    >>> parse_date("2021-08-15")
    datetime.date(2021, 8, 15)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what} must be a date such as 2021-08-15. Got {value!r} instead")


def default_paths() -> list[Path]:
    """The dictionary files shipped with dyadwatch, in load order."""
    return sorted(DATA_DIR.glob("*.toml")) + sorted((DATA_DIR / "people").glob("*.toml"))


# --------------------------------------------------------------------------- validation


@dataclass(slots=True)
class _Entry:
    """An entry being validated: the raw table, where it is, and what it became."""

    raw: Mapping[str, Any]
    path: Path
    line: int | None
    actor_id: str = ""
    actor: Actor | None = None
    aliases: list[AliasEntry] = field(default_factory=list)
    valid: tuple[dt.date | None, dt.date | None] = (None, None)
    cameo: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


class _Problems:
    """Collects errors (check) or raises the first (load)."""

    def __init__(self, *, collect: bool) -> None:
        self.collect = collect
        self.errors: list[DictionaryError] = []

    def add(self, template: str, *, where: str, **values: Any) -> None:
        error = DictionaryError(template, where=where, **values)
        if not self.collect:
            raise error
        self.errors.append(error)


def _find_lines(text: str) -> dict[str, int]:
    """The line of each ``id = "..."`` in a file, so that errors can point at the entry."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r'\s*id\s*=\s*"([^"]+)"', line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _read_file(path: Path, problems: _Problems) -> list[_Entry]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(Errors.E301, where=str(path), detail=f"cannot read the file ({exc})")
        return []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add(Errors.E301, where=str(path), detail=f"TOML syntax error: {exc}")
        return []
    unknown = set(data) - {"actor", "meta"}
    if unknown:
        problems.add(
            Errors.E301, where=str(path),
            detail=f"unknown top-level key(s) {sorted(unknown)}; entries are [[actor]] tables",
        )
    tables = data.get("actor", [])
    if not isinstance(tables, list):
        problems.add(Errors.E301, where=str(path), detail="'actor' must be an array of tables ([[actor]])")
        return []
    lines = _find_lines(text)
    return [_Entry(raw=t, path=path, line=lines.get(str(t.get("id", "")))) for t in tables]


def _strings(entry: _Entry, name: str, problems: _Problems) -> list[str]:
    value = entry.raw.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=name,
                     detail="must be a list of non-empty strings")
        return []
    return [v.strip() for v in value]


def _date_field(entry: _Entry, table: Mapping[str, Any], name: str, where_field: str,
                problems: _Problems) -> dt.date | None:
    if name not in table:
        return None
    try:
        return parse_date(table[name], what=name)
    except ValueError as exc:
        problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=where_field,
                     detail=str(exc))
        return None


def _code(entry: _Entry, value: Any, field_name: str, problems: _Problems, *, sector: bool) -> str | None:
    if value is None:
        return None
    ok = isinstance(value, str) and (is_sector_code(value) if sector else is_country_code(value))
    if not ok:
        problems.add(Errors.E305, where=entry.where, entry=entry.actor_id, code=value, field=field_name)
        return None
    return str(value)


def _span(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or ''}..{end or ''}"


def _overlaps(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]) -> bool:
    a_start, a_end = a[0] or dt.date.min, a[1] or dt.date.max
    b_start, b_end = b[0] or dt.date.min, b[1] or dt.date.max
    return a_start <= b_end and b_start <= a_end


def _split_by_attributes(roles: list[Role], dated: list[tuple[str, dt.date | None, dt.date | None]]) -> list[Role]:
    """Cut roles at the edges of dated attributes, so each role carries the attributes of all its days.

    The Taliban's insurgent role (..2021-08-14) and the Russian terrorist listing
    (2003-02-14..2025-04-17) become three roles: before the listing, listed insurgents, and so on.
    """
    if not dated:
        return roles
    edges: set[dt.date] = set()
    for _, start, end in dated:
        if start:
            edges.add(start)
        if end and end < dt.date.max:
            edges.add(end + dt.timedelta(days=1))
    result: list[Role] = []
    for role in roles:
        cuts = sorted(d for d in edges if (role.start is None or d > role.start) and (role.end is None or d <= role.end))
        starts = [role.start, *cuts]
        ends = [c - dt.timedelta(days=1) for c in cuts] + [role.end]
        for start, end in zip(starts, ends, strict=True):
            # the cuts fall on attribute edges, so an attribute covers a piece wholly or not at all
            attrs = tuple(name for name, a_start, a_end in dated if _overlaps((a_start, a_end), (start, end)))
            result.append(Role(country=role.country, sector=role.sector, start=start, end=end,
                               title=role.title, attributes=role.attributes + attrs))
    return result


def _validate_entry(entry: _Entry, problems: _Problems) -> None:
    raw = entry.raw
    actor_id = raw.get("id")
    entry.actor_id = str(actor_id) if actor_id is not None else "?"
    if not isinstance(actor_id, str) or not _ID.match(actor_id):
        problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field="id",
                     detail="must be a lower-case slug such as 'sergey-lavrov'")
        return
    for key in sorted(set(raw) - _ENTRY_FIELDS):
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field=key,
                     detail=f"unknown field; known fields: {', '.join(sorted(_ENTRY_FIELDS))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="name", detail="is required")
        name = actor_id
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="kind",
                     detail=f"must be one of {', '.join(KINDS)}. Got {kind!r} instead")
        kind = "group"
    country = _code(entry, raw.get("country"), "country", problems, sector=False)
    if kind in _NEEDS_COUNTRY and "country" not in raw:
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="country",
                     detail=f"is required for a {kind}")
    sector = _code(entry, raw.get("sector"), "sector", problems, sector=True)
    if kind == "person" and "sector" not in raw:
        sector = "ELI"  # a person out of any dated role: CAMEO's elites (former officials)
    if kind == "sector" and not sector:
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="sector",
                     detail="is required for a sector entry")
    cameo = raw.get("cameo")
    if cameo is not None and not (isinstance(cameo, str) and re.fullmatch(r"[A-Z]{3}([A-Z]{3})*", cameo)):
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="cameo",
                     detail="must be a CAMEO code: upper-case letters in groups of three ('IGOUNO')")
        cameo = None
    elif isinstance(cameo, str) and not is_country_code(cameo[:3]):
        problems.add(Errors.E305, where=entry.where, entry=actor_id, code=cameo[:3], field="cameo")
    entry.cameo = cameo

    start = _date_field(entry, raw, "start", "start", problems)
    end = _date_field(entry, raw, "end", "end", problems)
    if start and end and end < start:
        problems.add(Errors.E302, where=entry.where, entry=actor_id, field="end",
                     detail=f"dates out of order: ends {end} before it starts {start}")
    entry.valid = (start, end)

    roles = _validate_roles(entry, country, problems)
    dated = _validate_attributes(entry, problems)
    roles = _split_by_attributes(roles, dated)

    aliases = _collect_aliases(entry, str(name), str(kind), problems)
    entry.actor = Actor(
        actor_id=actor_id, name=str(name).strip(), kind=str(kind), country=country, sector=sector,
        aliases=tuple(dict.fromkeys(a.text for a in aliases if a.explicit)),
        roles=tuple(roles), source=_source_name(entry.path),
    )
    entry.aliases = aliases


def _source_name(path: Path) -> str:
    """A packaged file by its name in the package ("people/russia.toml"), any other by its path."""
    try:
        return path.resolve().relative_to(DATA_DIR.resolve()).as_posix()
    except ValueError:
        return str(path)


def _validate_roles(entry: _Entry, country: str | None, problems: _Problems) -> list[Role]:
    raw_roles = entry.raw.get("roles", [])
    if not isinstance(raw_roles, list):
        problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field="roles",
                     detail="must be a list of tables: roles = [{ title = ..., start = ... }]")
        return []
    roles: list[Role] = []
    for number, table in enumerate(raw_roles, start=1):
        label = f"roles[{number}]"
        if not isinstance(table, dict):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=label,
                         detail="must be a table { country = ..., sector = ..., start = ..., end = ... }")
            continue
        for key in sorted(set(table) - _ROLE_FIELDS):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=f"{label}.{key}",
                         detail=f"unknown field; known: {', '.join(sorted(_ROLE_FIELDS))}")
        role_country = _code(entry, table.get("country", country), f"{label}.country", problems, sector=False)
        role_sector = _code(entry, table.get("sector"), f"{label}.sector", problems, sector=True)
        start = _date_field(entry, table, "start", f"{label}.start", problems)
        end = _date_field(entry, table, "end", f"{label}.end", problems)
        if start and end and end < start:
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=f"{label}.end",
                         detail=f"dates out of order: ends {end} before it starts {start}")
            continue
        attrs = table.get("attributes", [])
        if not isinstance(attrs, list) or not all(isinstance(a, str) for a in attrs):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=f"{label}.attributes",
                         detail="must be a list of strings")
            attrs = []
        title = table.get("title")
        roles.append(Role(country=role_country, sector=role_sector, start=start, end=end,
                          title=str(title) if title else None, attributes=tuple(attrs)))
    roles.sort(key=lambda r: r.start or dt.date.min)
    for before, after in zip(roles, roles[1:], strict=False):
        if _overlaps((before.start, before.end), (after.start, after.end)):
            problems.add(Errors.E303, where=entry.where, entry=entry.actor_id,
                         detail=f"'{before.title or before.sector}' {_span(before.start, before.end)} and "
                                f"'{after.title or after.sector}' {_span(after.start, after.end)}")
    return roles


def _validate_attributes(entry: _Entry, problems: _Problems) -> list[tuple[str, dt.date | None, dt.date | None]]:
    raw = entry.raw.get("attributes", [])
    if not isinstance(raw, list):
        problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field="attributes",
                     detail="must be a list of tables { name = ..., start = ..., end = ... }")
        return []
    dated: list[tuple[str, dt.date | None, dt.date | None]] = []
    for number, table in enumerate(raw, start=1):
        label = f"attributes[{number}]"
        if isinstance(table, str):
            dated.append((table, None, None))
            continue
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=label,
                         detail="must be a string or a table with a 'name'")
            continue
        for key in sorted(set(table) - _ATTRIBUTE_FIELDS):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=f"{label}.{key}",
                         detail=f"unknown field; known: {', '.join(sorted(_ATTRIBUTE_FIELDS))}")
        start = _date_field(entry, table, "start", f"{label}.start", problems)
        end = _date_field(entry, table, "end", f"{label}.end", problems)
        if start and end and end < start:
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field=f"{label}.end",
                         detail=f"dates out of order: ends {end} before it starts {start}")
            continue
        dated.append((table["name"], start, end))
    return dated


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 3


def _collect_aliases(entry: _Entry, name: str, kind: str, problems: _Problems) -> list[AliasEntry]:
    from dyadwatch.actors.variants import name_variants

    raw = entry.raw
    forced_case = set(_strings(entry, "case_sensitive", problems))
    written: list[tuple[str, str]] = [(name, "name")]
    written += [(a, "agent" if kind == "sector" else "name") for a in _strings(entry, "aliases", problems)]
    written += [(a, "adjective") for a in _strings(entry, "adjectives", problems)]
    written += [(a, "demonym") for a in _strings(entry, "demonyms", problems)]
    written += [(a, "capital") for a in _strings(entry, "capitals", problems)]
    written += [(a, "variant") for a in _strings(entry, "variants", problems)]
    if kind == "sector":
        written = written[1:]  # a sector's name ("military") is a label, its aliases are the signal words
    result: list[AliasEntry] = []
    seen: set[tuple[str, str]] = set()
    for text, form in written:
        key = alias_key(text)
        if not key or (key, form) in seen:
            continue
        seen.add((key, form))
        result.append(AliasEntry(key=key, actor_id=entry.actor_id, form=form, text=text,
                                 case_sensitive=text in forced_case or _is_acronym(text)))
    if kind == "person":
        surname = raw.get("surname")
        if surname is not None and not isinstance(surname, str):
            problems.add(Errors.E302, where=entry.where, entry=entry.actor_id, field="surname",
                         detail="must be a string ('' for none)")
            surname = None
        names = [name] + [t for t, f in written if f == "name"]
        derived = {alias_key(v) for n in names for v in name_variants(n)}
        if surname is None:
            surname = name.split()[-1] if len(name.split()) > 1 else ""
        for text in [*(v for v in sorted(derived)), *(name_variants(surname) if surname else [])]:
            key = alias_key(text)
            form = "surname" if surname and key in {alias_key(s) for s in name_variants(surname)} else "variant"
            if key and (key, "name") not in seen and (key, form) not in seen:
                seen.add((key, form))
                result.append(AliasEntry(key=key, actor_id=entry.actor_id, form=form, text=text,
                                         explicit=False))
    return result


def _check_aliases(entries: Sequence[_Entry], problems: _Problems) -> None:
    """An alias written on two entries whose dates overlap is an error; derived ones may clash."""
    claims: dict[str, list[_Entry]] = {}
    for entry in entries:
        for alias in entry.aliases:
            if alias.explicit:
                claims.setdefault(alias.key, [])
                if entry not in claims[alias.key]:
                    claims[alias.key].append(entry)
    for key, owners in claims.items():
        for i, first in enumerate(owners):
            for second in owners[i + 1:]:
                if _overlaps(first.valid, second.valid):
                    shown = next(a.text for a in second.aliases if a.key == key)
                    problems.add(
                        Errors.E304, where=second.where, alias=shown, entry=second.actor_id,
                        other=f"{first.actor_id} ({first.where})",
                        detail=f"{_span(*first.valid)} and {_span(*second.valid)}",
                    )


def _validate(paths: Sequence[Path], *, collect: bool) -> tuple[list[_Entry], list[DictionaryError]]:
    problems = _Problems(collect=collect)
    entries: list[_Entry] = []
    for path in paths:
        entries.extend(_read_file(Path(path), problems))
    seen: dict[str, _Entry] = {}
    for entry in entries:
        _validate_entry(entry, problems)
        if entry.actor is None:
            continue
        if entry.actor_id in seen:
            problems.add(Errors.E306, where=entry.where, entry=entry.actor_id, other=seen[entry.actor_id].where)
            entry.actor = None
            continue
        seen[entry.actor_id] = entry
    good = [e for e in entries if e.actor is not None]
    _check_aliases(good, problems)
    return good, problems.errors


def check(paths: Iterable[str | Path] | None = None) -> list[DictionaryError]:
    """Every problem in the dictionary files (none: an empty list), without raising.

    >>> check()
    []
    """
    paths = [Path(p) for p in paths] if paths is not None else default_paths()
    if not paths:
        return []
    return _validate(paths, collect=True)[1]


# --------------------------------------------------------------------------- the dictionary


class ActorDictionary:
    """A validated actor dictionary: entries, their dated roles, and the alias table.

    Build it with :meth:`load` (TOML files; default: the packaged dictionary) or
    :meth:`from_actors` (records, e.g. from the PETRARCH importers).
    """

    def __init__(self, actors: Mapping[str, Actor], aliases: Iterable[AliasEntry], *,
                 validity: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
                 cameo: Mapping[str, str] | None = None, paths: Sequence[Path] = ()) -> None:
        self.actors: dict[str, Actor] = dict(actors)
        self.validity = dict(validity or {})
        self.cameo = dict(cameo or {})
        self.paths = tuple(paths)
        table: dict[str, list[AliasEntry]] = {}
        for alias in aliases:
            table.setdefault(alias.key, []).append(alias)
        self.aliases: dict[str, tuple[AliasEntry, ...]] = {k: tuple(v) for k, v in table.items()}
        self._resolver: Resolver | None = None

    # ---- construction

    @classmethod
    def load(cls, paths: Iterable[str | Path] | None = None, *, cache: bool = True) -> ActorDictionary:
        """Load and validate dictionary files (default: the packaged ones).

        Raises :class:`~dyadwatch.errors.DictionaryError` naming the file, the entry and the
        field of the first problem. With ``cache`` the validated dictionary and its compiled
        matcher are kept in the user cache folder, keyed by the files' contents.
        """
        path_list = [Path(p) for p in paths] if paths is not None else default_paths()
        if not path_list:
            raise DictionaryError(Errors.E301, where="(no files)", detail="no dictionary files were given")
        key = _cache_key(path_list) if cache else None
        if key:
            cached = _cache_read(key)
            if cached is not None:
                return cached
        entries, _ = _validate(path_list, collect=False)
        dictionary = cls(
            {e.actor_id: e.actor for e in entries if e.actor},
            (alias for e in entries for alias in e.aliases),
            validity={e.actor_id: e.valid for e in entries if e.valid != (None, None)},
            cameo={e.actor_id: e.cameo for e in entries if e.cameo},
            paths=path_list,
        )
        if key:
            dictionary.resolver()  # compile the matcher now, so that it is cached with the entries
            _cache_write(key, dictionary)
        return dictionary

    @classmethod
    def from_actors(cls, actors: Iterable[Actor], *, base: ActorDictionary | None = None) -> ActorDictionary:
        """A dictionary of records (e.g. imported ones), optionally on top of ``base``.

        Entries of ``base`` win where an id is defined twice, and so do its names: an imported
        alias that ``base`` already has ("Russian", "Kabul", "Sergey Lavrov") stays on the
        imported record but is not matched to it, so that the base's dated entries keep
        resolving the names they know. New names are added; clashes among imported entries are
        settled at resolution time by date and context.
        """
        records = dict(base.actors) if base else {}
        aliases = [a for group in base.aliases.values() for a in group] if base else []
        known = frozenset(base.aliases) if base else frozenset()
        for actor in actors:
            if actor.actor_id in records:
                continue
            records[actor.actor_id] = actor
            form = "agent" if actor.kind == "sector" else "name"
            for text in (actor.name, *actor.aliases):
                key = alias_key(text)
                if key and key not in known and not (form == "agent" and text == actor.name and actor.aliases):
                    aliases.append(AliasEntry(key=key, actor_id=actor.actor_id, form=form, text=text,
                                              case_sensitive=_is_acronym(text)))
        return cls(records, aliases, validity=base.validity if base else None,
                   cameo=base.cameo if base else None, paths=base.paths if base else ())

    # ---- queries

    def __len__(self) -> int:
        return len(self.actors)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors

    def __getitem__(self, actor_id: str) -> Actor:
        return self.actors[actor_id]

    def __iter__(self) -> Iterator[Actor]:
        return iter(self.actors.values())

    def role_at(self, actor: Actor | str, day: dt.date) -> Role | None:
        """The dated role of an actor on a day, or None where no role covers it."""
        record = self.actors[actor] if isinstance(actor, str) else actor
        for role in record.roles:
            if role.covers(day):
                return role
        return None

    def is_valid_on(self, actor_id: str, day: dt.date) -> bool:
        """Whether the entity exists on a day (states and groups may be bounded)."""
        start, end = self.validity.get(actor_id, (None, None))
        return (start is None or start <= day) and (end is None or day <= end)

    def by_country(self, country: str, *, kind: str | None = None) -> list[Actor]:
        """Entries whose code or any dated role is in a country, sorted by kind and name."""
        found = [a for a in self.actors.values()
                 if (a.country == country or any(r.country == country for r in a.roles))
                 and (kind is None or a.kind == kind)]
        return sorted(found, key=lambda a: (KINDS.index(a.kind) if a.kind in KINDS else 99, a.name))

    def aliases_of(self, actor_id: str) -> list[AliasEntry]:
        return [a for group in self.aliases.values() for a in group if a.actor_id == actor_id]

    @cached_property
    def case_forms(self) -> dict[str, frozenset[str]]:
        """For case-sensitive keys, the spellings that must match ("US" but not "us")."""
        forms: dict[str, set[str]] = {}
        for key, group in self.aliases.items():
            for alias in group:
                if alias.case_sensitive:
                    forms.setdefault(key, set()).add(" ".join(fold_case_kept(alias.text).split()))
        return {k: frozenset(v) for k, v in forms.items()}

    def resolver(self) -> Resolver:
        """The resolver over this dictionary, with its alias automaton compiled once."""
        if self._resolver is None:
            from dyadwatch.actors.resolver import Resolver

            self._resolver = Resolver(self)
        return self._resolver

    def lookup(self, name: str, date: dt.date | str | None = None, *, sentence: str | None = None,
               doc_date: dt.date | str | None = None) -> Resolution:
        """Resolve a name on a date to an entry, its dated role and codes, with the reason.

        ``date`` is the event's date; without it the document's (``doc_date``) is used, and
        without either today's, and the reason says which.

        >>> r = ActorDictionary.load().lookup("Lavrov", "2021-10-20")
        >>> r.code, r.actor.actor_id
        ('RUSGOV', 'sergey-lavrov')
        """
        return self.resolver().resolve(name, date, sentence=sentence, doc_date=doc_date)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "case_forms"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


# --------------------------------------------------------------------------- the cache


def _cache_key(paths: Sequence[Path]) -> str | None:
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    code_dir = Path(__file__).parent
    try:
        # the code that builds the dictionary is part of the key: a change to it rebuilds
        for module in ("dictionary.py", "resolver.py", "variants.py", "_text.py", "codes.py"):
            digest.update((code_dir / module).read_bytes())
        # and so are the ontology's code tables, which decide the codes an entry may hold
        ontology_data = code_dir.parent / "coding" / "data"
        for table in ("cameo_countries.csv", "sectors.csv"):
            digest.update((ontology_data / table).read_bytes())
        for path in paths:
            digest.update(str(path.resolve()).encode())
            digest.update(path.read_bytes())
    except OSError:
        return None  # a missing file is reported by the loader itself
    return digest.hexdigest()[:32]


def _cache_read(key: str) -> ActorDictionary | None:
    path = cache_dir() / f"actors-{key}.pickle"
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a broken cache is rebuilt, never fatal
        log.info("ignoring unreadable actor cache %s (%s)", path, exc)
        return None
    return loaded if isinstance(loaded, ActorDictionary) else None


def _cache_write(key: str, dictionary: ActorDictionary) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".actors-{key}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(dictionary, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(folder / f"actors-{key}.pickle")
    except OSError as exc:  # a read-only home: work without a cache
        log.info("cannot write the actor cache in %s (%s)", folder, exc)
