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
