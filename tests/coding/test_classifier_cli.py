"""`dyadwatch train` on small files, through a fresh Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("sklearn")

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from dyadwatch.cli.train import register  # noqa: E402
from dyadwatch.coding.classifier import EventClassifier, training_data_path  # noqa: E402
from dyadwatch.errors import ConfigError  # noqa: E402


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so that `train` is a subcommand as in the real CLI
        """Nothing."""

    return app


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in training_data_path().read_text(encoding="utf-8").splitlines()]
    chosen = [row for row in rows if row["cameo_root"] in ("04", "17", "19")]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in chosen) + "\n", encoding="utf-8")
    return path


def test_train_reports_scores_and_saves_the_model(app: typer.Typer, small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "models" / "mine.pkl"
    result = CliRunner().invoke(app, ["train", "--data", str(small_file), "--out", str(out), "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "63 sentences, 3 classes" in result.output
    assert "cross-validated (3 folds) macro F1:" in result.output
    assert "per class F1: 04=" in result.output
    model = EventClassifier.load(out)
    assert list(model.classes_) == ["04", "17", "19"]


def test_train_on_quad_classes(app: typer.Typer, small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "quad.pkl"
    result = CliRunner().invoke(app, ["train", "--data", str(small_file), "--target", "quad", "--out", str(out),
                                      "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert sorted(int(c) for c in EventClassifier.load(out).classes_) == [1, 4]


def test_a_bad_line_is_named(app: typer.Typer, small_file: Path) -> None:
    with small_file.open("a", encoding="utf-8") as handle:
        handle.write('{"text": "Troops shelled the town.", "cameo_root": "33"}\n')
    result = CliRunner().invoke(app, ["train", "--data", str(small_file)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception).startswith(f"[E462] {small_file}: Line 64: Label '33' is not a root label")


def test_too_few_examples_are_refused(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_text('{"text": "Kenya hosted the talks.", "cameo_root": "04"}\n'
                    '{"text": "India hosted Japanese envoys.", "cameo_root": "04"}\n'
                    '{"text": "Troops shelled the town.", "cameo_root": "19"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(path)])
    assert isinstance(result.exception, ConfigError)
    assert "[E463]" in str(result.exception) and "only one example of class 19" in str(result.exception)
