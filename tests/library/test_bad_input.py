"""Every bad input of issue 2, through a whole ingest: a clear coded error naming the file
(or line, or address); by default the batch stops at it, keeps what came before and
stores nothing of it; with ``on_error="skip"`` the good sources are stored and the bad one
is listed with why. Remote sources are served by a loopback site started by the test."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dyadwatch
from dyadwatch.cli._common import console
from dyadwatch.cli.main import app
from dyadwatch.errors import SourceError
from dyadwatch.library.fetch import Fetcher

BEFORE = "Kazakhstan hosted a meeting of the SCO contact group on Afghanistan in Astana on Tuesday."
AFTER = "Turkmenistan kept its border crossing with Afghanistan at Serhetabat open to freight trains."
JSONL_GOOD = "Iran and Russia discussed the return of Afghan refugees at talks in Tehran on Monday."


@dataclass(frozen=True)
class Bad:
    """One bad source: what the test writes or serves, and the error it must give."""

    name: str
    code: str
    make: Callable[[Path, Any, Callable[..., bytes]], str]  # (folder, site, pdf_maker) -> source
    good_inside: tuple[str, ...] = ()  # texts of the source that skip mode still stores


def _file(name: str, data: bytes) -> Callable[[Path, Any, Callable[..., bytes]], str]:
    def make(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
        path = folder / name
        path.write_bytes(data)
        return str(path)

    return make


def _encrypted_pdf(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
    path = folder / "b_locked.pdf"
    path.write_bytes(pdf_maker(password="secret"))
    return str(path)


def _jsonl(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
    path = folder / "b_wire.jsonl"
    lines = [
        json.dumps({"id": "w1", "publisher": "Steppe Wire", "date": "2021-10-20", "text": JSONL_GOOD}),
        '{"id": "w2", "text": "This line was cut off when the export',
        json.dumps({"id": "w3", "publisher": "Steppe Wire", "text": "Uzbekistan opened a trade centre in Termez."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _remote_not_a_feed(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
    return str(site.page("/world/feed.xml", "<html><body><p>Our feed has moved.</p></body></html>"))


def _http_error(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
    return str(site.url("/news/removed-story.html"))  # nothing there: 404


def _timeout(folder: Path, site: Any, pdf_maker: Callable[..., bytes]) -> str:
    site.page("/slow", "<html><body><article><p>Too late to matter.</p></article></body></html>")
    site.set_slow(3.0)
    return str(site.url("/slow"))


BAD = [
    Bad("unreadable-pdf", "E208", _file("b_damaged.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\n%%EOF garbage")),
    Bad("encrypted-pdf", "E208", _encrypted_pdf),
    Bad("binary-file", "E206", _file("b_scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)),
    Bad("not-utf8-undetectable", "E207", _file("b_garbled.txt", bytes(range(0x80, 0x100)) * 3)),
    Bad("empty-file", "E202", _file("b_empty.md", b"")),
    Bad("csv-without-text-column", "E203", _file("b_press.csv", b"headline,body,date\nTalks,Moscow hosted talks,2021-10-20\n")),
    Bad("malformed-jsonl-line", "E204", _jsonl, good_inside=(JSONL_GOOD, "Uzbekistan opened a trade centre in Termez.")),
    Bad("feed-not-xml", "E210", _file("b_news.rss", b"Weekly digest\n\nNo feed here, just a note about Kabul.\n")),
    Bad("remote-feed-not-xml", "E210", _remote_not_a_feed),
    Bad("http-error", "E221", _http_error),
    Bad("timeout", "E222", _timeout),
]


@pytest.fixture
def quick_fetcher() -> Any:
    with Fetcher(min_interval=0, timeout=0.5, tries=2, backoff=0.01) as fetcher:
        yield fetcher


def _batch(tmp_path: Path, bad: Bad, site: Any, pdf_maker: Callable[..., bytes]) -> tuple[list[str], str]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_before.txt").write_text(BEFORE, encoding="utf-8")
    (folder / "c_after.txt").write_text(AFTER, encoding="utf-8")
    source = bad.make(folder, site, pdf_maker)
    return [str(folder / "a_before.txt"), source, str(folder / "c_after.txt")], source


@pytest.mark.parametrize("bad", BAD, ids=[b.name for b in BAD])
def test_by_default_the_batch_stops_at_the_bad_source_and_stores_nothing_of_it(
    bad: Bad, tmp_path: Path, site: Any, pdf_maker: Callable[..., bytes], quick_fetcher: Fetcher
) -> None:
    sources, source = _batch(tmp_path, bad, site, pdf_maker)
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        with pytest.raises(SourceError) as info:
            lib.ingest(*sources, fetcher=quick_fetcher)
        error = info.value
        assert error.code == bad.code
        assert (error.where or "").startswith(source)  # the file (and line), or the address
        message = str(error)
        assert message.startswith(f"[{bad.code}] {source}")
        assert len(message) > len(f"[{bad.code}] {source}: ") + 30  # says what was wrong and what to do
        # the source before it is kept; nothing of the bad one, nor of what came after
        assert list(lib.documents(with_text=True)["text"]) == [BEFORE]
        assert lib.store.count("sentences") == 1
        assert sorted(lib.store.con.execute("SELECT location FROM sources").fetchall()) == [(sources[0],)]


@pytest.mark.parametrize("bad", BAD, ids=[b.name for b in BAD])
def test_skip_stores_the_good_sources_and_lists_the_bad_one(
    bad: Bad, tmp_path: Path, site: Any, pdf_maker: Callable[..., bytes], quick_fetcher: Fetcher
) -> None:
    sources, source = _batch(tmp_path, bad, site, pdf_maker)
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(*sources, fetcher=quick_fetcher, on_error="skip")
        [skipped] = report.skipped
        assert skipped.code == bad.code and skipped.where.startswith(source) and skipped.message
        texts = set(lib.documents(with_text=True)["text"])
        assert texts == {BEFORE, AFTER, *bad.good_inside}
        assert report.documents_added == len(texts)


def test_a_latin1_file_is_detected_and_stored_as_written(tmp_path: Path) -> None:
    """The other answer to "a file that is not UTF-8": detected when it can be."""
    text = (
        "Réunion à Genève\n\nLe ministre russe des affaires étrangères a rencontré l'envoyé "
        "des talibans à Genève. Les négociations ont porté sur l'aide humanitaire."
    )
    path = tmp_path / "geneve.txt"
    path.write_bytes(text.encode("latin-1"))
    with dyadwatch.open(tmp_path / "s.duckdb") as lib:
        report = lib.ingest(str(path))
        assert report.documents_added == 1 and not report.skipped
        [stored] = lib.documents(with_text=True)["text"]
        assert stored == text
        assert lib.document(lib.documents()["doc_id"][0]).language == "fr"


def test_cli_skip_ends_with_a_count_and_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_maker: Callable[..., bytes]
) -> None:
    monkeypatch.setattr(console, "width", 220)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_before.txt").write_text(BEFORE, encoding="utf-8")
    (folder / "b_locked.pdf").write_bytes(pdf_maker(password="secret"))
    (folder / "c_empty.txt").write_bytes(b"")
    (folder / "d_after.txt").write_text(AFTER, encoding="utf-8")
    store = str(tmp_path / "cli.duckdb")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--store", store, "--on-error", "skip"])
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.output
    assert "2 skipped" in result.output
    for name, code, why in (("b_locked.pdf", "E208", "encrypted"), ("c_empty.txt", "E202", "empty")):
        [row] = [line for line in result.output.splitlines() if name in line]
        assert code in row and why in row
    # by default the same batch stops at the PDF, says so, and exits non-zero
    again = CliRunner().invoke(app, ["ingest", str(folder), "--store", str(tmp_path / "other.duckdb")])
    assert again.exit_code == 1
    assert isinstance(again.exception, SourceError) and again.exception.code == "E208"


def test_files_a_folder_holds_but_dyadwatch_does_not_read_are_listed(tmp_path: Path) -> None:
    """A picture or a Word file in a folder of articles is passed over in either mode and
    listed with why; the store kept in the same folder is never read as a source."""
    folder = tmp_path / "library"
    (folder / "2021").mkdir(parents=True)
    (folder / "2021" / "talks.txt").write_text(BEFORE, encoding="utf-8")
    (folder / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (folder / "notes.docx").write_text("not really a Word file, but of a type dyadwatch does not read")
    with dyadwatch.open(folder / "library.duckdb") as lib:
        lib.search("Astana")  # makes the search index beside the store, in the folder too
        for mode in ("stop", "skip"):
            report = lib.ingest(str(folder), on_error=mode)
            listed = {Path(item.where).name: item.code for item in report.skipped}
            assert listed == {"map.png": "E206", "notes.docx": "E214"}
        assert list(lib.documents(with_text=True)["text"]) == [BEFORE]
