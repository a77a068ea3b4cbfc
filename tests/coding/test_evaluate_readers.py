"""Gold readers: each format on small fixtures written for these tests, on broken files (the
coded error names the line), and on the real gold sets in ../shared/data (skipped when absent)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import Counter
from pathlib import Path

import pytest

from dyadwatch.coding.evaluate import (
    GOLD_FORMATS,
    GoldEvent,
    GoldFormatError,
    GoldSentence,
    detect_format,
    read_conflibert,
    read_gold,
    read_jsonl_gold,
    read_petrarch_xml,
    read_plover_gold,
    split_actor_code,
)
from dyadwatch.coding.evaluate._petrarch import _read_xml, _scan, _sentences

FIXTURES = Path(__file__).parent / "fixtures"
GOLD_FORMAT_MD = Path(__file__).resolve().parents[2] / "src" / "dyadwatch" / "coding" / "evaluate" / "GOLD_FORMAT.md"


def by_id(sentences: list[GoldSentence]) -> dict[str, GoldSentence]:
    return {s.id: s for s in sentences}


def spans_text(sent: GoldSentence, spans: tuple[tuple[int, int], ...] | None) -> list[str]:
    return [sent.text[a:b] for a, b in spans or ()]


# --------------------------------------------------------------------------- actor codes


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("RUSGOV", ("RUS", "GOV")),
        ("AFGREB", ("AFG", "REB")),
        ("USA", ("USA", None)),
        ("---GOV", (None, "GOV")),
        ("---", (None, None)),
        ("###", (None, None)),
        ("IGOUNO", ("IGO", None)),
        ("IGOUNOMIL", ("IGO", "MIL")),
        ("IGOEUREEC", ("IGO", None)),
        ("IGOUNOHLHWHO", ("IGO", "HLH")),
        ("NGOARN", ("NGO", None)),
        ("NGMOPP", ("NGM", "OPP")),
        ("IMGMUSISI", ("IMG", None)),
        ("MNCUSABUS", ("MNC", "BUS")),
        ("EGYOPPMUS", ("EGY", "OPP")),
        ("PSEREBHMSGOV", ("PSE", "REB")),
        ("DNKMUSMED", ("DNK", "MED")),
        ("ROMGOV", ("ROU", "GOV")),  # legacy CAMEO country code, read as ISO
        ("ARNGOVFRM", ("ARN", "GOV")),  # the unit tests' fictional Arnor stays as written
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_actor_code(code: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_actor_code(code) == expected


# --------------------------------------------------------------------------- JSONL


def test_jsonl_fixture() -> None:
    sentences = read_jsonl_gold(FIXTURES / "gold_small.jsonl")
    assert [s.id for s in sentences] == ["rus-afg-01", "afg-pak-02", "kaz-uzb-03", "afg-none-04", "un-afg-05", "6"]
    first, _, agreement, nothing, appeal, unknown = sentences
    assert first.date == dt.date(2021, 10, 20)
    assert first.events == (GoldEvent("RUS", "AFG", "043", source_sector="GOV", source_code="RUS", target_code="AFG"),)
    assert spans_text(first, first.source_spans) == ["Russian Foreign Minister Sergei Lavrov"]
    assert spans_text(first, first.target_spans) == ["a Taliban delegation"]
    assert len(agreement.events or ()) == 2 and spans_text(agreement, agreement.joint_spans) == ["Kazakhstan and Uzbekistan"]
    assert nothing.events == () and nothing.has_spans and nothing.source_spans == ()
    assert appeal.events is not None and appeal.events[0].plover_type == "REQUEST" and appeal.events[0].plover_mode == "change"
    assert appeal.events[0].cameo_root == "02" and appeal.events[0].quad_class == 1
    assert not appeal.has_spans and appeal.meta["annotator"] == "fixture" and appeal.meta["line"] == 5
    assert unknown.events is None and unknown.label == "1" and unknown.date is None
    assert {s.origin for s in sentences} == {"jsonl"}


def test_jsonl_default_ids_are_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "afg.jsonl"
    path.write_text(
        '{"text": "Kabul rejected the demand.", "events": []}\n\n'
        '{"text": "Moscow welcomed the move.", "events": [{"source_country": "rus", "cameo_code": "051"}]}\n',
        encoding="utf-8",
    )
    sentences = read_jsonl_gold(path)
    assert [s.id for s in sentences] == ["afg:1", "afg:3"]
    assert sentences[1].events == (GoldEvent("RUS", None, "051", source_code="rus"),)


def test_gold_format_examples_read_as_documented(tmp_path: Path) -> None:
    """The JSONL example in GOLD_FORMAT.md is a valid gold file, spans and all."""
    block = re.search(r"```json\n(.*?)```", GOLD_FORMAT_MD.read_text(encoding="utf-8"), re.S)
    assert block is not None
    path = tmp_path / "example.jsonl"
    path.write_text(block.group(1), encoding="utf-8")
    sentences = read_jsonl_gold(path)
    assert len(sentences) == 4 and sentences[1].events == ()
    shelling = sentences[2]
    assert spans_text(shelling, shelling.source_spans) == ["Taliban fighters"]
    assert spans_text(shelling, shelling.target_spans) == ["Afghan army posts"]
    joint = sentences[3]
    assert joint.events is None and spans_text(joint, joint.joint_spans) == ["Moscow and Kabul"]


GOOD_LINE = '{"text": "Russia hosted Taliban envoys.", "events": []}'


@pytest.mark.parametrize(
    ("bad_line", "words"),
    [
        ('{"text": "Russia hosted Taliban envoys.", "events": [}', "not valid JSON"),
        ('["Russia hosted Taliban envoys."]', "JSON object"),
        ('{"events": []}', "no 'text'"),
        ('{"text": "   ", "events": []}', "no 'text'"),
        ('{"text": "Russia hosted Taliban envoys."}', "no 'events'"),
        ('{"text": "Russia hosted Taliban envoys.", "events": {}}', "must be a list"),
        ('{"text": "Russia hosted Taliban envoys.", "event": []}', "unknown field(s) 'event'"),
        ('{"text": "Russia hosted envoys.", "events": [{"source_country": "RUS", "cameo_code": 43}]}', "leading zeros"),
        ('{"text": "Russia hosted envoys.", "events": [{"source_country": "RUS", "cameo_code": "43"}]}', "unknown CAMEO code '43'"),
        ('{"text": "Russia hosted envoys.", "events": [{"source_country": "RUS"}]}', "neither 'cameo_code' nor 'plover_type'"),
        ('{"text": "Russia hosted envoys.", "events": [{"plover_type": "HOST"}]}', "unknown PLOVER event type 'HOST'"),
        ('{"text": "Russia hosted envoys.", "events": [{"cameo_code": "043", "actor": "RUS"}]}', "event 1: unknown field(s) 'actor'"),
        ('{"text": "Russia hosted envoys.", "events": ["043"]}', "event 1 must be an object"),
        ('{"text": "Russia hosted envoys.", "events": [], "date": "20 Oct 2021"}', "'date' must be a date"),
        ('{"text": "Russia hosted envoys.", "events": [], "source_spans": [[0, 99]]}', "not within the text"),
        ('{"text": "Russia hosted envoys.", "events": [], "source_spans": [[0, "6"]]}', "pairs of integers"),
        ('{"text": "Russia hosted envoys.", "events": [], "id": ""}', "'id' must be"),
        ('{"text": "Russia hosted envoys.", "events": [], "meta": "x"}', "'meta' must be an object"),
    ],
)
def test_jsonl_bad_line_names_the_line(tmp_path: Path, bad_line: str, words: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(GOOD_LINE + "\n" + bad_line + "\n" + GOOD_LINE + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError) as excinfo:
        read_jsonl_gold(path)
    message = str(excinfo.value)
    assert excinfo.value.code == "E401"
    assert message.startswith(f"[E401] {path}: Gold file line 2: ")
    assert words in message


def test_jsonl_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(GOOD_LINE.encode() + b"\n" + '{"text": "Kaz\xe1n", "events": []}'.encode("latin-1") + b"\n")
    with pytest.raises(GoldFormatError, match=r"line 2: not UTF-8"):
        read_jsonl_gold(path)


# --------------------------------------------------------------------------- PETRARCH


def test_petrarch_unit_test_layout() -> None:
    sentences = read_petrarch_xml(FIXTURES / "petrarch_small.xml", keep_parse=True)
    found = by_id(sentences)
    assert list(found) == ["RUSAFG-01", "RUSAFG-02", "RUSAFG-03", "RUSAFG-04", "RUSAFG-05", "RUSAFG-06", "RUSAFG-06#2"]
    hosted = found["RUSAFG-01"]
    assert hosted.text == "Russian Foreign Minister Sergei Lavrov hosted a Taliban delegation in Moscow on Wednesday."
    assert hosted.date == dt.date(2021, 10, 20)
    assert hosted.events == (
        GoldEvent("RUS", "AFG", "043", source_sector="GOV", target_sector="REB", source_code="RUSGOV", target_code="AFGREB"),
    )
    assert hosted.meta["category"] == "DEMO" and hosted.meta["line"] == 12 and hosted.meta["parse"].startswith("(ROOT")
    assert len(found["RUSAFG-02"].events or ()) == 2
    un = found["RUSAFG-03"]
    assert un.text.endswith("women & girls.")  # &amp; read as &
    assert [(e.source_country, e.target_country, e.target_sector) for e in un.events or ()] == [("IGO", None, "GOV")]
    assert found["RUSAFG-04"].events == ()  # noevents = "True"
    assert found["RUSAFG-05"].events == () and found["RUSAFG-05"].meta["petrarch_error"] == "sentencediscard"
    assert found["RUSAFG-06"].events == ()  # no EventCoding in a validation file: none expected
    assert found["RUSAFG-06#2"].events is not None and found["RUSAFG-06#2"].events[0].cameo_code == "194"
    assert all(s.source_spans is None and s.origin == "petrarch" for s in sentences)


def test_petrarch_two_layout_is_not_xml_and_still_read(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        sentences = read_petrarch_xml(FIXTURES / "petr2_small.xml")
    found = by_id(sentences)
    assert list(found) == ["AFP-TEST-1", "AFP-TEST-2", "AFP-TEST-3", "AFP-TEST-4"]  # the header's tags are not records
    assert found["AFP-TEST-1"].events == (
        GoldEvent("PAK", "AFG", "042", source_sector="GOV", source_code="PAKGOV", target_code="AFG"),
    )
    assert found["AFP-TEST-2"].events == ()
    attack = found["AFP-TEST-3"]
    assert attack.text == "Islamic State fighters attacked a mosque in Kunduz."  # rebuilt from the CoNLL-U parse
    assert attack.meta["text_from_parse"] is True
    assert [(e.source_country, e.target_country, e.target_sector) for e in attack.events or ()] == [("IMG", "AFG", "CVL")]
    assert found["AFP-TEST-4"].date is None and found["AFP-TEST-4"].meta["bad_date"] == "121108"
    assert "121108" in caplog.text
    assert [(e.target_country, e.target_sector) for e in found["AFP-TEST-4"].events or ()] == [("IGO", "MIL")]


def test_petrarch_xml_reader_and_tolerant_reader_agree() -> None:
    path = FIXTURES / "petrarch_small.xml"
    data = path.read_bytes()
    strict = _sentences(_read_xml(data), path, True)
    tolerant = _sentences(_scan(data, path), path, True)
    assert strict == tolerant
    assert [s.meta for s in strict] == [s.meta for s in tolerant]


PETRARCH_HEAD = '<Validation>\n<Sentences>\n<Sentence date="20211020" id="T-1" category="T">\n'


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('<EventCoding sourcecode="RUS" targetcode="AFG"></EventCoding>\n<Text>Russia hosted envoys.</Text>\n'
         "</Sentence>\n</Sentences>\n</Validation>\n", 4, "lacks eventcode"),
        ('<EventCoding sourcecode="RUS" targetcode="AFG" eventcode="043"/>\n<Text>\n</Text>\n'
         "</Sentence>\n</Sentences>\n</Validation>\n", 3, "no <Text>"),
        ('<EventCoding sourcecode="RUS" targetcode="AFG" eventcode="043"/>\n<Text>Russia hosted envoys.\n'
         "</Sentence>\n</Sentences>\n</Validation>\n", 5, "<Text> is never closed"),
    ],
)
def test_petrarch_broken_record_names_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(PETRARCH_HEAD + body, encoding="utf-8")
    with pytest.raises(GoldFormatError) as excinfo:
        read_petrarch_xml(path)
    assert excinfo.value.code == "E403"
    assert str(excinfo.value).startswith(f"[E403] {path}: Line {line}: ")
    assert words in str(excinfo.value)


def test_petrarch_file_without_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text("<Validation><Environment/></Validation>\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"Line 1: no <Sentence> record"):
        read_petrarch_xml(path)
    path.write_text("this is not XML at all\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"Line 1: no <Sentence> record"):
        read_petrarch_xml(path)


def test_petrarch_unclosed_comment(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(PETRARCH_HEAD + "<!-- never closed\n<Text>Russia hosted envoys.</Text>\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"Line 4: a comment"):
        read_petrarch_xml(path)


# --------------------------------------------------------------------------- PLOVER


def test_plover_records() -> None:
    sentences = read_plover_gold(FIXTURES / "plover_small.json")
    found = by_id(sentences)
    assert list(found) == [
        "PLOVER-TEST-AGREE-0001", "PLOVER-TEST-DEMAND-0001", "PLOVER-TEST-FIGHT-0001",
        "PLOVER-TEST-ASSAULT-0001", "PLOVER-TEST-DEMAND-0001#2",
    ]  # the DOCUMENT entry is not a sentence; a repeated id gets #2
    agree = found["PLOVER-TEST-AGREE-0001"]
    assert [(e.source_country, e.target_country, e.plover_type) for e in agree.events or ()] == [
        ("KAZ", "UZB", "AGREE"), ("UZB", "KAZ", "AGREE"),
    ]  # SRC/TAR: each party towards the other
    assert spans_text(agree, agree.joint_spans) == ["Kazakhstan", "Uzbekistan"] and agree.source_spans == ()
    demand = found["PLOVER-TEST-DEMAND-0001"]
    assert demand.events == (
        GoldEvent("RUS", "AFG", None, "GOV", "REB", "REQUEST", None, "RUS", "AFG"),
    )  # DEMAND is PLOVER 2021's REQUEST; sector "REBtal" is REB
    assert demand.meta["plover_event"] == "DEMAND" and demand.meta["context"] == "crime"
    fight = found["PLOVER-TEST-FIGHT-0001"]
    assert fight.events is not None and fight.events[0].plover_type == "ASSAULT" and fight.events[0].plover_mode == "heavy-weapons"
    assert fight.events[0].quad_class == 4 and fight.events[0].cameo_code is None
    assert spans_text(fight, fight.source_spans) == ["Taliban fighters"] and spans_text(fight, fight.target_spans) == ["Afghan army"]
    bombing = found["PLOVER-TEST-ASSAULT-0001"]
    assert [(e.source_country, e.target_country, e.target_sector) for e in bombing.events or ()] == [(None, "AFG", "CVL")]
    visit = found["PLOVER-TEST-DEMAND-0001#2"]
    assert visit.events is not None and visit.events[0].target_country == "JPN" and visit.events[0].target_code == "JAP"
    assert spans_text(visit, visit.source_spans) == ["Uzbek trade officials"]  # "Uzbek ... officials"
    assert {s.origin for s in sentences} == {"plover"}


def test_plover_jsonl_records_of_the_manual(tmp_path: Path) -> None:
    path = tmp_path / "plover.jsonl"
    path.write_text(
        json.dumps({"id": "m1", "date": "2016-07-24", "actor": [{"code": "USA"}], "recipient": [{"code": "CAN"}],
                    "event": ["CONSULT"], "text": "US officials met their Canadian counterparts."}) + "\n",
        encoding="utf-8",
    )
    assert detect_format(path) == "plover"
    (sent,) = read_gold(path)
    assert sent.events == (GoldEvent("USA", "CAN", None, plover_type="CONSULT", source_code="USA", target_code="CAN"),)
    assert sent.source_spans is None  # no actor text: no spans


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"id": "p2", "date": "2021-01-01", "event": "AGREE"}, "no 'text'"),
        ({"id": "p2", "date": "2021-01-01", "event": "HOST", "text": "Moscow hosted talks."}, "unknown PLOVER event type 'HOST'"),
        ({"id": "p2", "date": "1 Jan", "event": "AGREE", "text": "Moscow agreed."}, "'date' must be"),
        ({"date": "2021-01-01", "event": "AGREE", "text": "Moscow agreed."}, "no 'id'"),
        ("AGREE", "JSON object"),
    ],
)
def test_plover_bad_record_names_its_line(tmp_path: Path, record: object, words: str) -> None:
    good = {"id": "p1", "date": "2021-01-01", "event": "AGREE", "text": "Kabul agreed to talks.",
            "source": [{"actorText": "Kabul", "code": "AFG"}]}
    path = tmp_path / "plover.json"
    path.write_text("[\n" + json.dumps(good, indent=1) + ",\n" + json.dumps(record) + "\n]\n", encoding="utf-8")
    line = 3 + json.dumps(good, indent=1).count("\n")
    with pytest.raises(GoldFormatError) as excinfo:
        read_plover_gold(path)
    assert excinfo.value.code == "E403" and f": Line {line}: " in str(excinfo.value) and words in str(excinfo.value)


def test_plover_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plover.json"
    path.write_text('[\n{"id": "p1",\n "event": "AGREE"\n "text": "x"}\n]\n', encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"Line 4: not valid JSON"):
        read_plover_gold(path)
    path.write_text('[\n{"id": "p1", "event": "AGREE", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"never closed"):
        read_plover_gold(path)


# --------------------------------------------------------------------------- ConfliBERT


def test_conflibert_files_and_folder() -> None:
    labelled = read_conflibert(FIXTURES / "conflibert" / "cameo_class_test.tsv")
    assert [(s.id, s.label, s.events) for s in labelled] == [
        ("cameo_class_test:1", "0", None), ("cameo_class_test:2", "1", None), ("cameo_class_test:3", "4", None),
    ]
    assert labelled[0].text == "Russia said on Tuesday it would keep its embassy in Kabul open."  # CRLF gone
    tagged = read_conflibert(FIXTURES / "conflibert" / "cameo_ner_test.txt")
    assert len(tagged) == 4
    assert tagged[3].text == "Tajikistan's president criticised the Taliban for ignoring minorities."
    assert spans_text(tagged[3], tagged[3].source_spans) == ["Tajikistan"]
    assert spans_text(tagged[1], tagged[1].joint_spans) == ["Iran and Russia"]
    folder = read_gold(FIXTURES / "conflibert")
    assert [(s.id, s.label) for s in folder] == [
        ("cameo_class_test:1", "0"), ("cameo_class_test:2", "1"), ("cameo_class_test:3", "4"), ("cameo_ner_test:4", None),
    ]
    shelling = folder[2]
    assert spans_text(shelling, shelling.source_spans) == ["Taliban fighters"]
    assert spans_text(shelling, shelling.target_spans) == ["Afghan army"]


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("cameo_class_test.tsv", "Kabul agreed.\t1\nMoscow objected.\t7\n", 2, "label must be one of 0, 1, 2, 3, 4"),
        ("cameo_class_test.tsv", "Kabul agreed.\t1\nMoscow objected. 3\n", 2, "'sentence<TAB>label'"),
        ("cameo_ner_test.txt", "Kabul B-S\nagreed O\n\nMoscow B-X\n", 4, "token TAG"),
        ("cameo_ner_test.txt", "Kabul B-S\nagreed\n", 2, "token TAG"),
    ],
)
def test_conflibert_bad_line(tmp_path: Path, name: str, content: str, line: int, words: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldFormatError) as excinfo:
        read_conflibert(path)
    assert excinfo.value.code == "E403" and f": Line {line}: " in str(excinfo.value) and words in str(excinfo.value)


# --------------------------------------------------------------------------- read_gold


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("gold_small.jsonl", "jsonl"),
        ("petrarch_small.xml", "petrarch"),
        ("petr2_small.xml", "petrarch"),
        ("plover_small.json", "plover"),
        ("conflibert", "conflibert"),
        ("conflibert/cameo_class_test.tsv", "conflibert"),
        ("conflibert/cameo_ner_test.txt", "conflibert"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(FIXTURES / name) == fmt
    assert read_gold(FIXTURES / name) == read_gold(FIXTURES / name, fmt)


def test_detect_format_by_content(tmp_path: Path) -> None:
    gold = tmp_path / "gold.txt"
    gold.write_text('{"text": "Kabul rejected the demand.", "events": []}\n', encoding="utf-8")
    assert detect_format(gold) == "jsonl"
    tags = tmp_path / "tags.conll"
    tags.write_text("Kabul B-S\nagreed O\n", encoding="utf-8")
    assert detect_format(tags) == "conflibert"


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some notes about Kabul.\n", encoding="utf-8")
    with pytest.raises(GoldFormatError) as excinfo:
        read_gold(path)
    assert excinfo.value.code == "E404" and "--format" in str(excinfo.value)
    assert all(name in str(excinfo.value) for name in GOLD_FORMATS)
    with pytest.raises(GoldFormatError, match="E404"):
        read_gold(FIXTURES / "gold_small.jsonl", "tabari")
    with pytest.raises(GoldFormatError, match="no such file"):
        read_gold(tmp_path / "missing.jsonl")
    with pytest.raises(GoldFormatError, match="E404"):
        read_gold(tmp_path)  # a folder, not ConfliBERT's


def test_wrong_format_forced_gives_the_reader_error() -> None:
    with pytest.raises(GoldFormatError) as excinfo:
        read_gold(FIXTURES / "plover_small.json", "jsonl")
    assert excinfo.value.code == "E401" and "line 1" in str(excinfo.value)


# --------------------------------------------------------------------------- the real gold sets


def test_real_petrarch_unit_tests(shared_data: Path) -> None:
    sentences = read_petrarch_xml(shared_data / "cameo-dictionaries" / "PETR.UnitTest.records.xml")
    # SOURCE.md: 284 sentences, 385 <EventCoding> lines = 359 triples + 19 noevents + 7 discards
    assert len(sentences) == 284
    assert sum(s.meta["codings"] for s in sentences) == 385
    assert sum(len(s.events or ()) for s in sentences) == 359
    assert Counter(s.meta.get("petrarch_error") for s in sentences if s.meta.get("petrarch_error")) == {
        "bad_input_parse": 2, "storydiscard": 2, "sentencediscard": 2, "dateline": 1,
    }
    assert sum(s.events == () for s in sentences) == 27  # 19 noevents + 7 discards + PATTERN-06 (no coding)
    assert len({s.id for s in sentences}) == 284  # AGENTS-18 and -19 occur twice: #2
    demo = by_id(sentences)["DEMO-00"]
    assert demo.events == (GoldEvent("ARN", "GON", "064", source_code="ARN", target_code="GON"),)


def test_real_petr2_gsr(shared_data: Path) -> None:
    sentences = read_petrarch_xml(shared_data / "petrarch-validation" / "PETR2_GSR_validation.xml")
    # SOURCE.md says 93 <EventCoding>: one of them is the header's prose mention "<EventCoding...>"
    assert len(sentences) == 78
    assert sum(s.meta["codings"] for s in sentences) == 92
    assert sum(len(s.events or ()) for s in sentences) == 80
    assert sum(s.events == () for s in sentences) == 12
    assert Counter(s.meta["category"] for s in sentences) == {"AFP": 18, "GOLD": 10, "OTHER": 23, "TEST": 11, "PASSIVE": 8, "VERB": 8}
    assert [s.id for s in sentences if s.meta.get("text_from_parse")] == ["abc12_3"]
    first = sentences[0]
    assert (first.id, first.date, first.events) == (
        "AFP0808020625_4", dt.date(2008, 8, 4), (GoldEvent("USA", "CHN", "042", source_code="USA", target_code="CHN"),),
    )


def test_real_plover_gold(shared_data: Path) -> None:
    sentences = read_plover_gold(shared_data / "plover" / "PLOVER_GSR_CAMEO.txt")
    assert len(sentences) == 322  # SOURCE.md: 323 entries = 1 DOCUMENT + 322 records
    assert len({s.id for s in sentences}) == 322
    types = Counter(s.meta["plover_event"] for s in sentences)
    assert types["AGREE"] == 40 and types["DEMAND"] == 34 and types["FIGHT"] == 17
    assert all(e.plover_type in {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
                                 "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
               for s in sentences for e in s.events or ())
    assert sum(s.has_spans for s in sentences) >= 300  # a few actor texts are not in the sentence as written
    first = by_id(sentences)["PLOVER-GSR01-AGREE-0001"]
    assert spans_text(first, first.joint_spans) == ["Hungarian", "Romanian"]


def test_real_conflibert(shared_data: Path) -> None:
    folder = shared_data / "conflibert-cameo"
    train = read_conflibert(folder / "cameo_class_train.tsv")
    test = read_conflibert(folder / "cameo_class_test.tsv")
    assert (len(train), len(test)) == (1349, 451)
    assert Counter(s.label for s in train) == {"0": 240, "1": 248, "2": 303, "3": 337, "4": 221}
    assert Counter(s.label for s in test) == {"0": 56, "1": 80, "2": 57, "3": 150, "4": 108}
    tagged_train = read_conflibert(folder / "cameo_ner_train.txt")
    tagged_test = read_conflibert(folder / "cameo_ner_test.txt")
    assert (len(tagged_train), len(tagged_test)) == (1153, 451)
    assert sum(len(s.joint_spans or ()) for s in tagged_train) == 102  # SOURCE.md: B-R 102
    both = read_gold(folder)
    merged_test = [s for s in both if s.id.startswith("cameo_class_test:")]
    assert len(merged_test) == 451 and all(s.label is not None and s.has_spans for s in merged_test)
    assert not [s for s in both if s.id.startswith("cameo_ner_test:")]  # every test sentence found its twin
