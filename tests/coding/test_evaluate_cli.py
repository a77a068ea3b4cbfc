"""`dyadwatch evaluate`, run through a Typer app that only has it (the lead wires it into main)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from dyadwatch.cli.evaluate import register
from dyadwatch.errors import ConfigError, DyadwatchError
from dyadwatch.records import Event, Sentence
from dyadwatch.store import Store
from tests.coding.test_evaluate_store import SENTENCES, add_correction, add_event, add_sentences

FIXTURES = Path(__file__).parent / "fixtures"
GOLD = str(FIXTURES / "gold_small.jsonl")
PREDICTIONS = str(FIXTURES / "predictions_small.jsonl")
runner = CliRunner()


def app() -> typer.Typer:
    application = typer.Typer()
    register(application)

    @application.callback()
    def main() -> None:
        """A host app, so that `evaluate` is a subcommand as in dyadwatch's own."""

    return application


def flat(text: str) -> str:
    """The output with its line wrapping undone: rich wraps at 80 columns, where the path's length decides."""
    return " ".join(text.split())


def run(*args: str) -> Any:
    return runner.invoke(app(), ["evaluate", *args])


# ---- test-only coders, loaded by --coder-callable ----------------------------------------

_RULES = {
    "hosted": [("043", "RUS", "AFG")],
    "accused": [("112", "AFG", "PAK")],
    "signed": [("057", "KAZ", "UZB"), ("057", "UZB", "KAZ")],
    "urged": [("0243", "IGO", "AFG")],
    "talks": [("040", "IRN", "RUS")],
}


def tiny_coder(batch: list[tuple[str, dt.date | None]]) -> list[list[Event]]:
    """A keyword coder that knows exactly the sentences of gold_small.jsonl."""
    out = []
    for i, (text, date) in enumerate(batch):
        found = []
        for word, events in _RULES.items():
            if word in text:
                found += [Event(f"t{i}-{n}", "dyadwatch", date, cameo_code=code, source_country=source,
                                target_country=target, coder="tiny 0") for n, (code, source, target) in enumerate(events)]
        out.append(found)
    return out


def short_coder(batch: list[tuple[str, dt.date | None]]) -> list[list[Event]]:
    return [[] for _ in batch[1:]]


def wrong_coder(batch: list[tuple[str, dt.date | None]]) -> list[list[str]]:
    return [["043"] for _ in batch]


class TinyPipelineCoder:
    """The shape of the pipeline's coders: name, version, code(sentences, doc_dates=...)."""

    name = "tiny-pipeline"
    version = "0"

    def code(self, sentences: Iterable[Sentence], *, doc_dates: Mapping[str, Any],
             doc_meta: Mapping[str, dict[str, Any]] | None = None) -> Iterator[Event]:
        for sent in sentences:
            for event in tiny_coder([(sent.text, doc_dates.get(sent.doc_id))])[0]:
                yield Event(event.event_id, "dyadwatch", event.date, cameo_code=event.cameo_code,
                            source_country=event.source_country, target_country=event.target_country,
                            doc_id=sent.doc_id, sentence_idx=sent.idx)


# ---- predictions files ---------------------------------------------------------------------


def test_predictions_file_json() -> None:
    result = run(GOLD, "--predictions", PREDICTIONS, "--json")
    assert result.exit_code == 0, result.output
    (evaluation,) = json.loads(result.stdout)["evaluations"]
    assert evaluation["gold"] == GOLD and evaluation["sentences"] == 6 and evaluation["unmatched_predictions"] == 1
    # the hand count of test_evaluate_scoring.test_hand_counted_example
    measures = evaluation["measures"]
    assert measures["root"] == {"sentences": 5, "tp": 2, "fp": 2, "fn": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert (measures["triple"]["precision"], measures["triple"]["recall"]) == (0.5, 0.4)
    assert measures["spans_overlap"]["f1"] == 1.0 and measures["quad"]["f1"] == 0.75
    assert evaluation["labels"]["macro_f1"] == 0.0
    assert "confusion" not in evaluation
    with_matrix = json.loads(run(GOLD, "--predictions", PREDICTIONS, "--json", "--confusion").stdout)["evaluations"][0]
    assert with_matrix["confusion"]["labels"] == ["01", "02", "04", "05", "11", "12", "none"]


def test_predictions_file_tables() -> None:
    result = run(GOLD, "--predictions", PREDICTIONS, "--confusion")
    assert result.exit_code == 0, result.output
    for words in ("6 sentences", "5 gold events", "root", "triple", "spans_exact", "label macro",
                  "sentence labels by class", "gold \\ pred", "matched no gold sentence"):
        assert words in flat(result.stdout)


def test_several_gold_files_and_a_format(tmp_path: Path) -> None:
    copy = tmp_path / "petrarch.gold"
    copy.write_bytes((FIXTURES / "petrarch_small.xml").read_bytes())
    result = run(GOLD, str(copy), "--format", "jsonl", "--predictions", PREDICTIONS, "--json")
    assert isinstance(result.exception, DyadwatchError) and result.exception.code == "E401"  # the XML is not JSONL
    result = run(GOLD, str(FIXTURES / "petrarch_small.xml"), "--predictions", PREDICTIONS, "--json")
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.stdout)["evaluations"]
    assert first["unmatched_predictions"] == second["unmatched_predictions"] == 1  # p6 is in neither
    # the predictions name sentences of gold_small (by id, or by a text the PETRARCH file lacks)
    assert first["predicted_events"] == 4 and second["predicted_events"] == 0
    assert (second["measures"]["root"]["tp"], second["measures"]["root"]["fn"]) == (0, 4)


def test_no_confusion_without_cameo_codes() -> None:
    result = run(str(FIXTURES / "plover_small.json"), "--predictions", PREDICTIONS, "--confusion")
    assert result.exit_code == 0, result.output
    assert "has no CAMEO codes" in flat(result.stdout)
    assert "no predicted event" in result.output  # a warning on stderr


# ---- a coder run here ------------------------------------------------------------------------


def test_coder_callable_function() -> None:
    result = run(GOLD, "--coder-callable", "tests.coding.test_evaluate_cli:tiny_coder", "--json")
    assert result.exit_code == 0, result.output
    (evaluation,) = json.loads(result.stdout)["evaluations"]
    for name in ("root", "quad", "triple", "dyad"):
        assert evaluation["measures"][name]["f1"] == 1.0, name
    assert evaluation["labels"]["accuracy"] == 1.0  # "talks" -> 040 -> class 1
    assert evaluation["measures"]["spans_exact"]["recall"] == 0.0  # this coder marks no spans


def test_coder_callable_pipeline_class_and_file(tmp_path: Path) -> None:
    result = run(GOLD, "--coder-callable", "tests.coding.test_evaluate_cli:TinyPipelineCoder", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["evaluations"][0]["measures"]["triple"]["f1"] == 1.0
    module = tmp_path / "my_coder.py"
    module.write_text(
        "from dyadwatch.records import Event\n"
        "def code(batch):\n"
        "    return [[Event('x', 'dyadwatch', None, cameo_code='043', source_country='RUS', target_country='AFG')]"
        " if 'hosted' in text else [] for text, _ in batch]\n",
        encoding="utf-8",
    )
    result = run(GOLD, "--coder-callable", f"{module}:code", "--json")
    assert result.exit_code == 0, result.output
    root = json.loads(result.stdout)["evaluations"][0]["measures"]["root"]
    assert (root["tp"], root["fp"], root["fn"]) == (1, 0, 3)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("tiny_coder", "not module:function"),
        ("no_such_module_here:code", "cannot be imported"),
        ("tests.coding.test_evaluate_cli:missing", "has no 'missing'"),
        ("tests.coding.test_evaluate_cli:GOLD", "not a function"),
        ("tests.coding.test_evaluate_cli:short_coder", "for 6 sentences it returned 5 items"),
        ("tests.coding.test_evaluate_cli:wrong_coder", "returned a str where an Event belongs"),
        ("missing_file.py:code", "cannot be imported"),
    ],
)
def test_bad_coder_callable(spec: str, words: str) -> None:
    result = run(GOLD, "--coder-callable", spec)
    assert isinstance(result.exception, ConfigError), result.output
    assert result.exception.code == "E406" and words in str(result.exception)


# ---- the store ---------------------------------------------------------------------------------


@pytest.fixture
def store_file(store_path: Path) -> Path:
    with Store(store_path) as store:
        keys = add_sentences(store, SENTENCES)
        add_event(store, "e1", keys[0], "043", "RUS", "AFG", sentence=SENTENCES[0])
        add_event(store, "e2", keys[1], "120", "AFG", "PAK", sentence=SENTENCES[1])
        add_event(store, "e3", keys[2], "010", "AFG", None, sentence=SENTENCES[2])
        add_correction(store, "c1", "e1", "accept")
        add_correction(store, "c2", "e2", "correct", {"cameo_code": "112"}, minute=1)
        add_correction(store, "c3", "e3", "reject", minute=2)
    return store_path


def test_store_and_coder(store_file: Path) -> None:
    result = run(GOLD, "--store", str(store_file), "--coder", "rules", "--json")
    assert result.exit_code == 0, result.output
    root = json.loads(result.stdout)["evaluations"][0]["measures"]["root"]
    # 04 right; 12 for 11 wrong; 01 in the sentence without events wrong; 05 and 02 missed
    assert (root["tp"], root["fp"], root["fn"]) == (1, 2, 3)


def test_corrections_as_gold(store_file: Path) -> None:
    result = run("--corrections", "--store", str(store_file), "--coder", "rules", "--json")
    assert result.exit_code == 0, result.output
    (evaluation,) = json.loads(result.stdout)["evaluations"]
    assert evaluation["gold"].startswith("corrections in ") and evaluation["sentences"] == 3
    root = evaluation["measures"]["root"]
    # accepted 04: right; corrected 120 -> 112: 12 wrong, 11 missed; rejected 010: wrong
    assert (root["tp"], root["fp"], root["fn"]) == (1, 2, 1)


# ---- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [GOLD, "--predictions", PREDICTIONS, "--coder", "rules"],
        [GOLD, "--coder-callable", "tests.coding.test_evaluate_cli:tiny_coder", "--predictions", PREDICTIONS],
    ],
)
def test_exactly_one_source_of_predictions(args: list[str]) -> None:
    result = run(*args)
    assert isinstance(result.exception, ConfigError) and result.exception.code == "E409"


def test_without_predictions_the_rule_coder_is_scored() -> None:
    result = run(GOLD, "--json")
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.output)["evaluations"][0]
    assert evaluation["sentences"] == 6 and evaluation["gold_events"] == 5
    assert evaluation["predicted_events"] > 0  # the coder ran on the gold sentences
    assert evaluation["measures"]["root"]["f1"] >= 0.75


def test_no_gold_at_all() -> None:
    result = run("--predictions", PREDICTIONS)
    assert result.exit_code == 2 and "GOLD" in result.output


def test_malformed_gold_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "Kabul agreed.", "events": []}\n{"text": "Moscow objected."}\n', encoding="utf-8")
    result = run(str(path), "--predictions", PREDICTIONS)
    assert isinstance(result.exception, DyadwatchError)
    assert str(result.exception).startswith(f"[E401] {path}: Gold file line 2: no 'events'")
