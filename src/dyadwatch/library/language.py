"""A document's language, guessed from its text with py3langid.

The model is loaded once, on first use (never at import), and reused. Only the first
:data:`SAMPLE_CHARS` characters are looked at: enough to tell a language, and fast.

>>> detect_language("The foreign ministers met in Geneva on Monday to discuss the ceasefire.")
'en'
>>> detect_language("Too short") is None
True
"""

from __future__ import annotations

import logging

__all__ = ["MIN_LETTERS", "SAMPLE_CHARS", "detect_language"]

logger = logging.getLogger(__name__)

SAMPLE_CHARS = 800
MIN_LETTERS = 20  # below this many letters a guess is noise

def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or ``None``.

    ``None`` means the text is too short to say (fewer than :data:`MIN_LETTERS`
    letters in its first :data:`SAMPLE_CHARS` characters).

    >>> detect_language("Министр иностранных дел России провёл переговоры в Кабуле.")
    'ru'
    """
    sample = text[:SAMPLE_CHARS]
    letters = 0
    for char in sample:
        if char.isalpha():
            letters += 1
            if letters >= MIN_LETTERS:
                break
    else:
        return None
    language, _score = _classify(sample)
    return language if language and language != "und" else None


def _classify(sample: str) -> tuple[str, float]:
    # py3langid loads its model on its first classify(), once per process; importing it
    # here keeps numpy and the model out of `import dyadwatch`
    import py3langid

    language, score = py3langid.classify(sample)
    return str(language), float(score)
