"""Sentence segmentation of news text: abbreviations, quotes, bullets, headings, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.library.segment import MAX_SENTENCE_CHARS, segment

# (text, the sentences expected), one paragraph each.
CASES = [
    pytest.param(
        "Mr. Putin met Gen. Milley in St. Petersburg. The talks lasted two hours.",
        ["Mr. Putin met Gen. Milley in St. Petersburg.", "The talks lasted two hours."],
        id="titles",
    ),
    pytest.param(
        "Sen. Graham, Rep. Cheney and Gov. Abbott spoke. Lt. Col. Vindman and Capt. Ortiz did not. "
        "Amb. Zhirnov, Prof. Ivanova, Dr. Abdullah, Sgt. Khan and Adm. Grady were there.",
        [
            "Sen. Graham, Rep. Cheney and Gov. Abbott spoke.",
            "Lt. Col. Vindman and Capt. Ortiz did not.",
            "Amb. Zhirnov, Prof. Ivanova, Dr. Abdullah, Sgt. Khan and Adm. Grady were there.",
        ],
        id="ranks-and-offices",
    ),
    pytest.param(
        "U.S. troops left Kabul on Aug. 30. The withdrawal ended a 20-year war.",
        ["U.S. troops left Kabul on Aug. 30.", "The withdrawal ended a 20-year war."],
        id="us-and-month",
    ),
    pytest.param(
        "The deal was backed by the U.S. The talks resume on Monday.",
        ["The deal was backed by the U.S.", "The talks resume on Monday."],
        id="us-ends-sentence",
    ),
    pytest.param(
        "The deal was backed by the U.S. Senate and the U.N. Security Council on Tuesday.",
        ["The deal was backed by the U.S. Senate and the U.N. Security Council on Tuesday."],
        id="us-inside-name",
    ),
    pytest.param(
        "Talks on the draft (led by the U.K.) stalled. The E.U. said nothing. Sanctions hit the U.K. "
        "But London stayed calm.",
        [
            "Talks on the draft (led by the U.K.) stalled.",
            "The E.U. said nothing.",
            "Sanctions hit the U.K.",
            "But London stayed calm.",
        ],
        id="uk-eu",
    ),
    pytest.param(
        "George W. Bush and J. Smith spoke with J. A. Kerr at 3 p.m. local time. They agreed.",
        ["George W. Bush and J. Smith spoke with J. A. Kerr at 3 p.m. local time.", "They agreed."],
        id="initials-and-time",
    ),
    pytest.param(
        "The meeting ended at 9 a.m. The ministers left.",
        ["The meeting ended at 9 a.m.", "The ministers left."],
        id="am-ends-sentence",
    ),
    pytest.param(
        "Inflation hit 3.5 percent, approx. 2 points higher, e.g. in Russia, i.e. the largest "
        "economy, vs. Ukraine, etc. as before.",
        [
            "Inflation hit 3.5 percent, approx. 2 points higher, e.g. in Russia, i.e. the largest "
            "economy, vs. Ukraine, etc. as before."
        ],
        id="numbers-and-latin",
    ),
    pytest.param(
        "It was Ukraine vs. Russia, e.g. Kyiv vs. Moscow. Resolution No. 2231 was adopted. It cites Art. 51.",
        [
            "It was Ukraine vs. Russia, e.g. Kyiv vs. Moscow.",
            "Resolution No. 2231 was adopted.",
            "It cites Art. 51.",
        ],
        id="vs-eg-number-prefixes",
    ),
    pytest.param(
        'He said: "We will not retreat." Then he left. "Never," she said." Next came more.',
        [
            'He said: "We will not retreat."',
            "Then he left.",
            '"Never," she said."',
            "Next came more.",
        ],
        id="closing-quotes",
    ),
    pytest.param(
        "Lavrov spoke (briefly.) Then Hanafi replied. “We are ready.” The envoy nodded.",
        ["Lavrov spoke (briefly.)", "Then Hanafi replied.", "“We are ready.”", "The envoy nodded."],
        id="brackets-curly-quotes",
    ),
    pytest.param(
        'Why? Nobody knows! "Really?" he asked. Will Moscow act?! Perhaps.',
        ["Why?", "Nobody knows!", '"Really?" he asked.', "Will Moscow act?!", "Perhaps."],
        id="question-exclamation",
    ),
    pytest.param(
        "The ministers left... Later, they returned… and ate. We will . . . fight on.",
        ["The ministers left...", "Later, they returned… and ate.", "We will . . . fight on."],
        id="ellipses",
    ),
    pytest.param(
        "KABUL, Sept. 12 (Reuters) - The Taliban said on Sunday that Maj. Ahmadi was freed.",
        ["KABUL, Sept. 12 (Reuters) - The Taliban said on Sunday that Maj. Ahmadi was freed."],
        id="dateline",
    ),
    pytest.param(
        "Talks resumed in Sept. The Taliban attended.",
        ["Talks resumed in Sept.", "The Taliban attended."],
        id="month-ends-sentence",
    ),
    pytest.param(
        "The study by Smith et al. The results were mixed. Gazprom Co. Ltd. signed. Apple Inc. The end.",
        [
            "The study by Smith et al.",
            "The results were mixed.",
            "Gazprom Co. Ltd. signed.",
            "Apple Inc.",
            "The end.",
        ],
        id="often-final-abbreviations",
    ),
    pytest.param(
        "It was 1991. Then the Soviet Union collapsed. World War II. The end.",
        ["It was 1991.", "Then the Soviet Union collapsed.", "World War II.", "The end."],
        id="numbers-and-roman",
    ),
    pytest.param(
        "The vote was 12-3. 14 abstained. $5 billion was pledged.",
        ["The vote was 12-3.", "14 abstained.", "$5 billion was pledged."],
        id="sentence-starting-with-number",
    ),
    pytest.param(
        "Officials visited reuters.com. The site was down.",
        ["Officials visited reuters.com.", "The site was down."],
        id="domain",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences(text: str, expected: list[str]) -> None:
    sents = segment("doc", text)
    assert [s.text for s in sents] == expected
    _check_offsets(text, sents)


def test_paragraphs_headings_and_bullets() -> None:
    text = (
        "BREAKING NEWS\n"
        "Russia and Afghanistan\n"
        "signed a deal on Tuesday.\n"
        "\n"
        "Key points:\n"
        "- Trade up 10%. Tariffs cut.\n"
        "- New border post\n"
        "  near Termez\n"
        "* Next round in Jan.\n"
        "1. First item\n"
        "(b) Second item\n"
        "\r\n   \n"
        "## Background\n"
        "The two sides met in 2021.\n"
        "Moscow Format Talks\n"
        "Envoys from ten states attended.\n"
    )
    sents = segment("doc", text)
    assert [(s.paragraph, s.text) for s in sents] == [
        (0, "BREAKING NEWS"),
        (0, "Russia and Afghanistan\nsigned a deal on Tuesday."),
        (1, "Key points:"),
        (1, "Trade up 10%."),
        (1, "Tariffs cut."),
        (1, "New border post\n  near Termez"),
        (1, "Next round in Jan."),
        (1, "First item"),
        (1, "Second item"),
        (2, "Background"),
        (2, "The two sides met in 2021."),
        (2, "Moscow Format Talks"),
        (2, "Envoys from ten states attended."),
    ]
    assert [s.idx for s in sents] == list(range(len(sents)))
    _check_offsets(text, sents)


def test_hard_wrapped_prose_is_not_split_at_line_breaks() -> None:
    text = (
        "Russian troops moved into the border region on\n"
        "Tuesday, officials said. The ministry\n"
        "- a body often criticised - denied it and said\n"
        "The Hague Court had no say.\n"
    )
    assert [s.text for s in segment("doc", text)] == [
        "Russian troops moved into the border region on\nTuesday, officials said.",
        "The ministry\n- a body often criticised - denied it and said\nThe Hague Court had no say.",
    ]


def test_one_paragraph_per_line_without_blank_lines() -> None:
    """Text extracted from HTML: long lines, one per paragraph, single line breaks."""
    first = (
        "Russia hosted senior Taliban officials for talks in Moscow on Wednesday, the first such "
        "meeting since the group seized power. Lavrov urged an inclusive government."
    )
    second = (
        "The talks, known as the Moscow format, also brought together envoys from China, Pakistan, "
        "Iran and India."
    )
    text = f"{first}\n{second}\nHanafi thanked the hosts."
    assert [(s.paragraph, s.text) for s in segment("doc", text)] == [
        (0, first.split(". ")[0] + "."),
        (0, "Lavrov urged an inclusive government."),
        (1, second),
        (2, "Hanafi thanked the hosts."),
    ]
    # and the paragraph numbers go on across blank lines
    assert [s.paragraph for s in segment("doc", text + "\n\nMore.")][-1] == 3


def test_single_line_paragraphs_and_empty_text() -> None:
    text = "Taliban enter Kabul\n\nFighters entered the city on Sunday.\n\n\n(AP) - More later"
    assert [(s.paragraph, s.text) for s in segment("doc", text)] == [
        (0, "Taliban enter Kabul"),
        (1, "Fighters entered the city on Sunday."),
        (2, "(AP) - More later"),
    ]
    assert [s.text for s in segment("doc", "\ufeffMr. Lavrov spoke.")] == ["Mr. Lavrov spoke."]
    assert segment("doc", "") == []
    assert segment("doc", " \n\n \t\n") == []


def test_overlong_runs_are_cut() -> None:
    table = "\n".join(
        f"Row {i} Kabul Herat Mazar Kandahar Jalalabad Kunduz Ghazni" for i in range(200)
    )
    sents = segment("doc", table)
    assert len(sents) > 1 and all(len(s.text) <= MAX_SENTENCE_CHARS for s in sents)
    _check_offsets(table, sents)
    words = " ".join(["word"] * 2000)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in segment("doc", words))


def test_document_fields() -> None:
    sents = segment("abc123", "One. Two.\n\nThree.")
    assert [(s.doc_id, s.idx, s.paragraph, s.start, s.end) for s in sents] == [
        ("abc123", 0, 0, 0, 4),
        ("abc123", 1, 0, 5, 9),
        ("abc123", 2, 1, 11, 17),
    ]


_news_chars = st.sampled_from(list("ab C.D. e?f!g\"'()…\n\n  -*#1.2U.S.Mr.\t\r»”"))


@settings(max_examples=300, deadline=None)
@given(st.text(_news_chars, max_size=300) | st.text(max_size=200))
def test_offsets_always_hold(text: str) -> None:
    _check_offsets(text, segment("doc", text))


def _check_offsets(text: str, sents: list) -> None:
    previous_end = 0
    for i, sent in enumerate(sents):
        assert sent.idx == i
        assert text[sent.start : sent.end] == sent.text
        assert sent.text and sent.text == sent.text.strip()
        assert sent.start >= previous_end
        previous_end = sent.end
    paragraphs = [s.paragraph for s in sents]
    assert paragraphs == sorted(paragraphs)
