"""`dyadwatch train`: train the event classifier on the user's own labelled sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyadwatch.cli._common import console


def register(app: typer.Typer) -> None:
    """Add the `train` command to the app."""
    app.command(name="train")(train)


def train(
    data: Annotated[Path, typer.Option("--data", help="JSONL, one sentence a line: {\"text\": ..., \"cameo_root\": \"04\"} "
                                                      "(or quad_class / penta / label / cameo_code).",
                                       show_default=False)],
    target: Annotated[str, typer.Option("--target", help="What to predict: root (CAMEO root 01-20), quad (1-4) "
                                                         "or penta (0-4).", case_sensitive=False)] = "root",
    out: Annotated[Path, typer.Option("--out", help="Where to write the trained model.")] = Path("event-classifier.pkl"),
    folds: Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds for the reported scores.")] = 5,
    tune_epochs: Annotated[int, typer.Option("--tune-epochs", min=0,
                                             help="Fine-tune the MiniLM encoder first for this many epochs "
                                                  "(0: use it as shipped; slower but better on large sets).")] = 0,
) -> None:
    """Train the event classifier on labelled sentences: prints cross-validated macro F1 and the
    confusions, then fits on all the data and saves the model."""
    from dyadwatch.coding.classifier import EventClassifier, read_examples
    from dyadwatch.errors import ConfigError, Errors

    target = target.lower()
    texts, labels = read_examples(data, target=target)
    counts: dict[object, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise ConfigError(Errors.E463, where=str(data), detail=f"{len(counts)} class ({len(texts)} examples)")
    smallest = min(counts.values())
    if smallest < 2:
        rare = ", ".join(str(k) for k, v in sorted(counts.items(), key=str) if v < 2)
        raise ConfigError(Errors.E463, where=str(data), detail=f"only one example of class {rare}")
    console.print(f"{len(texts)} sentences, {len(counts)} classes from {data}", highlight=False)

    from sklearn.metrics import confusion_matrix, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    k = min(folds, smallest)
    settings = {"target": target, "tune_epochs": tune_epochs}
    predicted = cross_val_predict(EventClassifier(**settings), texts, labels,  # type: ignore[arg-type]
                                  cv=StratifiedKFold(k, shuffle=True, random_state=0))
    classes = sorted(counts, key=str)
    macro = f1_score(labels, predicted, average="macro")
    per_class = f1_score(labels, predicted, average=None, labels=classes)
    console.print(f"cross-validated ({k} folds) macro F1: [bold]{macro:.3f}[/]", highlight=False)
    matrix = confusion_matrix(labels, predicted, labels=classes)
    confusions = [(int(matrix[i, j]), classes[i], classes[j]) for i in range(len(classes))
                  for j in range(len(classes)) if i != j and matrix[i, j]]
    console.print("per class F1: " + "  ".join(f"{c}={f:.2f}" for c, f in zip(classes, per_class, strict=True)),
                  highlight=False)
    if confusions:
        top = sorted(confusions, key=lambda item: (-item[0], str(item[1])))[:10]
        console.print("most confused (gold -> predicted): "
                      + ", ".join(f"{gold}->{guess} x{n}" for n, gold, guess in top), highlight=False)
    model = EventClassifier(**settings).fit(texts, labels)  # type: ignore[arg-type]
    path = model.save(out)
    console.print(f"saved the model to {path}", highlight=False)
