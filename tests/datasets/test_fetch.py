"""`fetch gdelt` and `fetch ucdp` against a loopback server standing in for GDELT and UCDP:
the account (fetched, present, missing, corrupt), resume after an interrupted fetch (a
dropped connection, a killed process), parallel downloads, actor filtering, a malformed
file list, the UCDP GED release, and the CLI. Never the network."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from dyadwatch.cli import fetch as fetch_cli
from dyadwatch.datasets.fetch import (
    ACCOUNT_FILE,
    FetchAccount,
    default_download_dir,
    fetch_gdelt,
    fetch_ucdp,
    gdelt_file_names,
    parse_actor_codes,
    parse_gdelt1_lists,
    parse_master_list,
    row_involves,
)
from dyadwatch.errors import ConfigError, DatasetError, FetchError
from dyadwatch.library.fetch import Fetcher, user_agent

DAY = dt.date(2015, 2, 18)  # GDELT 2.0's first day: four 15-minute files, 23:00 .. 23:45
SLOTS = [f"20150218{hhmm}00.export.CSV.zip" for hhmm in ("2300", "2315", "2330", "2345")]
NEXT = "20150219000000.export.CSV.zip"
GDELT_HOST = "http://data.gdeltproject.org/gdeltv2/"  # what the list names; never contacted


# -- the loopback server ---------------------------------------------------------------


@dataclass
class Served:
    """A file on the loopback server, and how badly to serve it."""

    body: bytes
    status: int = 200
    drop_after: int | None = None  # cut the connection after this many bytes ...
    drops: int = 1  # ... for the first this many requests
    stall_after: int | None = None  # send this many bytes, then hang until the test ends
    ignore_range: bool = False
    barrier: threading.Barrier | None = None
    served: int = 0  # requests so far


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Served] = {}
        self.requests: list[tuple[str, str | None, str | None]] = []  # path, Range, User-Agent
        self.release = threading.Event()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (a killed process, a cut connection) is expected


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        server = self.server
        path = self.path.split("?", 1)[0]
        wanted = self.headers.get("Range")
        with server.lock:
            server.requests.append((path, wanted, self.headers.get("User-Agent")))
            route = server.routes.get(path)
            if route is not None:
                route.served += 1
                hit = route.served
        if route is None:
            self._head(404, b"not found")
            self.wfile.write(b"not found")
            return
        if route.barrier is not None:
            try:
                route.barrier.wait()
            except threading.BrokenBarrierError:
                self._head(500, b"no company")
                self.wfile.write(b"no company")
                return
        body, status, start = route.body, route.status, 0
        if status == 200 and wanted and not route.ignore_range:
            match = re.fullmatch(r"bytes=(\d+)-", wanted)
            assert match, wanted
            start = int(match.group(1))
            if start >= len(body):
                self._head(416, b"", content_range=f"bytes */{len(body)}")
                return
            status = 206
        payload = body[start:]
        content_range = f"bytes {start}-{len(body) - 1}/{len(body)}" if status == 206 else None
        self._head(status, payload, content_range=content_range)
        try:
            if route.drop_after is not None and hit <= route.drops:
                self.wfile.write(payload[: route.drop_after])
                return  # HTTP/1.0: the connection closes, short of Content-Length
            if route.stall_after is not None:
                self.wfile.write(payload[: route.stall_after])
                self.wfile.flush()
                server.release.wait(30)
                return
            self.wfile.write(payload)
        except OSError:
            pass

    def _head(self, status: int, payload: bytes, *, content_range: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Accept-Ranges", "bytes")
        if content_range:
            self.send_header("Content-Range", content_range)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


class Site:
    """GDELT's and UCDP's file servers on 127.0.0.1."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, served: Served) -> str:
        self._server.routes[path] = served
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for seen, _, _ in self._server.requests if seen == path)

    def ranges(self, path: str) -> list[str | None]:
        return [wanted for seen, wanted, _ in self._server.requests if seen == path]

    def agents(self) -> set[str | None]:
        return {agent for _, _, agent in self._server.requests}


@pytest.fixture
def site() -> Iterator[Site]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Site(server)
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(min_interval=0, timeout=5.0, tries=2, backoff=0.01) as fetcher:
        yield fetcher


# -- GDELT files made here -------------------------------------------------------------


def event_row(
    event_id: int,
    *,
    sqldate: str = "20150218",
    actor1: str = "",
    country1: str = "",
    group1: str = "",
    actor2: str = "",
    country2: str = "",
    group2: str = "",
    columns: int = 61,
) -> bytes:
    """A GDELT event row (TAB-separated, no header) with the actor fields set."""
    row = [""] * columns
    row[0], row[1], row[2], row[3] = str(event_id), sqldate, sqldate[:6], sqldate[:4]
    row[5], row[7], row[8] = actor1, country1, group1
    row[15], row[17], row[18] = actor2, country2, group2
    row[26], row[27], row[28], row[29] = "1", "042", "042", "04"
    return "\t".join(row).encode("utf-8") + b"\n"


def zipped(member: str, rows: list[bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr(member, b"".join(rows))
    return out.getvalue()


def export_zip(name: str, rows: list[bytes] | None = None, *, stored: bool = False) -> bytes:
    rows = rows if rows is not None else [event_row(i, actor1="USAGOV", country1="USA") for i in range(3)]
    return zipped(name.removesuffix(".zip"), rows, stored=stored)


def bulky_zip(name: str, size: int = 120_000) -> bytes:
    """A stored (uncompressed) export zip of about ``size`` bytes, so that a test can cut it."""
    rng = random.Random(name)
    rows = [event_row(i, actor1="".join(rng.choice("ABCDEFGHIJ") for _ in range(200))) for i in range(size // 300)]
    return export_zip(name, rows, stored=True)


def md5(body: bytes) -> str:
    return hashlib.md5(body).hexdigest()


def publish(
    site: Site,
    files: dict[str, bytes],
    *,
    unlisted: tuple[str, ...] = (),
    unserved: tuple[str, ...] = (),
    wrong_md5: tuple[str, ...] = (),
    extra_lines: tuple[str, ...] = (),
) -> str:
    """Serve ``files`` under /gdeltv2/ and a master file list of them (naming GDELT's own
    host, as the real list does, with mentions and GKG lines beside each export); the
    base URL to fetch from."""
    lines = []
    for name, body in files.items():
        if name not in unlisted:
            listed_md5 = "0" * 32 if name in wrong_md5 else md5(body)
            lines.append(f"{len(body)} {listed_md5} {GDELT_HOST}{name}")
            stamp = name.split(".", 1)[0]
            lines.append(f"318084 bb27f78ba45f69a17ea6ed7755e9f8ff {GDELT_HOST}{stamp}.mentions.CSV.zip")
            lines.append(f"10768507 ea8dde0beb0ba98810a92db068c0ce99 {GDELT_HOST}{stamp}.gkg.csv.zip")
        if name not in unserved:
            site.add(f"/gdeltv2/{name}", Served(body))
    lines.extend(extra_lines)
    site.add("/gdeltv2/masterfilelist.txt", Served(("\n".join(lines) + "\n").encode()))
    return site.url("/gdeltv2/")


def day_files() -> dict[str, bytes]:
    return {name: export_zip(name) for name in [*SLOTS, NEXT]}


def check_sums(account: FetchAccount) -> None:
    parts = len(account.fetched) + len(account.already_present) + len(account.missing) + len(account.corrupt)
    assert parts == account.expected


# -- names, dates, codes ---------------------------------------------------------------


def test_file_names_for_a_range() -> None:
    assert gdelt_file_names(2, DAY, DAY) == SLOTS
    assert len(gdelt_file_names(2, dt.date(2016, 1, 1), dt.date(2016, 1, 2))) == 192
    assert gdelt_file_names(1, dt.date(1990, 5, 1), dt.date(1990, 5, 3)) == ["1990.zip"]
    assert gdelt_file_names(1, dt.date(2013, 3, 30), dt.date(2013, 4, 2)) == [
        "201303.zip", "20130401.export.CSV.zip", "20130402.export.CSV.zip",
    ]


@pytest.mark.parametrize(
    ("version", "start", "end", "words"),
    [
        (2, dt.date(2015, 2, 17), DAY, "version 1"),
        (1, dt.date(1978, 12, 31), dt.date(1979, 1, 2), "1979-01-01"),
        (2, dt.date(2016, 1, 2), dt.date(2016, 1, 1), "on or after the start"),
        (2, dt.date(2016, 1, 1), dt.date.today() + dt.timedelta(days=2), "today"),
        (3, DAY, DAY, "1 (GDELT 1.0) or 2"),
    ],
)
def test_a_range_gdelt_does_not_cover_is_refused(version: int, start: dt.date, end: dt.date, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        gdelt_file_names(version, start, end)
    assert caught.value.code == "E541" and words in str(caught.value)


def test_actor_codes_and_matching() -> None:
    assert parse_actor_codes("rus, AFG,,TAL,RUS") == ("RUS", "AFG", "TAL")
    assert parse_actor_codes(["RUSGOV"]) == ("RUSGOV",)
    for bad in ("RU", "RUS,AF G", "RUS;AFG", ""):
        with pytest.raises(ConfigError) as caught:
            parse_actor_codes(bad)
        assert caught.value.code == "E541"

    def fields(**actors: Any) -> list[bytes]:
        return event_row(1, **actors).rstrip(b"\n").split(b"\t")

    tal = [b"TAL"]
    assert row_involves(fields(actor1="AFGINSTAL", country1="AFG"), tal)  # on a 3-letter boundary
    assert not row_involves(fields(actor1="ITALEG", country1="ITA"), tal)  # "TAL" straddles ITA|LEG
    assert row_involves(fields(group2="TAL"), tal)  # the known-group code
    assert row_involves(fields(actor2=" RUSGOV", country2="RUS"), [b"RUSGOV"])  # GDELT's stray spaces
    assert not row_involves(fields(actor1="USAGOV", country1="USA", actor2="CHN"), [b"RUS", b"AFG"])


def test_the_download_folder_is_beside_the_store(tmp_path: Path) -> None:
    assert default_download_dir(tmp_path / "kabul.duckdb", "gdelt2") == tmp_path / "kabul.datasets" / "gdelt2"
    with pytest.raises(ConfigError):
        default_download_dir(":memory:", "gdelt2")


# -- the account -----------------------------------------------------------------------


def test_the_account_with_one_missing_and_one_corrupt_file(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    # 23:00 is fine; 23:15 is listed but not served (404); 23:30 does not match its
    # listed MD5; 23:45 is not in the list although the list goes on past it
    files = day_files()
    base = publish(site, files, unserved=(SLOTS[1],), wrong_md5=(SLOTS[2],), unlisted=(SLOTS[3],))
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)

    check_sums(account)
    assert account.expected == 4 and account.fetched == (SLOTS[0],) and account.already_present == ()
    assert not account.complete
    missing = {item.name: item.reason for item in account.missing}
    assert missing.keys() == {SLOTS[1], SLOTS[3]}
    assert missing[SLOTS[1]].startswith("HTTP 404")
    assert missing[SLOTS[3]].startswith("not in GDELT's file list")
    [corrupt] = account.corrupt
    assert corrupt.name == SLOTS[2] and corrupt.url == base + SLOTS[2]
    assert corrupt.expected_md5 == "0" * 32 and corrupt.got_md5 == md5(files[SLOTS[2]])
    assert corrupt.expected_size == corrupt.got_size == len(files[SLOTS[2]])
    assert "MD5" in corrupt.reason and "bytes" not in corrupt.reason
    # the corrupt file is kept aside, never under its own name (an importer would read it)
    assert corrupt.kept_as == tmp_path / (SLOTS[2] + ".corrupt") and corrupt.kept_as.is_file()
    assert sorted(p.name for p in tmp_path.glob("*.zip")) == [SLOTS[0]]
    assert account.files == (tmp_path / SLOTS[0],)
    assert account.bytes_downloaded == len(files[SLOTS[0]]) + len(files[SLOTS[2]])
    # files come from the base URL, whatever host the list names, with dyadwatch's user agent
    assert site.hits(f"/gdeltv2/{SLOTS[0]}") == 1 and site.agents() == {user_agent()}
    # the account is saved beside the files
    saved = json.loads((tmp_path / ACCOUNT_FILE).read_text())
    assert saved["expected"] == 4 and saved["complete"] is False
    assert [m["name"] for m in saved["missing"]] == [SLOTS[1], SLOTS[3]]
    assert saved["corrupt"][0]["got_md5"] == md5(files[SLOTS[2]])

    # a second run tries the missing and corrupt files again, and says which list it used
    again = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert again.already_present == (SLOTS[0],) and len(again.missing) == 2 and len(again.corrupt) == 1
    assert site.hits(f"/gdeltv2/{SLOTS[1]}") == 2 and site.hits(f"/gdeltv2/{SLOTS[2]}") == 2
    assert any("--refresh-list" in note for note in again.notes)


def test_slots_after_the_end_of_the_list_are_not_yet_published(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = {name: export_zip(name) for name in SLOTS[:3]}
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=publish(site, files), fetcher=fetcher)
    [missing] = account.missing
    assert missing.name == SLOTS[3]
    assert missing.reason == "not yet published: GDELT's file list ends at 2015-02-18 23:30"
    assert len(account.fetched) == 3


def test_a_complete_fetch_and_a_second_run_that_fetches_nothing(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    first = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert first.complete and first.fetched == tuple(SLOTS) and first.files == tuple(tmp_path / n for n in SLOTS)
    assert [(tmp_path / name).read_bytes() for name in SLOTS] == [files[name] for name in SLOTS]
    assert not list(tmp_path.glob("*.part"))

    second = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert second.complete and second.already_present == tuple(SLOTS) and second.fetched == ()
    assert second.bytes_downloaded == 0
    assert site.hits("/gdeltv2/masterfilelist.txt") == 1  # the saved list covers the range
    assert all(site.hits(f"/gdeltv2/{name}") == 1 for name in SLOTS)

    # a file damaged on disk is fetched again; --refresh-list fetches the list again
    (tmp_path / SLOTS[1]).write_bytes(b"damaged")
    third = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, refresh_list=True)
    assert third.fetched == (SLOTS[1],) and len(third.already_present) == 3
    assert (tmp_path / SLOTS[1]).read_bytes() == files[SLOTS[1]]
    assert site.hits("/gdeltv2/masterfilelist.txt") == 2


def test_a_saved_list_that_ends_before_the_range_is_fetched_again(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    early = {name: export_zip(name) for name in SLOTS[:2]}
    base = publish(site, early)
    assert len(fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher).missing) == 2
    publish(site, day_files())  # GDELT published the rest since
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and account.fetched == tuple(SLOTS[2:])
    assert site.hits("/gdeltv2/masterfilelist.txt") == 2


# -- resume ----------------------------------------------------------------------------


def test_a_connection_cut_mid_file_is_resumed_with_a_range_request(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = {name: bulky_zip(name) for name in SLOTS} | {NEXT: export_zip(NEXT)}
    base = publish(site, files)
    cut = 50_000
    site.add(f"/gdeltv2/{SLOTS[0]}", Served(files[SLOTS[0]], drop_after=cut))
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and SLOTS[0] in account.fetched
    assert site.ranges(f"/gdeltv2/{SLOTS[0]}") == [None, f"bytes={cut}-"]
    assert (tmp_path / SLOTS[0]).read_bytes() == files[SLOTS[0]]
    assert account.bytes_downloaded == sum(len(files[name]) for name in SLOTS)


def test_resume_after_an_interrupted_fetch(site: Site, tmp_path: Path) -> None:
    files = {name: bulky_zip(name) for name in SLOTS} | {NEXT: export_zip(NEXT)}
    base = publish(site, files)
    cut = 40_000
    site.add(f"/gdeltv2/{SLOTS[2]}", Served(files[SLOTS[2]], drop_after=cut))
    with Fetcher(min_interval=0, tries=1, timeout=5.0) as once:
        first = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=once)
    # the run ends with the file missing, its reason given, and the part kept
    [missing] = first.missing
    assert missing.name == SLOTS[2] and missing.reason.startswith("[E223] The connection failed after 1 tries")
    part = tmp_path / (SLOTS[2] + ".part")
    assert part.stat().st_size == cut and not (tmp_path / SLOTS[2]).exists()

    with Fetcher(min_interval=0, tries=1, timeout=5.0) as again:
        second = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=again)
    assert second.complete
    assert second.fetched == (SLOTS[2],) and len(second.already_present) == 3
    assert site.ranges(f"/gdeltv2/{SLOTS[2]}") == [None, f"bytes={cut}-"]
    assert second.bytes_downloaded == len(files[SLOTS[2]]) - cut
    assert (tmp_path / SLOTS[2]).read_bytes() == files[SLOTS[2]] and not part.exists()
    assert all(site.hits(f"/gdeltv2/{name}") == 1 for name in (SLOTS[0], SLOTS[1], SLOTS[3]))


@pytest.mark.slow
def test_resume_after_the_process_is_killed(site: Site, tmp_path: Path) -> None:
    files = {name: bulky_zip(name) for name in SLOTS} | {NEXT: export_zip(NEXT)}
    base = publish(site, files)
    sent = 30_000
    site.add(f"/gdeltv2/{SLOTS[1]}", Served(files[SLOTS[1]], stall_after=sent))
    script = textwrap.dedent(
        """
        import datetime as dt, sys
        from dyadwatch.datasets.fetch import fetch_gdelt
        from dyadwatch.library.fetch import Fetcher
        with Fetcher(min_interval=0, tries=1, timeout=60) as fetcher:
            fetch_gdelt(sys.argv[1], dt.date(2015, 2, 18), dt.date(2015, 2, 18),
                        base_url=sys.argv[2], workers=1, fetcher=fetcher)
        """
    )
    part = tmp_path / (SLOTS[1] + ".part")
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), base])
    try:
        deadline = time.monotonic() + 30
        while not (part.exists() and part.stat().st_size >= sent):
            assert process.poll() is None, "the fetch ended before it could be killed"
            assert time.monotonic() < deadline, "the stalled download never started"
            time.sleep(0.02)
        process.kill()
    finally:
        process.kill()
        process.wait(timeout=10)
    assert (tmp_path / SLOTS[0]).read_bytes() == files[SLOTS[0]]  # finished before the kill
    assert not (tmp_path / SLOTS[1]).exists() and part.stat().st_size == sent

    site.add(f"/gdeltv2/{SLOTS[1]}", Served(files[SLOTS[1]]))  # the server behaves again
    with Fetcher(min_interval=0, tries=1, timeout=5.0) as fetcher:
        account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and account.already_present == (SLOTS[0],)
    assert account.fetched == tuple(SLOTS[1:])
    assert site.ranges(f"/gdeltv2/{SLOTS[1]}")[-1] == f"bytes={sent}-"
    assert (tmp_path / SLOTS[1]).read_bytes() == files[SLOTS[1]]


def test_a_server_that_ignores_range_sends_the_whole_file(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    site.add(f"/gdeltv2/{SLOTS[0]}", Served(files[SLOTS[0]], ignore_range=True))
    (tmp_path / (SLOTS[0] + ".part")).write_bytes(files[SLOTS[0]][:100])
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and (tmp_path / SLOTS[0]).read_bytes() == files[SLOTS[0]]
    assert site.ranges(f"/gdeltv2/{SLOTS[0]}") == ["bytes=100-"]


def test_a_bad_partial_file_is_fetched_whole_again(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    (tmp_path / (SLOTS[0] + ".part")).write_bytes(b"x" * 100)  # not the file's first bytes
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and (tmp_path / SLOTS[0]).read_bytes() == files[SLOTS[0]]
    assert site.ranges(f"/gdeltv2/{SLOTS[0]}") == ["bytes=100-", None]


def test_a_whole_part_left_unchecked_is_not_fetched_again(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    (tmp_path / (SLOTS[0] + ".part")).write_bytes(files[SLOTS[0]])  # stopped between download and check
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and SLOTS[0] in account.fetched and site.hits(f"/gdeltv2/{SLOTS[0]}") == 0


def test_ctrl_c_stops_the_run_and_the_next_run_goes_on(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    base = publish(site, day_files())

    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, workers=1, progress=interrupt)
    done = sorted(p.name for p in tmp_path.glob("*.zip"))
    assert 1 <= len(done) < 4  # the files not started were cancelled
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert account.complete and account.already_present == tuple(done)


# -- parallel downloads ----------------------------------------------------------------


def test_downloads_run_in_parallel(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    # the first two files are only served once both are requested at the same time
    together = threading.Barrier(2, timeout=5)
    for name in SLOTS[:2]:
        site.add(f"/gdeltv2/{name}", Served(files[name], barrier=together))
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, workers=2)
    assert account.complete and not together.broken


@pytest.mark.parametrize("workers", [0, 17, 2.5])
def test_workers_are_bounded(tmp_path: Path, workers: int) -> None:
    with pytest.raises(ConfigError) as caught:
        fetch_gdelt(tmp_path, DAY, DAY, base_url="http://127.0.0.1:9/", workers=workers)
    assert caught.value.code == "E541" and "1 to 16" in str(caught.value)


# -- filtering -------------------------------------------------------------------------


def test_actor_filtering_keeps_the_rows_that_involve_the_actors(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    rows = [
        event_row(1, actor1="RUSGOV", country1="RUS", actor2="USA", country2="USA"),
        event_row(2, actor1="AFGINSTAL", country1="AFG"),
        event_row(3, actor1="ITALEG", country1="ITA"),  # TAL only across a code boundary
        event_row(4, actor2="", group2="TAL"),
        event_row(5, actor1="USAGOV", country1="USA", actor2="CHN", country2="CHN"),
        b"6\t20150218\ttoo\tfew\tfields\n",
    ]
    files = {name: export_zip(name, rows if name == SLOTS[0] else rows[4:5]) for name in [*SLOTS, NEXT]}
    base = publish(site, files)
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, actors="RUS,AFG,TAL")
    assert account.complete and account.actors == ("RUS", "AFG", "TAL")
    assert (account.rows_seen, account.rows_kept, account.rows_unreadable) == (6 + 3, 3, 1)
    first = tmp_path / "20150218230000.export.CSV.AFG-RUS-TAL.tsv"
    assert account.filtered_files[0] == first and len(account.filtered_files) == 4
    assert first.read_bytes() == rows[0] + rows[1] + rows[3]
    sidecar = json.loads(first.with_suffix(".json").read_text())
    assert sidecar["rows_kept"] == 3 and sidecar["source_md5"] == md5(files[SLOTS[0]])

    # a second run reuses the filtered files; other actors make other files
    before = first.stat().st_mtime_ns
    again = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, actors="TAL,AFG,RUS")
    assert (again.rows_seen, again.rows_kept) == (9, 3) and first.stat().st_mtime_ns == before
    other = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, actors="USA")
    assert other.rows_kept == 2 + 3 and (tmp_path / "20150218230000.export.CSV.USA.tsv").is_file()
    # without actors nothing is filtered and no rows are counted
    plain = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert plain.rows_kept is None and plain.filtered_files == ()


def test_filtering_real_gdelt_rows(site: Site, fetcher: Fetcher, tmp_path: Path, shared_data: Path) -> None:
    real = (shared_data / "gdelt-samples" / "eventsT.csv").read_bytes().splitlines(keepends=True)
    assert len(real) == 100
    files = {name: export_zip(name, real if name == SLOTS[0] else []) for name in [*SLOTS, NEXT]}
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=publish(site, files), fetcher=fetcher, actors="RUS")
    assert (account.rows_seen, account.rows_kept, account.rows_unreadable) == (100, 2, 0)
    kept = (tmp_path / "20150218230000.export.CSV.RUS.tsv").read_bytes().splitlines()
    assert [line.split(b"\t")[5] for line in kept] == [b"USAGOV", b"RUSGOV"]


def test_gdelt1_lists_backfiles_and_daily_files(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    backfile = zipped("201303.csv", [
        event_row(1, sqldate="20130330", actor1="AFG", country1="AFG", columns=57),  # before the range
        event_row(2, sqldate="20130331", actor1="AFGGOV", country1="AFG", columns=57),
        event_row(3, sqldate="20130331", actor1="USA", country1="USA", columns=57),
    ])
    daily = zipped("20130401.export.CSV", [event_row(4, sqldate="20130329", actor2="AFG", country2="AFG", columns=58)])
    later = zipped("20130403.export.CSV", [])
    served = {"201303.zip": backfile, "20130401.export.CSV.zip": daily, "20130403.export.CSV.zip": later}
    for name, body in served.items():
        site.add(f"/events/{name}", Served(body))
    md5sums = "".join(f"{md5(body)}  {name}\n" for name, body in served.items())
    sizes = "".join(f"{len(body)} {name}\n" for name, body in served.items())
    site.add("/events/md5sums", Served(("d41d8cd98f00b204e9800998ecf8427e  GDELT.MASTERREDUCEDV2.1979-2013.zip\n" + md5sums).encode()))
    site.add("/events/filesizes", Served(sizes.encode()))

    account = fetch_gdelt(
        tmp_path, dt.date(2013, 3, 31), dt.date(2013, 4, 2), version=1, base_url=site.url("/events"),
        fetcher=fetcher, actors="AFG",
    )
    check_sums(account)
    assert account.dataset == "gdelt1" and account.fetched == ("201303.zip", "20130401.export.CSV.zip")
    [missing] = account.missing
    assert missing.name == "20130402.export.CSV.zip" and missing.reason.startswith("not in GDELT's file list")
    # the monthly file keeps only the range's days; a daily file keeps events added that day
    assert (account.rows_seen, account.rows_kept) == (4, 2)
    assert (tmp_path / "201303.AFG.20130331-20130402.tsv").read_bytes().startswith(b"2\t20130331\t")
    assert (tmp_path / "20130401.export.CSV.AFG.tsv").read_bytes().startswith(b"4\t20130329\t")


# -- the file list ---------------------------------------------------------------------


def test_a_malformed_master_list_stops_with_the_line(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    files = day_files()
    base = publish(site, files)
    lines = [f"{len(files[n])} {md5(files[n])} {GDELT_HOST}{n}" for n in [*SLOTS, NEXT]]
    lines[2] = f"{len(files[SLOTS[2]])} 12ab {GDELT_HOST}{SLOTS[2]}"
    list_url = site.add("/gdeltv2/masterfilelist.txt", Served(("\n".join(lines) + "\n").encode()))
    with pytest.raises(DatasetError) as caught:
        fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    err = caught.value
    assert err.code == "E540" and err.where == list_url and err.values["line"] == 3
    assert "Line 3 of the file list is not 'SIZE MD5 URL'" in str(err) and "'12ab'" in str(err)
    assert "--on-error skip" in str(err)
    assert all(site.hits(f"/gdeltv2/{name}") == 0 for name in SLOTS)  # nothing fetched

    # with skip, the file that line names is missing, with the line as its reason
    account = fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, on_error="skip")
    [missing] = account.missing
    assert missing.name == SLOTS[2] and "line 3 of the file list" in missing.reason
    assert len(account.fetched) == 3


def test_malformed_lines_about_other_files_do_no_harm(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    base = publish(site, day_files(), extra_lines=(
        f"{GDELT_HOST}20150219000000.gkg.csv.zip",  # no size or MD5, but not a file we need
        f"123 nothex {GDELT_HOST}20160101000000.export.CSV.zip",  # outside the range
    ))
    assert fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher).complete


def test_a_list_that_is_not_a_list(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    base = site.url("/gdeltv2/")
    site.add("/gdeltv2/masterfilelist.txt", Served(b"<!DOCTYPE html>\n<html><body>Moved</body></html>\n"))
    with pytest.raises(DatasetError) as caught:
        fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher)
    assert caught.value.code == "E540" and caught.value.values["line"] == 1
    site.add("/gdeltv2/masterfilelist.txt", Served(b"\n"))
    with pytest.raises(DatasetError) as empty:
        fetch_gdelt(tmp_path, DAY, DAY, base_url=base, fetcher=fetcher, refresh_list=True)
    assert empty.value.code == "E544"


def test_a_list_that_cannot_be_fetched(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_gdelt(tmp_path, DAY, DAY, base_url=site.url("/nothing/"), fetcher=fetcher)
    assert caught.value.code == "E542" and "HTTP 404" in str(caught.value)
    assert caught.value.where == site.url("/nothing/masterfilelist.txt")


def test_list_parsers() -> None:
    listing = parse_master_list(
        [f"10 {'a' * 32} {GDELT_HOST}{SLOTS[0]}", "", f"10 {'a' * 32} {GDELT_HOST}{SLOTS[0]}", f"11 {'b' * 32} {GDELT_HOST}{SLOTS[0]}"],
        where="list",
    )
    assert listing.files[SLOTS[0]].line == 1
    [bad] = listing.bad_lines  # listed again, differently
    assert bad.line == 4 and "also on line 1" in bad.detail
    gdelt1 = parse_gdelt1_lists([f"{'c' * 32}  1990.zip", "garbage"], ["5 1990.zip", "6 2005.zip"])
    assert gdelt1.files["1990.zip"].md5 == "c" * 32 and gdelt1.files["2005.zip"].md5 is None
    assert gdelt1.newest == dt.datetime(2005, 1, 1) and [b.line for b in gdelt1.bad_lines] == [2]


# -- UCDP GED --------------------------------------------------------------------------

GED_HEADER = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,"
    "dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,"
    "number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,"
    "where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,"
    "region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,"
    "high,low,gwnoa,gwnob"
)
GED_COLUMNS = GED_HEADER.split(",")


def ged_csv(rows: int = 3, *, columns: list[str] = GED_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for i in range(rows):
        values = [f"{name}-{i}" for name in columns]
        values[columns.index("source_article") if "source_article" in columns else 0] = "Reuters,\n2021-08-15"  # quoted, multi-line
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def ged_zip(csv_bytes: bytes, member: str = "GEDEvent_v23_1.csv", *, stored: bool = False) -> bytes:
    return zipped(member, [csv_bytes], stored=stored)


def test_ucdp_release_is_fetched_checked_and_recorded(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    body = ged_zip(ged_csv(3))
    site.add("/ged/ged231-csv.zip", Served(body))
    account = fetch_ucdp(tmp_path, version="23.1", base_url=site.url("/ged"), fetcher=fetcher)
    assert account.complete and account.dataset == "ucdp" and account.expected == 1
    assert account.fetched == ("ged231-csv.zip",) and account.rows_seen == 3
    assert account.files == (tmp_path / "ged231-csv.zip",) and account.bytes_downloaded == len(body)
    record = json.loads((tmp_path / "ged231-csv.zip.json").read_text())
    assert record["size"] == len(body) and record["sha256"] == hashlib.sha256(body).hexdigest()
    assert (record["version"], record["csv"], record["columns"], record["rows"]) == ("23.1", "GEDEvent_v23_1.csv", 49, 3)

    again = fetch_ucdp(tmp_path, version="23.1", base_url=site.url("/ged"), fetcher=fetcher)
    assert again.already_present == ("ged231-csv.zip",) and again.rows_seen == 3
    assert site.hits("/ged/ged231-csv.zip") == 1


def test_ucdp_real_sample(site: Site, fetcher: Fetcher, tmp_path: Path, shared_data: Path) -> None:
    sample = (shared_data / "ucdp-ged" / "ucdpged_sample_1000_v23.csv").read_bytes()
    site.add("/ged/ged231-csv.zip", Served(ged_zip(sample)))
    account = fetch_ucdp(tmp_path, base_url=site.url("/ged"), fetcher=fetcher)
    assert account.complete and account.rows_seen == 1000


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>maintenance</html>", "not a readable zip"),
        (ged_zip(ged_csv(2, columns=GED_COLUMNS[:48])), "48 columns instead of the GED's 49"),
        (ged_zip(ged_csv(2)[:-40]), "record 2 of GEDEvent_v23_1.csv has"),
        (zipped("notes.txt", [b"hello"]), "0 CSV files instead of 1"),
        (ged_zip(ged_csv(2), stored=True).replace(b"region-1", b"regioN-1"), "Bad CRC-32"),  # damaged in transit
    ],
)
def test_ucdp_bad_release_is_corrupt(site: Site, fetcher: Fetcher, tmp_path: Path, body: bytes, words: str) -> None:
    site.add("/ged/ged231-csv.zip", Served(body))
    account = fetch_ucdp(tmp_path, base_url=site.url("/ged"), fetcher=fetcher)
    [corrupt] = account.corrupt
    assert words in corrupt.reason and corrupt.kept_as == tmp_path / "ged231-csv.zip.corrupt"
    assert not (tmp_path / "ged231-csv.zip").exists() and not (tmp_path / "ged231-csv.zip.json").exists()
    assert not account.complete and account.files == ()


def test_ucdp_file_without_its_record_or_damaged(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    body = ged_zip(ged_csv(3))
    site.add("/ged/ged231-csv.zip", Served(body))
    (tmp_path / "ged231-csv.zip").write_bytes(body)  # a run stopped before writing the record
    account = fetch_ucdp(tmp_path, base_url=site.url("/ged"), fetcher=fetcher)
    assert account.already_present == ("ged231-csv.zip",) and site.hits("/ged/ged231-csv.zip") == 0
    assert json.loads((tmp_path / "ged231-csv.zip.json").read_text())["rows"] == 3

    (tmp_path / "ged231-csv.zip").write_bytes(body[:-10])  # changed since its record was written
    again = fetch_ucdp(tmp_path, base_url=site.url("/ged"), fetcher=fetcher)
    assert again.fetched == ("ged231-csv.zip",) and (tmp_path / "ged231-csv.zip").read_bytes() == body


def test_ucdp_missing_and_resumed(site: Site, fetcher: Fetcher, tmp_path: Path) -> None:
    missing = fetch_ucdp(tmp_path, version="24.1", base_url=site.url("/ged"), fetcher=fetcher)
    [item] = missing.missing
    assert item.name == "ged241-csv.zip" and item.reason.startswith("HTTP 404")

    body = ged_zip(ged_csv(400))
    site.add("/ged/ged241-csv.zip", Served(body, drop_after=len(body) // 2))
    account = fetch_ucdp(tmp_path, version="24.1", base_url=site.url("/ged"), fetcher=fetcher)
    assert account.complete and account.rows_seen == 400
    assert site.ranges("/ged/ged241-csv.zip")[-2:] == [None, f"bytes={len(body) // 2}-"]
    with pytest.raises(ConfigError):
        fetch_ucdp(tmp_path, version="23", fetcher=fetcher)


# -- the command line ------------------------------------------------------------------

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a second command, so that "fetch" stays a group
    fetch_cli.register(app)
    return app


def test_cli_gdelt_account_and_exit_codes(site: Site, tmp_path: Path) -> None:
    base = publish(site, day_files(), unserved=(SLOTS[1],), wrong_md5=(SLOTS[2],), unlisted=(SLOTS[3],))
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--base-url", base, "--dest", str(tmp_path)]
    result = runner.invoke(cli(), args)
    assert result.exit_code == fetch_cli.EXIT_INCOMPLETE, result.output
    out = result.output
    for words in ("files expected", "fetched", "already present", "missing", "corrupt", "HTTP 404",
                  "not in GDELT's file list", "MD5", SLOTS[1], SLOTS[2], SLOTS[3], "--allow-missing"):
        assert words in out, words
    assert re.search(r"files expected\s*│?\s*4", out)

    allowed = runner.invoke(cli(), [*args, "--allow-missing", "--actors", "RUS"])
    assert allowed.exit_code == 0, allowed.output
    assert "rows kept" in allowed.output and "allowed by --allow-missing" in allowed.output


def test_cli_gdelt_complete_into_the_folder_beside_the_store(site: Site, tmp_path: Path) -> None:
    base = publish(site, day_files())
    store = tmp_path / "kabul.duckdb"
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--base-url", base, "--store", str(store), "--workers", "2"]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "kabul.datasets" / "gdelt2").glob("*.zip")) == SLOTS
    bad = runner.invoke(cli(), [*args, "--on-error", "sometimes"])
    assert bad.exit_code == 2


def test_cli_ucdp(site: Site, tmp_path: Path) -> None:
    site.add("/ged/ged231-csv.zip", Served(ged_zip(ged_csv(3))))
    result = runner.invoke(cli(), ["fetch", "ucdp", "--base-url", site.url("/ged"), "--dest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "UCDP GED 23.1" in result.output and "SHA-256" in result.output
    missing = runner.invoke(cli(), ["fetch", "ucdp", "--version", "24.1", "--base-url", site.url("/ged"), "--dest", str(tmp_path)])
    assert missing.exit_code == fetch_cli.EXIT_INCOMPLETE and "HTTP 404" in missing.output


def test_cli_ctrl_c_says_how_to_resume(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_cli, "fetch_gdelt", interrupted)
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--dest", str(tmp_path)]
    result = runner.invoke(cli(), args)
    assert result.exit_code == fetch_cli.EXIT_INTERRUPTED
    assert "re-run the same command to resume" in " ".join(result.output.split())


def test_cli_import_hook(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    datasets = importlib.import_module("dyadwatch.datasets")
    base = publish(site, day_files(), unserved=(SLOTS[1],))
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--base-url", base,
            "--dest", str(tmp_path), "--store", str(tmp_path / "s.duckdb"), "--import"]
    if getattr(datasets, "import_files", None) is None:  # until the importer lands: a clear refusal, before fetching
        refused = runner.invoke(cli(), args)
        assert refused.exit_code == 2 and "dyadwatch import" in " ".join(refused.output.split())
        assert site.hits("/gdeltv2/masterfilelist.txt") == 0
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(datasets, "import_files", lambda *call: calls.append(call), raising=False)
    incomplete = runner.invoke(cli(), args)
    assert incomplete.exit_code == fetch_cli.EXIT_INCOMPLETE and "Nothing was imported" in incomplete.output
    assert calls == []
    allowed = runner.invoke(cli(), [*args, "--allow-missing", "--actors", "USA"])
    assert allowed.exit_code == 0, allowed.output
    [(store, dataset, paths)] = calls
    assert store == str(tmp_path / "s.duckdb") and dataset == "gdelt2"
    assert [Path(p).name for p in paths] == [n.replace(".zip", ".USA.tsv") for n in SLOTS if n != SLOTS[1]]


def test_cli_fetch_filter_and_import_into_the_store(site: Site, tmp_path: Path) -> None:
    """fetch --actors --import end to end: the kept rows of the verified files, and only those,
    become events in a real store; an incomplete fetch imports nothing; a second run adds nothing."""
    from dyadwatch.store import Store
    from dyadwatch.store.parquet import register_partitions
    from tests.datasets.rows import gdelt2_row

    def lines(ids: range, **fields: str) -> list[bytes]:
        return [(gdelt2_row(i, **fields) + "\n").encode() for i in ids]

    files = {}
    for n, name in enumerate([*SLOTS, NEXT]):
        rows = lines(range(100 * n + 1, 100 * n + 4))  # Russia and Afghanistan
        rows += lines(range(100 * n + 50, 100 * n + 52), Actor1Code="USA", Actor1Name="UNITED STATES",
                      Actor1CountryCode="USA", Actor2Code="CHN", Actor2Name="CHINA", Actor2CountryCode="CHN")
        files[name] = export_zip(name, rows)
    base = publish(site, files, unserved=(SLOTS[3],))
    store = tmp_path / "study.duckdb"
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--base-url", base,
            "--dest", str(tmp_path / "gdelt2"), "--store", str(store), "--actors", "RUS", "--import"]

    def stored() -> dict[str, int]:
        if not store.exists():
            return {}
        with Store(store, read_only=True) as opened:
            register_partitions(opened)
            return dict(opened.con.execute(
                "SELECT source_country || '-' || target_country, count(*) FROM all_events GROUP BY 1").fetchall())

    incomplete = runner.invoke(cli(), args)
    assert incomplete.exit_code == fetch_cli.EXIT_INCOMPLETE and stored() == {}
    allowed = runner.invoke(cli(), [*args, "--allow-missing"])
    assert allowed.exit_code == 0, allowed.output
    assert "9 gdelt2 events added" in " ".join(allowed.output.split())
    assert stored() == {"RUS-AFG": 9}
    again = runner.invoke(cli(), [*args, "--allow-missing"])
    assert again.exit_code == 0 and "0 gdelt2 events added" in " ".join(again.output.split())
    assert stored() == {"RUS-AFG": 9}


def test_importing_a_download_folder_reads_the_filtered_rows_once(site: Site, tmp_path: Path) -> None:
    """The README's two steps, fetch with --actors then import the download folder: the folder
    stands for the rows kept (the zips beside them are passed over, or their rows would be stored
    twice); a second filtered copy of the same zips makes the folder ambiguous (E550)."""
    from dyadwatch.datasets import import_dataset
    from dyadwatch.store import Store
    from dyadwatch.store.parquet import register_partitions
    from tests.datasets.rows import gdelt2_row

    files = {}
    for n, name in enumerate(SLOTS):
        rows = [(gdelt2_row(i) + "\n").encode() for i in range(100 * n + 1, 100 * n + 4)]  # Russia and Afghanistan
        rows += [(gdelt2_row(i, Actor1Code="USA", Actor1Name="UNITED STATES", Actor1CountryCode="USA") + "\n").encode()
                 for i in range(100 * n + 50, 100 * n + 52)]  # the United States and Afghanistan
        files[name] = export_zip(name, rows)
    base = publish(site, files)
    dest = tmp_path / "gdelt2"
    args = ["fetch", "gdelt", "--start", "2015-02-18", "--end", "2015-02-18", "--base-url", base, "--dest", str(dest)]
    assert runner.invoke(cli(), [*args, "--actors", "RUS"]).exit_code == 0
    assert len(list(dest.glob("*.zip"))) == 4 and len(list(dest.glob("*.tsv"))) == 4

    with Store(tmp_path / "study.duckdb") as store:
        report = import_dataset(store, "gdelt2", [str(dest)], storage="parquet")
        register_partitions(store)
        stored = store.con.execute("SELECT count(*), count(DISTINCT origin_id) FROM all_events").fetchall()[0]
    assert report.files == 4 and stored == (12, 12)  # the kept rows, each once; no USA-AFG row

    assert runner.invoke(cli(), [*args, "--actors", "USA"]).exit_code == 0  # a second filtered copy
    with Store(tmp_path / "other.duckdb") as store, pytest.raises(DatasetError) as caught:
        import_dataset(store, "gdelt2", [str(dest)], storage="parquet")
    assert caught.value.code == "E550" and SLOTS[0] in str(caught.value)
