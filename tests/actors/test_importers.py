"""Import of PETRARCH / Phoenix actor and agent dictionaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyadwatch.actors import ActorDictionary, import_petrarch_actors, import_petrarch_agents
from dyadwatch.errors import DictionaryError

ACTORS = """\
# a small actors file in the PETRARCH format
GONDOR_  [GON]
+GONDORIAN_
ARAGORN_  # the king
+KING_ELESSAR_
\t[GONREB 300101-190101]
\t[GONGOV >190102]
WHITE_COUNCIL_ [IGOWHC]
MORDOR_ORCS [---]
"""

AGENTS = """\
!PERSON! = MAN, MEN
FARMER [~AGR]
FARM!PERSON! [~AGR]
MINISTER_OF_WAR {MINISTERS_OF_WAR} [~GOVMIL]
NONSENSE [~ZZZ]
"""


def test_actors_keep_their_source_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "middle.actors.txt"
    path.write_text(ACTORS.replace("GON]", "AFG]").replace("[GONREB", "[AFGREB").replace("[GONGOV", "[AFGGOV"))
    actors = {a.name: a for a in import_petrarch_actors(path)}
    assert set(actors) == {"Gondor", "Aragorn", "White Council"}
    aragorn = actors["Aragorn"]
    assert aragorn.source == "middle.actors.txt:4"
    assert aragorn.aliases == ("King Elessar",)
    assert [(r.sector, r.start, r.end) for r in aragorn.roles] == [
        ("REB", dt.date(1930, 1, 1), dt.date(2019, 1, 1)),
        ("GOV", dt.date(2019, 1, 2), None),
    ]
    assert aragorn.roles[0].attributes == ("cameo=AFGREB",)
    assert actors["White Council"].kind == "igo"


def test_unknown_codes_are_skipped_or_raise_in_strict_mode(tmp_path: Path) -> None:
    path = tmp_path / "bad.actors.txt"
    path.write_text(ACTORS)  # GON is no country code
    assert [a.name for a in import_petrarch_actors(path)] == ["White Council"]
    with pytest.raises(DictionaryError) as info:
        import_petrarch_actors(path, strict=True)
    assert info.value.code == "E307" and f"{path}:2" in str(info.value)


def test_agents_expand_macros_and_plurals(tmp_path: Path) -> None:
    path = tmp_path / "mine.agents.txt"
    path.write_text(AGENTS)
    agents = {a.sector: a for a in import_petrarch_agents(path)}
    assert set(agents) == {"AGR", "GOV"}
    assert {"Farmer", "Farmman", "Farmmen"} <= set(agents["AGR"].aliases)
    assert {"Minister Of War", "Ministers Of War"} <= set(agents["GOV"].aliases)


def test_imported_entries_join_the_packaged_ones(tmp_path: Path, actors: ActorDictionary) -> None:
    path = tmp_path / "extra.actors.txt"
    path.write_text("HIGH_COUNCIL_OF_KUNDUZ_ [AFGGOV]\n")
    merged = ActorDictionary.from_actors(import_petrarch_actors(path), base=actors)
    result = merged.lookup("High Council of Kunduz", "2020-01-01")
    assert result.code == "AFGGOV" and result.actor is not None
    assert result.actor.source == "extra.actors.txt:1"
    assert merged.lookup("Taliban", "2020-01-01").code == "AFGINS"


def test_real_phoenix_files(shared_data: Path) -> None:
    folder = shared_data / "cameo-dictionaries"
    groups = import_petrarch_actors(folder / "Phoenix.MilNonState.actors.txt")
    taliban = next(a for a in groups if a.name == "Taliban")
    assert (taliban.country, taliban.sector) == ("AFG", "REB")
    assert taliban.source and taliban.source.startswith("Phoenix.MilNonState.actors.txt:")
    countries = import_petrarch_actors(folder / "Phoenix.Countries.actors.txt.gz")
    putin = next(a for a in countries if a.name == "Vladimir Putin")
    assert any(r.country == "RUS" and r.sector == "GOV" for r in putin.roles)
    assert len(countries) > 10_000
    agents = import_petrarch_agents(folder / "Phoenix.agents.txt")
    assert {"GOV", "MIL", "AGR"} <= {a.sector for a in agents}
    international = import_petrarch_actors(folder / "Phoenix.International.actors.txt")
    assert any(a.name.startswith("Shanghai Cooperation") for a in international)
