"""The learned event classifier and its embedder, on the project's own training sentences."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sentence_transformers")
pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from dyadwatch.coding import classifier as classifier_module  # noqa: E402
from dyadwatch.coding.classifier import (  # noqa: E402
    EventClassifier,
    default_classifier,
    normalise_label,
    read_examples,
    training_data_path,
)
from dyadwatch.coding.embeddings import Embedder, get_embedder  # noqa: E402
from dyadwatch.errors import ConfigError, MissingExtraError  # noqa: E402


@pytest.fixture(scope="module")
def own_data() -> tuple[list[str], list[str], list[int]]:
    texts, roots = read_examples(training_data_path(), target="root")
    _, quads = read_examples(training_data_path(), target="quad")
    return texts, roots, quads


@pytest.fixture(scope="module")
def split(own_data: tuple[list[str], list[str], list[int]]) -> tuple[list[str], list[str], list[str], list[str]]:
    texts, roots, _ = own_data
    train_x, test_x, train_y, test_y = train_test_split(texts, roots, test_size=0.25, stratify=roots, random_state=0)
    return train_x, test_x, train_y, test_y


@pytest.fixture(scope="module")
def root_model(split: tuple[list[str], list[str], list[str], list[str]]) -> EventClassifier:
    train_x, _, train_y, _ = split
    return EventClassifier(target="root").fit(train_x, train_y)


@pytest.fixture(scope="module")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DYADWATCH_CACHE_DIR", str(folder))
        default_classifier.cache_clear()
        yield folder
    default_classifier.cache_clear()


def test_the_training_file_covers_every_root(own_data: tuple[list[str], list[str], list[int]]) -> None:
    texts, roots, quads = own_data
    assert len(texts) >= 400
    assert len(set(texts)) == len(texts)
    assert sorted(set(roots)) == [f"{i:02d}" for i in range(1, 21)]
    assert all(roots.count(root) >= 18 for root in set(roots))
    assert set(quads) == {1, 2, 3, 4}


def test_embeddings_are_unit_length_and_cached() -> None:
    embedder = get_embedder()
    vectors = embedder.encode(["Kenya hosted the talks.", "Troops shelled the town.", "Kenya hosted the talks."])
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert (vectors[0] == vectors[2]).all()
    assert embedder.encode([]).shape == (0, 384)
    with pytest.raises(ConfigError, match=r"\[E460\]"):
        embedder.encode("one string")  # type: ignore[arg-type]


def test_the_disk_cache_returns_the_same_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYADWATCH_CACHE_DIR", str(tmp_path))
    texts = ["Qatar hosted the negotiators.", "Police arrested the mayor."]
    first = Embedder(disk_cache=True)
    first._model = get_embedder()._loaded()  # share the loaded weights: the test is about the cache
    vectors = first.encode(texts)
    assert (tmp_path / "embeddings.sqlite").exists()
    second = Embedder(disk_cache=True)
    second._model = "must not be used"  # every vector must come from the disk cache
    assert (second.encode(texts) == vectors).all()


def test_a_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingExtraError, match=r"\[E901\].*dyadwatch\[ml\]"):
        Embedder().encode(["text"])


def test_held_out_macro_f1_is_well_above_chance(root_model: EventClassifier,
                                                split: tuple[list[str], list[str], list[str], list[str]]) -> None:
    _, test_x, _, test_y = split
    predicted = root_model.predict(test_x)
    # 20 classes: chance is 0.05; 5-fold CV measures about 0.68 (benchmarks/bench_coding_models.py)
    assert f1_score(test_y, list(predicted), average="macro") >= 0.45
    assert set(root_model.classes_) == {f"{i:02d}" for i in range(1, 21)}
    assert root_model.predict_proba(test_x[:3]).shape == (3, 20)


def test_quad_target(own_data: tuple[list[str], list[str], list[int]]) -> None:
    texts, _, quads = own_data
    train_x, test_x, train_y, test_y = train_test_split(texts, quads, test_size=0.25, stratify=quads, random_state=0)
    model = EventClassifier(target="quad").fit(train_x, train_y)
    assert f1_score(test_y, list(model.predict(test_x)), average="macro") >= 0.6  # chance 0.25
    assert all(quad in (1, 2, 3, 4, None) for quad, _ in model.predict_quad(test_x[:5]))


def test_predict_root_respects_the_threshold(root_model: EventClassifier) -> None:
    texts = ["Rebels shelled the airport in the north.", "The minister said little.", "Police arrested the mayor."]
    probabilities = root_model.predict_proba(texts).max(axis=1)
    for threshold in (0.0, float(probabilities.min()) + 1e-9, 1.0):
        model = clone(root_model).set_params(threshold=threshold)
        model.__dict__.update({k: v for k, v in root_model.__dict__.items() if k.endswith("_")})
        results = model.predict_root(texts)
        for (root, p), expected in zip(results, probabilities, strict=True):
            assert p == pytest.approx(expected)
            assert (root is None) == (p < threshold)
    assert all(root is not None for root, _ in root_model.set_params(threshold=0.0).predict_root(texts))
    root_model.set_params(threshold=0.3)


def test_predict_root_needs_a_root_model(own_data: tuple[list[str], list[str], list[int]]) -> None:
    texts, _, quads = own_data
    model = EventClassifier(target="quad", features="lexical").fit(texts[::5], quads[::5])
    with pytest.raises(ConfigError, match=r"\[E460\] predict_root must be"):
        model.predict_root(["Troops shelled the town."])


def test_settings_and_state_follow_the_estimator_contract() -> None:
    model = EventClassifier(target="penta", C=2.0)
    assert model.get_params()["C"] == 2.0
    assert clone(model).get_params() == model.get_params()
    assert not [name for name in vars(model) if name.endswith("_")]
    with pytest.raises(TypeError):
        EventClassifier("root")  # type: ignore[misc]
    with pytest.raises(ConfigError, match=r"\[E464\]"):
        model.predict(["text"])
    with pytest.raises(ConfigError, match=r"\[E421\] target must be one of"):
        EventClassifier(target="plover").fit(["a", "b"], ["01", "02"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"\[E463\]"):
        EventClassifier(features="lexical").fit(["a", "b"], ["01", "01"])
    with pytest.raises(ConfigError, match=r"\[E460\] labels must be one per text"):
        EventClassifier().fit(["a", "b"], ["01"])


@pytest.mark.parametrize(("value", "target", "expected"), [
    ("04", "root", "04"), ("043", "root", "04"), (4, "root", "04"), ("19", "root", "19"), ("0874", "root", "08"),
    (3, "quad", 3), ("3", "quad", 3), (0, "penta", 0), (4.0, "penta", 4),
])
def test_labels_are_normalised(value: object, target: str, expected: object) -> None:
    assert normalise_label(value, target) == expected


@pytest.mark.parametrize(("value", "target"), [("21", "root"), ("4.5", "root"), (True, "root"), (0, "quad"),
                                               ("verbal", "quad"), (5, "penta"), (None, "root")])
def test_bad_labels_are_refused(value: object, target: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E461\]"):
        normalise_label(value, target)


def test_save_and_load_round_trip(root_model: EventClassifier, tmp_path: Path,
                                  split: tuple[list[str], list[str], list[str], list[str]]) -> None:
    _, test_x, _, _ = split
    path = root_model.save(tmp_path / "models" / "root.pkl")
    loaded = EventClassifier.load(path)
    assert loaded.get_params() == root_model.get_params()
    assert (loaded.predict_proba(test_x) == root_model.predict_proba(test_x)).all()
    assert loaded.predict_root(test_x[:4]) == root_model.predict_root(test_x[:4])


def test_a_model_of_another_format_is_refused(root_model: EventClassifier, tmp_path: Path) -> None:
    path = root_model.save(tmp_path / "root.pkl")
    with path.open("rb") as handle:
        header = pickle.load(handle)
        rest = handle.read()
    for changes in ({"format": 999}, {"sklearn": "0.24.2"}):
        old = tmp_path / f"old-{len(changes)}-{next(iter(changes))}.pkl"
        old.write_bytes(pickle.dumps({**header, **changes}) + rest)
        with pytest.raises(ConfigError, match=r"\[E466\].*format .*Train it again") as caught:
            EventClassifier.load(old)
        assert str(old) in str(caught.value)
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(ConfigError, match=r"\[E465\]"):
        EventClassifier.load(other)
    text = tmp_path / "notes.txt"
    text.write_text("not a pickle at all")
    with pytest.raises(ConfigError, match=r"\[E465\]"):
        EventClassifier.load(text)


def test_a_fine_tuned_encoder_travels_with_the_model(own_data: tuple[list[str], list[str], list[int]],
                                                     tmp_path: Path) -> None:
    texts, _, quads = own_data
    chosen = list(range(0, len(texts), 7))  # 60 sentences: one short epoch keeps the test quick
    model = EventClassifier(target="quad", tune_epochs=1).fit([texts[i] for i in chosen], [quads[i] for i in chosen])
    assert model.embedder_ is not None
    assert "+tuned:" in model.versions_["encoder"]
    probe = ["Troops shelled the town.", "Kenya hosted the talks."]
    assert not (model.embedder_.encode(probe) == get_embedder().encode(probe)).all()
    loaded = EventClassifier.load(model.save(tmp_path / "tuned.pkl"))
    assert loaded.predict_proba(probe) == pytest.approx(model.predict_proba(probe), abs=1e-5)


def test_read_examples_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "Troops shelled the town.", "cameo_code": "190"}\n\n'
                    '{"text": "Kenya hosted the talks.", "label": "04"}\n', encoding="utf-8")
    assert read_examples(path, target="root") == (["Troops shelled the town.", "Kenya hosted the talks."], ["19", "04"])
    assert read_examples(path, target="quad")[1] == [4, 4]  # "label" is the label of the target asked for
    path.write_text('{"text": "Kenya hosted the talks.", "cameo_root": "04"}\n', encoding="utf-8")
    assert read_examples(path, target="quad")[1] == [1]  # the class of the root
    assert read_examples(path, target="penta")[1] == [1]
    for bad, message in (('{"text": "x", "cameo_root": "27"}', r"Line 2: Label '27' is not a root label"),
                         ("{not json", r"Line 2: not valid JSON"),
                         ('{"cameo_root": "04"}', r"Line 2: no \"text\""),
                         ('["a list"]', r"Line 2: not a JSON object"),
                         ('{"text": "no label here"}', r"Line 2: no label")):
        path.write_text('{"text": "ok", "cameo_root": "04"}\n' + bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\[E462\] .*data\.jsonl: " + message):
            read_examples(path, target="root")


def test_the_default_model_is_trained_once_and_cached(isolated_cache: Path) -> None:
    model = default_classifier()
    assert default_classifier() is model
    files = list(isolated_cache.glob("event-classifier-*.pickle"))
    assert len(files) == 1
    default_classifier.cache_clear()
    again = default_classifier()
    assert again is not model
    assert again.predict_root(["Police arrested dozens of protesters in the capital."])[0][0] == "17"


def test_the_default_cache_key_follows_the_data() -> None:
    key = classifier_module._default_key(b"one", {"target": "root"})
    assert key != classifier_module._default_key(b"two", {"target": "root"})
    assert key != classifier_module._default_key(b"one", {"target": "quad"})
