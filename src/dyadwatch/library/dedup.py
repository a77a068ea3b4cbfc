"""Near-duplicate documents: the same wire story from several outlets, grouped.

A document's *signature* is a MinHash (128 permutations, computed with numpy; see
:func:`signature`) of the word 5-grams of its lowercased text, indexed with datasketch's
MinHashLSH. Two documents whose signatures agree
on at least ``threshold`` of their positions (an estimate of the Jaccard similarity of
their 5-gram sets) are near-duplicates. Nothing is deleted: each document gets a *group*,
the id of the oldest document of its story, so that a story reported many times can be
counted once (the ``story_group`` of an event).

>>> from dyadwatch.library.dedup import DuplicateIndex, signature
>>> story = ("Russian Foreign Minister Sergei Lavrov met a Taliban delegation in Moscow on "
...          "Tuesday and said the two sides agreed to expand trade and to fight drug "
...          "trafficking across the Afghan border, the ministry said in a statement.")
>>> index = DuplicateIndex()
>>> index.assign("reuters-1", signature(story))
'reuters-1'
>>> index.assign("ap-7", signature(story + " Moscow has no embassy staff in Kabul."))
'reuters-1'
>>> index.assign("tass-3", signature("China and Pakistan held separate talks in Beijing."))
'tass-3'

Signatures are persisted as bytes (:func:`to_bytes`, :func:`from_bytes`), so the store
can rebuild the index when it is opened, adding documents oldest first, and later
ingests group new documents with old ones.
"""

from __future__ import annotations

import functools
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable

import numpy as np
from datasketch import MinHashLSH

from dyadwatch.errors import ConfigError, Errors, StoreError

__all__ = [
    "DEFAULT_THRESHOLD",
    "NUM_PERM",
    "SHINGLE_WORDS",
    "DuplicateIndex",
    "from_bytes",
    "jaccard",
    "signature",
    "to_bytes",
]

NUM_PERM = 128
SHINGLE_WORDS = 5
# Copies of a wire story with a new headline, dateline, attribution and an added sentence
# measure 0.68-0.79 on 200-word stories; different stories about the same actors below
# 0.01 (tests/library/test_dedup.py). 0.5 leaves room on both sides.
DEFAULT_THRESHOLD = 0.5
# A pair exactly at the threshold becomes an LSH candidate with at least this probability.
_LSH_RECALL = 0.99
# Fixed: a persisted signature is only comparable with one made by the same seed,
# permutations and hash functions. Change any of them and bump _MAGIC.
_SEED = 1
_PRIME = np.uint64(2**32 + 15)
_MIX = np.uint64(0x100000001B3)
_MULTIPLIERS = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD))
_EMPTY = np.uint32(0xFFFFFFFF)  # the value of every position of an empty set's MinHash
# The serialised form: magic and version, the number of permutations, then the values.
_MAGIC = b"DWM2"
_HEADER = struct.Struct("<4sH")

_WORD = re.compile(r"\w+")


def signature(text: str, *, num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash of the word 5-grams of ``text`` (an array of ``num_perm`` uint32).

    The text is NFKC-normalised and lowercased, and only its word characters count, so
    punctuation, spacing and case do not matter. A text of fewer than five words is one
    shingle; a text without words has the empty signature (it matches nothing).

    Computed with numpy in one pass (no Python loop over shingles): each word is hashed
    once (CRC-32), a 5-gram's hash mixes its five word hashes with fixed odd multipliers,
    and each permutation is the universal hash ``(a * h + b) mod p`` with p = 2^32 + 15.
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    if not words:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    word_hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for k in range(width):  # uint64 arithmetic wraps: a well-mixed 64-bit value per 5-gram
        shingles = shingles * _MIX + word_hashes[k : k + count] * _MULTIPLIERS[k]
    shingles = np.unique((shingles ^ (shingles >> np.uint64(29))) & np.uint64(0xFFFFFFFF))
    a, b = _permutations(num_perm)
    values = (np.multiply.outer(shingles, a) + b) % _PRIME  # (shingles, num_perm), no overflow
    return values.min(axis=0).astype(np.uint32)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The Jaccard similarity of two documents' 5-gram sets, estimated from signatures."""
    if len(sig_a) != len(sig_b):
        raise ConfigError(
            Errors.E701,
            detail=f"signatures must have the same length. Got {len(sig_a)} and {len(sig_b)} instead",
        )
    if _is_empty(sig_a) or _is_empty(sig_b):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def to_bytes(sig: np.ndarray) -> bytes:
    """A signature as bytes, for the store: a small header, then little-endian uint32s."""
    values = np.asarray(sig)
    if values.ndim != 1 or values.dtype != np.uint32:
        raise ConfigError(
            Errors.E701,
            detail=f"a signature must be a 1-D uint32 array. Got {values.dtype} of shape {values.shape} instead",
        )
    return _HEADER.pack(_MAGIC, len(values)) + values.astype("<u4", copy=False).tobytes()


def from_bytes(blob: bytes | bytearray | memoryview) -> np.ndarray:
    """A signature back from :func:`to_bytes`."""
    blob = bytes(blob)
    if len(blob) < _HEADER.size:
        raise _damaged(f"{len(blob)} bytes, shorter than its header")
    magic, num_perm = _HEADER.unpack_from(blob)
    if magic != _MAGIC:
        raise _damaged(f"header {magic!r}, expected {_MAGIC!r}")
    if len(blob) != _HEADER.size + 4 * num_perm:
        raise _damaged(f"{len(blob)} bytes for {num_perm} values")
    return np.frombuffer(blob, dtype="<u4", offset=_HEADER.size).astype(np.uint32)


class DuplicateIndex:
    """Groups near-duplicate documents (MinHash LSH over :func:`signature`).

    ``threshold`` is the estimated Jaccard similarity of word 5-grams at which two
    documents are the same story. The default, 0.5, groups copies of a wire story that
    differ in their headline, attribution, dateline and a sentence or two, and keeps
    apart different stories about the same actors; lower it for outlets that rewrite
    more. Word 5-grams are strict: one changed word breaks five of them, so 0.7 already
    misses copies of short stories with a rewritten headline and an added sentence.

    The LSH bands are chosen so that a pair at the threshold is a candidate with
    probability 0.99 (datasketch's default balance gives about 0.5 there); candidates are
    then checked against the threshold with the signatures themselves.

    The index remembers the insertion order and the group of each document it holds:
    :meth:`assign` puts a new document in the group of its oldest near-duplicate.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(
                Errors.E701, detail=f"threshold must be in (0, 1]. Got {threshold!r} instead"
            )
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(num_perm=num_perm, params=_lsh_params(threshold, num_perm))
        self._signatures: dict[str, np.ndarray] = {}  # in insertion order
        self._order: dict[str, int] = {}
        self._groups: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._signatures

    def add(self, doc_id: str, sig: np.ndarray, *, group: str | None = None) -> None:
        """Add a document and its group (its own id when not given). Adding twice is a no-op."""
        if doc_id in self._signatures:
            return
        sig = self._checked(sig)
        self._signatures[doc_id] = sig
        self._order[doc_id] = len(self._order)
        self._groups[doc_id] = group or doc_id
        if not _is_empty(sig):
            self._lsh.insert(doc_id, self._minhash(sig), check_duplication=False)

    def find(self, sig: np.ndarray) -> list[str]:
        """Documents whose estimated Jaccard similarity to ``sig`` is at least the threshold, oldest first."""
        sig = self._checked(sig)
        if _is_empty(sig):
            return []
        candidates = self._lsh.query(self._minhash(sig))
        found = [
            doc_id
            for doc_id in candidates
            if jaccard(sig, self._signatures[doc_id]) >= self.threshold
        ]
        return sorted(found, key=self._order.__getitem__)

    def group(self, doc_id: str) -> str | None:
        """The group of a document of the index, or None."""
        return self._groups.get(doc_id)

    def assign(
        self,
        doc_id: str,
        sig: np.ndarray,
        existing_group: Callable[[str], str | None] | None = None,
    ) -> str:
        """Add a new document and return its group.

        The group is that of the oldest near-duplicate already in the index, else the
        document's own id: every document has a group, and a singleton is its own.
        ``existing_group(doc_id)``, when given, is asked first for the current group of
        an older document (the store's, where groups were corrected by hand).
        A document already in the index keeps its group.
        """
        if doc_id in self._signatures:
            return self._groups[doc_id]
        group = doc_id
        for other in self.find(sig):
            known = existing_group(other) if existing_group is not None else None
            group = known or self._groups[other]
            break
        self.add(doc_id, sig, group=group)
        return group

    def _checked(self, sig: np.ndarray) -> np.ndarray:
        values = np.asarray(sig)
        if values.shape != (self.num_perm,):
            raise ConfigError(
                Errors.E701,
                detail=f"a signature must have {self.num_perm} values. Got shape {values.shape} instead",
            )
        return values.astype(np.uint32, copy=False)

    @staticmethod
    def _minhash(sig: np.ndarray) -> _Signature:
        return _Signature(sig)


class _Signature:
    """What MinHashLSH reads of a MinHash: its length and its hash values (the LSH only
    bands and hashes them), without datasketch re-validating permutations per query."""

    __slots__ = ("hashvalues",)

    def __init__(self, values: np.ndarray) -> None:
        self.hashvalues = values

    def __len__(self) -> int:
        return len(self.hashvalues)


def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the most selective banding that still finds pairs at the threshold."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= _LSH_RECALL:
            return bands, rows
    return num_perm, 1


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # a < 2^31 and h < 2^32 keep a * h + b below 2^64: exact in uint64.
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**31, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64)
    return a, b


def _is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == _EMPTY))


def _damaged(detail: str) -> StoreError:
    return StoreError(
        Errors.E104,
        detail=f"a near-duplicate signature is damaged or from another version ({detail})",
    )
