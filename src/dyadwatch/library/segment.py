"""Split a document's text into paragraphs and sentences, with offsets into the text.

Paragraphs are separated by blank lines, or by a single line break after a long line
that ends a sentence (HTML extraction gives one paragraph per line; hard-wrapped text
has short lines, which are joined). Inside a paragraph, bullet lines ("- ", "* ",
"• ", "1. ", "(a) ") and heading lines (markdown "#", ALL CAPS or Title Case lines that end
without punctuation) are units of their own; the rest is split into sentences at ".", "?",
"!" and ellipses, with closing quotes and brackets kept on the sentence they close.

A period is a sentence end unless the word before it says otherwise:

- titles (Mr. Gen. Sen. Amb. ...) and single capital initials ("George W. Bush") never end
  a sentence when a capitalised word follows;
- months (Jan. Sept. ...) and number prefixes (No. Art. approx. ...) do not end one before
  a number ("Sept. 11", "Resolution No. 2231");
- "e.g.", "i.e.", "vs.", "cf." never end one;
- dotted abbreviations (U.S. U.N. E.U. a.m. D.C.) and a few others that often close a
  sentence (etc. Inc. Jr. Calif.) end one only when the next word is a capitalised
  function word that starts sentences ("The", "He", "But", "In", ...). A capitalised
  content word after "U.S." is almost always part of a name ("U.S. Army", "U.S. President
  Joe Biden"), while "... said the U.S. The talks ..." is split;
- a lowercase next word never starts a sentence ("3 p.m. local time", '"Why?" he asked').

Everything is regular-expression and string work: no model, no dictionary lookups beyond
the small sets below, so segmentation runs at well over 20,000 sentences a second.

>>> from dyadwatch.library.segment import segment
>>> text = "Mr. Lavrov met U.S. envoys in Moscow. The talks ended at 5 p.m. local time."
>>> [s.text for s in segment("d1", text)]
['Mr. Lavrov met U.S. envoys in Moscow.', 'The talks ended at 5 p.m. local time.']
>>> sent = segment("d1", text)[1]
>>> text[sent.start:sent.end] == sent.text
True
"""

from __future__ import annotations

import re

from dyadwatch.records import Sentence

__all__ = ["MAX_SENTENCE_CHARS", "segment"]

# A "sentence" longer than this (a table or a list without punctuation, as PDF and HTML
# extraction produce) is cut at line breaks, else at spaces, so later stages stay bounded.
MAX_SENTENCE_CHARS = 2000

# Titles that come before a name: a capitalised word after them continues the sentence.
_TITLES = frozenset(
    """
    Mr Mrs Ms Messrs Mmes Dr Drs Prof Profs Rev Revs Fr Msgr Sra Srta Mme Mlle Hon
    Gen Gens Lt Col Cols Maj Capt Cpt Cmdr Cdr Comdr Adm Brig Sgt Cpl Pvt Spc Pfc Ens
    Insp Supt Det Cmdt Marshal
    Gov Govs Sen Sens Rep Reps Pres Amb Sec Atty Treas Rt Sheikh
    St Ste Mt Ft Pt
    """.split()  # noqa: SIM905 - a word list reads better than a list literal
)

# Month abbreviations: "Sept. 11" continues; "in Sept. The ..." ends.
_MONTHS = frozenset("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())  # noqa: SIM905

# Abbreviations that stand before a number: "No. 2", "Art. 51", "approx. 300".
_NUMBER_PREFIXES = frozenset(
    """
    No Nos no nos Art Arts art Vol Vols vol Fig fig Figs Ch ch Chap Para para Paras Sec sec
    Sect p pp Pg pg Nr nr Op op Ref ref Res Tel tel Ext ext approx Approx ca c est Est
    """.split()  # noqa: SIM905 - a word list reads better than a list literal
)

# Never the end of a sentence, whatever follows ("e.g. Russia", "Ukraine vs. Russia").
_NEVER_FINAL = frozenset("e.g eg i.e ie vs v cf viz incl esp resp approx Approx".split())  # noqa: SIM905

# Abbreviations that often close a sentence; treated like dotted ones (see module doc).
_OFTEN_FINAL = frozenset(
    """
    etc al Inc Corp Co Ltd Bros Jr Sr Esq Plc Cos Dept Univ Assn Intl Govt govt
    Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss
    Mo Mont Neb Nev Okla Ore Pa Tenn Tex Vt Va Wash Wis Wyo
    """.split()  # noqa: SIM905 - a word list reads better than a list literal
)

# Capitalised words that begin sentences but rarely continue a name after "U.S." or
# "Inc.": determiners, pronouns, conjunctions, prepositions and sentence adverbs.
_STARTERS = frozenset(
    """
    The A An This That These Those It Its He She They We I You His Her Their Our My Your
    But And Or Nor So Yet Still Then Thus Hence Also Instead Indeed Meanwhile However
    Moreover Furthermore Nevertheless Nonetheless Otherwise Besides Therefore Finally
    There Here In On At As After Before When Whenever While Since If Unless Although Though
    Because For From With Without By Under Over During Despite Between Among Against
    Following According Asked Speaking Earlier Later Last Next Now Today Yesterday Tomorrow
    Some Many Most Several Both Each Every Few No None Not Neither Either One Two Three Such
    Other Another All Any What Who Whom Whose Which Why How Where Once Only Even Just
    Officials Analysts Critics Experts
    """.split()  # noqa: SIM905 - a word list reads better than a list literal
)

# Runs of text without a blank line: the paragraphs.
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t\r\f\v]*\n))+")
# A sentence-final mark, what closes after it, and the token on each side:
# group 1 the token before the mark, 2 the mark, 3 closers, 4 the next token.
_BOUNDARY = re.compile(r"(?<!\S)(\S*?)(\.{2,}|…|[.?!]+)([\"'”’»)\]]*)\s+(?=(\S+))")
# Bullets and numbered items at the start of a line, and markdown headings.
_BULLET = re.compile(
    r"[ \t]*(?:[-*•●▪◦‣·–—+]|\d{1,3}[.)]|\(?(?:[a-z]|[ivx]{1,4}|\d{1,3})\))[ \t]+(?=\S)"
)
_HEADING_MARK = re.compile(r"[ \t]*#{1,6}[ \t]+(?=\S)")
_DOTTED = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")
_INITIAL = re.compile(r"[A-Z]\.")
_OPENERS = "\"'“‘«([{¿¡"
_LINE_END_PUNCT = tuple(".?!:;,\"'”’)]…-–—")
_SENTENCE_END = re.compile(r"[.?!…][\"'”’»)\]]*$")
# Hard-wrapped text keeps its lines shorter than this; unwrapped paragraphs are longer.
_UNWRAPPED_LINE = 100
_CLOSED_LINE = frozenset(".?!:;…\"'”’)]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def segment(doc_id: str, text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into it and their paragraph index.

    ``text[sent.start:sent.end] == sent.text`` for every sentence; sentences are stripped
    of surrounding whitespace and bullet or heading marks. Paragraphs (see the module
    doc) are numbered from 0, as are sentences across the whole document.

    >>> [(s.paragraph, s.text) for s in segment("d", "TALKS IN DOHA\\nThe U.S. and the Taliban met.\\n\\n- Next round: Jan. 5")]
    [(0, 'TALKS IN DOHA'), (0, 'The U.S. and the Taliban met.'), (1, 'Next round: Jan. 5')]
    """
    sentences: list[Sentence] = []
    paragraph = 0
    for para in _PARAGRAPH.finditer(text):
        start, end = _strip(text, para.start(), para.end())
        if start >= end:
            continue
        if "\n" in text[start:end]:
            units = _line_units(text, start, end)
        else:
            units = [(*_unmark(text, start, end), 0)]
        for unit_start, unit_end, para_offset in units:
            for sent_start, sent_end in _split_unit(text, unit_start, unit_end):
                for piece_start, piece_end in _bounded(text, sent_start, sent_end):
                    sentences.append(
                        Sentence(
                            doc_id=doc_id,
                            idx=len(sentences),
                            start=piece_start,
                            end=piece_end,
                            text=text[piece_start:piece_end],
                            paragraph=paragraph + para_offset,
                        )
                    )
        paragraph += units[-1][2] + 1
    return sentences


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start and end inward past whitespace (and a byte-order mark)."""
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _unmark(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading bullet or heading mark from a unit."""
    mark = _BULLET.match(text, start, end) or _HEADING_MARK.match(text, start, end)
    if mark is not None:
        start = mark.end()
    return start, end


def _line_units(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """Group a multi-line paragraph's lines into units: bullets and headings stand alone.

    Returns (start, end, paragraph offset) triples. Wrapped prose lines join the unit
    before them, so hard-wrapped text is not split at its line breaks. A bullet starts a
    unit only after a closed line (one ending in punctuation), a heading or another
    bullet, because wrapped prose can also put a dash at the start of a line; it runs on
    over indented continuation lines. A line break after a long line (over
    _UNWRAPPED_LINE characters) that ends a sentence also starts a paragraph: text
    extracted from HTML puts each paragraph on one line, without blank lines between.
    """
    lines: list[tuple[int, int, int]] = []  # raw line start, stripped start, stripped end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        line_start, stripped_end = _strip(text, pos, line_end)
        if line_start < stripped_end:
            lines.append((pos, line_start, stripped_end))
        pos = line_end + 1
    units: list[tuple[int, int, int]] = []
    unit_start = unit_end = -1
    in_bullet = False
    prev_closed = True  # the line before ended a sentence, a heading or a bullet item
    para = 0
    for i, (raw_start, line_start, line_end) in enumerate(lines):
        prev_start, prev_end = (lines[i - 1][1], lines[i - 1][2]) if i else (start, start)
        if (
            prev_closed
            and not in_bullet
            and prev_end - prev_start > _UNWRAPPED_LINE
            and _SENTENCE_END.search(text, prev_start, prev_end)
        ):
            if unit_start >= 0:
                units.append((unit_start, unit_end, para))
                unit_start = -1
            para += 1
        bullet = _BULLET.match(text, raw_start, line_end) is not None
        bullet = bullet and (prev_closed or in_bullet)
        heading = (
            prev_closed
            and i < len(lines) - 1
            and _is_heading(text, line_start, line_end)
            and not text[lines[i + 1][1]].islower()
        )
        starts_unit = unit_start < 0 or bullet or heading
        if in_bullet and line_start == raw_start and not text[line_start].islower():
            starts_unit = True  # a bullet item ends at a line that is not indented
        if not starts_unit:
            unit_end = line_end
        else:
            if unit_start >= 0:
                units.append((unit_start, unit_end, para))
            unit_start, unit_end = _unmark(text, line_start, line_end)
            in_bullet = bullet
            if heading:
                units.append((unit_start, unit_end, para))
                unit_start = -1
                in_bullet = False
        prev_closed = heading or text[line_end - 1] in _CLOSED_LINE or in_bullet
    if unit_start >= 0:
        units.append((unit_start, unit_end, para))
    return units


def _is_heading(text: str, start: int, end: int) -> bool:
    """A line that is a heading: '#', or short ALL CAPS or Title Case without end punctuation."""
    if _HEADING_MARK.match(text, start, end):
        return True
    line = text[start:end]
    if line.endswith(_LINE_END_PUNCT):
        return False
    words = _WORD.findall(line)
    if not words or len(words) > 12:
        return False
    if line.upper() == line and sum(ch.isalpha() for ch in line) >= 2:
        return True
    long_words = [w for w in words if len(w) >= 4]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _split_unit(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one unit of text (a paragraph, bullet or line) into sentence spans."""
    spans: list[tuple[int, int]] = []
    sent_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        if _is_boundary(m.group(1), m.group(2), m.group(4)):
            spans.append((sent_start, m.end(3)))
            sent_start = m.end()
    spans.append((sent_start, end))
    return spans


def _is_boundary(before: str, mark: str, after: str) -> bool:
    """Decide whether the mark between two tokens ends a sentence."""
    nxt = after.lstrip(_OPENERS)
    if not nxt:
        nxt = after
    first = nxt[0]
    if first.islower():
        return False  # news sentences do not start in lower case
    if "?" in mark or "!" in mark:
        return True
    prev = before.lstrip(_OPENERS)
    if not prev:
        return False  # a stray ". . ." or a mark standing alone
    if mark != ".":  # an ellipsis: an end when a capital follows
        return first.isupper() or first.isdigit()
    if "-" in prev or "/" in prev:
        prev = re.split(r"[-/]", prev)[-1] or prev
    if prev in _NEVER_FINAL:
        return False
    if first.isdigit():
        return not (prev in _MONTHS or prev in _NUMBER_PREFIXES or _DOTTED.fullmatch(prev))
    if not first.isupper():
        return first in "$€£¥" or (not first.isalnum() and first not in "-–—*•")
    if prev in _TITLES:
        return False
    if _INITIAL.fullmatch(nxt):
        return False  # "J. A. Smith"
    if len(prev) == 1 and prev.isupper():
        return _starts_sentence(nxt)  # an initial, unless "Plan B. The ..."
    if prev in _OFTEN_FINAL or _DOTTED.fullmatch(prev):
        return _starts_sentence(nxt)
    return True


def _starts_sentence(word: str) -> bool:
    end = 0
    while end < len(word) and (word[end].isalpha() or word[end] in "'’"):
        end += 1
    return word[:end] in _STARTERS


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at line breaks, else at spaces (see MAX_SENTENCE_CHARS)."""
    start, end = _strip(text, start, end)
    if start >= end:
        return []
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = text.rfind("\n", start + 1, limit)
        if cut < 0:
            cut = max(text.rfind(" ", start + 1, limit), text.rfind("\t", start + 1, limit))
        if cut < 0:
            cut = limit
        piece = _strip(text, start, cut)
        if piece[0] < piece[1]:
            pieces.append(piece)
        start, end = _strip(text, cut, end)
    if start < end:
        pieces.append((start, end))
    return pieces
