"""The learned coding components: event classifier and source/target tagger.

- ConfliBERT five-class (PentaClass) test set (../shared/data/conflibert-cameo): the classifier
  trained here, inside the benchmark, on ConfliBERT's own training split (1,349 sentences) and
  scored on its test split (451); macro F1. Its MiniLM encoder is fine-tuned on that split
  (tune_epochs=4) before the logistic regression is fitted; the frozen encoder is scored too.
  Nothing trained on third-party data is kept: the models live in this process only.
  ``--quick`` skips the fine-tuning (about 11 minutes on two cores) and scores the frozen
  encoder only; the full run is the default.
- ConfliBERT source/target tagging test set: the span tagger trained here on the NER training
  split (1,153 sentences), scored on the 451 test sentences; micro F1 of exact spans over the
  S, T and R labels (conlleval / seqeval convention). The tagger runs with its defaults, which
  were chosen on folds of that training split only (never on the test split).
- The default model's cross-validated macro F1 (5 folds) on the project's own training
  sentences, CAMEO root and quad class.

Anchors: ConfliBERT-2021 (BERT-base, fine-tuned, GPU) 0.895 / 0.740, as replicated by
ConfliBERT-v2 (see ../shared/data/conflibert-cameo/SOURCE.md).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import figure, shared_data_dir, skip  # noqa: E402

from dyadwatch.coding.classifier import EventClassifier, read_examples, training_data_path  # noqa: E402
from dyadwatch.coding.embeddings import get_embedder  # noqa: E402
from dyadwatch.coding.tagger import SpanTagger, span_f1  # noqa: E402


def read_class_file(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text, _, label = line.rpartition("\t")
            texts.append(text)
            labels.append(int(label))
    return texts, labels


def read_ner_file(path: Path) -> list[tuple[list[str], list[str]]]:
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            token, _, tag = line.rpartition(" ")
            tokens.append(token)
            tags.append(tag)
        elif tokens:
            sentences.append((tokens, tags))
            tokens, tags = [], []
    return sentences


def macro_f1(gold: list, predicted: list) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, average="macro"))


def own_data() -> None:
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, roots = read_examples(training_data_path(), target="root")
    started = time.perf_counter()
    get_embedder().encode(texts)
    figure("own data: embed 420 sentences (CPU)", time.perf_counter() - started, "-", "s")
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    started = time.perf_counter()
    predicted = cross_val_predict(EventClassifier(target="root"), texts, roots, cv=folds)
    figure("own data: CAMEO root, 5-fold CV macro F1", macro_f1(roots, list(predicted)), "well above 0.05 chance")
    figure("own data: 5-fold CV time", time.perf_counter() - started, "-", "s")
    _, quads = read_examples(training_data_path(), target="quad")
    predicted = cross_val_predict(EventClassifier(target="quad"), texts, quads, cv=folds)
    figure("own data: quad class, 5-fold CV macro F1", macro_f1(quads, list(predicted)), "well above 0.25 chance")


def conflibert_classes(folder: Path, quick: bool = False) -> None:
    train_texts, train_labels = read_class_file(folder / "cameo_class_train.tsv")
    test_texts, test_labels = read_class_file(folder / "cameo_class_test.tsv")
    started = time.perf_counter()
    frozen = EventClassifier(target="penta").fit(train_texts, train_labels)
    trained = time.perf_counter() - started
    score = macro_f1(test_labels, list(frozen.predict(test_texts)))
    figure("ConfliBERT 5-class macro F1, frozen MiniLM", score, ">= 0.80; ConfliBERT 0.895")
    figure("  train (frozen, incl. embedding)", trained, "-", "s")
    if quick:
        skip("ConfliBERT 5-class, tuned MiniLM", "--quick skips the fine-tuning")
        return

    started = time.perf_counter()
    tuned = EventClassifier(target="penta", tune_epochs=4).fit(train_texts, train_labels)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = list(tuned.predict(test_texts))
    predicting = time.perf_counter() - started
    figure("ConfliBERT 5-class macro F1, tuned MiniLM", macro_f1(test_labels, predicted), ">= 0.80; ConfliBERT 0.895")
    figure("  train (fine-tune 4 epochs + fit, CPU)", trained, "-", "s")
    figure("  predict 451 sentences", predicting, "-", "s")


def conflibert_spans(folder: Path) -> None:
    train = read_ner_file(folder / "cameo_ner_train.txt")
    test = read_ner_file(folder / "cameo_ner_test.txt")
    started = time.perf_counter()
    tagger = SpanTagger().fit(train)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = tagger.predict_bio([tokens for tokens, _ in test])
    predicting = time.perf_counter() - started
    gold = [tags for _, tags in test]
    figure("ConfliBERT source/target tagging span F1", span_f1(gold, predicted), ">= 0.70; ConfliBERT 0.740")
    for label, name in (("S", "source"), ("T", "target"), ("R", "reciprocal")):
        figure(f"  {name} span F1", span_f1(gold, predicted, label), "-")
    figure("  structure penalty chosen on train folds", tagger.structure_penalty_, "-")
    figure("  train (incl. parsing, penalty search)", trained, "-", "s")
    figure("  predict 451 sentences", predicting, "-", "s")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--quick"]
    if unknown:
        sys.exit(f"usage: bench_coding_models.py [--quick]  (unknown argument: {unknown[0]})")
    quick = "--quick" in args
    try:
        import pycrfsuite  # noqa: F401
        import sentence_transformers  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as exc:
        skip("learned coding models", f"the 'ml' extra is not installed ({exc.name})")
        return
    own_data()
    folder = shared_data_dir()
    if folder is None or not (folder / "conflibert-cameo").is_dir():
        skip("ConfliBERT 5-class and tagging", "../shared/data/conflibert-cameo is absent")
        return
    conflibert_spans(folder / "conflibert-cameo")
    conflibert_classes(folder / "conflibert-cameo", quick=quick)


if __name__ == "__main__":
    main()
