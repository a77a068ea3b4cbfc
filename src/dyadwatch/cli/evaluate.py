"""`dyadwatch evaluate GOLD...`: score a coder's events against gold data.

The predictions come from exactly one place: a JSONL file of event records
(``--predictions``), the events a coder stored (``--store`` with ``--coder``), or a coder run
here on the gold sentences (``--coder-callable module:function``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dyadwatch.cli._common import StoreOption, console, console_err
from dyadwatch.coding.evaluate import (
    GOLD_FORMATS,
    Evaluation,
    GoldSentence,
    Predictions,
    evaluate,
    gold_from_corrections,
    load_coder,
    match_predictions,
    predictions_from_coder,
    predictions_from_store,
    read_gold,
    read_prediction_records,
)
from dyadwatch.errors import ConfigError, Errors
from dyadwatch.store import Store, default_store_path

DEFAULT_CODER = "dyadwatch.coding.coder:RuleCoder"


def evaluate_command(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gold files or folders: JSONL, PETRARCH XML, PLOVER records, ConfliBERT files.",
            metavar="GOLD", show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"The gold format: {', '.join(GOLD_FORMATS)} (default: found out from each file)."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="JSONL event records, each with a 'sentence_id' or its 'sentence' text."),
    ] = None,
    store: StoreOption = None,
    coder: Annotated[
        str | None, typer.Option("--coder", help="Score this coder's events in the store (joined to the gold by sentence text).")
    ] = None,
    coder_callable: Annotated[
        str | None,
        typer.Option(
            "--coder-callable",
            help="Run this coder on the gold sentences: module:function or file.py:function, "
            "taking [(text, date), ...] and returning one list of Events per sentence "
            f"(default, when no other predictions are given: {DEFAULT_CODER}).",
        ),
    ] = None,
    corrections: Annotated[
        bool, typer.Option("--corrections", help="Also score against the corrections made in the store (as gold).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    confusion: Annotated[bool, typer.Option("--confusion", help="Print the confusion matrix of CAMEO roots.")] = False,
) -> None:
    """Precision, recall and F1 of a coder against gold data: CAMEO roots, quad classes,
    (source, target, root) triples, dyads, PLOVER types, actor spans and sentence labels."""
    sources = [name for name, given in (("--predictions", predictions), ("--coder", coder), ("--coder-callable", coder_callable)) if given]
    if not sources:  # by default, score dyadwatch's own rule coder on the gold sentences
        coder_callable = DEFAULT_CODER
        sources = ["--coder-callable"]
    if len(sources) != 1:
        raise ConfigError(Errors.E409, detail=" and ".join(sources) if sources else "none")
    if not gold and not corrections:
        raise typer.BadParameter("name at least one gold file or folder, or pass --corrections.", param_hint="GOLD")
    store_path = default_store_path(store)
    gold_sets: list[tuple[str, list[GoldSentence]]] = [(str(path), read_gold(path, fmt)) for path in gold or []]
    if corrections:
        with Store(store_path, read_only=True) as opened:
            gold_sets.append((f"corrections in {store_path}", gold_from_corrections(opened, coder=coder)))

    results = [
        evaluate(sentences, found, name=name)
        for (name, sentences), found in zip(gold_sets, _predictions(gold_sets, predictions, store_path, coder, coder_callable), strict=True)
    ]
    if as_json:
        payload = [_json(result, confusion) for result in results]
        typer.echo(json.dumps({"evaluations": payload}, indent=2))
        return
    for result in results:
        console.print(result)
        labels = result.labels_table()
        if labels is not None:
            console.print(labels)
        if confusion:
            if result.confusion is None:
                console.print(f"[yellow]note[/] {result.name} has no CAMEO codes: no confusion matrix of roots.")
            else:
                console.print(result.confusion.table())
        if result.predicted_events == 0:
            console_err.print(f"[yellow]warning[/] no predicted event for any sentence of {result.name}.")


def _predictions(
    gold_sets: list[tuple[str, list[GoldSentence]]],
    predictions: Path | None,
    store_path: str,
    coder: str | None,
    coder_callable: str | None,
) -> list[Predictions]:
    if predictions is not None:
        items = read_prediction_records(predictions)
        everything = [s for _, sentences in gold_sets for s in sentences]
        unmatched = match_predictions(items, everything).unmatched  # events of no gold set at all
        return [
            Predictions(match_predictions(items, sentences).events, unmatched, str(predictions))
            for _, sentences in gold_sets
        ]
    if coder is not None:
        with Store(store_path, read_only=True) as opened:
            return [predictions_from_store(opened, sentences, coder=coder) for _, sentences in gold_sets]
    assert coder_callable is not None
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # an installed console script does not see the working folder
    function = load_coder(coder_callable)
    found = []
    for name, sentences in gold_sets:
        with console_err.status(f"coding {len(sentences)} sentences of {name}"):
            found.append(predictions_from_coder(function, sentences, name=coder_callable))
    return found


def _json(result: Evaluation, confusion: bool) -> dict[str, object]:
    data = result.to_dict()
    if not confusion:
        data.pop("confusion")
    return data


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
