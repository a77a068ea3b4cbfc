"""Readers of local files: text, Markdown, HTML, PDF, JSONL, CSV; encodings and bad input."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from dyadwatch.errors import SourceError
from dyadwatch.library.readers import read
from dyadwatch.library.sources import SourceRef, expand
from dyadwatch.records import Document, text_hash


def _read_all(path: Path | str) -> list[Document | SourceError]:
    [ref] = expand(str(path))
    return list(read(ref))


def _one(path: Path | str) -> Document:
    [item] = _read_all(path)
    assert isinstance(item, Document), item
    return item


def _raises(path: Path | str, kind: str | None = None) -> SourceError:
    ref = SourceRef(str(path), kind) if kind else expand(str(path))[0]
    with pytest.raises(SourceError) as caught:
        list(read(ref))
    return caught.value


# -- plain text and Markdown -----------------------------------------------------------


def test_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "dispatch.txt"
    path.write_bytes(
        b"Lavrov meets Taliban envoys\r\n\r\n"
        b"MOSCOW, Oct. 20, 2021 - Foreign Minister Sergei Lavrov met a Taliban delegation   \r\n"
        b"on Wednesday.\r\n\r\n\r\n\r\nHe called for an inclusive government in Kabul.\r\n"
    )
    doc = _one(path)
    assert doc.title == "Lavrov meets Taliban envoys"
    assert doc.text == (
        "Lavrov meets Taliban envoys\n\n"
        "MOSCOW, Oct. 20, 2021 - Foreign Minister Sergei Lavrov met a Taliban delegation\n"
        "on Wednesday.\n\nHe called for an inclusive government in Kabul."
    )
    assert (doc.published, doc.date_source) == (dt.date(2021, 10, 20), "text")
    assert doc.language == "en"
    assert doc.source_kind == "text" and doc.source == str(path)
    assert doc.doc_id == text_hash(doc.text)
    assert doc.collected_at is not None and doc.collected_at.tzinfo is dt.UTC
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_a_one_line_text_has_no_title(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    path.write_text("Russia and Afghanistan signed a trade accord on Sunday in Moscow.", encoding="utf-8")
    doc = _one(path)
    assert doc.title is None
    assert (doc.published, doc.date_source) == (None, "none")


def test_markdown_with_front_matter(data_dir: Path) -> None:
    doc = _one(data_dir / "note.md")
    assert doc.title == "CSTO drills near the Afghan border"  # front matter beats the heading
    assert (doc.published, doc.date_source) == (dt.date(2021, 10, 22), "metadata")
    assert doc.publisher == "Central Asia Desk"
    assert doc.url == "https://desk.example/2021/10/csto-drills"
    assert doc.author == "Aigerim Nurlanova"
    assert doc.meta == {"tags": "[csto, tajikistan]"}
    assert doc.source_kind == "markdown"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Troops rehearse border defence"
    assert paragraphs[1] == (
        "Troops of the CSTO member states held exercises near the Afghan border in\n"
        "Tajikistan this week, according to the Russian defence ministry."
    )
    assert "What was rehearsed" in paragraphs
    assert "defence of the border against armed groups;" in doc.text
    assert "Officials in Dushanbe called the drills a routine exercise." in paragraphs
    for markup in ("**", "](", "![", "---", "> ", "# ", "- def"):
        assert markup not in doc.text


def test_markdown_without_front_matter_takes_its_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(
        "Kabul embassy brief\n===================\n\nThe embassy stays open, the ministry said on 16 August 2021.\n",
        encoding="utf-8",
    )
    doc = _one(path)
    assert doc.title == "Kabul embassy brief"
    assert doc.text == "Kabul embassy brief\n\nThe embassy stays open, the ministry said on 16 August 2021."
    assert (doc.published, doc.date_source) == (dt.date(2021, 8, 16), "text")


def test_markdown_opening_with_a_rule_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text("---\n\nFirst paragraph of the brief.\n\n---\n\nSecond paragraph.\n", encoding="utf-8")
    assert _one(path).text == "First paragraph of the brief.\n\nSecond paragraph."


# -- HTML ------------------------------------------------------------------------------


def test_html_article_without_its_boilerplate(data_dir: Path) -> None:
    doc = _one(data_dir / "article.html")
    assert doc.title == "Russia and Afghanistan sign trade accord"
    assert doc.publisher == "The Daily Ledger"
    assert doc.author == "Maria Petrova"
    assert (doc.published, doc.date_source) == (dt.date(2021, 8, 15), "page")
    assert doc.language == "en"
    assert doc.url == "https://ledger.example/world/russia-afghanistan-trade-accord"
    assert doc.source_kind == "html"
    assert "signed a trade agreement on Sunday" in doc.text
    assert "closer economic ties." in doc.text
    for boilerplate in ("Subscribe", "Privacy policy", "All rights reserved", "Cookie settings", "Ten recipes"):
        assert boilerplate not in doc.text
    paragraphs = doc.text.split("\n\n")
    assert any(p.startswith("MOSCOW") for p in paragraphs)
    assert any(p.startswith("The accord covers wheat exports") for p in paragraphs)


def test_html_without_main_text_is_e212(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    err = _raises(path)
    assert err.code == "E212" and err.where == str(path)
    assert "no main text" in str(err)


def test_html_in_a_declared_legacy_charset(tmp_path: Path, data_dir: Path) -> None:
    html = (data_dir / "talks.html").read_text(encoding="utf-8")
    html = html.replace('charset="utf-8"', 'charset="windows-1252"').replace("near Moscow", "near Moscow’s café")
    path = tmp_path / "talks.html"
    path.write_bytes(html.encode("cp1252"))
    doc = _one(path)
    assert "near Moscow’s café" in doc.text


def test_html_language_is_detected_before_the_template_lang(tmp_path: Path) -> None:
    path = tmp_path / "ru.html"
    path.write_text(
        '<html lang="en"><head><title>Посольство</title></head><body><article><p>'
        "Министерство иностранных дел России заявило, что посольство в Кабуле продолжит работу, "
        "а его сотрудники останутся в городе.</p></article></body></html>",
        encoding="utf-8",
    )
    assert _one(path).language == "ru"


# -- PDF -------------------------------------------------------------------------------


def test_pdf_with_text_and_metadata(tmp_path: Path, text_pdf: Callable[..., bytes]) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(
        text_pdf(
            [
                "Statement by the Ministry of Foreign Affairs",
                "The Ministry welcomes the signing of the trade accord with Afghanistan.",
                "It will support the work of the joint commission.",
            ],
            title="Statement on the trade accord",
            created="D:20210816103000+03'00'",
        )
    )
    doc = _one(path)
    assert doc.title == "Statement on the trade accord"
    assert (doc.published, doc.date_source) == (dt.date(2021, 8, 16), "metadata")
    assert "welcomes the signing of the trade accord" in doc.text
    assert doc.source_kind == "pdf" and doc.language == "en"


def test_pdf_title_falls_back_to_its_first_line(tmp_path: Path, text_pdf: Callable[..., bytes]) -> None:
    path = tmp_path / "note.pdf"
    path.write_bytes(text_pdf(["Note verbale", "The Embassy presents its compliments to the Ministry."], title="Microsoft Word - note.docx"))
    assert _one(path).title == "Note verbale"


def test_pdf_without_text_is_e209(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_maker())
    err = _raises(path)
    assert err.code == "E209" and err.where == str(path)
    assert "ocrmypdf" in str(err)


def test_encrypted_pdf_is_e208(tmp_path: Path, pdf_maker: Callable[..., bytes]) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_maker(password="secret"))
    err = _raises(path)
    assert err.code == "E208" and err.where == str(path)
    assert "encrypted with a password" in str(err) and "qpdf --decrypt" in str(err)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_locked_only_against_editing_is_read(tmp_path: Path, text_pdf: Callable[..., bytes], algorithm: str) -> None:
    """Encrypted with an owner password alone (printing and copying restricted): it opens
    without a password, as in any viewer, so its text is read (AES needs ``cryptography``)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(["Communique", "The ministers agreed to meet again in Tashkent."]))))
    writer.encrypt(user_password="", owner_password="ministry", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "communique.pdf"
    path.write_bytes(out.getvalue())
    assert pypdf.PdfReader(io.BytesIO(out.getvalue())).is_encrypted
    assert "agreed to meet again in Tashkent" in _one(path).text


def test_damaged_pdf_is_e208(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n")
    err = _raises(path)
    assert err.code == "E208"


# -- JSONL -----------------------------------------------------------------------------


def test_jsonl_documents_and_bad_lines(data_dir: Path) -> None:
    path = data_dir / "documents.jsonl"
    items = _read_all(path)
    assert [type(item).__name__ for item in items] == ["Document", "Document", "SourceError", "SourceError", "Document"]
    first, second, malformed, empty, russian = items
    assert isinstance(first, Document) and isinstance(second, Document) and isinstance(russian, Document)
    assert isinstance(malformed, SourceError) and isinstance(empty, SourceError)

    assert first.user_id == "b1" and first.title == "Taliban enter Kabul"
    assert (first.published, first.date_source) == (dt.date(2021, 8, 15), "metadata")
    assert first.publisher == "Steppe Wire" and first.author == "Staff" and first.url == "https://wire.example/b1"
    assert first.meta == {"section": "Asia", "tags": ["afghanistan", "russia"]}
    assert first.text == "Taliban fighters entered Kabul on Sunday as the government collapsed.\n\nRussia's foreign ministry said its embassy would keep working."
    assert first.source == str(path) and first.source_kind == "jsonl"

    assert second.user_id == "2" and second.meta == {"desk": "world"}
    assert (second.published, second.date_source) == (dt.date(2021, 10, 20), "text")
    assert second.language == "en"

    assert malformed.code == "E204" and malformed.where == f"{path}:4"
    assert str(malformed).startswith(f"[E204] {path}:4: Line 4 is not valid JSON")
    assert "--on-error skip" in str(malformed)
    assert empty.code == "E205" and empty.where == f"{path}:5"

    assert (russian.published, russian.date_source) == (dt.date(2022, 9, 5), "metadata")
    assert russian.language == "ru"


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('["a list"]\n{"text": "Kabul airport reopened to flights from Doha on Thursday."}\n', encoding="utf-8")
    bad, good = _read_all(path)
    assert isinstance(bad, SourceError) and bad.code == "E204" and "not an object" in str(bad)
    assert isinstance(good, Document)


def test_jsonl_keeps_an_unreadable_date_in_meta(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "The talks went on late into the night.", "date": "sometime soon"}\n', encoding="utf-8")
    doc = _one(path)
    assert (doc.published, doc.date_source) == (None, "none")
    assert doc.meta == {"date_given": "sometime soon"}


def test_jsonl_with_a_bom_and_blank_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "Moscow hosted the talks."}\n')
    assert _one(path).text == "Moscow hosted the talks."
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n\n", encoding="utf-8")
    assert _raises(blank).code == "E202"


# -- CSV -------------------------------------------------------------------------------


def test_csv_with_quotes_commas_and_multiline_text(data_dir: Path) -> None:
    path = data_dir / "reports.csv"
    items = _read_all(path)
    assert [type(item).__name__ for item in items] == ["Document", "Document", "SourceError", "Document"]
    first, second, empty_row, fourth = items
    assert isinstance(first, Document) and isinstance(second, Document) and isinstance(fourth, Document)
    assert first.user_id == "r1" and first.title == "Embassy stays open, ministry says"
    assert first.text == (
        "Russia's embassy in Kabul will keep working, the foreign ministry said on Monday.\n\n"
        "Its staff have been told to stay inside the compound, a spokeswoman added."
    )
    assert (first.published, first.date_source) == (dt.date(2021, 8, 16), "metadata")
    assert first.publisher == "Eurasia Brief" and first.url == "https://brief.example/r1"
    assert first.meta == {"region": "Central Asia"}
    assert second.title == 'Lavrov: "no hurry" on recognition'
    assert 'in "no hurry" to recognise' in second.text
    assert second.meta == {}  # empty cells are not kept
    assert isinstance(empty_row, SourceError)
    assert empty_row.code == "E213" and empty_row.where == f"{path}:6"
    assert str(empty_row) == f"[E213] {path}:6: Row 6: the 'text' value is empty. Each row needs text, or re-run with --on-error skip."
    assert fourth.title == "Undated, with commas, in quotes" and fourth.published is None
    assert fourth.source_kind == "csv"


def test_csv_without_a_text_column_is_e203(data_dir: Path) -> None:
    path = data_dir / "headlines.csv"
    err = _raises(path)
    assert err.code == "E203" and err.where == str(path)
    assert "found: headline, body, published" in str(err)
    assert "Rename the header of the column holding the document text to 'text'" in str(err)


def test_csv_metadata_columns_fill_the_document(tmp_path: Path) -> None:
    """The optional columns title, date, url, publisher and language; others go to meta."""
    path = tmp_path / "export.csv"
    path.write_text(
        "Language,url,publisher,date,title,text,desk\n"
        'fr,https://breves.example/kaboul,Brèves,2021-09-09,Kaboul,"Vols repris.",monde\n'
        'ru,,Каспийский вестник,05.09.2022,Взрыв у посольства,"Взрыв произошёл у посольства России в Кабуле в понедельник утром.",\n'
        ',,,,,"Russia and Uzbekistan agreed on Tuesday to build a rail link to Afghanistan.",\n',
        encoding="utf-8",
    )
    french, russian, plain = _read_all(path)
    assert isinstance(french, Document) and isinstance(russian, Document) and isinstance(plain, Document)
    assert (french.title, french.url, french.publisher) == ("Kaboul", "https://breves.example/kaboul", "Brèves")
    assert (french.published, french.date_source) == (dt.date(2021, 9, 9), "metadata")
    assert french.language == "fr"  # stated by the column: trusted for a text too short to detect
    assert french.meta == {"desk": "monde"}
    assert russian.language == "ru" and russian.publisher == "Каспийский вестник" and russian.url is None
    assert (russian.published, russian.date_source) == (dt.date(2022, 9, 5), "metadata")
    assert plain.language == "en" and plain.title is None and (plain.published, plain.date_source) == (None, "none")


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ";"), (".tsv", "\t"), (".csv", "\t"), (".csv", "|")])
def test_csv_delimiters_are_sniffed(tmp_path: Path, suffix: str, delimiter: str) -> None:
    path = tmp_path / f"docs{suffix}"
    rows = [["title", "text", "date"], ["Talks", "Moscow hosted talks, and Kabul sent envoys.", "2021-10-20"]]
    path.write_text("\n".join(delimiter.join(row) for row in rows) + "\n", encoding="utf-8")
    doc = _one(path)
    assert doc.text == "Moscow hosted talks, and Kabul sent envoys."
    assert doc.title == "Talks" and doc.published == dt.date(2021, 10, 20)


def test_csv_with_bom_header_case_and_latin1(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffText,Title\nLe ministre a rencontré son homologue à Genève.,Genève\n".encode("utf-8"))
    doc = _one(path)
    assert doc.text.startswith("Le ministre") and doc.title == "Genève"
    latin = tmp_path / "latin.csv"
    body = "text,title\n" + "\n".join(
        f'"Le président a rencontré le ministre des affaires étrangères à Genève, réunion {n}.",Réunion {n}'
        for n in range(5)
    )
    latin.write_bytes(body.encode("latin-1"))
    docs = _read_all(latin)
    assert len(docs) == 5
    assert all(isinstance(doc, Document) and "à Genève" in doc.text for doc in docs)


def test_csv_row_with_too_many_fields_is_e217(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    path.write_text("title,text\nTalks,Moscow hosted talks, and Kabul sent envoys.\nOK,Fine text here.\n", encoding="utf-8")
    bad, good = _read_all(path)
    assert isinstance(bad, SourceError) and bad.code == "E217" and bad.where == f"{path}:2"
    assert "has 3 fields but the header has 2" in str(bad)
    assert isinstance(good, Document)


def test_csv_with_header_only_is_e202(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    path.write_text("title,text\n", encoding="utf-8")
    assert _raises(path).code == "E202"


def test_csv_with_a_very_long_text(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    text = "The ministers met again. " * 8000  # longer than csv's default field limit
    path.write_text(f'text\n"{text}"\n', encoding="utf-8")
    assert _one(path).text == text.strip()


# -- encodings and bad files -----------------------------------------------------------


def test_latin1_text_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "geneve.txt"
    text = (
        "Réunion à Genève\n\n"
        "Le président français a rencontré le ministre russe des affaires étrangères à Genève. "
        "Les négociations ont été difficiles, selon des sources proches du dossier. "
        "Une déclaration commune est attendue la semaine prochaine."
    )
    path.write_bytes(text.encode("latin-1"))
    doc = _one(path)
    assert doc.text == text
    assert doc.title == "Réunion à Genève"
    assert doc.language == "fr"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Moscow hosted the talks on Afghanistan on Wednesday.".encode("utf-16"))
    assert _one(path).text == "Moscow hosted the talks on Afghanistan on Wednesday."


def test_undetectable_encoding_is_e207(tmp_path: Path) -> None:
    path = tmp_path / "mojibake.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 3)
    err = _raises(path)
    assert err.code == "E207" and err.where == str(path)
    assert "iconv" in str(err)


@pytest.mark.parametrize("name", ["blob.txt", "blob.md", "blob.html", "blob.csv", "blob.jsonl"])
def test_binary_file_is_e206(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    err = _raises(path, kind=None if not name.endswith(".txt") else "text")
    assert err.code == "E206" and err.where == str(path)
    assert "binary file" in str(err)


@pytest.mark.parametrize(("name", "content"), [("empty.txt", b""), ("blank.md", b"  \n\n\t\n"), ("empty.html", b""), ("empty.csv", b"")])
def test_empty_file_is_e202(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    err = _raises(path)
    assert err.code == "E202" and err.where == str(path)
    assert str(err) == f"[E202] {path}: The source is empty: there is no text to store. Remove it from the batch or fill it."


def test_a_file_that_vanished_is_e201(tmp_path: Path) -> None:
    err = _raises(tmp_path / "gone.txt", kind="text")
    assert err.code == "E201" and "gone.txt" in str(err)


def test_an_unknown_kind_is_e214(tmp_path: Path) -> None:
    assert _raises(tmp_path / "x.doc", kind="word").code == "E214"
