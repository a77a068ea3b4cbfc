"""Import of PETRARCH / Phoenix actor and agent dictionaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyadwatch.actors import (
    ActorDictionary,
    import_countryinfo,
    import_petrarch_actors,
    import_petrarch_agents,
)
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


# ---- CountryInfo, the source of the Phoenix country actors

COUNTRYINFO = """\
<!-- a CountryInfo file
<Country>: documentation, not a block
-->
<Country>
<CountryCode>TJK</CountryCode>
<CountryName>TAJIKISTAN</CountryName>
<Nationality>
\tTAJIK_
\tTADZHIK_
</Nationality>
<Capital>
\tDUSHANBE_
</Capital>
<Leaders>
\t<Presidents>
\t\t{EMOMALI_RAHMONOV_}{EMOMALII_RAHMON_}\t[19941116 - 20061106]  [B:19520101]  [>20061106]
\t</Presidents>
\t<Prime ministers>
\t\tAKIL_AKILOV_\t[19991220 - 20131123]  [B:19440101]
\t</Prime ministers>
</Leaders>
<Government>
\tHAMROKHON_ZARIFI_\t[TJKGOV 20060101 - 20130631][TJKGOVEDU <20051231]\t# Minister of Foreign Affairs & Minister of Education
\tBROKEN_ENTRY_\t[TJKGOV 2006-01-01]\t# a date in the wrong shape
</Government>
</Country>
<Country>
<CountryCode>[USRKGZ <19910831][KGZUNR 19910831-19911221][KGZ >19911221]</CountryCode>
<CountryName>KYRGYZSTAN</CountyName>
</Country>
"""


def test_countryinfo_states_people_and_dated_roles(tmp_path: Path) -> None:
    path = tmp_path / "CountryInfo.mine.txt"
    path.write_text(COUNTRYINFO)
    records = {a.name: a for a in import_countryinfo(path)}
    assert set(records) == {"Tajikistan", "Kyrgyzstan", "Emomali Rahmonov", "Akil Akilov", "Hamrokhon Zarifi"}
    tajikistan = records["Tajikistan"]
    assert (tajikistan.kind, tajikistan.country, tajikistan.aliases) == ("state", "TJK", ("Tajik", "Tadzhik", "Dushanbe"))
    assert tajikistan.source == "CountryInfo.mine.txt:4"
    assert records["Kyrgyzstan"].country == "KGZ"  # the latest code of a state with a dated history
    rahmon = records["Emomali Rahmonov"]
    assert rahmon.aliases == ("Emomalii Rahmon",)
    assert [(r.title, r.start, r.end) for r in rahmon.roles] == [
        ("Presidents", dt.date(1994, 11, 16), dt.date(2006, 11, 6)),
        ("Presidents", dt.date(2006, 11, 6), None),  # [>date]: in office from, at the file's last update
    ]
    zarifi = records["Hamrokhon Zarifi"]
    # one title per code; "20130631" (no such day) read as the month's last day; [<date]: until
    assert [(r.sector, r.title, r.start, r.end, r.attributes) for r in zarifi.roles] == [
        ("GOV", "Minister of Education", None, dt.date(2005, 12, 31), ("cameo=TJKGOVEDU",)),
        ("GOV", "Minister of Foreign Affairs", dt.date(2006, 1, 1), dt.date(2013, 6, 30), ("cameo=TJKGOV",)),
    ]
    assert zarifi.source == "CountryInfo.mine.txt:23"


def test_countryinfo_bad_line_is_skipped_or_raises_in_strict_mode(tmp_path: Path) -> None:
    path = tmp_path / "CountryInfo.bad.txt"
    path.write_text(COUNTRYINFO)
    assert "Broken Entry" not in {a.name for a in import_countryinfo(path)}
    with pytest.raises(DictionaryError) as info:
        import_countryinfo(path, strict=True)
    assert info.value.code == "E307" and f"{path}:24" in str(info.value)


def test_imported_names_the_base_knows_stay_with_the_base(tmp_path: Path, actors: ActorDictionary) -> None:
    path = tmp_path / "CountryInfo.mine.txt"
    path.write_text(COUNTRYINFO)
    merged = ActorDictionary.from_actors(import_countryinfo(path), base=actors)
    # "Tajik" and "Dushanbe" are the packaged state's: the import does not make them ambiguous
    [mention] = merged.resolver().tag("Tajik troops crossed the border.", "2010-01-01")
    assert mention.actor_id is not None and not mention.actor_id.startswith("countryinfo:")
    assert (mention.country, mention.sector) == ("TJK", "MIL")
    assert merged.lookup("Dushanbe", "2010-01-01").actor_id == "tjk"
    # a name only the import has resolves to the imported entry, on its dated role, with its source
    result = merged.lookup("Hamrokhon Zarifi", "2008-05-01")
    assert result.code == "TJKGOV" and result.actor is not None
    assert result.actor.source == "CountryInfo.mine.txt:23"
    assert result.role is not None and result.role.title == "Minister of Foreign Affairs"


def test_real_countryinfo_file(shared_data: Path, actors: ActorDictionary) -> None:
    records = import_countryinfo(shared_data / "cameo-actors" / "CountryInfo.140728.txt.gz")
    states = {a.country: a for a in records if a.kind == "state"}
    assert len(states) > 200
    assert {"Afghan", "Kabul"} <= set(states["AFG"].aliases)
    people = {a.name: a for a in records if a.kind == "person"}
    assert len(people) > 10_000
    karzai = people["Hamid Karzai"]
    assert any(r.country == "AFG" and r.sector == "GOV" and r.start == dt.date(2001, 12, 22) for r in karzai.roles)
    assert karzai.source is not None and karzai.source.startswith("CountryInfo.140728.txt.gz:")
    merged = ActorDictionary.from_actors(records, base=actors)
    result = merged.lookup("Sultan Ali Keshtmand", "1985-01-01")  # an Afghan prime minister of the 1980s
    assert result.code == "AFGGOV" and result.actor is not None
    assert result.actor.source is not None and result.actor.source.startswith("CountryInfo.140728.txt.gz:")
    # the packaged, dated entries keep resolving what they know
    assert merged.lookup("Taliban", "2022-01-01").code == "AFGGOV"
    assert merged.lookup("Lavrov", "2021-10-20").actor_id == "sergey-lavrov"
