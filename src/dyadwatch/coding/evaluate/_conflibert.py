"""ConfliBERT's CAMEO sets: five-class sentences (TSV) and source/target tags (CoNLL BIO).

``cameo_class_{train,test}.tsv``: ``sentence<TAB>label`` a line, no header, label 0-4 (0 make a
statement, 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material
conflict). ``cameo_ner_{train,test}.txt``: ``token<SPACE>tag`` a line, a blank line between
sentences, tags ``O`` and ``B-``/``I-`` of ``S`` (source), ``T`` (target), ``R`` (reciprocal or
joint: "Jordan and Britain"). Neither codes events: their sentences have ``events=None``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dyadwatch.coding.evaluate._gold import GoldSentence, Span, gold_error

log = logging.getLogger(__name__)

__all__ = ["CONFLIBERT_LABELS", "read_conflibert"]

_FORMAT = "ConfliBERT CAMEO"

#: The five classes of ``cameo_class``; the same as the ontology's ``"penta"`` quad convention.
CONFLIBERT_LABELS: dict[str, str] = {
    "0": "make a statement",
    "1": "verbal cooperation",
    "2": "material cooperation",
    "3": "verbal conflict",
    "4": "material conflict",
}
_ROLES = {"S": "source", "T": "target", "R": "joint"}
_TAG = re.compile(r"^(O|[BI]-[STR])$")


def read_conflibert(path: str | os.PathLike[str]) -> list[GoldSentence]:
    """Read a ConfliBERT CAMEO file, or the folder holding them.

    A ``.tsv`` file gives labelled sentences (``label`` "0".."4"); a CoNLL file (``.txt``)
    gives tagged sentences (source, target and joint spans over the words joined into a
    sentence). A folder gives, for each split (train, test) it holds, the labelled sentences
    with the tags of the same sentence added, so that one run scores both (the 451 test
    sentences are the same in both files); a tagged sentence with no labelled twin is kept on
    its own. Ids are ``<file stem>:<n>``, n counting sentences from 1.

    Raises :class:`GoldFormatError` ``[E403]`` naming the file and the line.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ner.txt").write_text("Russia B-S\\nhosted O\\nTaliban B-T\\nenvoys I-T\\n. O\\n")
    >>> sent = read_conflibert(folder / "ner.txt")[0]
    >>> sent.text, [sent.text[a:b] for a, b in sent.source_spans + sent.target_spans]
    ('Russia hosted Taliban envoys.', ['Russia', 'Taliban envoys'])
    """
    source = Path(path)
    if source.is_dir():
        return _read_folder(source)
    if source.suffix.lower() in {".tsv", ".csv"}:
        return _read_classes(source)
    return _read_tags(source)


def _read_lines(file: Path) -> list[str]:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise gold_error(_FORMAT, str(file), 0, f"cannot open the file ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise gold_error(_FORMAT, str(file), line, f"not UTF-8 text ({exc.reason})") from None


def _read_classes(file: Path) -> list[GoldSentence]:
    sentences: list[GoldSentence] = []
    for number, line in enumerate(_read_lines(file), start=1):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        label = label.strip()
        if not tab or not text.strip():
            raise gold_error(_FORMAT, str(file), number, "a line must be 'sentence<TAB>label'")
        if label not in CONFLIBERT_LABELS:
            raise gold_error(
                _FORMAT, str(file), number, f"label must be one of 0, 1, 2, 3, 4. Got {label!r} instead"
            )
        sentences.append(
            GoldSentence(
                id=f"{file.stem}:{len(sentences) + 1}",
                text=text.strip(),
                label=label,
                origin="conflibert",
                meta={"file": str(file), "line": number},
            )
        )
    if not sentences:
        raise gold_error(_FORMAT, str(file), 1, "the file holds no sentence")
    return sentences


@dataclass(frozen=True, slots=True)
class _Tagged:
    """A sentence of a CoNLL file: its tokens, their tags and the line it starts on."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    line: int


def _read_tagged(file: Path) -> list[_Tagged]:
    found: list[_Tagged] = []
    tokens: list[str] = []
    tags: list[str] = []
    first_line = 0
    for number, line in enumerate([*_read_lines(file), ""], start=1):
        stripped = line.strip()
        if stripped:
            token, _, tag = stripped.rpartition(" ") if " " in stripped else stripped.rpartition("\t")
            token, tag = token.strip(), tag.strip()
            if not token or not _TAG.match(tag):
                raise gold_error(
                    _FORMAT, str(file), number,
                    f"a line must be 'token TAG' with TAG O, B-S, I-S, B-T, I-T, B-R or I-R. Got {stripped!r} instead",
                )
            if not tokens:
                first_line = number
            tokens.append(token)
            tags.append(tag)
        elif tokens:
            found.append(_Tagged(tuple(tokens), tuple(tags), first_line))
            tokens, tags = [], []
    if not found:
        raise gold_error(_FORMAT, str(file), 1, "the file holds no tagged sentence")
    return found


def _with_spans(sent: GoldSentence, tagged: _Tagged, offsets: list[int]) -> GoldSentence:
    spans = _token_spans(tagged.tags)
    return replace(
        sent,
        source_spans=_chars(spans["source"], tagged.tokens, offsets),
        target_spans=_chars(spans["target"], tagged.tokens, offsets),
        joint_spans=_chars(spans["joint"], tagged.tokens, offsets),
    )


def _read_tags(file: Path) -> list[GoldSentence]:
    sentences = []
    for number, tagged in enumerate(_read_tagged(file), start=1):
        text, offsets = detokenise(list(tagged.tokens))
        sent = GoldSentence(
            id=f"{file.stem}:{number}", text=text, origin="conflibert",
            meta={"file": str(file), "line": tagged.line},
        )
        sentences.append(_with_spans(sent, tagged, offsets))
    return sentences


def _token_spans(tags: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Token spans [start, end) by role; an I- tag that follows no B- of its kind opens a span."""
    spans: dict[str, list[tuple[int, int]]] = {"source": [], "target": [], "joint": []}
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and tag[2:] == kind
        if start is not None and not inside:
            spans[_ROLES[kind or "S"]].append((start, i))
            start, kind = None, None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, kind = i, tag[2:]
    return spans


def _chars(spans: list[tuple[int, int]], tokens: tuple[str, ...], offsets: list[int]) -> tuple[Span, ...]:
    return tuple((offsets[a], offsets[b - 1] + len(tokens[b - 1])) for a, b in spans)


_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "%", "'s", "'", "\u2019", "\u2019s", "n't", "-", "''"})
_NO_SPACE_AFTER = frozenset({"(", "[", "$", "-", "``"})


def detokenise(tokens: list[str]) -> tuple[str, list[int]]:
    """The tokens as a sentence ("Boutros-Ghali", "Moscow's") and each token's offset in it.

    >>> detokenise(["Moscow", "'s", "co", "-", "chair", "(", "UN", ")", "said", "."])[0]
    "Moscow's co-chair (UN) said."
    """
    text = ""
    offsets = []
    for i, token in enumerate(tokens):
        if i and token not in _NO_SPACE_BEFORE and tokens[i - 1] not in _NO_SPACE_AFTER:
            text += " "
        offsets.append(len(text))
        text += token
    return text, offsets


def _align(tokens: tuple[str, ...], text: str) -> list[int] | None:
    """Each token's offset in ``text`` if the text is the tokens with only spaces between."""
    position, offsets = 0, []
    for token in tokens:
        found = text.find(token, position)
        if found < 0 or text[position:found].strip():
            return None
        offsets.append(found)
        position = found + len(token)
    return offsets if not text[position:].strip() else None


def _read_folder(folder: Path) -> list[GoldSentence]:
    classes = sorted(folder.glob("cameo_class_*.tsv"))
    tagged_files = sorted(folder.glob("cameo_ner_*.txt"))
    if not classes and not tagged_files:
        raise gold_error(
            _FORMAT, str(folder), 0, "the folder holds no cameo_class_*.tsv or cameo_ner_*.txt file"
        )
    splits = sorted({f.stem.rpartition("_")[2] for f in classes + tagged_files})
    sentences: list[GoldSentence] = []
    for split in splits:
        class_file = folder / f"cameo_class_{split}.tsv"
        tag_file = folder / f"cameo_ner_{split}.txt"
        labelled = _read_classes(class_file) if class_file.exists() else []
        by_key: dict[str, list[int]] = {}
        for i, sent in enumerate(labelled):
            by_key.setdefault("".join(sent.text.split()), []).append(i)
        alone = []
        tagged_all = _read_tagged(tag_file) if tag_file.exists() else []
        for number, tagged in enumerate(tagged_all, start=1):
            candidates = by_key.get("".join(tagged.tokens), [])
            index = candidates.pop(0) if candidates else None
            offsets = _align(tagged.tokens, labelled[index].text) if index is not None else None
            if index is None or offsets is None:
                text, own = detokenise(list(tagged.tokens))
                sent = GoldSentence(
                    id=f"{tag_file.stem}:{number}", text=text, origin="conflibert",
                    meta={"file": str(tag_file), "line": tagged.line},
                )
                alone.append(_with_spans(sent, tagged, own))
                continue
            merged = replace(
                labelled[index], meta={**labelled[index].meta, "tags_file": str(tag_file), "tags_line": tagged.line}
            )
            labelled[index] = _with_spans(merged, tagged, offsets)
        log.debug("conflibert %s: %d labelled, %d tagged, %d tagged only", split, len(labelled), len(tagged_all), len(alone))
        sentences.extend(labelled)
        sentences.extend(alone)
    return sentences
