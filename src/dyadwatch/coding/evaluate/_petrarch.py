"""PETRARCH validation records: the PETRARCH-1 unit tests and the PETRARCH-2 "GSR" file.

A record is a ``<Sentence date="19950101" id="DEMO-00" category="DEMO">`` element holding
``<EventCoding sourcecode="ARN" targetcode="GON" eventcode="064">`` lines (or
``noevents="True"``, or ``error="sentencediscard"`` and the like), the ``<Text>`` and a
``<Parse>``. The unit-test file is well-formed XML and is read with lxml. The PETR-2 file is
not (its ``<Sentence .../>`` tags close themselves and a later ``</Sentence>`` closes nothing,
and its header is bare text): when lxml refuses a file, a tolerant reader that knows this
layout reads it instead, element by element, keeping the line of each.
"""

from __future__ import annotations

import bisect
import html
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dyadwatch.coding.evaluate._gold import (
    GoldEvent,
    GoldSentence,
    dedupe,
    gold_error,
    parse_date,
    split_actor_code,
)

log = logging.getLogger(__name__)

__all__ = ["read_petrarch_xml"]

_FORMAT = "PETRARCH validation XML"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SENTENCE = re.compile(r"<Sentence\b([^>]*?)/?>")
_CODING = re.compile(r"<EventCoding\b([^>]*?)/?>")
_PARSE = re.compile(r"<Parse>(.*?)</Parse>", re.S)
_TEXT = re.compile(r"<Text>(.*?)</Text>", re.S)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(slots=True)
class _Record:
    """One <Sentence> as read from the file, before it becomes a GoldSentence."""

    line: int
    attrs: dict[str, str]
    codings: list[tuple[int, dict[str, str]]]
    text: str | None
    parse: str | None


def read_petrarch_xml(path: str | os.PathLike[str], *, keep_parse: bool = False) -> list[GoldSentence]:
    """Read a PETRARCH validation file (``PETR.UnitTest.records.xml``, ``PETR2_GSR_validation.xml``).

    Each ``<Sentence>`` becomes a :class:`GoldSentence` whose events are its
    ``<EventCoding>`` lines; actor codes become country and sector by
    :func:`~dyadwatch.coding.evaluate.split_actor_code` (``RUSGOV`` -> RUS, GOV). A record
    coded ``noevents="True"``, or expecting PETRARCH to discard it (``error="..."``, kept in
    ``meta["petrarch_error"]``), has ``events=()``; a record without any ``<EventCoding>`` (an
    input file such as ``GigaWord.sample.PETR.xml``) has ``events=None``. Ids are the
    records' own; a repeated id gets ``#2``, ``#3``. ``keep_parse`` keeps the ``<Parse>``
    (Penn Treebank or CoNLL-U) in ``meta["parse"]``.

    Raises :class:`GoldFormatError` ``[E403]`` naming the file and line of a broken record.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "unit.xml"
    >>> _ = path.write_text('<Validation><Sentences><Sentence date="20211020" id="T-1" category="T">'
    ...     '<EventCoding sourcecode="RUSGOV" targetcode="AFGREB" eventcode="043"/>'
    ...     '<Text>Russian officials hosted Taliban envoys.</Text></Sentence></Sentences></Validation>')
    >>> [(e.source_country, e.source_sector, e.target_country, e.cameo_code) for e in read_petrarch_xml(path)[0].events]
    [('RUS', 'GOV', 'AFG', '043')]
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise gold_error(_FORMAT, str(file), 0, f"cannot open the file ({exc.strerror})") from exc
    try:
        records = _read_xml(data)
    except _NotWellFormed as exc:
        log.debug("%s is not well-formed XML (%s); reading it as a PETRARCH-2 record file", file, exc)
        records = _scan(data, file)
    return _sentences(records, file, keep_parse)


class _NotWellFormed(Exception):
    pass


def _read_xml(data: bytes) -> list[_Record]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _NotWellFormed(str(exc)) from None
    records = []
    for element in root.iter("Sentence"):
        codings = [
            (int(coding.sourceline or 0), {str(k): str(v) for k, v in coding.attrib.items()})
            for coding in element.iter("EventCoding")
        ]
        records.append(
            _Record(
                line=int(element.sourceline or 0),
                attrs={str(k): str(v) for k, v in element.attrib.items()},
                codings=codings,
                text=element.findtext("Text"),
                parse=element.findtext("Parse"),
            )
        )
    return records


def _scan(data: bytes, file: Path) -> list[_Record]:
    """The records of a PETRARCH file that is not well-formed XML, with their lines."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise gold_error(_FORMAT, str(file), line, f"not UTF-8 text ({exc.reason})") from None
    # comments out, lines kept: every character of a comment but its newlines becomes a space
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)
    newlines = [i for i, char in enumerate(text) if char == "\n"]

    def line_of(position: int) -> int:
        return bisect.bisect_right(newlines, position - 1) + 1

    if "<!--" in text:
        raise gold_error(_FORMAT, str(file), line_of(text.index("<!--")), "a comment '<!--' is never closed with '-->'")
    # records live inside <Sentences>; a header may mention tags in bare text before it
    opening = text.find("<Sentences>")
    starts = list(_SENTENCE.finditer(text, opening if opening >= 0 else 0))
    if not starts:
        raise gold_error(
            _FORMAT, str(file), 1,
            "no <Sentence> record found (a PETRARCH validation file holds "
            '<Sentence date=".." id=".."> records with <EventCoding> and <Text>)',
        )
    records = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body_start = match.end()
        body = text[body_start:end]
        closing = body.find("</Sentences>")
        if closing >= 0:
            body = body[:closing]
        parse_match = _PARSE.search(body)
        if parse_match is None and "<Parse>" in body:
            position = body_start + body.index("<Parse>")
            raise gold_error(_FORMAT, str(file), line_of(position), "<Parse> is never closed with </Parse>")
        # codings are read outside the parse (a parse never holds one, but a broken file might)
        outside = body if parse_match is None else body[: parse_match.start()] + " " * len(parse_match.group()) + body[parse_match.end():]
        text_match = _TEXT.search(outside)
        if text_match is None and "<Text>" in outside:
            position = body_start + outside.index("<Text>")
            raise gold_error(_FORMAT, str(file), line_of(position), "<Text> is never closed with </Text>")
        records.append(
            _Record(
                line=line_of(match.start()),
                attrs=_attributes(match.group(1)),
                codings=[
                    (line_of(body_start + coding.start()), _attributes(coding.group(1)))
                    for coding in _CODING.finditer(outside)
                ],
                text=html.unescape(text_match.group(1)) if text_match else None,
                parse=html.unescape(parse_match.group(1)) if parse_match else None,
            )
        )
    return records


def _attributes(raw: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTRIBUTE.finditer(raw)}


def _sentences(records: list[_Record], file: Path, keep_parse: bool) -> list[GoldSentence]:
    if not records:
        raise gold_error(_FORMAT, str(file), 1, "no <Sentence> record found")
    where = str(file)
    # a validation file: a record without <EventCoding> expects none (PATTERN-06 of the unit
    # tests); an input file (no codings anywhere) says nothing about events
    validation = any(record.codings for record in records)
    seen: dict[str, int] = {}
    sentences = []
    for record in records:
        text = " ".join((record.text or "").split())
        from_parse = False
        if not text and record.parse:
            # a few records have an empty <Text> but their parse holds the sentence
            text = _text_from_conllu(record.parse) or _text_from_treebank(record.parse)
            from_parse = bool(text)
        if not text:
            raise gold_error(_FORMAT, where, record.line, "the <Sentence> has no <Text> (or it is empty)")
        base_id = record.attrs.get("id") or f"line-{record.line}"
        seen[base_id] = seen.get(base_id, 0) + 1
        sentence_id = base_id if seen[base_id] == 1 else f"{base_id}#{seen[base_id]}"
        meta: dict[str, object] = {"file": where, "line": record.line, "codings": len(record.codings)}
        try:
            date = parse_date(record.attrs.get("date"))
        except ValueError:
            # one real record has date="121108"; a bad date loses the date, not the record
            log.warning("%s line %d: date %r is not YYYYMMDD; the sentence is read without a date",
                        where, record.line, record.attrs.get("date"))
            date = None
            meta["bad_date"] = record.attrs.get("date")
        events: list[GoldEvent] = []
        expectations: list[str] = []
        for line, attrs in record.codings:
            if attrs.get("noevents", "").strip().lower() == "true":
                expectations.append("noevents")
                continue
            if attrs.get("error"):
                expectations.append(attrs["error"].strip())
                continue
            missing = [k for k in ("sourcecode", "targetcode", "eventcode") if not attrs.get(k, "").strip()]
            if missing:
                raise gold_error(
                    _FORMAT, where, line,
                    f"<EventCoding> lacks {', '.join(missing)} (write sourcecode, targetcode and "
                    'eventcode, or noevents="True")',
                )
            source_country, source_sector = split_actor_code(attrs["sourcecode"])
            target_country, target_sector = split_actor_code(attrs["targetcode"])
            events.append(
                GoldEvent(
                    source_country=source_country,
                    target_country=target_country,
                    cameo_code=attrs["eventcode"].strip(),
                    source_sector=source_sector,
                    target_sector=target_sector,
                    source_code=attrs["sourcecode"].strip(),
                    target_code=attrs["targetcode"].strip(),
                )
            )
        if record.attrs.get("category"):
            meta["category"] = record.attrs["category"]
        errors = [e for e in expectations if e != "noevents"]
        if errors:
            meta["petrarch_error"] = ",".join(errors)
        if from_parse:
            meta["text_from_parse"] = True
        if keep_parse and record.parse:
            meta["parse"] = record.parse.strip("\n")
        sentences.append(
            GoldSentence(
                id=sentence_id,
                text=text,
                date=date,
                events=dedupe(events) if events or expectations or validation else None,
                origin="petrarch",
                meta=meta,
            )
        )
    return sentences


def _text_from_conllu(parse: str) -> str:
    """The sentence of a CoNLL-U parse: the word forms, spaced as their SpaceAfter says."""
    parts: list[str] = []
    for line in parse.splitlines():
        columns = line.strip("\r").split("\t")
        if len(columns) != 10 or not columns[0].isdigit():
            continue  # comments, multi-word token ranges (1-2), empty nodes (1.1)
        parts.append(columns[1])
        parts.append("" if "SpaceAfter=No" in columns[9] else " ")
    return "".join(parts).strip()


_LEAF = re.compile(r"\(([^\s()]+)\s+([^\s()]+)\)")


def _text_from_treebank(parse: str) -> str:
    """The words of a Penn Treebank parse, one space apart: ``(NNP Obama)`` -> ``Obama``."""
    return " ".join(word for _tag, word in _LEAF.findall(parse))
