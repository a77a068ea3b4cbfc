"""The study file: the example loads; each bad input gets a coded error naming its key."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dyadwatch.errors import ConfigError
from dyadwatch.study.spec import CENTRAL_ASIA, StudySpec, period_starts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "russia-afghanistan" / "study.toml"

GOOD = """
title = "Trial"
sources = ["dyadwatch"]
[period]
start = 2020-01-01
end = 2022-12-31
unit = "month"
[actors]
Russia = ["RUS"]
[[dyads]]
name = "Russia-Central Asia"
source = "Russia"
target = "Central Asia"
[[interventions]]
name = "Kabul falls"
date = 2021-08-15
[measures]
use = ["cooperation"]
[[hypotheses]]
id = "H1"
statement = "Cooperation rises."
measure = "cooperation"
dyad = "Russia-Central Asia"
intervention = "Kabul falls"
expected = "increase"
"""


def test_the_example_study_loads_with_its_four_hypotheses() -> None:
    spec = StudySpec.load(EXAMPLE)
    assert spec.unit == "quarter" and spec.sources == ("dyadwatch",)
    assert {h.id[:2] for h in spec.hypotheses} == {"H1", "H2", "H3", "H4"}
    assert spec.dyad("Russia-Central Asia").target == CENTRAL_ASIA
    assert spec.intervention("Kabul falls").date == dt.date(2021, 8, 15)
    assert spec.sha256 and len(spec.sha256) == 64
    assert spec.frames == "russia-afghanistan"


def test_central_asia_group_without_defining_it() -> None:
    text = GOOD.replace('[actors]\nRussia = ["RUS"]', "").replace('source = "Russia"', 'source = "RUS"')
    spec = StudySpec.from_toml(text, where="s.toml")
    assert spec.dyads[0].source == ("RUS",) and spec.dyads[0].target == CENTRAL_ASIA


def test_periods_cover_the_study() -> None:
    assert period_starts(dt.date(2021, 2, 10), dt.date(2021, 9, 1), "quarter") == [
        dt.date(2021, 1, 1), dt.date(2021, 4, 1), dt.date(2021, 7, 1)]
    assert len(period_starts(dt.date(2019, 1, 1), dt.date(2025, 12, 31), "month")) == 84


@pytest.mark.parametrize(
    ("old", "new", "code", "key"),
    [
        ('use = ["cooperation"]', 'use = ["cooperation", "friendliness"]', "E604", "measures.use[1]"),
        ('measure = "cooperation"', 'measure = "warmth"', "E604", "hypotheses[0].measure"),
        ('Russia = ["RUS"]', 'Russia = ["RUS", "not-an-actor"]', "E605", 'actors.Russia[1]'),
        ('Russia = ["RUS"]', 'Russia = ["XYZ"]', "E605", "actors.Russia[0]"),
        ("date = 2021-08-15", "date = 2024-08-15", "E606", "interventions[0].date"),
        ('dyad = "Russia-Central Asia"', 'dyad = "Russia-Mars"', "E607", "hypotheses[0].dyad"),
        ('intervention = "Kabul falls"', 'intervention = "Fall of Rome"', "E607", "hypotheses[0].intervention"),
        ('expected = "increase"', 'expected = "up"', "E601", "hypotheses[0].expected"),
        ('unit = "month"', 'unit = "fortnight"', "E601", "period.unit"),
        ('sources = ["dyadwatch"]', 'sources = ["gdelt3"]', "E601", "sources[0]"),
        ("end = 2022-12-31", "end = 2019-12-31", "E601", "period.end"),
        ('title = "Trial"', 'title = "Trial"\ntitel = "typo"', "E601", "titel"),
    ],
)
def test_bad_study_files_name_the_key(old: str, new: str, code: str, key: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as info:
        StudySpec.from_toml(GOOD.replace(old, new), where="bad.toml")
    message = str(info.value)
    assert info.value.code == code, message
    assert message.startswith(f"[{code}] bad.toml: ") and key in message


def test_syntax_errors_and_missing_files() -> None:
    with pytest.raises(ConfigError) as info:
        StudySpec.from_toml('title = "x"\n[period\n', where="broken.toml")
    assert info.value.code == "E603" and "line 2" in str(info.value)
    with pytest.raises(ConfigError) as missing:
        StudySpec.load("/nonexistent/study.toml")
    assert missing.value.code == "E602"


def test_frame_measures_need_a_frame_set() -> None:
    with pytest.raises(ConfigError) as info:
        StudySpec.from_toml(GOOD.replace('use = ["cooperation"]', 'use = ["frame:terrorism"]'), where="s.toml")
    assert info.value.code == "E601" and "frames" in str(info.value)


def test_cli_reports_a_bad_study_file_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "study.toml"
    bad.write_text(GOOD.replace('use = ["cooperation"]', 'use = ["friendliness"]'), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dyadwatch.cli.main", "study", str(bad), "--out", str(tmp_path / "out"),
         "--store", str(tmp_path / "none.duckdb")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1
    assert "[E604]" in proc.stderr and "measures.use[0]" in proc.stderr and "friendliness" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
