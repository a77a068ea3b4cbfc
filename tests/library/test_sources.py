"""expand(): files, folders, globs, addresses, feeds, URL lists; fingerprint()."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from dyadwatch.errors import SourceError
from dyadwatch.library.sources import SourceRef, expand, fingerprint, kind_of_file


def _touch(path: Path, content: str | bytes = "Moscow hosted the talks on Afghanistan.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.txt", "text"),
        ("a.md", "markdown"),
        ("a.markdown", "markdown"),
        ("a.html", "html"),
        ("a.HTM", "html"),
        ("a.pdf", "pdf"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.csv", "csv"),
        ("a.tsv", "csv"),
        ("a.xml", "feed"),
        ("a.rss", "feed"),
        ("a.atom", "feed"),
        ("a.urls", "urllist"),
    ],
)
def test_kind_comes_from_the_extension(tmp_path: Path, name: str, kind: str) -> None:
    path = _touch(tmp_path / name)
    assert expand(str(path)) == [SourceRef(str(path), kind)]


def test_a_txt_file_of_addresses_is_a_url_list(tmp_path: Path) -> None:
    urls = _touch(tmp_path / "reading.txt", "# to read\nhttps://a.example/1\n\nhttp://b.example/2?x=1\n")
    prose = _touch(tmp_path / "prose.txt", "See https://a.example/1 for more.\nhttps://b.example/2\n")
    assert kind_of_file(str(urls)) == "urllist"
    assert kind_of_file(str(prose)) == "text"
    assert kind_of_file(str(_touch(tmp_path / "comments.txt", "# only comments\n"))) == "text"


def test_unknown_extensions_are_sniffed(tmp_path: Path) -> None:
    assert kind_of_file(str(_touch(tmp_path / "page", "<!DOCTYPE html><html><body>x</body></html>"))) == "html"
    assert kind_of_file(str(_touch(tmp_path / "feed.cgi", '<?xml version="1.0"?><rss version="2.0"></rss>'))) == "feed"
    assert kind_of_file(str(_touch(tmp_path / "doc.bin", b"%PDF-1.4\n\x00\x01"))) == "pdf"
    assert kind_of_file(str(_touch(tmp_path / "docs.json", '{"text": "a"}\n{"text": "b"}\n'))) == "jsonl"
    assert kind_of_file(str(_touch(tmp_path / "links.list", "https://a.example/1\n"))) == "urllist"


def test_an_unknown_text_file_is_e214(tmp_path: Path) -> None:
    path = _touch(tmp_path / "notes.docx.bak", "some words")
    with pytest.raises(SourceError) as caught:
        expand(str(path))
    assert caught.value.code == "E214"
    assert caught.value.where == str(path)
    assert "'.bak'" in str(caught.value) and "Supported" in str(caught.value)


def test_an_unknown_binary_file_is_e206(tmp_path: Path) -> None:
    path = _touch(tmp_path / "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    with pytest.raises(SourceError) as caught:
        expand(str(path))
    assert caught.value.code == "E206"
    assert str(caught.value).startswith(f"[E206] {path}: This looks like a binary file")


def test_a_folder_is_read_recursively_sorted_without_hidden_files(tmp_path: Path) -> None:
    root = tmp_path / "library"
    for name in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.jsonl", ".hidden.txt", ".git/config.txt", "sub/.cache/e.txt"):
        _touch(root / name)
    refs = expand(str(root))
    assert [Path(ref.location).relative_to(root).as_posix() for ref in refs] == [
        "a.md",
        "b.txt",
        "sub/c.html",
        "sub/deeper/d.jsonl",
    ]
    assert all(os.path.isabs(ref.location) for ref in refs)


def test_a_folder_skips_unreadable_types_and_says_why_when_nothing_is_left(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "mixed"
    _touch(root / "a.txt")
    _touch(root / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert [ref.kind for ref in expand(str(root))] == ["text"]
    assert "logo.png" in caplog.text and "E206" in caplog.text

    images = tmp_path / "images"
    _touch(images / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(SourceError) as caught:
        expand(str(images))
    assert caught.value.code == "E206"


def test_globs(tmp_path: Path) -> None:
    for name in ("2021/a.html", "2021/b.txt", "2022/c.html", "2022/sub/d.html"):
        _touch(tmp_path / name)
    refs = expand(str(tmp_path / "**" / "*.html"))
    assert [Path(ref.location).name for ref in refs] == ["a.html", "c.html", "d.html"]
    assert {ref.kind for ref in refs} == {"html"}


@pytest.mark.parametrize("source", ["missing.txt", "nowhere/*.html", "   "])
def test_nothing_matching_is_e211(tmp_path: Path, source: str) -> None:
    target = source if not source.strip() else str(tmp_path / source)
    with pytest.raises(SourceError) as caught:
        expand(target)
    assert caught.value.code == "E211"
    assert "no such file, folder or glob" in str(caught.value)


def test_an_empty_folder_is_e211(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=r"\[E211\]"):
        expand(str(tmp_path / "empty"))


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://news.example/world/talks.html", "url"),
        ("http://news.example/", "url"),
        ("https://news.example/rss.xml", "feed"),
        ("https://news.example/world/feed/", "feed"),
        ("https://news.example/feeds/world.atom", "feed"),
        ("HTTPS://news.example/a", "url"),
    ],
)
def test_addresses(url: str, kind: str) -> None:
    assert expand(url) == [SourceRef(url, kind)]


def test_source_refs_are_frozen_and_pickle() -> None:
    ref = SourceRef("/data/a.txt", "text")
    with pytest.raises(AttributeError):
        ref.kind = "html"
    assert pickle.loads(pickle.dumps(ref)) == ref


def test_fingerprint_changes_with_the_file_and_not_otherwise(tmp_path: Path) -> None:
    path = _touch(tmp_path / "a.txt", "first version")
    before = fingerprint(str(path))
    assert fingerprint(str(path)) == before
    assert fingerprint(os.path.relpath(path)) == before  # the same file by another name
    path.write_text("second, longer version", encoding="utf-8")
    assert fingerprint(str(path)) != before
    stat = path.stat()
    other = _touch(tmp_path / "b.txt", "second, longer version")
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fingerprint(str(other)) != fingerprint(str(path))  # the path is part of it


def test_fingerprint_of_a_missing_file_is_e201(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        fingerprint(str(tmp_path / "gone.txt"))
    assert caught.value.code == "E201"
    assert "gone.txt" in str(caught.value)
