"""Frame sets, the lexicon, the frame classifier and frame shares over a small hand-written store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dyadwatch
from dyadwatch.errors import ConfigError
from dyadwatch.records import Event
from dyadwatch.study.frames import (
    FrameClassifier,
    FrameSet,
    agreement,
    cohen_kappa,
    dyad_sentences,
    frame_shares,
    load_gold,
)

FRAME_IDS = ["terrorism", "drugs", "extremism", "border", "humanitarian", "trade", "recognition"]


@pytest.fixture(scope="module")
def frames() -> FrameSet:
    return FrameSet.load("russia-afghanistan")


@pytest.fixture(scope="module")
def lexicon(frames: FrameSet) -> FrameClassifier:
    return FrameClassifier(frames, method="lexicon").fit()


# -- the frame set ----------------------------------------------------------------------------

def test_bundled_set_has_the_seven_frames_of_the_case(frames: FrameSet) -> None:
    assert frames.ids == FRAME_IDS
    assert frames.threats == ("terrorism", "drugs", "extremism", "border")
    assert all(f.seeds and f.terms for f in frames.frames)
    assert frames.gold is not None and frames.gold.is_file()


def test_load_by_path_gives_the_same_set(frames: FrameSet) -> None:
    assert frames.path is not None
    again = FrameSet.load(frames.path)
    assert again.ids == frames.ids and again.frames == frames.frames


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "code", "names"), [
    ('name = "x"\n[[frames]]\nid = "aid"\nterms = "food"\n', "E632", ["frame 'aid'", "key 'terms'"]),
    ('name = "x"\n[[frames]]\nid = "aid"\nterms = ["food"]\ncolour = "red"\n', "E632", ["frame 'aid'", "key 'colour'"]),
    ('name = "x"\n[[frames]]\nid = "Aid Frame"\nterms = ["food"]\n', "E632", ["frame '#1'", "key 'id'"]),
    ('name = "x"\n[[frames]]\nid = "aid"\n', "E632", ["frame 'aid'", "needs terms, patterns or seeds"]),
    ('name = "x"\n[[frames]]\nid = "aid"\npatterns = ["(unclosed"]\n', "E632", ["key 'patterns'", "(unclosed"]),
    ('name = "x"\n[[frames]]\nid = "aid"\nterms = ["a"]\n[[frames]]\nid = "aid"\nterms = ["b"]\n', "E632",
     ["two frames have this id"]),
    ('name = "x"\nthreats = ["war"]\n[[frames]]\nid = "aid"\nterms = ["a"]\n', "E633", ["key 'threats'", "'war'"]),
    ('name = "x"\nframez = []\n', "E633", ["key 'framez'", "unknown key"]),
    ('name = "x"\n', "E633", ["key 'frames'"]),
    ('name = "x"\n[[frames]\n', "E631", ["line 2"]),
])
def test_invalid_frame_sets_name_file_frame_and_key(tmp_path: Path, body: str, code: str, names: list[str]) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        FrameSet.load(path)
    message = str(caught.value)
    assert caught.value.code == code
    assert str(path) in message
    for name in names:
        assert name.lower() in message.lower()


def test_unknown_set_names_the_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E630\].*russia-afghanistan"):
        FrameSet.load("no-such-set")
    with pytest.raises(ConfigError, match=r"\[E630\].*no such file"):
        FrameSet.load(tmp_path / "absent.toml")


def test_a_users_own_frame_set(tmp_path: Path) -> None:
    path = _write(tmp_path, """
name = "water"
[[frames]]
id = "dams"
label = "Dams"
terms = ["dam", "reservoir", "hydro*"]
exclude = ["dam busters"]
[[frames]]
id = "drought"
terms = ["drought", "dry spell"]
patterns = ['\\bno rain\\b']
""")
    mine = FrameSet.load(path)
    assert mine.ids == ["dams", "drought"] and mine["drought"].label == "drought"
    clf = FrameClassifier(mine, method="lexicon").fit()
    assert clf.predict(["Two dams and a hydropower plant.", "The Dam Busters film.",
                        "After weeks with no rain, a dry spell.", "Nothing here."]) == [
        ["dams"], [], ["drought"], []]


# -- the lexicon ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Terrorists attacked the post.", ["terrorism"]),  # plural of "terrorist"
    ("The ISIS-K cell was dismantled.", ["terrorism"]),  # punctuation inside a term
    ("He trafficked narcotics.", ["drugs"]),  # prefix term narco*
    ("Opium poppies cover the valley.", ["drugs"]),
    ("The court put the Taliban on a terrorist list in 2003.", ["recognition"]),  # exclusion cancels terrorism
    ("Aides of the minister met aid agencies.", ["humanitarian"]),  # "aide" excluded, "aid" kept
    ("His aide arrived late.", []),
    ("Lavrov said recognition was premature; Moscow recognized nobody.", ["recognition"]),
    ("The instability could spread to the neighbouring republics.", ["border"]),
    ("The oil prices fell.", []),
    ("The dramatic recovery was drugless.", []),  # no partial-word match for "drug"
])
def test_lexicon_matches(lexicon: FrameClassifier, text: str, expected: list[str]) -> None:
    assert lexicon.predict([text]) == [expected]


def test_explain_gives_the_lexicon_reason(lexicon: FrameClassifier) -> None:
    why = lexicon.explain("Border guards seized heroin.")
    assert why["frames"] == ["drugs", "border"]
    assert why["per_frame"]["drugs"]["lexicon"] == ["heroin"]
    assert why["per_frame"]["border"]["lexicon"] == ["border guard"]
    assert why["per_frame"]["trade"]["lexicon"] == []


def test_classifier_settings_are_checked(frames: FrameSet) -> None:
    with pytest.raises(ConfigError, match=r"\[E634\] Frames: method must be"):
        FrameClassifier(frames, method="vibes").fit()
    with pytest.raises(ConfigError, match=r"\[E636\]"):
        FrameClassifier(frames).predict(["x"])
    with pytest.raises(ConfigError, match=r"\[E634\] Frames: texts must be a list"):
        FrameClassifier(frames, method="lexicon").fit().predict("one string")
    with pytest.raises(ConfigError, match=r"\[E635\].*'war' is not a frame"):
        FrameClassifier(frames, method="lexicon").fit(["a"], [["war"]])
    with pytest.raises(ConfigError, match=r"\[E635\].*1 texts but 2"):
        FrameClassifier(frames, method="lexicon").fit(["a"], [[], []])


def test_sklearn_contract(frames: FrameSet) -> None:
    from sklearn.base import clone

    clf = FrameClassifier(frames, method="lexicon", threshold=0.3)
    assert clf.get_params()["threshold"] == 0.3 and not hasattr(clf, "frame_ids_")
    twin = clone(clf)
    assert twin.fit() is twin and twin.frame_ids_ == FRAME_IDS


# -- agreement --------------------------------------------------------------------------------

def test_kappa_and_agreement_by_hand() -> None:
    # 4 items: both yes, both no, a yes/b no, both no -> po = 0.75, pe = 0.5*0.25 + 0.5*0.75 = 0.5
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 0, 0]) == 0.5
    assert np.isnan(cohen_kappa([0, 0], [0, 0]))
    result = agreement(["a", "b"], [["a"], ["a", "b"], []], [["a"], ["a"], ["b"]])
    assert result.per_frame["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "kappa": 1.0, "support": 2,
                                     "predicted": 2}
    assert result.per_frame["b"]["f1"] == 0.0
    assert result.micro_f1 == 0.6667 and result.macro_f1 == 0.5  # tp 2, fp 1, fn 1
    assert result.to_dict()["per_frame"]["b"]["precision"] == 0.0


def test_gold_file_errors(tmp_path: Path, frames: FrameSet) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "ok", "frames": []}\n{"text": "x", "frames": ["war"]}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[E637\].*Line 2: 'war'"):
        load_gold(path, frames)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[E637\].*Line 1"):
        load_gold(path, frames)


def test_bundled_gold_set_is_large_labelled_and_apart_from_the_seeds(frames: FrameSet) -> None:
    assert frames.gold is not None and frames.second_pass is not None
    gold = load_gold(frames.gold, frames)
    assert len(gold) >= 150 and len({g.id for g in gold}) == len(gold)
    assert {g.split for g in gold} == {"dev", "test"}
    assert sum(g.source.startswith("library:") for g in gold) >= 90
    assert sum(g.source == "written" for g in gold) >= 50
    for frame_id in FRAME_IDS:
        assert sum(frame_id in g.frames for g in gold) >= 8, frame_id
    assert sum(not g.frames for g in gold) >= 40
    seeds = {" ".join(s.lower().split()) for f in frames.frames for s in f.seeds} | {
        " ".join(s.lower().split()) for s in frames.neutral_seeds}
    assert not seeds & {" ".join(g.text.lower().split()) for g in gold}
    second = load_gold(frames.second_pass, frames)
    ids = {g.id for g in gold}
    assert len(second) >= 50 and all(s.id in ids for s in second)


# -- frame shares over a store ----------------------------------------------------------------

DOCS = [
    ("d1", "2022-01-10", "Russian Foreign Minister Sergey Lavrov said the Taliban must fight the Islamic State. "
                         "The weather in Moscow was cold. He promised more help."),
    ("d2", "2022-01-20", "Russia will send wheat and fuel to Afghanistan. "
                         "Moscow and Kabul discussed the recognition of the Taliban government."),
    ("d3", "2022-02-15", "Lavrov warned that heroin from Afghanistan floods Russian cities. Lavrov met Muttaqi in Moscow."),
    ("d4", "2022-02-20", "China and Pakistan discussed trade and the Islamic State."),
    ("d5", "2021-05-01", "Russia and Afghanistan discussed terrorism before the period began."),
]


@pytest.fixture
def library(tmp_path: Path) -> dyadwatch.Library:
    path = tmp_path / "docs.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for doc_id, day, text in DOCS:
            out.write(json.dumps({"id": doc_id, "title": doc_id, "date": day, "publisher": "Test Wire",
                                  "text": text}) + "\n")
    lib = dyadwatch.open(tmp_path / "store.duckdb")
    assert lib.ingest(str(path)).documents_added == len(DOCS)
    return lib


def _ids(lib: dyadwatch.Library) -> dict[str, str]:
    docs = lib.documents()
    return dict(zip(docs["user_id"], docs["doc_id"], strict=True))


def test_dyad_sentences_need_both_sides_or_an_event(library: dyadwatch.Library) -> None:
    store = library.store
    found = dyad_sentences(store, source_codes=["RUS"], target_codes=["AFG"],
                           start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31))
    texts = found["text"].tolist()
    assert texts == [
        "Russian Foreign Minister Sergey Lavrov said the Taliban must fight the Islamic State.",
        "Russia will send wheat and fuel to Afghanistan.",
        "Moscow and Kabul discussed the recognition of the Taliban government.",
        "Lavrov warned that heroin from Afghanistan floods Russian cities.",
        "Lavrov met Muttaqi in Moscow.",
    ]
    assert set(found["via"]) == {"mentions"}
    # an event of the dyad makes its evidence sentence count, though it names neither side
    doc = _ids(library)["d1"]
    store.add_events([Event(event_id="e1", origin="test", date=dt.date(2022, 1, 10), cameo_code="050",
                            source_country="RUS", source_sector="GOV", target_country="AFG", target_sector="GOV",
                            doc_id=doc, sentence_idx=2, sentence="He promised more help.")])
    again = dyad_sentences(store, source_codes=["RUSGOV"], target_codes=["AFG"],
                           start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31))
    assert again.loc[again["via"] == "event", "text"].tolist() == ["He promised more help."]
    # the reverse direction of the event counts too; a side that names no actor finds nothing
    assert "He promised more help." in dyad_sentences(
        store, source_codes=["AFG"], target_codes=["RUS"], start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31)
    )["text"].tolist()
    assert dyad_sentences(store, source_codes=["RUS"], target_codes=["FRA"], start=dt.date(2022, 1, 1),
                          end=dt.date(2022, 3, 31)).empty


def test_frame_shares_by_hand(library: dyadwatch.Library, frames: FrameSet, lexicon: FrameClassifier) -> None:
    shares = frame_shares(library.store, source_codes=["RUS"], target_codes=["AFG"], unit="month",
                          start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), frames=frames, classifier=lexicon)
    assert list(shares.columns) == ["period", "frame", "share", "n_sentences", "n_framed"]
    assert len(shares) == 3 * 7
    table = shares.set_index(["period", "frame"])
    jan, feb, mar = dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 3, 1)
    # January: 3 sentences about the dyad -- terrorism, trade, recognition one each
    for frame_id in FRAME_IDS:
        expected = 1 / 3 if frame_id in {"terrorism", "trade", "recognition"} else 0.0
        assert table.loc[(jan, frame_id), "share"] == pytest.approx(expected), frame_id
        assert table.loc[(jan, frame_id), "n_sentences"] == 3
    # February: 2 sentences -- heroin (drugs) and a meeting (no frame)
    assert table.loc[(feb, "drugs"), "share"] == 0.5 and table.loc[(feb, "drugs"), "n_framed"] == 1
    assert table.loc[(feb, "terrorism"), "share"] == 0.0
    # March: nothing about the dyad -> share undefined, not zero
    assert np.isnan(table.loc[(mar, "trade"), "share"]) and table.loc[(mar, "trade"), "n_sentences"] == 0


def test_frame_shares_by_quarter_and_week(library: dyadwatch.Library, frames: FrameSet,
                                          lexicon: FrameClassifier) -> None:
    quarter = frame_shares(library.store, source_codes=["RUS"], target_codes=["AFG"], unit="quarter",
                           start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), frames=frames, classifier=lexicon)
    row = quarter[quarter["frame"] == "drugs"].iloc[0]
    assert row["period"] == dt.date(2022, 1, 1) and row["n_sentences"] == 5 and row["share"] == pytest.approx(0.2)
    weeks = frame_shares(library.store, source_codes=["RUS"], target_codes=["AFG"], unit="week",
                         start=dt.date(2022, 1, 10), end=dt.date(2022, 1, 23), frames=frames, classifier=lexicon)
    counts = weeks[weeks["frame"] == "trade"].set_index("period")["n_sentences"].to_dict()
    assert counts == {dt.date(2022, 1, 10): 1, dt.date(2022, 1, 17): 2}  # Mondays


def test_frame_shares_arguments_are_checked(library: dyadwatch.Library, frames: FrameSet) -> None:
    args = {"source_codes": ["RUS"], "target_codes": ["AFG"], "frames": frames,
            "classifier": FrameClassifier(frames, method="lexicon")}
    with pytest.raises(ConfigError, match=r"\[E634\] Frames: unit must be"):
        frame_shares(library.store, unit="fortnight", start=dt.date(2022, 1, 1), end=dt.date(2022, 2, 1), **args)
    with pytest.raises(ConfigError, match=r"\[E634\] Frames: end must be on or after"):
        frame_shares(library.store, unit="month", start=dt.date(2022, 3, 1), end=dt.date(2022, 2, 1), **args)
    with pytest.raises(ConfigError, match=r"\[E634\] Frames: start must be a date"):
        frame_shares(library.store, unit="month", start="spring", end=dt.date(2022, 2, 1), **args)  # type: ignore[arg-type]


# -- the embeddings (the model loads once, a few seconds) -------------------------------------

@pytest.fixture(scope="module")
def combined(frames: FrameSet) -> FrameClassifier:
    return FrameClassifier(frames).fit()


def test_embeddings_find_frames_the_lexicon_misses(combined: FrameClassifier, lexicon: FrameClassifier) -> None:
    texts = ["Children in the camps are dying of cold and lack of food.",
             "Moscow will buy Afghan cotton and sell machinery in return."]
    assert lexicon.predict(texts) == [[], []]
    assert combined.predict(texts) == [["humanitarian"], ["trade"]]
    assert combined.predict(["The delegations posed for a photograph."]) == [[]]


def test_the_combined_classifier_beats_trivial_baselines(frames: FrameSet, combined: FrameClassifier) -> None:
    """Measured on the held-out test split: macro F1 0.83 (lexicon alone 0.81). Floor 0.70.

    Baselines: no frame ever (macro F1 0), every frame always (about 0.2), each frame at its
    prevalence at random (expected F1 = prevalence, about 0.1).
    """
    gold = [g for g in load_gold(frames.gold, frames) if g.split == "test"]  # type: ignore[arg-type]
    truth = [list(g.frames) for g in gold]
    result = agreement(FRAME_IDS, truth, combined.predict([g.text for g in gold]))
    everything = agreement(FRAME_IDS, truth, [FRAME_IDS] * len(gold))
    nothing = agreement(FRAME_IDS, truth, [[]] * len(gold))
    assert result.macro_f1 >= 0.70
    assert result.macro_f1 >= everything.macro_f1 + 0.4 and nothing.macro_f1 == 0.0
    assert result.mean_kappa >= 0.65


def test_supervised_mode_learns_from_labels(frames: FrameSet) -> None:
    texts = ["Dam releases flooded the valley.", "The new dam will store water.", "Talks were held.",
             "Reservoirs behind the dam are full.", "A meeting took place."]
    labels: list[list[str]] = [["humanitarian"], ["trade"], [], ["trade"], []]
    clf = FrameClassifier(frames, method="embeddings").fit(texts, labels)
    assert clf.supervised_ and clf.threshold_ == 0.5 and len(clf.models_ or []) == 7
    proba = clf.decision_function(["Water stored behind a new dam.", "Heroin seized at the border."])
    assert proba.shape == (2, 7) and ((proba >= 0) & (proba <= 1)).all()
    # the seeds stay in training: drugs is still recognised after training on other labels
    assert "drugs" in clf.predict(["Heroin from Afghanistan was seized at the border."])[0]
    without = FrameClassifier(frames, method="embeddings", include_seeds=False).fit(texts, labels)
    assert any("every training text is outside it" in w for w in without.warnings_)
    assert without.predict(["Heroin seized."]) != [["drugs"]]


def test_frame_shares_with_the_default_classifier(library: dyadwatch.Library, frames: FrameSet,
                                                  combined: FrameClassifier) -> None:
    shares = frame_shares(library.store, source_codes=["RUS"], target_codes=["AFG"], unit="month",
                          start=dt.date(2022, 1, 1), end=dt.date(2022, 2, 28), frames="russia-afghanistan",
                          classifier=combined)
    jan = shares[shares["period"] == dt.date(2022, 1, 1)].set_index("frame")["share"]
    assert jan["terrorism"] == pytest.approx(1 / 3) and jan["recognition"] == pytest.approx(1 / 3)
    feb = shares[shares["period"] == dt.date(2022, 2, 1)].set_index("frame")["share"]
    assert feb["drugs"] == pytest.approx(0.5)
    assert isinstance(shares, pd.DataFrame) and shares["n_sentences"].max() == 3


def test_a_fitted_classifier_pickles_for_worker_processes(lexicon: FrameClassifier) -> None:
    import pickle

    twin = pickle.loads(pickle.dumps(lexicon))
    texts = ["Opium and heroin crossed the Tajik-Afghan border.", "Wheat and fuel for Kabul."]
    assert twin.predict(texts) == lexicon.predict(texts) == [["drugs", "border"], ["trade"]]
