"""The packaged dictionary's content, and the loader's errors on bad files."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from pathlib import Path

import pycountry
import pytest

from dyadwatch.actors import ActorDictionary, check, default_paths
from dyadwatch.errors import DictionaryError

Write = Callable[..., Path]

PERSON = """
[[actor]]
id = "{id}"
name = "{name}"
kind = "person"
country = "RUS"
roles = [{roles}]
"""


def test_packaged_dictionary_is_valid() -> None:
    assert check() == []


def test_every_current_state_is_there(actors: ActorDictionary) -> None:
    missing = [c.alpha_3 for c in pycountry.countries if c.alpha_3.lower() not in actors]
    assert missing == []
    assert actors["afg"].kind == "state"
    assert actors.lookup("Tajik", "2022-01-01").code == "TJK"


def test_at_least_150_people_with_dated_roles(actors: ActorDictionary) -> None:
    people = [a for a in actors if a.kind == "person"]
    assert len(people) >= 150
    assert all(role.start or role.end for person in people for role in person.roles)


@pytest.mark.parametrize("actor_id", [
    "un", "unama", "csto", "sco", "eaeu", "cis", "nato", "eu", "oic", "brics", "moscow-format",
    "extended-troika", "ric", "taliban", "ttp", "haqqani-network", "iskp", "al-qaeda", "imu",
    "jamaat-ansarullah", "nrf", "ussr", "afg-islamic-republic", "afg-islamic-emirate",
    "zamir-kabulov", "amir-khan-muttaqi", "agent-mil", "agent-gov",
])
def test_required_entries(actors: ActorDictionary, actor_id: str) -> None:
    assert actor_id in actors


def test_taliban_listing_is_a_dated_attribute(actors: ActorDictionary) -> None:
    taliban = actors["taliban"]
    assert "listed-terrorist-RUS" not in actors.role_at(taliban, dt.date(2003, 2, 13)).attributes  # type: ignore[union-attr]
    assert "listed-terrorist-RUS" in actors.role_at(taliban, dt.date(2003, 2, 14)).attributes  # type: ignore[union-attr]
    assert "listed-terrorist-RUS" in actors.role_at(taliban, dt.date(2025, 4, 17)).attributes  # type: ignore[union-attr]
    assert "listed-terrorist-RUS" not in actors.role_at(taliban, dt.date(2025, 4, 18)).attributes  # type: ignore[union-attr]
    assert actors.lookup("Taliban", "2025-07-10").attributes == ("recognised-by-RUS",)


def test_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYADWATCH_CACHE_DIR", str(tmp_path))
    first = ActorDictionary.load()
    cached = list(tmp_path.glob("actors-*.pickle"))
    assert len(cached) == 1
    second = ActorDictionary.load()
    assert second.lookup("Lavrov", "2021-10-20").code == first.lookup("Lavrov", "2021-10-20").code
    cached[0].write_bytes(b"not a pickle")  # a broken cache is rebuilt, never fatal
    assert ActorDictionary.load().lookup("Taliban", "2020-01-01").code == "AFGINS"
    assert pickle.loads(cached[0].read_bytes()) is not None


def test_loading_without_cache_matches(actors: ActorDictionary) -> None:
    fresh = ActorDictionary.load(cache=False)
    assert len(fresh) == len(actors)
    assert default_paths()


# ---- bad input: the error names the file, the entry and the field


def _error(path: Path) -> DictionaryError:
    with pytest.raises(DictionaryError) as info:
        ActorDictionary.load([path], cache=False)
    return info.value


def test_syntax_error_names_the_file(write_toml: Write) -> None:
    path = write_toml('[[actor]]\nid = "x"\nname = "X\n')
    error = _error(path)
    assert error.code == "E301"
    assert str(path) in str(error)


def test_unknown_code_names_entry_and_field(write_toml: Write) -> None:
    path = write_toml('[[actor]]\nid = "zz-land"\nname = "Zz"\nkind = "state"\ncountry = "ZZZ"\n')
    error = _error(path)
    assert error.code == "E305"
    assert "zz-land" in str(error) and "'country'" in str(error) and str(path) in str(error)


def test_unknown_sector_in_a_role(write_toml: Write) -> None:
    path = write_toml(PERSON.format(id="a-b", name="A B", roles='{ sector = "GOVV", start = 2001-01-01 }'))
    error = _error(path)
    assert error.code == "E305" and "roles[1].sector" in str(error)


def test_overlapping_roles(write_toml: Write) -> None:
    roles = '{ title = "One", sector = "GOV", start = 2001-01-01, end = 2005-01-01 }, { title = "Two", sector = "GOV", start = 2004-06-01 }'
    path = write_toml(PERSON.format(id="ivan-ivanovich", name="Ivan Ivanovich", roles=roles))
    error = _error(path)
    assert error.code == "E303"
    assert "ivan-ivanovich" in str(error) and "One" in str(error) and "Two" in str(error)
    assert f"{path}:3" in str(error)  # the line of the entry (the template starts with a blank line)


def test_dates_out_of_order(write_toml: Write) -> None:
    path = write_toml(PERSON.format(id="a-b", name="A B", roles='{ sector = "GOV", start = 2005-01-01, end = 2001-01-01 }'))
    error = _error(path)
    assert error.code == "E302" and "out of order" in str(error) and "roles[1].end" in str(error)


def test_alias_claimed_by_two_entries_on_the_same_dates(write_toml: Write) -> None:
    text = (
        '[[actor]]\nid = "one"\nname = "One"\nkind = "group"\ncountry = "AFG"\naliases = ["The Movement"]\n\n'
        '[[actor]]\nid = "two"\nname = "Two"\nkind = "group"\ncountry = "PAK"\naliases = ["the movement"]\n'
    )
    error = _error(write_toml(text))
    assert error.code == "E304" and "one" in str(error) and "two" in str(error)


def test_same_alias_on_disjoint_dates_is_fine(write_toml: Write) -> None:
    text = (
        '[[actor]]\nid = "one"\nname = "One"\nkind = "group"\ncountry = "AFG"\nend = 2000-12-31\naliases = ["The Movement"]\n\n'
        '[[actor]]\nid = "two"\nname = "Two"\nkind = "group"\ncountry = "PAK"\nstart = 2001-01-01\naliases = ["the movement"]\n'
    )
    dictionary = ActorDictionary.load([write_toml(text)], cache=False)
    assert dictionary.lookup("the Movement", "1999-01-01").actor_id == "one"
    assert dictionary.lookup("the Movement", "2002-01-01").actor_id == "two"


def test_duplicate_entry_and_unknown_field(write_toml: Write) -> None:
    text = (
        '[[actor]]\nid = "one"\nname = "One"\nkind = "group"\ncountry = "AFG"\n\n'
        '[[actor]]\nid = "one"\nname = "Again"\nkind = "group"\ncountry = "AFG"\nalises = ["typo"]\n'
    )
    problems = check([write_toml(text)])
    assert [p.code for p in problems] == ["E302", "E306"]
    assert "alises" in str(problems[0])


def test_check_collects_every_problem(write_toml: Write) -> None:
    text = (
        '[[actor]]\nid = "Bad Id"\nname = "X"\nkind = "state"\n\n'
        '[[actor]]\nid = "ok"\nname = "Y"\nkind = "planet"\ncountry = "XXX"\n'
    )
    codes = sorted(p.code for p in check([write_toml(text)]))
    assert codes == ["E302", "E302", "E305"]
