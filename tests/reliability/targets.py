"""What the fuzzers feed: every reader of outside files, its seed inputs, and the mutator.

Each :class:`Target` reads one file (written from the fuzzed bytes) the way dyadwatch reads
it, to the end. The contract under test: a reader either returns data (documents, events,
gold sentences, a dictionary, a study) or raises / yields a :class:`DyadwatchError` with a
code; any other exception is a bug. :func:`run_one` enforces it and says which it was.

Seeds are the project's own example files and, when ``../shared/data`` is there, the real
samples in it (cut to their first lines, so that one input reads in milliseconds). The
same :func:`mutate` serves hypothesis (``tests/reliability/test_fuzz_*.py``), the long
random run and atheris (``fuzz/run.py``).
"""

from __future__ import annotations

import gzip
import io
import random
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dyadwatch.errors import DyadwatchError

ROOT = Path(__file__).resolve().parents[2]
PROJECT_DATA = {
    "library": ROOT / "tests" / "library" / "data",
    "datasets": ROOT / "tests" / "datasets" / "data",
    "gold": ROOT / "tests" / "coding" / "fixtures",
    "actors": ROOT / "src" / "dyadwatch" / "actors" / "data",
    "frames": ROOT / "src" / "dyadwatch" / "study" / "data" / "frames",
    "examples": ROOT / "examples",
}

# Bytes that break parsers: separators, quotes, encodings' marks, markup, numbers at the edge.
TOKENS: tuple[bytes, ...] = (
    b"\x00", b"\r\n", b"\r", b"\n", b"\t", b",", b";", b"|", b'"', b"'", b"\\", b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xfe\xff", b"\xc3", b"\xe2\x80\xa8", b"\xf0\x9f\x98\x80", b"\x85", b"\x0c",
    b"<", b">", b"&#0;", b"&#xD800;", b"&amp", b"<![CDATA[", b"]]>", b"<!--", b"<?xml version='1.0'?>",
    b"<rss>", b"<feed>", b"</item>", b"<script>", b"{", b"}", b"[", b"]", b"[[", b"]]", b"=", b'"""', b"#",
    b"[[actor]]", b"[[dyads]]", b"null", b"true", b"[]", b"{}", b'{"text": ""}', b'{"text": 1}',
    b"-1", b"0", b"99999999999999999999", b"1e309", b"-1e309", b"NaN", b"inf", b"-0", b"0x1F",
    b"2021-02-30", b"0000-00-00", b"99991231", b"20211320", b"19000101", b"1e5", b"9" * 40,
    b"%PDF-1.7", b"endobj", b"stream\n", b"xref", b"trailer", b"/Encrypt", b"PK\x03\x04", b"\x1f\x8b",
    b"A" * 3000, b"http://", b"https://127.0.0.1:1/", b"file:///etc/passwd", b"../../", b"O", b"B-S", b"I-T",
)
_OPS = 8  # flip, insert, delete, duplicate, truncate, swap lines, separator swap, drop a field


@dataclass(frozen=True, slots=True)
class Op:
    """One mutation: which, where (a position scaled to the input), what and how long."""

    kind: int
    where: int
    token: bytes
    length: int


def mutate(data: bytes, ops: Iterable[Op]) -> bytes:
    """Apply mutations in turn; deterministic, so a failing input can be rebuilt."""
    buf = bytearray(data)
    for op in ops:
        size = len(buf)
        at = op.where % (size + 1)
        kind = op.kind % _OPS
        if kind == 0 and size:
            buf[min(at, size - 1)] = op.length % 256
        elif kind == 1:
            buf[at:at] = op.token
        elif kind == 2:
            del buf[at:at + op.length]
        elif kind == 3:
            buf[at:at] = buf[at:at + op.length * 8]
        elif kind == 4:
            del buf[at:]
        elif kind == 5:
            lines = bytes(buf).split(b"\n")
            if len(lines) > 2:
                i, j = op.where % len(lines), op.length % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
                buf = bytearray(b"\n".join(lines))
        elif kind == 6:
            old, new = (b"\t", b",") if op.length % 2 else (b",", b"\t")
            line_start = bytes(buf).rfind(b"\n", 0, at) + 1
            line_end = bytes(buf).find(b"\n", at)
            line_end = size if line_end < 0 else line_end
            buf[line_start:line_end] = bytes(buf[line_start:line_end]).replace(old, new)
        else:
            sep = b"\t" if b"\t" in buf else b","
            found = bytes(buf).find(sep, at)
            if found >= 0:
                del buf[found:found + 1]
    return bytes(buf)


def random_ops(rng: random.Random, most: int = 6) -> list[Op]:
    """Random mutations (the long run's generator; hypothesis draws its own)."""
    return [
        Op(rng.randrange(_OPS), rng.randrange(1 << 20), rng.choice(TOKENS), rng.randrange(1, 80))
        for _ in range(rng.randint(1, most))
    ]


def wrap(data: bytes, container: str) -> tuple[bytes, str]:
    """The bytes as a dataset reader may get them, with the file name's suffix: plain,
    gzip or zip (whole or cut short)."""
    if container == "gz":
        return gzip.compress(data), ".gz"
    if container == "gz-cut":
        packed = gzip.compress(data)
        return packed[: max(1, len(packed) * 2 // 3)], ".gz"
    if container == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.csv", data)
        return out.getvalue(), ".zip"
    return data, ""


# -- the readers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A reader under fuzzing: its name, group, file name, how to read, and seed files."""

    name: str
    group: str
    filename: str
    read: Callable[[Path], int]  # reads the whole file; returns how many records it gave
    seeds: Callable[[Path | None], list[bytes]]
    containers: tuple[str, ...] = ("plain",)
    needs_shared: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input gave: records, coded errors (raised or yielded), and their codes."""

    records: int
    errors: int
    codes: tuple[str, ...]


class Counter:
    """Counts the coded errors a reader yields among its records."""

    def __init__(self) -> None:
        self.records = 0
        self.codes: list[str] = []

    def take(self, items: Iterable[object]) -> int:
        for item in items:
            if isinstance(item, DyadwatchError):
                if not item.code:
                    raise AssertionError(f"an error without a code was yielded: {item!r}")
                self.codes.append(item.code)
            else:
                self.records += 1
        return self.records


_COUNTER: list[Counter] = []


def _take(items: Iterable[object]) -> int:
    return _COUNTER[-1].take(items)


def run_one(target: Target, data: bytes, folder: Path, suffix: str = "") -> Outcome:
    """Read ``data`` with the target's reader; a non-coded exception propagates (a bug).

    ``suffix`` ends the file name (``.gz``, ``.zip``: a compressed input)."""
    path = folder / (target.filename + suffix)
    path.write_bytes(data)
    counter = Counter()
    _COUNTER.append(counter)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is not an escaped exception
            try:
                counter.records = max(counter.records, target.read(path))
            except DyadwatchError as exc:
                if not exc.code:
                    raise AssertionError(f"an error without a code was raised: {exc!r}") from exc
                counter.codes.append(exc.code)
    finally:
        _COUNTER.pop()
    return Outcome(counter.records, len(counter.codes), tuple(counter.codes))


_PAGE = (b"<html><head><title>Talks</title></head><body><article><p>On 15 August 2021 the "
         b"ministers met in Moscow to discuss Afghanistan.</p></article></body></html>")


def offline_fetcher(body: bytes = _PAGE, content_type: bytes = b"text/html; charset=utf-8") -> Any:
    """A :class:`Fetcher` that never touches the network: every http(s) address answers
    ``body``; other schemes fail as the real transport fails them."""
    import httpx

    from dyadwatch.library.fetch import Fetcher

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"no transport for {request.url.scheme!r}", request=request)
        return httpx.Response(200, content=body, headers=[(b"Content-Type", content_type)])

    return Fetcher(min_interval=0, tries=1, timeout=2.0, transport=httpx.MockTransport(handler))


def _library(kind: str) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        from dyadwatch.library.readers import read as read_source
        from dyadwatch.library.sources import SourceRef

        if kind == "feed":  # a feed file is read offline, from its entries' summaries
            return _take(read_source(SourceRef(location=str(path), kind=kind)))
        with offline_fetcher() as fetcher:
            return _take(read_source(SourceRef(location=str(path), kind=kind), fetcher=fetcher))

    return read


def _sniffed(path: Path) -> int:
    """A file of unknown type: the kind from its name and first bytes, then its reader."""
    from dyadwatch.library.readers import read as read_source
    from dyadwatch.library.sources import expand

    total = 0
    with offline_fetcher() as fetcher:
        for ref in expand(str(path)):
            total += _take(read_source(ref, fetcher=fetcher))
    return total


def _remote(path: Path) -> int:
    """The bytes served by a (mock) web server, the file's first line as Content-Type."""
    from dyadwatch.library.readers import read as read_source
    from dyadwatch.library.sources import SourceRef

    header, _, body = path.read_bytes().partition(b"\n")
    header = bytes(b for b in header[:200] if 32 <= b < 127)
    with offline_fetcher(body, header) as fetcher:
        return _take(read_source(SourceRef(location="https://news.example.org/a.html", kind="url"), fetcher=fetcher))


def _dataset(name: str) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        from dyadwatch.datasets import read_rows

        return _take(read_rows(name, path, on_error="skip"))

    return read


def _dictionary(path: Path) -> int:
    from dyadwatch.actors.dictionary import ActorDictionary

    return len(ActorDictionary.load([path], cache=False))


def _petrarch_actors(path: Path) -> int:
    from dyadwatch.actors.importers import import_petrarch_actors

    return len(import_petrarch_actors(path))


def _petrarch_agents(path: Path) -> int:
    from dyadwatch.actors.importers import import_petrarch_agents

    return len(import_petrarch_agents(path))


def _gold(fmt: str | None) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        from dyadwatch.coding.evaluate import read_gold

        return len(read_gold(path, format=fmt))

    return read


def _predictions(path: Path) -> int:
    from dyadwatch.coding.evaluate import read_prediction_records

    return len(read_prediction_records(path))


def _study(path: Path) -> int:
    from dyadwatch.study.spec import StudySpec

    spec = StudySpec.load(path, check_actors=True)
    return len(spec.hypotheses)


def _frames(path: Path) -> int:
    from dyadwatch.study.frames import FrameSet

    frames = FrameSet.load(path)
    return len(getattr(frames, "frames", ()) or ())


# -- seeds -----------------------------------------------------------------------------------


def head(path: Path, lines: int = 25, limit: int = 16_000) -> bytes:
    """The first lines of a file (a .gz read through), at most ``limit`` bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read(limit * 4)
    return b"\n".join(data.split(b"\n")[:lines])[:limit] + b"\n"


def _files(*paths: Path, lines: int = 60, limit: int = 16_000) -> list[bytes]:
    return [head(p, lines, limit) for p in paths if p.is_file()]


def _project(group: str, *names: str, lines: int = 400) -> Callable[[Path | None], list[bytes]]:
    return lambda shared: _files(*(PROJECT_DATA[group] / n for n in names), lines=lines, limit=40_000)


def _shared(*rels: str, lines: int = 25, limit: int = 16_000,
            extra: Callable[[Path | None], list[bytes]] | None = None) -> Callable[[Path | None], list[bytes]]:
    def seeds(shared: Path | None) -> list[bytes]:
        found = extra(shared) if extra else []
        if shared is not None:
            found += _files(*(shared / r for r in rels), lines=lines, limit=limit)
        return found

    return seeds


def _text_seeds(shared: Path | None) -> list[bytes]:
    seeds = _files(PROJECT_DATA["library"] / "note.md")
    seeds.append(b"Talks in Moscow\n\nOn 15 August 2021 the ministers met in Moscow.\n")
    if shared is not None:
        subset = shared / "ungdc" / "subset_RUS_AFG_CentralAsia"
        seeds += [head(p, 12, 6000) for p in sorted(subset.glob("*.txt"))[:3]]
    return seeds


def _remote_seeds(shared: Path | None) -> list[bytes]:
    lib = PROJECT_DATA["library"]
    out = [b"text/html; charset=utf-8\n" + s for s in _files(lib / "article.html", lib / "talks.html")]
    out += [b"application/rss+xml\n" + s for s in _files(lib / "feed.rss")]
    out += [b"application/atom+xml\n" + s for s in _files(lib / "feed.atom")]
    out += [b"text/plain; charset=latin-1\nTalks in Kabul\n\nOn 3 May 2022 envoys met.\n"]
    return out


def _pdf_seeds(shared: Path | None) -> list[bytes]:
    seeds = [_tiny_pdf("Talks in Moscow. On 15 August 2021 the ministers met.")]
    if shared is not None:
        readme = shared / "plover" / "PLOVER_GSR_CAMEO_readme.pdf"
        if readme.is_file():
            seeds.append(readme.read_bytes())
    return seeds


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF holding ``text``, written by hand (the objects and the xref table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_STUDY = b"""title = "Trial"
question = "Did cooperation rise?"
[period]
start = 2020-01-01
end = 2021-12-31
unit = "month"
[actors]
Russia = ["RUS"]
[[dyads]]
name = "Russia-Afghanistan"
source = "Russia"
target = ["AFG"]
[[interventions]]
name = "Kabul falls"
date = 2021-08-15
[measures]
use = ["cooperation"]
[[hypotheses]]
id = "H1"
statement = "Cooperation rises."
measure = "cooperation"
dyad = "Russia-Afghanistan"
intervention = "Kabul falls"
expected = "increase"
"""


def _study_seeds(shared: Path | None) -> list[bytes]:
    seeds = [_STUDY]
    seeds += [p.read_bytes()[:20_000] for p in sorted(PROJECT_DATA["examples"].glob("**/*study*.toml"))[:3]]
    return seeds


def _frames_seeds(shared: Path | None) -> list[bytes]:
    return [p.read_bytes()[:20_000] for p in sorted(PROJECT_DATA["frames"].glob("*.toml"))[:2]]


def _urllist_seeds(shared: Path | None) -> list[bytes]:
    return [b"# addresses\nhttps://news.example.org/a.html\nhttps://news.example.org/b.html\nnot an address\n"]


_LIB = PROJECT_DATA["library"]

TARGETS: tuple[Target, ...] = (
    Target("text", "library", "doc.txt", _library("text"), _text_seeds),
    Target("markdown", "library", "doc.md", _library("markdown"), _project("library", "note.md")),
    Target("html", "library", "page.html", _library("html"), _project("library", "article.html", "talks.html")),
    Target("pdf", "library", "file.pdf", _library("pdf"), _pdf_seeds),
    Target("jsonl", "library", "docs.jsonl", _library("jsonl"),
           lambda s: _files(_LIB / "documents.jsonl", PROJECT_DATA["examples"] / "russia-afghanistan" / "library" / "briefs.jsonl", lines=12)),
    Target("csv", "library", "docs.csv", _library("csv"), _project("library", "headlines.csv", "reports.csv")),
    Target("feed", "library", "feed.xml", _library("feed"), _project("library", "feed.rss", "feed.atom")),
    Target("urllist", "library", "list.urls", _library("urllist"), _urllist_seeds),
    Target("sniffed", "library", "unknown", _sniffed,
           lambda s: _files(_LIB / "documents.jsonl", _LIB / "feed.rss", _LIB / "talks.html", _LIB / "headlines.csv", lines=12)),
    Target("remote", "library", "response.bin", _remote, _remote_seeds),
    Target("gdelt2", "datasets", "20211020.export.CSV", _dataset("gdelt2"),
           _shared("gdelt-samples/events.csv", "gdelt-samples/eventsT.csv"), ("plain", "gz", "gz-cut", "zip"), True),
    Target("gdelt1", "datasets", "20130401.export.CSV", _dataset("gdelt1"),
           _shared("gdelt-samples/events1.csv"), ("plain", "zip"), True),
    Target("icews", "datasets", "events.2018.sample.tab", _dataset("icews"),
           _shared("icews/events.2018.sample.tab", extra=_project("datasets", "icews_no_cameo_column.tab")),
           ("plain", "gz")),
    Target("polecat", "datasets", "polecat.tsv", _dataset("polecat"), _project("datasets", "polecat_sample.tsv"),
           ("plain", "zip")),
    Target("acled", "datasets", "acled.csv", _dataset("acled"), _project("datasets", "acled_sample.csv"), ("plain", "gz")),
    Target("ucdp", "datasets", "ged231.csv", _dataset("ucdp"), _shared("ucdp-ged/ucdpged_sample_1000_v23.csv", lines=12),
           ("plain", "zip"), True),
    Target("dictionary", "files", "actors.toml", _dictionary,
           lambda s: [(PROJECT_DATA["actors"] / n).read_bytes() for n in ("historical.toml", "places.toml")]),
    Target("petrarch-actors", "files", "actors.txt", _petrarch_actors,
           _shared("petrarch-validation/PETR.Validate.actors.txt", lines=400, limit=40_000), needs_shared=True),
    Target("petrarch-agents", "files", "agents.txt", _petrarch_agents,
           _shared("petrarch-validation/PETR.Validate.agents.txt", lines=400, limit=40_000), needs_shared=True),
    Target("gold-jsonl", "files", "gold.jsonl", _gold("jsonl"), _project("gold", "gold_small.jsonl")),
    Target("gold-petrarch", "files", "gold.xml", _gold("petrarch"),
           _shared(extra=_project("gold", "petrarch_small.xml", "petr2_small.xml"))),
    Target("gold-plover", "files", "plover.json", _gold("plover"), _project("gold", "plover_small.json")),
    Target("gold-conflibert", "files", "cameo_class_test.tsv", _gold("conflibert"),
           _shared("conflibert-cameo/cameo_class_test.tsv", extra=_project("gold", "conflibert/cameo_class_test.tsv"))),
    Target("gold-detected", "files", "gold", _gold(None),
           lambda s: _files(*(PROJECT_DATA["gold"] / n for n in ("gold_small.jsonl", "plover_small.json", "petrarch_small.xml")))),
    Target("predictions", "files", "predictions.jsonl", _predictions, _project("gold", "predictions_small.jsonl")),
    Target("study", "files", "study.toml", _study, _study_seeds),
    Target("frames", "files", "frames.toml", _frames, _frames_seeds),
)

BY_NAME = {t.name: t for t in TARGETS}


def available(target: Target) -> bool:
    """Whether the target's reader exists in this tree (the study and frame readers are new)."""
    import importlib.util

    module = {"study": "dyadwatch.study.spec", "frames": "dyadwatch.study.frames"}.get(target.name)
    return module is None or importlib.util.find_spec(module) is not None


def seeds_of(target: Target, shared: Path | None) -> list[bytes]:
    return [s for s in target.seeds(shared) if s]


def names(group: str) -> list[str]:
    return [t.name for t in TARGETS if t.group == group]


def fresh_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="dyadwatch-fuzz-")


def describe(exc: BaseException) -> str:
    """A failure's identity for counting: exception type and the innermost dyadwatch frame."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "dyadwatch" in f.filename]
    place = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {place}"


def sample_input(seeds: Sequence[bytes], rng: random.Random, containers: Sequence[str]) -> tuple[bytes, str]:
    """One random input and its file suffix: a seed, mutated, sometimes compressed; or
    random bytes."""
    if not seeds or rng.random() < 0.05:
        return rng.randbytes(rng.randrange(0, 600)), ""
    data = mutate(rng.choice(seeds), random_ops(rng))
    return wrap(data, rng.choice(list(containers)))
