"""The study file: a TOML description of a question, its dyads, measures and hypotheses.

A study file is validated in full before anything is computed, and each problem names the
key it concerns (``dyads[2].source``, ``hypotheses[0].intervention``), so that a typo costs
a second, not a run. See ``docs/studies.md`` for every key; the example is
``examples/russia-afghanistan/study.toml``.

>>> spec = StudySpec.from_toml('''
... title = "Trial"
... [period]
... start = 2020-01-01
... end = 2021-12-31
... unit = "month"
... [actors]
... Russia = ["RUS"]
... [[dyads]]
... name = "Russia-Afghanistan"
... source = "Russia"
... target = ["AFG"]
... [[interventions]]
... name = "Kabul falls"
... date = 2021-08-15
... [measures]
... use = ["cooperation"]
... [[hypotheses]]
... id = "H1"
... statement = "Cooperation rises."
... measure = "cooperation"
... dyad = "Russia-Afghanistan"
... intervention = "Kabul falls"
... expected = "increase"
... ''')
>>> spec.dyads[0].source, spec.periods()[:2]
(('RUS',), [datetime.date(2020, 1, 1), datetime.date(2020, 2, 1)])
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dyadwatch.actors.dictionary import parse_date
from dyadwatch.errors import ConfigError, Errors

__all__ = [
    "BUILTIN_MEASURES",
    "CENTRAL_ASIA",
    "EXPECTED",
    "SOURCES",
    "UNITS",
    "Dyad",
    "Hypothesis",
    "Intervention",
    "MeasureDef",
    "StudySpec",
    "load_study",
    "period_start",
    "period_starts",
]

UNITS = ("week", "month", "quarter")
SOURCES = ("dyadwatch", "gdelt1", "gdelt2", "icews", "polecat", "acled", "ucdp")
EXPECTED = ("increase", "decrease", "change")
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")

# Built-in measures: name -> (kind, description). Parametrised families are written
# "root:04", "code:057", "venue:csto", "frame:terrorism" and "<count measure>/volume".
BUILTIN_MEASURES: dict[str, tuple[str, str]] = {
    "events": ("count", "all events of the dyad"),
    "quad1": ("count", "verbal cooperation events (CAMEO roots 01-05)"),
    "quad2": ("count", "material cooperation events (roots 06-08)"),
    "quad3": ("count", "verbal conflict events (roots 09-13)"),
    "quad4": ("count", "material conflict events (roots 14-20)"),
    "cooperation": ("count", "cooperation events, verbal and material (quad classes 1 and 2)"),
    "conflict": ("count", "conflict events, verbal and material (quad classes 3 and 4)"),
    "goldstein_sum": ("continuous", "the sum of the Goldstein scores of the dyad's events"),
    "goldstein_mean": ("continuous", "the mean Goldstein score of the dyad's events"),
    "cooperation_goldstein": ("continuous", "the Goldstein sum of cooperation events (Goldstein-weighted intensity)"),
    "cooperation_share": ("share", "cooperation events / all events of the dyad"),
}
_FAMILIES = ("root", "code", "venue", "frame")
_TOP_KEYS = {
    "title", "question", "description", "period", "sources", "actors", "dyads", "interventions",
    "measures", "hypotheses", "comparison_dyads", "placebo_dates", "variables",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._:/+-]*$")


@dataclass(frozen=True, slots=True)
class Dyad:
    """A directed pair of actor sets; ``undirected`` counts events in both directions."""

    name: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    undirected: bool = False


@dataclass(frozen=True, slots=True)
class Intervention:
    name: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class MeasureDef:
    """A measure the study computes: a built-in name or a definition of the study's own.

    ``kind`` is "count", "continuous", "share" or "frame"; ``codes`` are CAMEO code prefixes
    for "root:"/"code:" and own count measures, ``venue`` an actor id for "venue:", ``frame``
    a frame id for "frame:", ``normalised`` whether the count is divided by the source's volume.
    """

    name: str
    kind: str
    description: str
    codes: tuple[str, ...] = ()
    quad: tuple[int, ...] = ()
    venue: str | None = None
    frame: str | None = None
    normalised: bool = False
    base: str | None = None  # the count measure a "/volume" measure divides


@dataclass(frozen=True, slots=True)
class Hypothesis:
    id: str
    statement: str
    measure: str
    dyad: str
    expected: str
    intervention: str | None = None
    versus: str | None = None  # a second measure of the same dyad to compare with
    comparison_dyads: tuple[str, ...] = ()
    placebo_dates: tuple[dt.date, ...] = ()


@dataclass(frozen=True, slots=True)
class StudySpec:
    """A validated study. Build it with :meth:`load` / :meth:`from_toml`."""

    title: str
    start: dt.date
    end: dt.date
    unit: str
    dyads: tuple[Dyad, ...]
    measures: tuple[MeasureDef, ...]
    hypotheses: tuple[Hypothesis, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    question: str = ""
    sources: tuple[str, ...] = ("all",)
    actors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    comparison_dyads: tuple[str, ...] = ()
    placebo_dates: tuple[dt.date, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    asserted_only: bool = True
    include_negated: bool = False
    frames: str | None = None
    frame_method: str = "lexicon+embeddings"
    alpha: float = 0.05
    min_events: int = 10
    file: str | None = None
    sha256: str | None = None

    # ---- loading

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, check_actors: bool = True) -> StudySpec:
        """Read and validate a study file; errors name the file and the key."""
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise ConfigError(Errors.E602, where=str(file), detail=exc.strerror or str(exc)) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(Errors.E602, where=str(file), detail="the file is not UTF-8 text") from None
        spec = cls.from_toml(text, where=str(file), check_actors=check_actors)
        base = file.resolve().parent
        frames = spec.frames
        if frames and ("/" in frames or frames.endswith(".toml")) and not Path(frames).is_absolute():
            frames = str(base / frames)
        return _replace(spec, file=str(file), sha256=hashlib.sha256(raw).hexdigest(), frames=frames)

    @classmethod
    def from_toml(cls, text: str, *, where: str = "study.toml", check_actors: bool = True) -> StudySpec:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Errors.E603, where=where, detail=str(exc)) from None
        return cls.from_dict(data, where=where, check_actors=check_actors)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "study", check_actors: bool = True) -> StudySpec:
        return _Parser(data, where, check_actors).parse()

    # ---- derived

    def dyad(self, name: str) -> Dyad:
        for dyad in self.dyads:
            if dyad.name == name:
                return dyad
        raise KeyError(name)

    def measure(self, name: str) -> MeasureDef:
        for measure in self.measures:
            if measure.name == name:
                return measure
        raise KeyError(name)

    def intervention(self, name: str) -> Intervention:
        for item in self.interventions:
            if item.name == name:
                return item
        raise KeyError(name)

    def periods(self) -> list[dt.date]:
        """The first day of every period of the study, in order."""
        return period_starts(self.start, self.end, self.unit)

    def period_index(self, day: dt.date) -> int:
        """The index of the period holding ``day``."""
        return self.periods().index(period_start(day, self.unit))

    def to_json(self) -> dict[str, Any]:
        """The study as results.json states it."""
        return {
            "title": self.title,
            "question": self.question,
            "file": self.file,
            "sha256": self.sha256,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "unit": self.unit,
            "sources": list(self.sources),
            "actors": {name: list(codes) for name, codes in self.actors.items()},
            "dyads": [
                {"name": d.name, "source": list(d.source), "target": list(d.target), "undirected": d.undirected}
                for d in self.dyads
            ],
            "interventions": [{"name": i.name, "date": i.date.isoformat()} for i in self.interventions],
            "comparison_dyads": list(self.comparison_dyads),
            "placebo_dates": [d.isoformat() for d in self.placebo_dates],
            "variables": {
                "independent": str(self.variables.get("independent", "")),
                "dependent": [str(v) for v in self.variables.get("dependent", [])],
            },
            "measures": [{"name": m.name, "kind": m.kind, "description": m.description} for m in self.measures],
            "settings": {
                "asserted_only": self.asserted_only, "include_negated": self.include_negated,
                "alpha": self.alpha, "min_events": self.min_events, "frames": self.frames,
                "frame_method": self.frame_method,
            },
        }


def load_study(path: str | os.PathLike[str]) -> StudySpec:
    """Read and validate a study file (see :meth:`StudySpec.load`)."""
    return StudySpec.load(path)


# --------------------------------------------------------------------------- periods


def period_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the week (Monday), month or quarter that holds ``day``.

    >>> period_start(dt.date(2021, 8, 15), "quarter"), period_start(dt.date(2021, 8, 15), "week")
    (datetime.date(2021, 7, 1), datetime.date(2021, 8, 9))
    """
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ConfigError(Errors.E611, name="unit", allowed=", ".join(UNITS), found=unit)


def period_starts(start: dt.date, end: dt.date, unit: str) -> list[dt.date]:
    """Every period start from the period of ``start`` to that of ``end``."""
    out: list[dt.date] = []
    current = period_start(start, unit)
    while current <= end:
        out.append(current)
        if unit == "week":
            current += dt.timedelta(days=7)
        else:
            step = 1 if unit == "month" else 3
            month = current.month - 1 + step
            current = dt.date(current.year + month // 12, month % 12 + 1, 1)
    return out


# --------------------------------------------------------------------------- parsing


def _replace(spec: StudySpec, **changes: Any) -> StudySpec:
    import dataclasses

    return dataclasses.replace(spec, **changes)


class _Parser:
    def __init__(self, data: Mapping[str, Any], where: str, check_actors: bool) -> None:
        self.data = data
        self.where = where
        self.check_actors = check_actors
        self._dictionary: Any = None

    def fail(self, key: str, detail: str) -> ConfigError:
        return ConfigError(Errors.E601, where=self.where, key=key, detail=detail)

    # -- small typed readers

    def text(self, table: Mapping[str, Any], key: str, path: str, *, required: bool = False, default: str = "") -> str:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(path, "is missing; it is required")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(path, f"must be a non-empty string. Got {value!r} instead")
        return value.strip()

    def day(self, value: Any, path: str) -> dt.date:
        try:
            return parse_date(value)
        except ValueError:
            raise self.fail(path, f"must be a date YYYY-MM-DD. Got {value!r} instead") from None

    def table(self, key: str, path: str | None = None) -> Mapping[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(path or key, "must be a table ([" + key + "])")
        return value

    def tables(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(key, f"must be an array of tables ([[{key}]])")
        return value

    def strings(self, value: Any, path: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(path, f"must be a string or a non-empty list of strings. Got {value!r} instead")
        return [v.strip() for v in value]

    def name(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ID.match(value.strip()):
            raise self.fail(path, f"must be a name of letters, digits, spaces and ._:/+-. Got {value!r} instead")
        return value.strip()

    # -- the study

    def parse(self) -> StudySpec:
        unknown = sorted(set(self.data) - _TOP_KEYS)
        if unknown:
            raise self.fail(unknown[0], f"is not a study key; known keys: {', '.join(sorted(_TOP_KEYS))}")
        title = self.text(self.data, "title", "title", required=True)
        question = self.text(self.data, "question", "question")
        start, end, unit = self.period()
        sources = self.sources()
        actors = self.actors()
        dyads = self.dyads(actors)
        interventions = self.interventions(start, end)
        settings, measures = self.measures()
        names = {d.name for d in dyads}
        comparison = tuple(self.refs(self.data.get("comparison_dyads", []), "comparison_dyads", names, "dyad"))
        placebo = tuple(self.placebos(self.data.get("placebo_dates", []), "placebo_dates", start, end))
        hypotheses = self.hypotheses(dyads, measures, interventions, start, end)
        measures = self.add_referenced(measures, hypotheses)
        variables = self.data.get("variables", {})
        if not isinstance(variables, Mapping):
            raise self.fail("variables", "must be a table with 'independent' and 'dependent'")
        return StudySpec(
            title=title, question=question, start=start, end=end, unit=unit, dyads=tuple(dyads),
            measures=tuple(measures), hypotheses=tuple(hypotheses), interventions=tuple(interventions),
            sources=sources, actors=actors, comparison_dyads=comparison, placebo_dates=placebo,
            variables=dict(variables), **settings,
        )

    def period(self) -> tuple[dt.date, dt.date, str]:
        table = self.table("period")
        if not table:
            raise self.fail("period", "is missing; give [period] with start, end and unit")
        unknown = sorted(set(table) - {"start", "end", "unit"})
        if unknown:
            raise self.fail(f"period.{unknown[0]}", "is not a period key; use start, end and unit")
        if "start" not in table or "end" not in table:
            raise self.fail("period.start" if "start" not in table else "period.end", "is missing")
        start = self.day(table["start"], "period.start")
        end = self.day(table["end"], "period.end")
        if end <= start:
            raise self.fail("period.end", f"must be after period.start ({start}). Got {end} instead")
        unit = table.get("unit", "month")
        if unit not in UNITS:
            raise self.fail("period.unit", f"must be one of {', '.join(UNITS)}. Got {unit!r} instead")
        return start, end, str(unit)

    def sources(self) -> tuple[str, ...]:
        value = self.data.get("sources", "all")
        items = self.strings(value, "sources")
        if items == ["all"]:
            return ("all",)
        for i, item in enumerate(items):
            if item not in SOURCES:
                raise self.fail(
                    f"sources[{i}]", f"must be one of {', '.join(SOURCES)} or \"all\". Got {item!r} instead"
                )
        return tuple(dict.fromkeys(items))

    def dictionary(self) -> Any:
        if self._dictionary is None:
            from dyadwatch.actors import ActorDictionary

            self._dictionary = ActorDictionary.load()
        return self._dictionary

    def code(self, code: str, path: str) -> str:
        """A dyad side's code: a country code (upper case) or a dictionary actor id."""
        from dyadwatch.actors.codes import is_country_code

        if code.isupper():
            if is_country_code(code):
                return code
            raise ConfigError(Errors.E605, where=self.where, key=path, code=code, kind="country code")
        if self.check_actors and code not in self.dictionary():
            raise ConfigError(Errors.E605, where=self.where, key=path, code=code, kind="actor id")
        return code

    def actors(self) -> dict[str, tuple[str, ...]]:
        table = self.table("actors")
        out: dict[str, tuple[str, ...]] = {}
        for name, value in table.items():
            path = f"actors.{name}" if _ID.match(name) else f'actors."{name}"'
            self.name(name, path)
            codes = self.strings(value, path)
            out[name] = tuple(self.code(c, f"{path}[{i}]") for i, c in enumerate(codes))
        return out

    def side(self, value: Any, path: str, actors: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        """A dyad side: a group name from [actors], a code, or a list of names and codes."""
        codes: list[str] = []
        for i, item in enumerate(self.strings(value, path)):
            if item in actors:
                codes.extend(actors[item])
            elif item == "Central Asia":
                codes.extend(CENTRAL_ASIA)
            else:
                codes.append(self.code(item, path if isinstance(value, str) else f"{path}[{i}]"))
        return tuple(dict.fromkeys(codes))

    def dyads(self, actors: Mapping[str, tuple[str, ...]]) -> list[Dyad]:
        tables = self.tables("dyads")
        if not tables:
            raise self.fail("dyads", "is missing; give at least one [[dyads]] with name, source and target")
        out: list[Dyad] = []
        for i, table in enumerate(tables):
            path = f"dyads[{i}]"
            unknown = sorted(set(table) - {"name", "source", "target", "undirected"})
            if unknown:
                raise self.fail(f"{path}.{unknown[0]}", "is not a dyad key; use name, source, target, undirected")
            for key in ("source", "target"):
                if key not in table:
                    raise self.fail(f"{path}.{key}", "is missing")
            source = self.side(table["source"], f"{path}.source", actors)
            target = self.side(table["target"], f"{path}.target", actors)
            default = f"{'+'.join(source)}-{'+'.join(target)}"
            name = self.name(table.get("name", default), f"{path}.name")
            if any(d.name == name for d in out):
                raise self.fail(f"{path}.name", f"'{name}' names two dyads; give each its own name")
            undirected = table.get("undirected", False)
            if not isinstance(undirected, bool):
                raise self.fail(f"{path}.undirected", f"must be true or false. Got {undirected!r} instead")
            out.append(Dyad(name=name, source=source, target=target, undirected=undirected))
        return out

    def interventions(self, start: dt.date, end: dt.date) -> list[Intervention]:
        out: list[Intervention] = []
        for i, table in enumerate(self.tables("interventions")):
            path = f"interventions[{i}]"
            name = self.name(table.get("name"), f"{path}.name")
            if "date" not in table:
                raise self.fail(f"{path}.date", "is missing")
            day = self.day(table["date"], f"{path}.date")
            if not start < day <= end:
                raise ConfigError(
                    Errors.E606, where=self.where, key=f"{path}.date", name=name, date=day, start=start, end=end
                )
            if any(x.name == name for x in out):
                raise self.fail(f"{path}.name", f"'{name}' names two interventions")
            out.append(Intervention(name=name, date=day))
        return out

    def placebos(self, value: Any, path: str, start: dt.date, end: dt.date) -> list[dt.date]:
        if not isinstance(value, list):
            raise self.fail(path, "must be a list of dates")
        days = []
        for i, item in enumerate(value):
            day = self.day(item, f"{path}[{i}]")
            if not start < day <= end:
                raise ConfigError(
                    Errors.E606, where=self.where, key=f"{path}[{i}]", name="placebo", date=day, start=start, end=end
                )
            days.append(day)
        return days

    def refs(self, value: Any, path: str, known: set[str], what: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of {what} names")
        for i, item in enumerate(value):
            if item not in known:
                raise ConfigError(
                    Errors.E607, where=self.where, key=f"{path}[{i}]" if len(value) > 1 or path.endswith("s") else path,
                    what=what, name=item, known=", ".join(sorted(known)) or "(none)",
                )
        return [str(v) for v in value]

    def measures(self) -> tuple[dict[str, Any], list[MeasureDef]]:
        table = self.table("measures")
        settings: dict[str, Any] = {}
        allowed = {"use", "define", "asserted_only", "include_negated", "frames", "frame_method", "alpha", "min_events"}
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(f"measures.{unknown[0]}", f"is not a measures key; use {', '.join(sorted(allowed))}")
        for key in ("asserted_only", "include_negated"):
            if key in table:
                if not isinstance(table[key], bool):
                    raise self.fail(f"measures.{key}", f"must be true or false. Got {table[key]!r} instead")
                settings[key] = table[key]
        if "frames" in table:
            settings["frames"] = self.text(table, "frames", "measures.frames", required=True)
        if "frame_method" in table:
            methods = ("lexicon+embeddings", "lexicon", "embeddings")
            if table["frame_method"] not in methods:
                raise self.fail("measures.frame_method", f"must be one of {', '.join(methods)}. Got {table['frame_method']!r} instead")
            settings["frame_method"] = table["frame_method"]
        if "alpha" in table:
            alpha = table["alpha"]
            if not isinstance(alpha, float) or not 0 < alpha < 0.5:
                raise self.fail("measures.alpha", f"must be a number between 0 and 0.5. Got {alpha!r} instead")
            settings["alpha"] = alpha
        if "min_events" in table:
            value = table["min_events"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self.fail("measures.min_events", f"must be a whole number >= 0. Got {value!r} instead")
            settings["min_events"] = value
        own: dict[str, MeasureDef] = {}
        define = table.get("define", {})
        if not isinstance(define, Mapping):
            raise self.fail("measures.define", "must be a table of measure definitions")
        for name, body in define.items():
            own[name] = self.definition(name, body, f"measures.define.{name}")
        self._own = own
        self._frames_named = "frames" in settings
        out: list[MeasureDef] = []
        for i, name in enumerate(self.strings(table.get("use", ["events"]), "measures.use")):
            measure = self.resolve_measure(name, f"measures.use[{i}]")
            if all(m.name != measure.name for m in out):
                out.append(measure)
        return settings, out

    def definition(self, name: str, body: Any, path: str) -> MeasureDef:
        self.name(name, path)
        if name in BUILTIN_MEASURES or ":" in name or "/" in name:
            raise self.fail(path, f"'{name}' is a built-in measure name; choose another name")
        if not isinstance(body, Mapping):
            raise self.fail(path, "must be a table with cameo and/or quad_class")
        unknown = sorted(set(body) - {"cameo", "quad_class", "description"})
        if unknown:
            raise self.fail(f"{path}.{unknown[0]}", "is not a definition key; use cameo, quad_class, description")
        codes: tuple[str, ...] = ()
        if "cameo" in body:
            codes = tuple(self.strings(body["cameo"], f"{path}.cameo"))
            for j, code in enumerate(codes):
                if not re.fullmatch(r"\d{2,4}", code):
                    raise self.fail(f"{path}.cameo[{j}]", f"must be a CAMEO code or prefix of 2-4 digits. Got {code!r} instead")
        quad: tuple[int, ...] = ()
        if "quad_class" in body:
            value = body["quad_class"]
            value = [value] if isinstance(value, int) else value
            if not isinstance(value, list) or not value or not all(isinstance(q, int) and 1 <= q <= 4 for q in value):
                raise self.fail(f"{path}.quad_class", f"must be 1..4 or a list of them. Got {body['quad_class']!r} instead")
            quad = tuple(value)
        if not codes and not quad:
            raise self.fail(path, "needs cameo (code prefixes) or quad_class")
        description = body.get("description") or f"events with CAMEO {', '.join(codes) or 'any'}" + (
            f" in quad class {', '.join(map(str, quad))}" if quad else ""
        )
        return MeasureDef(name=name, kind="count", description=str(description), codes=codes, quad=quad)

    def resolve_measure(self, name: str, path: str) -> MeasureDef:
        if name in BUILTIN_MEASURES:
            kind, description = BUILTIN_MEASURES[name]
            quad = {"quad1": (1,), "quad2": (2,), "quad3": (3,), "quad4": (4,), "cooperation": (1, 2),
                    "conflict": (3, 4)}.get(name, ())
            return MeasureDef(name=name, kind=kind, description=description, quad=quad)
        if name in getattr(self, "_own", {}):
            return self._own[name]
        if name.endswith("/volume"):
            base = self.resolve_measure(name[: -len("/volume")], path)
            if base.kind != "count":
                raise ConfigError(Errors.E604, where=self.where, key=path, found=name, allowed=self.known(),
                                  detail="only a count measure can be normalised by the volume")
            return MeasureDef(
                name=name, kind="share", description=f"{base.description}, per 1,000 events of the source in the period",
                codes=base.codes, quad=base.quad, venue=base.venue, normalised=True, base=base.name,
            )
        family, _, arg = name.partition(":")
        if family == "root" and re.fullmatch(r"(0[1-9]|1\d|20)", arg):
            return MeasureDef(name=name, kind="count", description=f"events with CAMEO root {arg}", codes=(arg,))
        if family == "code" and re.fullmatch(r"\d{2,4}", arg):
            return MeasureDef(name=name, kind="count", description=f"events with a CAMEO code starting {arg}", codes=(arg,))
        if family == "venue" and arg:
            code = self.code(arg, path)
            return MeasureDef(name=name, kind="count", description=f"events in or about {arg}", venue=code)
        if family == "frame" and arg:
            if not getattr(self, "_frames_named", False):
                raise self.fail(path, f"'{name}' needs a frame set: add frames = \"NAME or path\" to [measures]")
            return MeasureDef(name=name, kind="frame", description=f"share of the dyad's sentences framed as {arg}", frame=arg)
        raise ConfigError(Errors.E604, where=self.where, key=path, found=name, allowed=self.known(),
                          detail="define it under [measures.define] or use a built-in one")

    def known(self) -> str:
        names = list(BUILTIN_MEASURES) + [f"{f}:..." for f in _FAMILIES] + ["<count>/volume"]
        return ", ".join(names + list(getattr(self, "_own", {})))

    def hypotheses(
        self, dyads: Sequence[Dyad], measures: list[MeasureDef], interventions: Sequence[Intervention],
        start: dt.date, end: dt.date,
    ) -> list[Hypothesis]:
        out: list[Hypothesis] = []
        dyad_names = {d.name for d in dyads}
        intervention_names = {i.name for i in interventions}
        for i, table in enumerate(self.tables("hypotheses")):
            path = f"hypotheses[{i}]"
            allowed = {"id", "statement", "measure", "dyad", "intervention", "expected", "versus",
                       "comparison_dyads", "placebo_dates"}
            unknown = sorted(set(table) - allowed)
            if unknown:
                raise self.fail(f"{path}.{unknown[0]}", f"is not a hypothesis key; use {', '.join(sorted(allowed))}")
            hid = self.name(table.get("id", f"H{i + 1}"), f"{path}.id")
            if any(h.id == hid for h in out):
                raise self.fail(f"{path}.id", f"'{hid}' names two hypotheses")
            statement = self.text(table, "statement", f"{path}.statement", required=True)
            measure_name = self.text(table, "measure", f"{path}.measure", required=True)
            measure = self.resolve_measure(measure_name, f"{path}.measure")
            versus = None
            if "versus" in table:
                versus = self.resolve_measure(self.text(table, "versus", f"{path}.versus", required=True), f"{path}.versus").name
            dyad = self.text(table, "dyad", f"{path}.dyad", required=True)
            self.refs(dyad, f"{path}.dyad", dyad_names, "dyad")
            intervention = None
            if "intervention" in table:
                intervention = self.text(table, "intervention", f"{path}.intervention", required=True)
                self.refs(intervention, f"{path}.intervention", intervention_names, "intervention")
            elif versus is None:
                raise self.fail(f"{path}.intervention", "is missing; a hypothesis needs an intervention, or a 'versus' measure to compare with")
            expected = table.get("expected", "change")
            if expected not in EXPECTED:
                raise self.fail(f"{path}.expected", f"must be one of {', '.join(EXPECTED)}. Got {expected!r} instead")
            comparison = tuple(self.refs(table.get("comparison_dyads", []), f"{path}.comparison_dyads", dyad_names, "dyad"))
            placebo = tuple(self.placebos(table.get("placebo_dates", []), f"{path}.placebo_dates", start, end))
            out.append(Hypothesis(
                id=hid, statement=statement, measure=measure.name, dyad=dyad, expected=str(expected),
                intervention=intervention, versus=versus, comparison_dyads=comparison, placebo_dates=placebo,
            ))
            for m in (measure, self.resolve_measure(versus, f"{path}.versus") if versus else None):
                if m is not None and all(x.name != m.name for x in measures):
                    measures.append(m)
        return out

    def add_referenced(self, measures: list[MeasureDef], hypotheses: Sequence[Hypothesis]) -> list[MeasureDef]:
        """A "/volume" measure needs its base count; add it (it is cheap) so finalise can divide."""
        out = list(measures)
        for measure in measures:
            if measure.base and all(m.name != measure.base for m in out):
                out.append(self.resolve_measure(measure.base, "measures.use"))
        return out
