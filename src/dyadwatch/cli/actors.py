"""`dyadwatch actors`: look a name up on a date, check a dictionary, list a country's actors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dyadwatch.cli._common import console, console_err, parse_day

app = typer.Typer(
    help="The actor dictionary: who a name is on a date (lookup), validate files (check), list entries (list).",
    no_args_is_help=True,
)

DictOption = Annotated[
    list[Path] | None,
    typer.Option("--dict", help="Dictionary TOML file(s) to use instead of the packaged ones (repeatable).",
                 show_default=False),
]
ImportOption = Annotated[
    list[Path] | None,
    typer.Option("--import-petrarch",
                 help="PETRARCH/Phoenix .actors or agents file(s), or a CountryInfo file, to add (repeatable; .gz ok).",
                 show_default=False),
]


def _dictionary(paths: list[Path] | None, imports: list[Path] | None = None):  # noqa: ANN202
    from dyadwatch.actors import (
        ActorDictionary,
        import_countryinfo,
        import_petrarch_actors,
        import_petrarch_agents,
    )

    dictionary = ActorDictionary.load(paths or None)
    if imports:
        records = []
        for path in imports:
            lowered = path.name.lower()
            reader = (import_countryinfo if "countryinfo" in lowered
                      else import_petrarch_agents if "agent" in lowered else import_petrarch_actors)
            records.extend(reader(path))
        dictionary = ActorDictionary.from_actors(records, base=dictionary)
    return dictionary


@app.command()
def lookup(
    name: Annotated[str, typer.Argument(help="The name as written: 'Taliban', 'Lavrov', 'Russian Foreign Minister'.")],
    date: Annotated[str | None, typer.Option("--date", help="The event's date, YYYY-MM-DD (default: today).")] = None,
    sentence: Annotated[str | None, typer.Option("--sentence", help="The sentence the name is in, as context.")] = None,
    dict_paths: DictOption = None,
    imports: ImportOption = None,
) -> None:
    """Resolve a name on a date: the code, the entry, the dated role, and the reason."""
    day = parse_day(date, "--date")
    resolution = _dictionary(dict_paths, imports).lookup(name, day, sentence=sentence)
    if not resolution.resolved:
        console_err.print(f"[yellow]{resolution.reason}[/]", highlight=False)
        raise typer.Exit(code=2)
    role = resolution.role
    console.print(f"[bold]{resolution.code}[/]  {resolution.name}", highlight=False)
    if resolution.actor is not None:
        console.print(f"  entry      {resolution.actor.actor_id} ({resolution.actor.kind}, {resolution.actor.source})",
                      highlight=False)
    if role is not None:
        console.print(f"  role       {role.title or '-'}  {role.start or ''}..{role.end or ''}", highlight=False)
    if resolution.attributes:
        console.print(f"  attributes {', '.join(resolution.attributes)}", highlight=False)
    if resolution.candidates:
        console.print(f"  candidates {', '.join(resolution.candidates)}", highlight=False)
    console.print(f"  reason     {resolution.reason}", highlight=False, soft_wrap=True)


@app.command()
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="TOML dictionary files (default: the packaged ones).")] = None,
) -> None:
    """Validate dictionary files: syntax, fields, codes, dates in order, overlapping roles, shared aliases."""
    from dyadwatch.actors import check as check_files
    from dyadwatch.actors import default_paths

    paths = files or default_paths()
    problems = check_files(paths)
    for problem in problems:
        console_err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    if problems:
        console_err.print(f"{len(problems)} problem(s) in {len(paths)} file(s).")
        raise typer.Exit(code=1)
    console.print(f"[green]ok[/] {len(paths)} file(s), no problems.")


@app.command("list")
def list_(
    country: Annotated[str | None, typer.Option("--country", help="A country code (AFG, RUS, IGO...; CAMEO's KSV, ROM ... read too).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="state, body, igo, forum, group, person, sector, ...")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Show each entry's code on this date.")] = None,
    dict_paths: DictOption = None,
) -> None:
    """List the dictionary's entries, by country and kind, with their code on a date."""
    from dyadwatch.actors import KINDS
    from dyadwatch.actors.codes import normalise_country_code

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}. Got {kind!r} instead.", param_hint="--kind")
    day = parse_day(date, "--date")
    dictionary = _dictionary(dict_paths)
    wanted = normalise_country_code(country)  # CAMEO's own spellings read as the dictionary's: KSV -> XKX
    if wanted:
        entries = dictionary.by_country(wanted, kind=kind)
    else:
        entries = sorted((a for a in dictionary if kind is None or a.kind == kind), key=lambda a: (a.kind, a.name))
    table = Table(title=f"{len(entries)} entries" + (f" for {wanted}" if wanted else ""))
    for column in ("id", "name", "kind", "code" if day else "default", "roles"):
        table.add_column(column)
    for actor in entries:
        role = dictionary.role_at(actor, day) if day else None
        code = ((role.country or "") + (role.sector or "")) if role else (actor.country or "") + (actor.sector or "")
        table.add_row(actor.actor_id, actor.name, actor.kind, code, str(len(actor.roles)))
    console.print(table)
