"""`dyadwatch actors lookup | check | list`, run through the typer app itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyadwatch.cli.actors import app
from dyadwatch.errors import DictionaryError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYADWATCH_CACHE_DIR", str(tmp_path / "cache"))


def test_lookup_before_and_after() -> None:
    before = runner.invoke(app, ["lookup", "Taliban", "--date", "2021-08-14"])
    after = runner.invoke(app, ["lookup", "Taliban", "--date", "2021-08-15"])
    assert before.exit_code == 0 and after.exit_code == 0
    assert "AFGINS" in before.output and "AFGGOV" in after.output
    assert "reason" in after.output and "de facto government" in after.output
    assert "listed-terrorist-RUS" in after.output


def test_lookup_unknown_exits_2() -> None:
    result = runner.invoke(app, ["lookup", "Xyzzy Quux", "--date", "2021-08-15"])
    assert result.exit_code == 2


def test_lookup_bad_date() -> None:
    result = runner.invoke(app, ["lookup", "Taliban", "--date", "15/08/2021"])
    assert result.exit_code != 0


def test_check_packaged_and_bad_file(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0 and "no problems" in ok.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[actor]]\nid = "x"\nname = "X"\nkind = "state"\ncountry = "XXX"\n')
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert "E305" in result.output and "bad.toml" in result.output


def test_lookup_with_a_broken_dictionary_raises_the_coded_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[actor]\n")
    result = runner.invoke(app, ["lookup", "Taliban", "--dict", str(bad)])
    assert isinstance(result.exception, DictionaryError) and result.exception.code == "E301"


def test_list_country() -> None:
    result = runner.invoke(app, ["list", "--country", "AFG", "--kind", "person", "--date", "2022-01-01"])
    assert result.exit_code == 0
    assert "amir-khan-muttaqi" in result.output and "AFGGOV" in result.output


def test_list_reads_a_cameo_country_code() -> None:
    result = runner.invoke(app, ["list", "--country", "KSV", "--kind", "state"])
    assert result.exit_code == 0
    assert "xkx" in result.output and "for XKX" in result.output


ENTRY = '[[actor]]\nid = "{id}"\nname = "{name}"\nkind = "{kind}"\ncountry = "{country}"\n{extra}\n'


@pytest.mark.parametrize(("text", "code", "words"), [
    ('[[actor]]\nid = "x"\nname = "X\n', "E301", ["syntax error"]),
    (ENTRY.format(id="zz", name="Zz", kind="state", country="ZZZ", extra=""), "E305", ["'zz'", "'ZZZ'", "'country'"]),
    (ENTRY.format(id="a-b", name="A B", kind="person", country="AFG",
                  extra='roles = [{ sector = "GOV", start = 2001-01-01, end = 2005-01-01 },'
                        ' { sector = "MIL", start = 2004-01-01 }]'),
     "E303", ["'a-b'", "overlap", "2004-01-01"]),
    (ENTRY.format(id="a-b", name="A B", kind="person", country="AFG",
                  extra='roles = [{ sector = "GOV", start = 2005-01-01, end = 2001-01-01 }]'),
     "E302", ["out of order", "roles[1].end"]),
    (ENTRY.format(id="one", name="One", kind="group", country="AFG", extra='aliases = ["The Front"]')
     + ENTRY.format(id="two", name="Two", kind="group", country="TJK", extra='aliases = ["the front"]'),
     "E304", ["'the front'", "'one", "'two'"]),
])
def test_check_reports_each_kind_of_problem(tmp_path: Path, text: str, code: str, words: list[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert code in result.output and "mine.toml" in result.output
    for word in words:
        assert word in result.output


def test_check_collects_all_problems_of_several_files(tmp_path: Path) -> None:
    first = tmp_path / "first.toml"
    first.write_text(ENTRY.format(id="zz", name="Zz", kind="state", country="ZZZ", extra=""), encoding="utf-8")
    second = tmp_path / "second.toml"
    second.write_text(ENTRY.format(id="a-b", name="A B", kind="person", country="AFG",
                                   extra='roles = [{ sector = "GOVV", start = 2005-01-01 }]'), encoding="utf-8")
    result = runner.invoke(app, ["check", str(first), str(second)])
    assert result.exit_code == 1
    assert "first.toml" in result.output and "second.toml" in result.output
    assert "2 problem(s) in 2 file(s)" in result.output


def test_lookup_shows_the_entry_role_and_reason() -> None:
    result = runner.invoke(app, ["lookup", "Russian Foreign Minister Sergey Lavrov", "--date", "2018-11-09"])
    assert result.exit_code == 0
    assert "RUSGOV" in result.output and "sergey-lavrov" in result.output
    assert "Minister of Foreign Affairs" in result.output and "2004-03-09" in result.output


def test_lookup_imports_a_countryinfo_file(tmp_path: Path) -> None:
    path = tmp_path / "CountryInfo.mine.txt"
    path.write_text("<Country>\n<CountryCode>TJK</CountryCode>\n<CountryName>TAJIKISTAN</CountryName>\n"
                    "<Government>\n\tHAMROKHON_ZARIFI_\t[TJKGOV 20060101 - 20130631]\t# Minister of Foreign Affairs\n"
                    "</Government>\n</Country>\n", encoding="utf-8")
    result = runner.invoke(app, ["lookup", "Hamrokhon Zarifi", "--date", "2010-01-01", "--import-petrarch", str(path)])
    assert result.exit_code == 0, result.output
    assert "TJKGOV" in result.output and "CountryInfo.mine.txt:5" in result.output


def test_list_country_afg_shows_both_regimes() -> None:
    result = runner.invoke(app, ["list", "--country", "AFG", "--date", "2019-01-01"])
    assert result.exit_code == 0
    for actor_id in ("afg", "taliban", "ashraf-ghani", "amir-khan-muttaqi", "afg-islamic-republic"):
        assert actor_id in result.output
