"""Length-preserving text folding shared by the alias table and the tagger.

The tagger matches aliases on a folded copy of the sentence whose character offsets are those of
the original text: lower case, Latin diacritics stripped (é -> e, ş -> s), and punctuation turned
into spaces, every character mapped to exactly one character. Aliases are folded the same way and
have their spaces collapsed, so "al-Qaeda", "Al Qaeda" and "AL QAEDA" share one key.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["alias_key", "fold", "fold_case_kept"]

_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\n\r\x0b\x0c\u00a0\u2018\u2019\u201a\u201b\u201c\u201d\u2010\u2011\u2012\u2013\u2014\u2015\u2026\u00b4\u02bb\u02bc\u02bf\u02be"


def _base_letter(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0] if decomposed else char
    return base if len(base) == 1 else char


def _build_table(lower: bool) -> dict[int, str]:
    table: dict[int, str] = {ord(c): " " for c in _PUNCTUATION}
    # Latin-1 supplement and Latin Extended-A/B: strip the diacritic, one char for one char.
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = _base_letter(char)
        if base != char and base.isascii():
            table[code] = base.lower() if lower else base
    table[ord("ı")] = "i"
    return table


_FOLD = _build_table(lower=True)
_FOLD_CASE = _build_table(lower=False)
_SPACES = re.compile(r"\s+")
# The same folding for ASCII text as a 256-byte table: bytes.translate is several times faster
# than str.translate, and most news text is ASCII.
_FOLD_ASCII = bytes(
    ord(_FOLD.get(code, chr(code).lower())) if code < 128 else code for code in range(256)
)
_FOLD_CASE_ASCII = bytes(ord(_FOLD_CASE.get(code, chr(code))) if code < 128 else code for code in range(256))


def fold(text: str) -> str:
    """Lower-case, strip Latin diacritics, punctuation to spaces; ``len(fold(t)) == len(t)``.

    >>> fold("Al-Qa'ida's Zawahiri, Muttaqī")
    'al qa ida s zawahiri  muttaqi'
    """
    if text.isascii():
        return text.encode("ascii").translate(_FOLD_ASCII).decode("ascii")
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower to two ("İ"): keep one
        lowered = "".join(c.lower()[0] for c in text)
    return lowered.translate(_FOLD)


def fold_case_kept(text: str) -> str:
    """Like :func:`fold` but keeping the case, for aliases that must match case ("US", "IS")."""
    if text.isascii():
        return text.encode("ascii").translate(_FOLD_CASE_ASCII).decode("ascii")
    return text.translate(_FOLD_CASE)


def alias_key(alias: str) -> str:
    """The key an alias is stored under: folded, spaces collapsed, ends stripped.

    >>> alias_key("  IS-Khorasan ")
    'is khorasan'
    """
    return _SPACES.sub(" ", fold(alias)).strip()
