"""The source/target span tagger, on a small set of sentences written for these tests."""

from __future__ import annotations

import pytest

pytest.importorskip("pycrfsuite")
pytest.importorskip("spacy")

from dyadwatch.coding.tagger import SpanTagger, bio_spans, span_f1  # noqa: E402
from dyadwatch.errors import ConfigError  # noqa: E402

# (sentence with [S ...] source, [T ...] target and [R ...] reciprocal brackets)
MARKED = [
    "[S Kenyan police] arrested [T the opposition leader] in Nairobi .",
    "[S The Chinese government] criticised [T Japan] on Monday .",
    "[S Russian forces] shelled [T the city of Kharkiv] overnight .",
    "[S India] accused [T Pakistan] of sponsoring the attack .",
    "[S The United States] imposed sanctions on [T Iranian banks] .",
    "[S Brazil] sent food aid to [T Haiti] .",
    "[S Turkish drones] struck [T Kurdish positions] in Syria .",
    "[S The European Union] urged [T Serbia] to resume the dialogue .",
    "[S Egyptian troops] detained [T dozens of protesters] in Cairo .",
    "[S Nigeria] expelled [T the French ambassador] on Friday .",
    "[S Hamas] rejected [T the Israeli proposal] .",
    "[S The Taliban] freed [T two British aid workers] .",
    "[S North Korea] threatened [T South Korea] with retaliation .",
    "[S Saudi Arabia] praised [T Iraq] for its mediation .",
    "[S Ethiopian soldiers] killed [T twelve villagers] in Amhara .",
    "[S The Indonesian president] visited [T Australia] last week .",
    "[S Peruvian protesters] blocked [T the main highway] .",
    "[S The Pakistani army] attacked [T militant hideouts] near the border .",
    "[S Azerbaijan] warned [T Armenia] of military action .",
    "[S Iranian officials] condemned [T the Israeli strike] .",
    "[R Kenya] and [R Tanzania] signed a trade agreement .",
    "[R The Chinese and Indian defence ministers] met in Moscow .",
    "[R Japan] and [R the Philippines] held talks in Manila .",
    "[S The Malian junta] ordered [T French troops] to leave .",
]


def parse(marked: str) -> tuple[list[str], list[str]]:
    tokens: list[str] = []
    tags: list[str] = []
    label = ""
    first = False
    for word in marked.split():
        if word.startswith("["):
            label, first = word[1:], True
            continue
        closing = word.endswith("]")
        word = word.rstrip("]")
        tokens.append(word)
        tags.append(f"{'B' if first else 'I'}-{label}" if label else "O")
        first = False
        if closing:
            label = ""
    return tokens, tags


@pytest.fixture(scope="module")
def sentences() -> list[tuple[list[str], list[str]]]:
    return [parse(marked) for marked in MARKED]


@pytest.fixture(scope="module")
def tagger(sentences: list[tuple[list[str], list[str]]]) -> SpanTagger:
    return SpanTagger(structure_penalty=2.0).fit(sentences)


def test_the_marked_sentences_parse() -> None:
    tokens, tags = parse("[S Kenyan police] arrested [T the opposition leader] in Nairobi .")
    assert tokens[:3] == ["Kenyan", "police", "arrested"]
    assert tags == ["B-S", "I-S", "O", "B-T", "I-T", "I-T", "O", "O", "O"]


def test_bio_spans_read_like_conlleval() -> None:
    assert bio_spans(["O", "B-S", "I-S", "O"]) == [(1, 3, "S")]
    assert bio_spans(["I-T", "I-T", "B-T", "I-S"]) == [(0, 2, "T"), (2, 3, "T"), (3, 4, "S")]
    assert bio_spans([]) == []


def test_span_f1_counts_exact_spans() -> None:
    gold = [["B-S", "I-S", "O", "B-T"]]
    assert span_f1(gold, gold) == 1.0
    assert span_f1(gold, [["B-S", "O", "O", "B-T"]]) == 0.5  # one of two spans, both ends must match
    assert span_f1(gold, [["O", "O", "O", "O"]]) == 0.0
    assert span_f1(gold, [["B-S", "I-S", "O", "O"]], label="S") == 1.0


def test_it_learns_the_training_sentences(tagger: SpanTagger, sentences: list[tuple[list[str], list[str]]]) -> None:
    predicted = tagger.predict_bio([tokens for tokens, _ in sentences])
    assert span_f1([tags for _, tags in sentences], predicted) >= 0.9
    assert tagger.labels_[0] == "B-R" and "O" in tagger.labels_
    assert tagger.n_train_ == len(sentences)


def test_it_tags_new_sentences(tagger: SpanTagger) -> None:
    text = "Ugandan police arrested the opposition candidate in Kampala."
    (spans,) = tagger.predict([text])
    found = {label: text[start:end] for start, end, label in spans}
    assert found.get("S") == "Ugandan police"
    assert "opposition candidate" in found.get("T", "")
    assert tagger.predict([]) == []


def test_the_structure_penalty_prefers_a_source_and_a_target(sentences: list[tuple[list[str], list[str]]]) -> None:
    tagger = SpanTagger(structure_penalty=0.0).fit(sentences)
    features = tagger._featurise([["Kenyan", "troops", "shelled", "the", "town", "."]])[0]
    candidates = tagger._candidates(features)
    assert (1, 1, 0) in candidates
    for structure, (_, tags) in candidates.items():  # each candidate has the structure it is filed under
        kinds = {label for _, _, label in bio_spans(tags)}
        assert tuple(int(kind in kinds) for kind in ("S", "T", "R")) == structure
    tagger.structure_penalty_ = 1e6  # anything but a dyadic reading is ruled out
    tags = tagger._decode(features)
    kinds = {label for _, _, label in bio_spans(tags)}
    assert kinds >= {"S", "T"} or kinds == {"R"}


def test_auto_penalty_is_chosen_on_held_out_folds(sentences: list[tuple[list[str], list[str]]]) -> None:
    tagger = SpanTagger(max_iterations=50).fit(sentences)
    assert tagger.structure_penalty_ in (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)


def test_bad_training_data_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[E467\] Sentence 1: 2 tokens but 1 tags"):
        SpanTagger().fit([(["a"], ["O"]), (["a", "b"], ["O"])])
    with pytest.raises(ConfigError, match=r"\[E467\] Sentence 0: tag 'X' is not O, B-X or I-X"):
        SpanTagger().fit([(["a"], ["X"]), (["b"], ["O"])])
    with pytest.raises(ConfigError, match=r"\[E467\] Sentence 0: not a \(tokens, tags\) pair"):
        SpanTagger().fit([["a"]])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match=r"\[E463\]"):
        SpanTagger().fit([(["a"], ["O"])])
    with pytest.raises(ConfigError, match=r"\[E460\] structure_penalty"):
        SpanTagger(structure_penalty=-1).fit([(["a"], ["O"]), (["b"], ["B-S"])])


def test_an_unfitted_tagger_says_so() -> None:
    with pytest.raises(ConfigError, match=r"\[E464\] This SpanTagger is not fitted"):
        SpanTagger().predict(["Kenya hosted the talks."])
    assert SpanTagger(c1=0.5).set_params(c2=0.2).get_params()["c2"] == 0.2


def _token_features(tokens: list[str]) -> dict[str, dict[str, str]]:
    rows = SpanTagger()._featurise([tokens])[0]
    return dict(zip(tokens, rows, strict=True))


def test_actor_mentions_are_numbered_from_the_event_verb_outwards() -> None:
    rows = _token_features(["Kenya", "accused", "Pakistan", "and", "India", "of", "sponsoring", "the", "attack", "."])
    assert rows["Kenya"]["ment"] == "b0"  # the first actor before the verb
    assert rows["Pakistan"]["ment"] == "a0" and rows["Pakistan"]["mentlast"] == "False"
    assert rows["India"]["ment"] == "a1" and rows["India"]["mentlast"] == "True"
    assert rows["Pakistan"]["ment+role"] == "a0|dobj"
    assert rows["attack"]["ment"] == "-"  # a noun chunk, but no actor in it
    assert rows["India"]["-1:ment"] == "-" and rows["of"]["-1:ment"] == "a1"


def test_the_tokens_of_a_noun_chunk_share_its_relation_and_head() -> None:
    rows = _token_features(["Kenyan", "police", "arrested", "the", "opposition", "leader", "in", "Nairobi", "."])
    chunk = [rows[word] for word in ("the", "opposition", "leader")]
    assert {row["chdep"] for row in chunk} == {"dobj"}
    assert {row["chhead"] for row in chunk} == {"leader"}
    assert [row["chpos"] for row in chunk] == ["B", "I", "L"]
    assert rows["Kenyan"]["chhead"] == rows["police"]["chhead"] == "police"
    assert rows["arrested"]["chdep"] == "-"


def test_passive_voice_tells_the_agent_from_the_subject() -> None:
    rows = _token_features(["The", "town", "was", "shelled", "by", "Russian", "forces", "."])
    assert rows["town"]["role+voice"] == "nsubjpass|pass"
    assert rows["forces"]["role+voice"] == "agent|pass"
    active = _token_features(["Russian", "forces", "shelled", "the", "town", "."])
    assert active["forces"]["role+voice"] == "nsubj|act"


def test_fold_average_blends_the_weights_of_the_fold_models(sentences: list[tuple[list[str], list[str]]]) -> None:
    single = SpanTagger(structure_penalty=2.0, max_iterations=50, fold_average=False).fit(sentences)
    averaged = SpanTagger(structure_penalty=2.0, max_iterations=50, fold_average=True).fit(sentences)
    assert averaged.get_params()["fold_average"] is True and averaged.structure_penalty_ == 2.0
    assert averaged.labels_ == single.labels_
    # a fold model sees only two thirds of the sentences, so the average shrinks the weights
    # that the full model alone learned, and it has attributes the full model pruned with L1
    assert set(averaged.weights_) >= set(single.weights_)
    assert abs(averaged.transitions_).sum() != pytest.approx(abs(single.transitions_).sum())
    predicted = averaged.predict_bio([tokens for tokens, _ in sentences])
    assert span_f1([tags for _, tags in sentences], predicted) >= 0.9
