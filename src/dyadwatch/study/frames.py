"""Frames: which of a study's named frames each sentence about a dyad carries, and their shares.

A study names its frames in a TOML *frame set* (the bundled example is ``russia-afghanistan``:
terrorism and ISIS-K, drugs, religious extremism, border security and spillover, humanitarian
aid, trade and energy, recognition and legitimacy). Each frame has a lexicon (terms matched as
whole words in any inflection, regular-expression patterns, and exclusion terms that cancel
an overlapping hit) and seed sentences. :class:`FrameClassifier` combines the lexicon with
MiniLM sentence embeddings: a sentence carries a frame when its similarity to the frame's
seeds, raised by a lexicon hit, passes a threshold (multi-label; possibly no frame). Given
hand labels, ``fit(texts, labels)`` trains a one-vs-rest logistic regression on the
embeddings instead. :func:`frame_shares` is the study measure: per period, the share of the
dyad's sentences in a store that carry each frame. :func:`evaluate_frames` reports agreement
with a hand-labelled set, :func:`interpass_agreement` the labeller's own consistency.

The lexicon alone needs no model:

>>> frames = FrameSet.load("russia-afghanistan")
>>> clf = FrameClassifier(frames, method="lexicon").fit()
>>> clf.predict(["Border guards seized 300 kg of heroin.", "The envoys met in Doha."])
[['drugs', 'border'], []]
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from dyadwatch.actors.dictionary import parse_date
from dyadwatch.errors import ConfigError, Errors
from dyadwatch.study.spec import period_start, period_starts

if TYPE_CHECKING:
    from dyadwatch.actors import ActorDictionary
    from dyadwatch.coding.embeddings import Embedder
    from dyadwatch.store import Store

__all__ = [
    "METHODS",
    "UNITS",
    "Frame",
    "FrameAgreement",
    "FrameClassifier",
    "FrameSet",
    "GoldSentence",
    "cohen_kappa",
    "dyad_sentences",
    "evaluate_frames",
    "frame_shares",
    "interpass_agreement",
    "load_gold",
]

log = logging.getLogger(__name__)

METHODS = ("lexicon+embeddings", "lexicon", "embeddings")
UNITS = ("week", "month", "quarter")
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_TOP_KEYS = {"name", "title", "description", "version", "threats", "gold", "second_pass", "neutral_seeds", "frames"}
_FRAME_KEYS = {"id", "label", "description", "terms", "patterns", "exclude", "seeds"}
# Defaults chosen on the dev split of the bundled gold set (benchmarks/bench_frames.py shows the grid).
_THRESHOLD = {"lexicon+embeddings": 0.15, "embeddings": 0.08, "lexicon": 1.0}
_LEXICON_WEIGHT = 0.15
_PROBABILITY = 0.5


# ---------------------------------------------------------------------------- text matching

def _fold(text: str) -> str:
    """Lower case, accents off, anything but letters and digits a space; same length as ``text``."""
    out = []
    for char in text.lower():
        base = unicodedata.normalize("NFKD", char)[0] if not char.isascii() else char
        out.append(base if base.isalnum() else " ")
    return "".join(out)


_WORD = re.compile(r"[^\W_]+")


def _stem(word: str) -> str:
    """A light stem so that inflections meet: plural, -ed, -ing, and -ize spelled -ise.

    >>> [_stem(w) for w in ["terrorists", "trafficking", "trafficked", "countries", "recognized", "gas"]]
    ['terrorist', 'traffick', 'traffick', 'country', 'recognis', 'gas']
    """
    word = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", word)
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        word = word[:-1]
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):  # "recognise"/"recognised", "trade"/"traded"
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class _Term:
    frame: int
    words: tuple[str, ...]  # stems; the last one a prefix when ``prefix``
    prefix: bool
    text: str
    exclude: bool


def _compile_term(frame: int, text: str, *, exclude: bool) -> _Term:
    """A term's words as stems (exclusions: as written, so that "aide" does not cancel "aid")."""
    raw = text.strip()
    prefix = raw.endswith("*")
    words = _WORD.findall(_fold(raw.rstrip("*")))
    if exclude or not words:
        return _Term(frame, tuple(words), prefix, raw, exclude)
    stems = tuple(_stem(w) for w in words[:-1]) + ((words[-1] if prefix else _stem(words[-1])),)
    return _Term(frame, stems, prefix, raw, exclude)


class _Lexicon:
    """Every frame's terms, patterns and exclusions, matched in one pass over a sentence's words."""

    def __init__(self, frames: Sequence[Frame]) -> None:
        self.size = len(frames)
        self._first: dict[str, list[_Term]] = {}  # first stem -> terms
        self._exact: dict[str, list[_Term]] = {}  # first word -> exclusions
        self._prefixed: list[_Term] = []  # one-word prefix terms ("narco*")
        self._patterns: list[tuple[int, re.Pattern[str], str]] = []
        seen: set[tuple[int, tuple[str, ...], bool, bool]] = set()
        for index, frame in enumerate(frames):
            for text, exclude in [*((t, False) for t in frame.terms), *((t, True) for t in frame.exclude)]:
                term = _compile_term(index, text, exclude=exclude)
                key = (index, term.words, term.prefix, exclude)
                if not term.words or key in seen:  # "border guards" adds nothing to "border guard"
                    continue
                seen.add(key)
                if exclude:
                    self._exact.setdefault(term.words[0], []).append(term)
                elif term.prefix and len(term.words) == 1:
                    self._prefixed.append(term)
                else:
                    self._first.setdefault(term.words[0], []).append(term)
            for pattern in frame.patterns:
                self._patterns.append((index, re.compile(pattern), pattern))

    def hits(self, text: str) -> list[list[str]]:
        """Per frame, the terms and patterns found (exclusions removed)."""
        folded = _fold(text)
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        stems = [_stem(t[2]) for t in tokens]
        found: list[tuple[int, int, int, str, bool]] = []  # frame, start, end, what, exclude
        words = [t[2] for t in tokens]
        for i, stem in enumerate(stems):
            for term in self._exact.get(words[i], ()):
                n = len(term.words)
                if tuple(words[i:i + n]) == term.words or (term.prefix and tuple(words[i:i + n - 1]) == term.words[:-1]
                                                           and i + n <= len(words) and words[i + n - 1].startswith(term.words[-1])):
                    found.append((term.frame, tokens[i][0], tokens[i + n - 1][1], term.text, True))
            for term in self._first.get(stem, ()):
                n = len(term.words)
                if i + n > len(tokens):
                    continue
                if all(stems[i + k] == term.words[k] for k in range(n - 1)):
                    last = tokens[i + n - 1][2]
                    if (last.startswith(term.words[-1]) if term.prefix else stems[i + n - 1] == term.words[-1]):
                        found.append((term.frame, tokens[i][0], tokens[i + n - 1][1], term.text, False))
            for term in self._prefixed:
                if words[i].startswith(term.words[0]):
                    found.append((term.frame, tokens[i][0], tokens[i][1], term.text, False))
        for index, pattern, source in self._patterns:
            for match in pattern.finditer(folded):
                found.append((index, match.start(), match.end(), source, False))
        out: list[list[str]] = [[] for _ in range(self.size)]
        blocked = [(f, s, e) for f, s, e, _, excl in found if excl]
        for frame, start, end, what, exclude in found:
            if exclude or any(f == frame and s < end and start < e for f, s, e in blocked):
                continue
            if what not in out[frame]:
                out[frame].append(what)
        return out


# ---------------------------------------------------------------------------- frame sets

@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of a set: its id, how it reads, its lexicon and its seed sentences."""

    id: str
    label: str
    description: str = ""
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FrameSet:
    """The frames a study names, loaded from a TOML file and validated.

    ``threats`` names the frames that count as threat frames (for H3-style hypotheses);
    ``gold`` and ``second_pass`` are hand-labelled sentences beside the file, if any.
    """

    name: str
    frames: tuple[Frame, ...]
    title: str = ""
    description: str = ""
    version: str = ""
    threats: tuple[str, ...] = ()
    neutral_seeds: tuple[str, ...] = ()
    path: Path | None = None
    gold: Path | None = None
    second_pass: Path | None = None

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.frames]

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, frame_id: str) -> Frame:
        for frame in self.frames:
            if frame.id == frame_id:
                return frame
        raise KeyError(frame_id)

    @staticmethod
    def bundled() -> list[str]:
        """The names of the frame sets shipped with dyadwatch.

        >>> "russia-afghanistan" in FrameSet.bundled()
        True
        """
        folder = resources.files("dyadwatch.study").joinpath("data", "frames")
        return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))

    @classmethod
    def load(cls, name_or_path: str | Path) -> FrameSet:
        """A bundled set by name ("russia-afghanistan") or a TOML file by path.

        >>> FrameSet.load("no-such-set")
        Traceback (most recent call last):
        ...
        dyadwatch.errors.ConfigError: [E630] no-such-set: No frame set 'no-such-set' (no bundled set of that name, and no such file). Name a bundled set (russia-afghanistan) or give the path of a .toml frame-set file.
        """
        text = str(name_or_path)
        path = Path(text)
        if not path.is_file() and not text.endswith(".toml") and "/" not in text and "\\" not in text:
            bundled = resources.files("dyadwatch.study").joinpath("data", "frames", f"{text}.toml")
            path = Path(str(bundled))
        if not path.is_file():
            named = Path(text).suffix != ".toml" and "/" not in text and "\\" not in text
            detail = "no bundled set of that name, and no such file" if named else "no such file"
            raise ConfigError(Errors.E630, where=text, name=text, detail=detail, known=", ".join(cls.bundled()))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Errors.E631, where=str(path), detail=str(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(Errors.E630, where=str(path), name=text, detail=str(exc),
                              known=", ".join(cls.bundled())) from exc
        return cls.from_dict(data, where=str(path), folder=path.parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "<frames>", folder: Path | None = None) -> FrameSet:
        """A frame set from parsed TOML (or any mapping of the same shape), validated.

        >>> FrameSet.from_dict({"name": "x", "frames": [{"id": "aid", "label": "Aid", "terms": 3}]})
        Traceback (most recent call last):
        ...
        dyadwatch.errors.ConfigError: [E632] <frames>: Frame 'aid', key 'terms': must be a list of strings, got int. Fix this frame in the frame-set file.
        """
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise ConfigError(Errors.E633, where=where, key=unknown[0],
                              detail=f"unknown key; the keys are {', '.join(sorted(_TOP_KEYS))}")
        name = data.get("name", Path(where).stem if where != "<frames>" else "")
        for key in ("name", "title", "description", "version"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise ConfigError(Errors.E633, where=where, key=key, detail=f"must be a string, got {type(value).__name__}")
        if not name:
            raise ConfigError(Errors.E633, where=where, key="name", detail="is missing or empty")
        raw_frames = data.get("frames")
        if not isinstance(raw_frames, list) or not raw_frames:
            raise ConfigError(Errors.E633, where=where, key="frames",
                              detail="must be a non-empty array of tables ([[frames]] sections)")
        frames: list[Frame] = []
        for position, raw in enumerate(raw_frames, start=1):
            frames.append(_frame(raw, position, where))
        seen: set[str] = set()
        for frame in frames:
            if frame.id in seen:
                raise ConfigError(Errors.E632, where=where, frame=frame.id, key="id", detail="two frames have this id")
            seen.add(frame.id)
        threats = _strings(data, "threats", where)
        for threat in threats:
            if threat not in seen:
                raise ConfigError(Errors.E633, where=where, key="threats",
                                  detail=f"'{threat}' is not a frame id of this set ({', '.join(sorted(seen))})")
        neutral = _strings(data, "neutral_seeds", where)
        files: dict[str, Path | None] = {}
        for key in ("gold", "second_pass"):
            value = data.get(key)
            if value is None:
                files[key] = None
            elif not isinstance(value, str) or not value:
                raise ConfigError(Errors.E633, where=where, key=key, detail="must be the name of a JSONL file")
            else:
                files[key] = (folder / value) if folder is not None else Path(value)
        return cls(name=str(name), frames=tuple(frames), title=str(data.get("title", "")),
                   description=str(data.get("description", "")), version=str(data.get("version", "")),
                   threats=tuple(threats), neutral_seeds=tuple(neutral),
                   path=(folder / Path(where).name) if folder is not None else None,
                   gold=files["gold"], second_pass=files["second_pass"])


def _strings(table: Mapping[str, Any], key: str, where: str, frame: str | None = None) -> list[str]:
    value = table.get(key, [])
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if not ok:
        found = type(value).__name__ if not isinstance(value, list) else "a list with an empty or non-string item"
        detail = f"must be a list of strings, got {found}"
        if frame is None:
            raise ConfigError(Errors.E633, where=where, key=key, detail=detail)
        raise ConfigError(Errors.E632, where=where, frame=frame, key=key, detail=detail)
    return [v.strip() for v in value]


def _frame(raw: Any, position: int, where: str) -> Frame:
    label = f"#{position}"
    if not isinstance(raw, dict):
        raise ConfigError(Errors.E632, where=where, frame=label, key="(table)", detail="each frame must be a table")
    frame_id = raw.get("id")
    if not isinstance(frame_id, str) or not _ID.match(frame_id):
        raise ConfigError(Errors.E632, where=where, frame=label, key="id",
                          detail=f"must be a short lower-case id (letters, digits, - and _), got {frame_id!r}")
    unknown = sorted(set(raw) - _FRAME_KEYS)
    if unknown:
        raise ConfigError(Errors.E632, where=where, frame=frame_id, key=unknown[0],
                          detail=f"unknown key; a frame has {', '.join(sorted(_FRAME_KEYS))}")
    for key in ("label", "description"):
        if not isinstance(raw.get(key, ""), str):
            raise ConfigError(Errors.E632, where=where, frame=frame_id, key=key, detail="must be a string")
    lists = {key: _strings(raw, key, where, frame_id) for key in ("terms", "patterns", "exclude", "seeds")}
    for pattern in lists["patterns"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(Errors.E632, where=where, frame=frame_id, key="patterns",
                              detail=f"{pattern!r} is not a regular expression ({exc})") from exc
    if not (lists["terms"] or lists["patterns"] or lists["seeds"]):
        raise ConfigError(Errors.E632, where=where, frame=frame_id, key="terms",
                          detail="a frame needs terms, patterns or seeds to be found at all")
    return Frame(id=frame_id, label=str(raw.get("label") or frame_id), description=str(raw.get("description", "")),
                 terms=tuple(lists["terms"]), patterns=tuple(lists["patterns"]), exclude=tuple(lists["exclude"]),
                 seeds=tuple(lists["seeds"]))


# ---------------------------------------------------------------------------- the classifier

class FrameClassifier(BaseEstimator):
    """Multi-label frame classifier: lexicon, MiniLM similarity to seed prototypes, or both.

    ``method``: "lexicon+embeddings" (default: a frame's score is the mean cosine similarity
    of the sentence to its ``top_k`` nearest seeds, plus ``lexicon_weight`` when the lexicon
    finds the frame; the frame is kept when the score reaches ``threshold`` and, without a
    lexicon hit, the sentence is closer to the frame than to the set's neutral seeds),
    "embeddings" (the similarity alone) or "lexicon" (a lexicon hit alone, no model).

    ``fit()`` without labels builds the prototypes from the seeds. ``fit(texts, labels)``
    (labels: a list of frame ids per text) trains one logistic regression per frame on the
    embeddings (plus the lexicon hits unless method is "embeddings"), with the seeds as extra
    positives and the neutral seeds as negatives when ``include_seeds``; then ``threshold`` is
    a probability (default 0.5).
    """

    def __init__(self, frames: FrameSet | str | Path = "russia-afghanistan", *, method: str = "lexicon+embeddings",
                 threshold: float | None = None, lexicon_weight: float = _LEXICON_WEIGHT, top_k: int = 5,
                 include_seeds: bool = True, C: float = 1.0, embedder: Embedder | None = None) -> None:  # noqa: N803
        self.frames = frames
        self.method = method
        self.threshold = threshold
        self.lexicon_weight = lexicon_weight
        self.top_k = top_k
        self.include_seeds = include_seeds
        self.C = C
        self.embedder = embedder

    # -- fitting

    def fit(self, texts: Sequence[str] | None = None, labels: Sequence[Sequence[str]] | None = None) -> FrameClassifier:
        """Prototypes from the seeds (no labels), or a supervised model from labelled texts."""
        if self.method not in METHODS:
            raise ConfigError(Errors.E634, name="method", allowed=" or ".join(METHODS), found=self.method)
        if self.top_k < 1:
            raise ConfigError(Errors.E634, name="top_k", allowed="a whole number of at least 1", found=self.top_k)
        frameset = self.frames if isinstance(self.frames, FrameSet) else FrameSet.load(self.frames)
        self.frameset_ = frameset
        self.frame_ids_ = frameset.ids
        self.lexicon_ = _Lexicon(frameset.frames)
        self.warnings_: list[str] = []
        self.models_: list[Any] | None = None
        self.prototypes_: list[np.ndarray] | None = None
        self.neutral_: np.ndarray | None = None
        if (texts is None) != (labels is None):
            raise ConfigError(Errors.E635, detail="give both texts and labels, or neither")
        if texts is not None and labels is not None:
            self._fit_supervised(list(texts), [list(x) for x in labels])
            self.supervised_ = True
            self.threshold_ = _PROBABILITY if self.threshold is None else float(self.threshold)
            return self
        self.supervised_ = False
        self.threshold_ = _THRESHOLD[self.method] if self.threshold is None else float(self.threshold)
        if self.method != "lexicon":
            encoder = self._encoder()
            self.prototypes_ = []
            for frame in frameset.frames:
                if not frame.seeds:
                    raise ConfigError(Errors.E632, where=str(frameset.path or frameset.name), frame=frame.id,
                                      key="seeds", detail=f"method '{self.method}' needs at least one seed sentence")
                self.prototypes_.append(encoder.encode(list(frame.seeds)))
            if frameset.neutral_seeds:
                self.neutral_ = encoder.encode(list(frameset.neutral_seeds))
            elif len(frameset.frames) == 1:
                raise ConfigError(Errors.E633, where=str(frameset.path or frameset.name), key="neutral_seeds",
                                  detail=f"method '{self.method}' compares a sentence's frames with each other; with "
                                         "one frame, give neutral_seeds (sentences in none of the frames)")
        return self

    def _fit_supervised(self, texts: list[str], labels: list[list[str]]) -> None:
        from sklearn.linear_model import LogisticRegression

        if isinstance(texts, str) or len(texts) != len(labels):
            raise ConfigError(Errors.E635, detail=f"{len(texts)} texts but {len(labels)} label lists")
        known = set(self.frame_ids_)
        for row, frames in enumerate(labels):
            if isinstance(frames, str):
                raise ConfigError(Errors.E635, detail=f"text {row}: labels must be a list of frame ids, got a string")
            bad = [f for f in frames if f not in known]
            if bad:
                raise ConfigError(Errors.E635, detail=f"text {row}: '{bad[0]}' is not a frame of this set")
        if self.include_seeds:
            for frame in self.frameset_.frames:
                texts += list(frame.seeds)
                labels += [[frame.id]] * len(frame.seeds)
            texts += list(self.frameset_.neutral_seeds)
            labels += [[]] * len(self.frameset_.neutral_seeds)
        features = self._features(texts)
        self.models_ = []
        for frame_id in self.frame_ids_:
            y = np.array([frame_id in row for row in labels], dtype=int)
            if y.min() == y.max():
                self.warnings_.append(f"frame '{frame_id}': every training text is {'in' if y[0] else 'outside'} it; "
                                      "it is predicted as that constant")
                self.models_.append(bool(y[0]))
                continue
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            self.models_.append(model.fit(features, y))

    def _encoder(self) -> Embedder:
        if self.embedder is not None:
            return self.embedder
        from dyadwatch.coding.embeddings import get_embedder

        return get_embedder()

    def _lexicon_matrix(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[1.0 if h else 0.0 for h in self.lexicon_.hits(t)] for t in texts],
                        dtype=np.float32).reshape(len(texts), len(self.frame_ids_))

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        parts = []
        if self.method != "lexicon":
            parts.append(self._encoder().encode(list(texts)))
        if self.method != "embeddings":
            parts.append(self._lexicon_matrix(texts))
        return np.hstack(parts)

    # -- predicting

    def _check(self, what: str) -> None:
        if not hasattr(self, "frame_ids_"):
            raise ConfigError(Errors.E636, what=what)

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        """Per text and frame, the mean cosine similarity to the frame's ``top_k`` nearest seeds."""
        self._check("similarities")
        return self._similar(_texts(texts))[0]

    def _similar(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Similarities to each frame's seeds, and to the neutral seeds (None without them)."""
        if self.prototypes_ is None or not texts:
            return np.zeros((len(texts), len(self.frame_ids_))), None
        vectors = self._encoder().encode(texts)
        similar = np.column_stack([_top_mean(vectors @ seeds.T, self.top_k) for seeds in self.prototypes_])
        neutral = _top_mean(vectors @ self.neutral_.T, self.top_k) if self.neutral_ is not None else None
        return similar, neutral

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Per text and frame, the score compared with ``threshold_`` (similarity or probability)."""
        self._check("decision_function")
        return self._scores(_texts(texts))[0]

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Scores, lexicon hits (0/1), similarities and neutral similarity, per text and frame."""
        width = len(self.frame_ids_)
        if not texts:
            return np.zeros((0, width)), np.zeros((0, width)), None, None
        if self.models_ is not None:
            features = self._features(texts)
            scores = np.column_stack([
                model.predict_proba(features)[:, 1] if not isinstance(model, bool) else np.full(len(texts), float(model))
                for model in self.models_])
            return scores, np.zeros_like(scores), None, None
        lexicon = self._lexicon_matrix(texts)
        if self.method == "lexicon":
            return lexicon, lexicon, None, None
        similar, neutral = self._similar(texts)
        # centred: what a sentence shares with every frame (it is about Afghanistan, say) is
        # taken out, so that the score says how much closer it is to this frame than to the others
        if similar.shape[1] > 1:
            centre = similar.mean(axis=1, keepdims=True)
        else:
            centre = neutral[:, None] if neutral is not None else np.zeros((len(texts), 1))
        scores = similar - centre
        if self.method == "lexicon+embeddings":
            scores = scores + self.lexicon_weight * lexicon
        return scores, lexicon, similar, neutral

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """The frame ids of each text (possibly none), in the frame set's order."""
        self._check("predict")
        chosen = self._decide(_texts(texts))
        return [[self.frame_ids_[j] for j in np.flatnonzero(row)] for row in chosen]

    def _decide(self, texts: list[str]) -> np.ndarray:
        scores, lexicon, similar, neutral = self._scores(texts)
        if self.models_ is None and self.method == "lexicon":
            return lexicon > 0
        chosen = scores >= self.threshold_
        if similar is not None and neutral is not None:
            closer = similar > neutral[:, None]
            if self.method == "lexicon+embeddings":
                closer |= lexicon > 0
            chosen &= closer
        return chosen

    def explain(self, text: str) -> dict[str, Any]:
        """Why a sentence got its frames: lexicon hits, similarities and scores per frame."""
        self._check("explain")
        hits = self.lexicon_.hits(text)
        scores, _, similarities, _ = self._scores([text])
        similar = similarities[0] if similarities is not None else None
        chosen = set(self.predict([text])[0])
        return {"text": text, "frames": [f for f in self.frame_ids_ if f in chosen], "threshold": self.threshold_,
                "per_frame": {f: {"lexicon": hits[j], "score": round(float(scores[0][j]), 4),
                                  "similarity": None if similar is None else round(float(similar[j]), 4)}
                              for j, f in enumerate(self.frame_ids_)}}


def _texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise ConfigError(Errors.E634, name="texts", allowed="a list of strings", found=texts[:40])
    return [str(t) for t in texts]


def _top_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    k = min(k, similarity.shape[1])
    if k == similarity.shape[1]:
        return np.asarray(similarity.mean(axis=1))
    top = np.partition(similarity, -k, axis=1)[:, -k:]
    return np.asarray(top.mean(axis=1))


# ---------------------------------------------------------------------------- evaluation

@dataclass(frozen=True, slots=True)
class GoldSentence:
    """A hand-labelled sentence: its text, its frames (possibly none), where it came from."""

    id: str
    text: str
    frames: tuple[str, ...]
    source: str = ""
    split: str = "test"


def load_gold(path: str | Path, frames: FrameSet | None = None) -> list[GoldSentence]:
    """Hand-labelled sentences from a JSONL file: ``{"id", "text", "frames": [...], "source", "split"}``."""
    path = Path(path)
    known = set(frames.ids) if frames is not None else None
    out: list[GoldSentence] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(Errors.E630, where=str(path), name=path.name, detail=str(exc), known="-") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(Errors.E637, where=str(path), line=number, detail=f"not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("frames"), list):
            raise ConfigError(Errors.E637, where=str(path), line=number, detail="'text' or 'frames' is missing")
        labels = tuple(str(f) for f in row["frames"])
        if known is not None and any(f not in known for f in labels):
            bad = next(f for f in labels if f not in known)
            raise ConfigError(Errors.E637, where=str(path), line=number, detail=f"'{bad}' is not a frame of the set")
        out.append(GoldSentence(id=str(row.get("id", number)), text=row["text"], frames=labels,
                                source=str(row.get("source", "")), split=str(row.get("split", "test"))))
    return out


def cohen_kappa(a: Sequence[bool] | np.ndarray, b: Sequence[bool] | np.ndarray) -> float:
    """Cohen's kappa of two binary labellings; NaN when both are one constant (kappa undefined).

    >>> cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    0.5
    """
    x = np.asarray(a, dtype=bool)
    y = np.asarray(b, dtype=bool)
    if len(x) == 0:
        return float("nan")
    observed = float(np.mean(x == y))
    px, py = float(x.mean()), float(y.mean())
    expected = px * py + (1 - px) * (1 - py)
    if expected >= 1.0:
        return float("nan")
    return round((observed - expected) / (1 - expected), 6)


@dataclass(frozen=True, slots=True)
class FrameAgreement:
    """Agreement between predicted and hand labels: per frame and pooled."""

    n: int
    per_frame: dict[str, dict[str, float]]  # frame -> precision, recall, f1, kappa, support, predicted
    micro_f1: float
    macro_f1: float
    exact_match: float
    mean_kappa: float
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None), as results.json's ``frames.agreement``."""
        def clean(value: Any) -> Any:
            if isinstance(value, float) and np.isnan(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            return value
        return clean({"n": self.n, "per_frame": self.per_frame, "micro_f1": self.micro_f1,
                      "macro_f1": self.macro_f1, "exact_match": self.exact_match,
                      "mean_kappa": self.mean_kappa, **self.details})


def agreement(frame_ids: Sequence[str], truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]],
              details: dict[str, Any] | None = None) -> FrameAgreement:
    """Per-frame precision, recall, F1 and kappa, micro/macro F1, of two multi-label labellings.

    >>> a = agreement(["x", "y"], [["x"], [], ["y"]], [["x"], ["x"], ["y"]])
    >>> a.per_frame["x"]["precision"], a.micro_f1
    (0.5, 0.8)
    """
    per: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    for frame in frame_ids:
        t = np.array([frame in row for row in truth])
        p = np.array([frame in row for row in predicted])
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
        per[frame] = {"precision": _r(precision), "recall": _r(recall), "f1": _r(f1),
                      "kappa": cohen_kappa(t, p), "support": int(t.sum()), "predicted": int(p.sum())}
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all + fp_all + fn_all else float("nan")
    f1s = [v["f1"] for v in per.values() if not np.isnan(v["f1"])]
    kappas = [v["kappa"] for v in per.values() if not np.isnan(v["kappa"])]
    exact = float(np.mean([set(a) == set(b) for a, b in zip(truth, predicted, strict=True)])) if truth else float("nan")
    return FrameAgreement(n=len(truth), per_frame=per, micro_f1=_r(micro),
                          macro_f1=_r(float(np.mean(f1s)) if f1s else float("nan")), exact_match=_r(exact),
                          mean_kappa=_r(float(np.mean(kappas)) if kappas else float("nan")), details=details or {})


def _r(value: float) -> float:
    return float("nan") if np.isnan(value) else round(float(value), 4)


def evaluate_frames(frames: FrameSet | str | Path = "russia-afghanistan", classifier: FrameClassifier | None = None, *,
                    gold: str | Path | Sequence[GoldSentence] | None = None, split: str | None = "test") -> FrameAgreement:
    """Agreement of a classifier (default: prototypes, fitted here) with the hand labels.

    ``gold`` defaults to the set's own gold file; ``split`` keeps the sentences of one split
    ("dev" chose the defaults, "test" is held out; None: all).
    """
    frameset = frames if isinstance(frames, FrameSet) else FrameSet.load(frames)
    sentences = _gold_of(frameset, gold)
    if split is not None:
        sentences = [s for s in sentences if s.split == split]
    if classifier is None:
        classifier = FrameClassifier(frameset).fit()
    elif not hasattr(classifier, "frame_ids_"):
        classifier.fit()
    predicted = classifier.predict([s.text for s in sentences])
    return agreement(frameset.ids, [s.frames for s in sentences], predicted,
                     {"method": classifier.method, "supervised": bool(getattr(classifier, "supervised_", False)),
                      "threshold": classifier.threshold_, "split": split or "all",
                      "gold": str(gold if isinstance(gold, (str, Path)) else frameset.gold or "")})


def _gold_of(frameset: FrameSet, gold: str | Path | Sequence[GoldSentence] | None) -> list[GoldSentence]:
    if gold is None:
        if frameset.gold is None:
            raise ConfigError(Errors.E633, where=str(frameset.path or frameset.name), key="gold",
                              detail="the set names no hand-labelled file; pass gold=... to evaluate")
        return load_gold(frameset.gold, frameset)
    if isinstance(gold, (str, Path)):
        return load_gold(gold, frameset)
    return list(gold)


def interpass_agreement(frames: FrameSet | str | Path = "russia-afghanistan", *,
                        first: str | Path | None = None, second: str | Path | None = None) -> FrameAgreement:
    """The labeller's two passes over the same sentences (matched by id): per-frame kappa etc."""
    frameset = frames if isinstance(frames, FrameSet) else FrameSet.load(frames)
    one = {s.id: s for s in _gold_of(frameset, first)}
    second_path = second if second is not None else frameset.second_pass
    if second_path is None:
        raise ConfigError(Errors.E633, where=str(frameset.path or frameset.name), key="second_pass",
                          detail="the set names no second labelling pass")
    two = [s for s in load_gold(second_path, frameset) if s.id in one]
    return agreement(frameset.ids, [one[s.id].frames for s in two], [s.frames for s in two],
                     {"first": str(first or frameset.gold), "second": str(second_path)})


# ---------------------------------------------------------------------------- the study measure

def _code_matches(code: str, actor_id: str | None, country: str | None, sector: str | None) -> bool:
    if actor_id is not None and code == actor_id:
        return True
    return country is not None and f"{country}{sector or ''}".startswith(code) and code[:1].isupper()


def _prefilter_pattern(dictionary: ActorDictionary, codes: Sequence[str]) -> str:
    """A regular expression of every alias of the actors the codes can name (a superset)."""
    keys: set[str] = set()
    for actor in dictionary:
        countries = {actor.country, *(r.country for r in actor.roles)}
        if actor.actor_id in codes or any(c[:3] in countries for c in codes if c[:1].isupper()):
            keys.update(a.key for a in dictionary.aliases_of(actor.actor_id))
    keys.discard("")
    ordered = sorted(keys, key=len, reverse=True)
    return "|".join(re.escape(k) for k in ordered) or "(?!)"


def dyad_sentences(store: Store, *, source_codes: Sequence[str], target_codes: Sequence[str],
                   start: dt.date, end: dt.date, dictionary: ActorDictionary | None = None,
                   dedup: bool = True) -> pd.DataFrame:
    """The sentences about a dyad, dated by their document: columns doc_id, sentence_idx,
    published, text, via ("mentions" or "event").

    A sentence is about the dyad when the resolver, on the document's date, finds actors of
    both sides in it, or when it is the evidence of an event between the two sides (either
    direction). A SQL filter on the sides' aliases narrows the sentences before the resolver
    runs. With ``dedup`` only the first document of each near-duplicate group counts, so a
    story rewritten by three outlets is one voice, not three.
    """
    if not source_codes or not target_codes:
        raise ConfigError(Errors.E634, name="source_codes and target_codes", allowed="non-empty lists of codes",
                          found=[list(source_codes), list(target_codes)])
    if dictionary is None:
        from dyadwatch.actors import ActorDictionary

        dictionary = ActorDictionary.load()
    folded = "regexp_replace(lower(strip_accents(s.text)), '[^a-z0-9]+', ' ', 'g')"
    dup = ("AND d.doc_id = (SELECT min(d2.doc_id) FROM documents d2 WHERE d2.dup_group = d.dup_group)"
           if dedup else "")
    rows = store.con.execute(
        "SELECT s.doc_id, s.idx AS sentence_idx, d.published, s.text FROM sentences s JOIN documents d USING (doc_id) "
        f"WHERE d.published BETWEEN ? AND ? {dup} "
        f"AND regexp_matches(' ' || {folded} || ' ', ?) AND regexp_matches(' ' || {folded} || ' ', ?) "
        "ORDER BY d.published, s.doc_id, s.idx",
        [start, end, f" (?:{_prefilter_pattern(dictionary, source_codes)}) ",
         f" (?:{_prefilter_pattern(dictionary, target_codes)}) "]).fetchall()
    resolver = dictionary.resolver()
    kept: dict[tuple[str, int], tuple[str, int, dt.date, str, str]] = {}
    for doc_id, idx, published, text in rows:
        mentions = resolver.tag(text, doc_date=published)
        sides = [any(_code_matches(c, m.actor_id, m.country, m.sector) for c in codes for m in mentions)
                 for codes in (source_codes, target_codes)]
        if all(sides):
            kept[(doc_id, idx)] = (doc_id, idx, published, text, "mentions")
    for doc_id, idx, published, text in _event_sentences(store, source_codes, target_codes, start, end, dup):
        kept.setdefault((doc_id, idx), (doc_id, idx, published, text, "event"))
    frame = pd.DataFrame(sorted(kept.values(), key=lambda r: (r[2], r[0], r[1])),
                         columns=["doc_id", "sentence_idx", "published", "text", "via"])
    return frame


def _event_sentences(store: Store, source_codes: Sequence[str], target_codes: Sequence[str],
                     start: dt.date, end: dt.date, dup: str) -> list[tuple[Any, ...]]:
    def side(prefix: str, codes: Sequence[str]) -> tuple[str, list[str]]:
        parts, params = [], []
        for code in codes:
            parts.append(f"(e.{prefix}_actor = ? OR (e.{prefix}_country || coalesce(e.{prefix}_sector, '')) LIKE ?)")
            params += [code, code.replace("%", "") + "%"]
        return "(" + " OR ".join(parts) + ")", params

    src, src_params = side("source", source_codes)
    tgt, tgt_params = side("target", target_codes)
    rsrc, rsrc_params = side("target", source_codes)
    rtgt, rtgt_params = side("source", target_codes)
    sql = ("SELECT DISTINCT s.doc_id, s.idx, d.published, s.text FROM all_events e "
           "JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx JOIN documents d ON d.doc_id = s.doc_id "
           f"WHERE d.published BETWEEN ? AND ? {dup} AND (({src} AND {tgt}) OR ({rsrc} AND {rtgt}))")
    return store.con.execute(sql, [start, end, *src_params, *tgt_params, *rsrc_params, *rtgt_params]).fetchall()


def frame_shares(store: Store, *, source_codes: list[str], target_codes: list[str], unit: str, start: dt.date,
                 end: dt.date, frames: FrameSet | str | Path, classifier: FrameClassifier | None = None,
                 dictionary: ActorDictionary | None = None, dedup: bool = True) -> pd.DataFrame:
    """Per period and frame, the share of the dyad's sentences that carry the frame.

    Columns: period (the period's first day, a date), frame, share (NaN for a period without
    sentences about the dyad), n_sentences (the dyad's sentences in the period: the
    denominator), n_framed (those carrying the frame). Every period from ``start`` to ``end``
    appears for every frame, in the frame set's order. Periods follow the documents'
    published dates; sentences of undated documents are left out. ``classifier`` defaults to
    ``FrameClassifier(frames).fit()``; an unfitted one is fitted on its seeds.
    """
    if unit not in UNITS:
        raise ConfigError(Errors.E634, name="unit", allowed=" or ".join(UNITS), found=unit)
    start, end = _as_date(start, "start"), _as_date(end, "end")
    if end < start:
        raise ConfigError(Errors.E634, name="end", allowed=f"on or after start ({start})", found=str(end))
    frameset = frames if isinstance(frames, FrameSet) else FrameSet.load(frames)
    if classifier is None:
        classifier = FrameClassifier(frameset).fit()
    elif not hasattr(classifier, "frame_ids_"):
        classifier.fit()
    sentences = dyad_sentences(store, source_codes=source_codes, target_codes=target_codes, start=start, end=end,
                               dictionary=dictionary, dedup=dedup)
    labels = classifier.predict(sentences["text"].tolist()) if len(sentences) else []
    periods = period_starts(start, end, unit)
    totals = dict.fromkeys(periods, 0)
    framed = {(p, f): 0 for p in periods for f in classifier.frame_ids_}
    for published, found in zip(sentences["published"], labels, strict=True):
        period = period_start(_as_date(published, "published"), unit)
        totals[period] += 1
        for frame_id in found:
            framed[(period, frame_id)] += 1
    log.info("frame shares: %d sentences about the dyad in %d %ss", len(sentences), len(periods), unit)
    rows = [{"period": p, "frame": f, "share": (framed[(p, f)] / totals[p]) if totals[p] else float("nan"),
             "n_sentences": totals[p], "n_framed": framed[(p, f)]}
            for f in classifier.frame_ids_ for p in periods]
    return pd.DataFrame(rows, columns=["period", "frame", "share", "n_sentences", "n_framed"])


def _as_date(value: Any, name: str) -> dt.date:
    try:
        return parse_date(value, what=name)
    except ValueError:
        raise ConfigError(Errors.E634, name=name, allowed="a date (YYYY-MM-DD)", found=str(value)) from None
