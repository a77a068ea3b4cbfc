"""The learned event classifier: CAMEO root, quad class or PentaClass from a sentence.

A scikit-learn logistic regression on MiniLM sentence embeddings (see
:mod:`dyadwatch.coding.embeddings`) joined with tf-idf word features. The rule coder asks it,
through :meth:`EventClassifier.predict_root`, for the sentences where no pattern fires.

>>> from dyadwatch.coding.classifier import EventClassifier
>>> texts = ["Kenya hosted the Ugandan president.", "Rebels shelled the town.",
...          "India hosted Japanese envoys.", "Troops shelled the border villages."]
>>> model = EventClassifier(target="quad").fit(texts, [1, 4, 1, 4])
>>> model.predict(["The army shelled the city."]).tolist()
[4]

:func:`default_classifier` is trained on the project's own sentences
(``coding/data/training/events.jsonl``, written for dyadwatch) the first time it is needed and
kept in the user cache folder, keyed by that file, the settings and the library versions; no
trained weights ship with dyadwatch. ``dyadwatch train`` trains one on a user's own data.

Model files are pickles: load only files you trust.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from dyadwatch.coding import ontology
from dyadwatch.coding.embeddings import Embedder, get_embedder
from dyadwatch.errors import ConfigError, Errors, MissingExtraError, require
from dyadwatch.paths import cache_dir

__all__ = [
    "FEATURES",
    "TARGETS",
    "EventClassifier",
    "default_classifier",
    "label_fields",
    "normalise_label",
    "read_examples",
    "training_data_path",
]

log = logging.getLogger(__name__)

Target = Literal["root", "quad", "penta"]
Features = Literal["embedding+lexical", "embedding", "lexical"]
TARGETS: tuple[str, ...] = get_args(Target)
FEATURES: tuple[str, ...] = get_args(Features)

_MAGIC = "dyadwatch-event-classifier"
FORMAT_VERSION = 1
_ROOTS = tuple(f"{i:02d}" for i in range(1, 21))
_ALLOWED: dict[str, tuple[Any, ...]] = {"root": _ROOTS, "quad": (1, 2, 3, 4), "penta": (0, 1, 2, 3, 4)}

try:  # scikit-learn is part of the "ml" extra; the class is defined either way
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError:  # pragma: no cover - exercised only without the extra
    BaseEstimator = object
    ClassifierMixin = object


# --------------------------------------------------------------------------- labels


def normalise_label(value: Any, target: str) -> Any:
    """A label in its canonical form: root "04" (from "04", "043", 4 or "4"), quad 1-4, penta 0-4.

    >>> from dyadwatch.coding.classifier import normalise_label
    >>> normalise_label("043", "root"), normalise_label(4, "root"), normalise_label("3", "quad")
    ('04', '04', 3)
    """
    _check_target(target)
    if target == "root":
        if isinstance(value, str) and ontology.is_cameo(value):
            return ontology.cameo_root(value)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ConfigError(Errors.E461, found=value, target=target, allowed=", ".join(_ROOTS))
        text = str(value).strip()
        if text.isdigit() and 1 <= int(text) <= 20 and len(text) <= 2:
            return f"{int(text):02d}"
        raise ConfigError(Errors.E461, found=value, target=target, allowed=", ".join(_ROOTS))
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None or number not in _ALLOWED[target]:
        raise ConfigError(Errors.E461, found=value, target=target,
                          allowed=", ".join(str(a) for a in _ALLOWED[target]))
    return number


def label_fields(target: str) -> tuple[str, ...]:
    """The JSONL fields a label for ``target`` is read from, in order of preference."""
    _check_target(target)
    own = {"root": ("cameo_root",), "quad": ("quad_class",), "penta": ("penta", "penta_class")}[target]
    return (*own, "label", "cameo_code") if target == "root" else (*own, "label", "cameo_root", "cameo_code")


def _label_of(record: dict[str, Any], target: str) -> Any:
    for field in label_fields(target):
        value = record.get(field)
        if value is None or value == "":
            continue
        if field in ("cameo_root", "cameo_code") and target != "root":
            root = normalise_label(value, "root")
            return ontology.quad_class(root, "icews" if target == "quad" else "penta")
        return normalise_label(value, target)
    raise ConfigError(Errors.E462, line="?", detail="no label", fields=", ".join(label_fields(target)))


def read_examples(path: str | Path, *, target: str = "root") -> tuple[list[str], list[Any]]:
    """Texts and labels from a JSONL file: one {"text": ..., <label field>: ...} per line.

    The label of ``target`` "root" is read from ``cameo_root`` (or ``label``, or the root of
    ``cameo_code``); "quad" from ``quad_class`` (or ``label``, or the class of the CAMEO root);
    "penta" from ``penta`` (or ``label``, or the root's PentaClass). Blank lines are skipped; a bad
    line raises :class:`~dyadwatch.errors.ConfigError` ``[E462]`` naming the file and line.
    """
    _check_target(target)
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Errors.E201, where=str(path), detail=str(exc)) from None
    texts: list[str] = []
    labels: list[Any] = []
    fields = ", ".join(label_fields(target))
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(Errors.E462, where=str(path), line=number, detail=f"not valid JSON ({exc.msg})",
                              fields=fields) from None
        if not isinstance(record, dict):
            raise ConfigError(Errors.E462, where=str(path), line=number, detail="not a JSON object", fields=fields)
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(Errors.E462, where=str(path), line=number, detail="no \"text\" (or it is empty)",
                              fields=fields)
        try:
            label = _label_of(record, target)
        except ConfigError as exc:
            detail = exc.values.get("detail") if exc.code == "E462" else exc.detail.rstrip(".")
            raise ConfigError(Errors.E462, where=str(path), line=number, detail=str(detail),
                              fields=fields) from None
        texts.append(text.strip())
        labels.append(label)
    return texts, labels


def training_data_path() -> Path:
    """The project's own training sentences (CAMEO root and quad class per sentence)."""
    return Path(str(resources.files("dyadwatch.coding") / "data" / "training" / "events.jsonl"))


def _check_target(target: object) -> None:
    if target not in TARGETS:
        raise ConfigError(Errors.E421, name="target", allowed=", ".join(TARGETS), found=target)


# --------------------------------------------------------------------------- the estimator


class EventClassifier(ClassifierMixin, BaseEstimator):
    """Event type from a sentence: CAMEO root ("01".."20"), quad class (1-4) or PentaClass (0-4).

    Settings (keyword-only; nothing is computed until :meth:`fit`):

    - ``target``: "root", "quad" (ICEWS convention, 1 verbal cooperation .. 4 material conflict)
      or "penta" (0 statement, then as quad; ConfliBERT's five classes).
    - ``features``: "embedding+lexical" (default: MiniLM vector and tf-idf of words and word
      pairs, which measured better than either alone), "embedding" or "lexical".
    - ``C``, ``class_weight``: of the logistic regression.
    - ``threshold``: the least probability at which :meth:`predict_root` and
      :meth:`predict_quad` give a label rather than None.
    - ``tune_epochs``: 0 (default) uses MiniLM as shipped; n > 0 first fine-tunes it for n
      epochs on the training sentences (slower to train, better on large data sets; the saved
      model then holds the tuned encoder, about 90 MB). ``tune_learning_rate``: its step size.
    - ``random_state``: seeds the fine-tuning.

    Learned attributes: ``classes_``, ``vectorizer_`` (or None), ``model_``, ``embedder_`` (the
    tuned encoder, or None for the shared one), ``n_train_``, ``versions_``.
    """

    def __init__(self, *, target: Target = "root", features: Features = "embedding+lexical",
                 C: float = 4.0, class_weight: str | None = "balanced", threshold: float = 0.3,
                 tune_epochs: int = 0, tune_learning_rate: float = 5e-5, random_state: int = 0) -> None:
        self.target = target
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.tune_epochs = tune_epochs
        self.tune_learning_rate = tune_learning_rate
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, texts: Sequence[str], labels: Sequence[Any]) -> EventClassifier:
        """Learn from sentences and their labels (any form :func:`normalise_label` reads)."""
        linear_model = require("sklearn.linear_model", "ml")
        self._check_settings()
        texts = _texts(texts)
        labels = list(labels)
        if len(labels) != len(texts):
            raise ConfigError(Errors.E460, what="labels", expected=f"one per text ({len(texts)})",
                              found=f"{len(labels)} labels")
        y = [normalise_label(label, self.target) for label in labels]
        counts: dict[Any, int] = {}
        for label in y:
            counts[label] = counts.get(label, 0) + 1
        if len(counts) < 2:
            raise ConfigError(Errors.E463, detail=f"{len(counts)} class ({len(texts)} examples)")
        self.embedder_: Embedder | None = None
        if self.tune_epochs and "embedding" in self.features:
            self.embedder_ = get_embedder().fine_tune(
                texts, y, epochs=self.tune_epochs, learning_rate=self.tune_learning_rate, seed=self.random_state)
        self.vectorizer_ = None
        if "lexical" in self.features:
            text_features = require("sklearn.feature_extraction.text", "ml")
            self.vectorizer_ = text_features.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
            self.vectorizer_.fit(texts)
        features = self._features(texts)
        self.model_ = linear_model.LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=5000)
        self.model_.fit(features, np.asarray(y))
        self.classes_ = self.model_.classes_
        self.n_train_ = len(texts)
        self.versions_ = _versions(self.embedder_ or get_embedder())
        return self

    # ------------------------------------------------------------------ predicting

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per class of ``classes_``."""
        self._check_fitted()
        texts = _texts(texts)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return np.asarray(self.model_.predict_proba(self._features(texts)))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable class of each text."""
        probabilities = self.predict_proba(texts)
        return np.asarray(self.classes_)[probabilities.argmax(axis=1)]

    def predict_root(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """(CAMEO root, probability) per text; the root is None below ``threshold``.

        This is the rule coder's fallback: it asks for sentences no pattern coded.

        >>> from dyadwatch.coding.classifier import default_classifier
        >>> root, p = default_classifier().predict_root(["Rebels shelled the airport."])[0]
        >>> root in ("18", "19", "20", None)
        True
        """
        if getattr(self, "target", None) != "root":
            raise ConfigError(Errors.E460, what="predict_root", expected="called on a model with target='root'",
                              found=f"target={self.target!r} (use predict or predict_quad)")
        return [(label if p >= self.threshold else None, p)
                for label, p in self._best(self.predict_proba(texts), list(self.classes_))]

    def predict_quad(self, texts: Sequence[str]) -> list[tuple[int | None, float]]:
        """(quad class 1-4, probability) per text, None below ``threshold``.

        A root model sums its roots' probabilities per class; a PentaClass model counts class 0
        (statements) as verbal cooperation, as the ICEWS quad classes do.
        """
        probabilities = self.predict_proba(texts)
        classes = list(self.classes_)
        if self.target == "root":
            quads = [ontology.quad_class(root) for root in classes]
        elif self.target == "penta":
            quads = [max(1, int(c)) for c in classes]
        else:
            quads = [int(c) for c in classes]
        merged = np.zeros((len(probabilities), 4))
        for column, quad in enumerate(quads):
            merged[:, quad - 1] += probabilities[:, column]
        return [(label if p >= self.threshold else None, p) for label, p in self._best(merged, [1, 2, 3, 4])]

    # ------------------------------------------------------------------ files

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to ``path`` (a pickle with a version header); returns the path."""
        self._check_fitted()
        path = Path(path)
        header = _header()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as handle:
                pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(Errors.E460, where=str(path), what="the model path", expected="a writable file",
                              found=str(exc)) from None
        return path

    @classmethod
    def load(cls, path: str | Path) -> EventClassifier:
        """Read a model written by :meth:`save`; a file of another format version raises ``[E466]``."""
        path = Path(path)
        try:
            with path.open("rb") as handle:
                try:
                    header = pickle.load(handle)
                except Exception as exc:
                    raise ConfigError(Errors.E465, where=str(path), what="event classifier",
                                      detail=f"unreadable: {type(exc).__name__}") from None
                if not isinstance(header, dict) or header.get("magic") != _MAGIC:
                    raise ConfigError(Errors.E465, where=str(path), what="event classifier",
                                      detail="no dyadwatch header")
                here = _header()
                if header.get("format") != here["format"] or _minor(header.get("sklearn")) != _minor(here["sklearn"]):
                    raise ConfigError(Errors.E466, where=str(path), what="event classifier",
                                      found=header.get("format"), saved_by=header.get("dyadwatch"),
                                      sklearn=header.get("sklearn"), expected=here["format"],
                                      sklearn_here=here["sklearn"])
                model = pickle.load(handle)
        except OSError as exc:
            raise ConfigError(Errors.E201, where=str(path), detail=str(exc)) from None
        if not isinstance(model, EventClassifier):
            raise ConfigError(Errors.E465, where=str(path), what="event classifier",
                              detail=f"it holds a {type(model).__name__}")
        return model

    # ------------------------------------------------------------------ internals

    def _check_settings(self) -> None:
        _check_target(self.target)
        if self.features not in FEATURES:
            raise ConfigError(Errors.E421, name="features", allowed=", ".join(FEATURES), found=self.features)
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise ConfigError(Errors.E460, what="threshold", expected="between 0 and 1", found=repr(self.threshold))
        if int(self.tune_epochs) < 0:
            raise ConfigError(Errors.E460, what="tune_epochs", expected="0 or more", found=repr(self.tune_epochs))

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ConfigError(Errors.E464, what="EventClassifier")

    def _features(self, texts: list[str]) -> Any:
        sparse = require("scipy.sparse", "ml")
        parts: list[Any] = []
        if self.vectorizer_ is not None:
            parts.append(self.vectorizer_.transform(texts))
        if "embedding" in self.features:
            parts.append(sparse.csr_matrix((self.embedder_ or get_embedder()).encode(texts)))
        return parts[0] if len(parts) == 1 else sparse.hstack(parts, format="csr")

    @staticmethod
    def _best(probabilities: np.ndarray, classes: list[Any]) -> list[tuple[Any, float]]:
        best = probabilities.argmax(axis=1) if len(probabilities) else np.zeros(0, dtype=int)
        plain = [c.item() if isinstance(c, np.generic) else c for c in classes]  # "04", not np.str_("04")
        return [(plain[int(i)], float(probabilities[row, int(i)])) for row, i in enumerate(best)]


def _texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise ConfigError(Errors.E460, what="texts", expected="a list of strings",
                          found=f"one string ({texts[:40]!r})")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise ConfigError(Errors.E460, what=f"text {i}", expected="a string", found=type(text).__name__)
    return out


def _minor(version: object) -> str:
    return ".".join(str(version).split(".")[:2])


def _header() -> dict[str, Any]:
    import sklearn

    from dyadwatch import __version__

    return {"magic": _MAGIC, "format": FORMAT_VERSION, "dyadwatch": __version__, "sklearn": sklearn.__version__}


def _versions(embedder: Embedder) -> dict[str, str]:
    header = _header()
    return {"dyadwatch": str(header["dyadwatch"]), "sklearn": str(header["sklearn"]),
            "encoder": embedder.fingerprint}


# --------------------------------------------------------------------------- the default model

_DEFAULT_SETTINGS: dict[str, Any] = {"target": "root"}


def _default_key(data: bytes, settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(data)
    digest.update(json.dumps(settings, sort_keys=True).encode())
    digest.update(json.dumps(_versions(get_embedder()), sort_keys=True).encode())
    digest.update(str(FORMAT_VERSION).encode())
    return digest.hexdigest()[:24]


@cache
def default_classifier() -> EventClassifier:
    """The root classifier trained on the project's own sentences, cached after the first use.

    The cache file lives in the user cache folder (``$DYADWATCH_CACHE_DIR`` or
    ``~/.cache/dyadwatch``), named by a hash of the training file, the settings and the
    versions of dyadwatch, scikit-learn and the encoder: any change trains it again.
    """
    path = training_data_path()
    data = path.read_bytes()
    key = _default_key(data, _DEFAULT_SETTINGS)
    cached = cache_dir() / f"event-classifier-{key}.pickle"
    if cached.exists():
        try:
            return EventClassifier.load(cached)
        except (ConfigError, MissingExtraError):
            raise
        except Exception as exc:  # a broken cache file is rebuilt, never fatal
            log.info("ignoring unreadable classifier cache %s (%s)", cached, exc)
    texts, labels = read_examples(path, target="root")
    log.info("training the default event classifier on %d sentences from %s", len(texts), path)
    model = EventClassifier(**_DEFAULT_SETTINGS).fit(texts, labels)
    try:
        model.save(cached)
    except ConfigError as exc:  # a read-only home: work without the cache
        log.info("cannot cache the default classifier (%s)", exc)
    return model
