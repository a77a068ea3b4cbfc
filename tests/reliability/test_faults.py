"""Faults from outside: a full disk, a read-only store folder, a store locked by another
writer, a network that drops in the middle of a fetch. Each gives a clear, coded error that
says what to do, and leaves the store as it was (same check verdict, same ids, each once);
once the fault is gone, the same command completes."""

from __future__ import annotations

import json
import os
import pwd
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dyadwatch as dyadwatch_api
from tests.conftest import PROJECT_ROOT
from tests.reliability._cli import (
    assert_clear_error,
    dyadwatch,
    output,
    remount,
    small_filesystem,
    state,
)
from tests.reliability.crash import file_server, ucdp_zip

LIBRARY = PROJECT_ROOT / "tests" / "library" / "data"
EXAMPLES = PROJECT_ROOT / "examples" / "russia-afghanistan" / "library"
POLECAT = PROJECT_ROOT / "tests" / "datasets" / "data" / "polecat_sample.tsv"


def big_source(path: Path, documents: int = 300) -> Path:
    """A JSONL file of ~2 MB of distinct reports (language stated, so that no language model
    is unpacked: the only large writes are the store's)."""
    rng = random.Random(7)
    words = ["Moscow", "Kabul", "envoys", "met", "talks", "security", "border", "trade", "aid", "Taliban", "ministers", "signed", "agreement", "on", "cooperation", "in", "energy", "and", "transport"]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(documents):
            sentences = (" ".join(rng.choice(words) for _ in range(15)).capitalize() + "." for _ in range(60))
            record = {"text": f"Report {number}. " + " ".join(sentences), "title": f"Report {number}",
                      "date": "2021-10-20", "language": "en"}
            handle.write(json.dumps(record) + "\n")
    return path


def seed_store(folder: Path) -> Path:
    """A store holding the project's library files (ingested in this process: quicker)."""
    store = folder / "lib.duckdb"
    with dyadwatch_api.open(store) as lib:
        lib.ingest(str(LIBRARY), on_error="skip")
    return store


# -- a full disk ---------------------------------------------------------------------------------


def test_full_disk_refuses_the_batch_and_keeps_the_store(tmp_path: Path) -> None:
    """The store's disk fills during an ingest: [E104] naming the free disk space; the store
    is unchanged; with space again, the same ingest stores everything.

    A 3.4 MB tmpfs holds the store where mounting is allowed (a real ENOSPC); elsewhere a file
    size limit (RLIMIT_FSIZE) stops the store's files from growing (EFBIG)."""
    source = big_source(tmp_path / "big.jsonl")
    disk = tmp_path / "disk"
    with small_filesystem(disk, 3400) as mounted:
        store = seed_store(disk)
        before = state(store)
        limit = None
        if not mounted:
            size = store.stat().st_size + 20_000

            def limit() -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        result = dyadwatch("ingest", str(source), "--store", str(store), cwd=tmp_path, preexec_fn=limit)
        assert_clear_error(result, "free disk space", code="E104")
        assert state(store) == before
        if mounted:
            assert remount(disk, "size=64m")
        again = dyadwatch("ingest", str(source), "--store", str(store), cwd=tmp_path)
        assert again.returncode == 0, output(again)
        ok, counts, _ = state(store)
        assert ok and counts["documents"] == before[1]["documents"] + 300


# -- a read-only folder ----------------------------------------------------------------------------


WRITERS = [["ingest", str(EXAMPLES)], ["code"], ["import", "polecat", str(POLECAT)], ["backup", "{tmp}/backup"]]


def test_read_only_store_folder_gives_a_clear_error(tmp_path: Path) -> None:
    """The store sits on a read-only file system (a tmpfs remounted read-only, as root) or in a
    folder the command may not write (run as 'nobody'): each writing command says so, reading
    ones still work, and nothing changes."""
    disk = tmp_path / "disk"
    with small_filesystem(disk, 16_384) as mounted:
        store = seed_store(disk)
        before = state(store)
        preexec = None
        env: dict[str, str] = {}
        if mounted:
            assert remount(disk, "ro")
        else:
            preexec, env = _as_nobody(disk, store, tmp_path)
        for argv in WRITERS:
            args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
            result = dyadwatch(*args, "--store", str(store), cwd=tmp_path, preexec_fn=preexec, env=env)
            assert_clear_error(result, "permissions", code="E104")
        # reading still works on a read-only store
        assert dyadwatch("check", "--store", str(store), cwd=tmp_path, preexec_fn=preexec, env=env).returncode == 0
        if mounted:
            assert remount(disk, "rw")
        assert state(store) == before
        assert not (tmp_path / "backup").exists()


def _as_nobody(disk: Path, store: Path, tmp_path: Path) -> tuple[object, dict[str, str]]:
    """Without mounts: drop to 'nobody' (root ignores file modes), or skip saying why."""
    if os.geteuid() != 0:
        disk.chmod(0o555)
        return None, {}
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("cannot make a read-only folder: no tmpfs mount allowed and no 'nobody' user to drop to")
    probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_drop(nobody), capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only folder: no tmpfs mount allowed, and 'nobody' cannot run this Python")
    home = tmp_path / "home"
    home.mkdir(mode=0o777)
    for folder in (tmp_path, disk):
        folder.chmod(0o755)
    store.chmod(0o644)
    disk.chmod(0o555)
    return _drop(nobody), {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def _drop(user: pwd.struct_passwd) -> object:
    def drop() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


# -- a store locked by another writer ----------------------------------------------------------------


_HOLDER = (
    "import sys, time\n"
    "from dyadwatch.store import Store\n"
    "store = Store(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"
)


def test_store_locked_by_another_writer_gives_a_clear_error(tmp_path: Path) -> None:
    """Another process holds the store open for writing: every command, writing or checking,
    is refused with [E103] saying to wait; the store is unchanged once the other lets go."""
    store = seed_store(tmp_path)
    before = state(store)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for argv in [*WRITERS, ["check"]]:
            args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
            result = dyadwatch(*args, "--store", str(store), cwd=tmp_path)
            assert_clear_error(result, "wait for the other dyadwatch command to finish", code="E103")
    finally:
        holder.communicate("", timeout=60)
    assert state(store) == before
    assert not (tmp_path / "backup").exists()


# -- a network that drops ------------------------------------------------------------------------------


def test_dropped_connection_during_fetch_imports_nothing_then_resumes(tmp_path: Path, shared_data: Path) -> None:
    """The server cuts the download short on every try: the account lists the file as missing
    with the reason, exit 3, nothing imported; with the network back, the fetch completes and
    imports every event once."""
    body = ucdp_zip((shared_data / "ucdp-ged" / "ucdpged_sample_1000_v23.csv").read_bytes())
    store = seed_store(tmp_path)
    before = state(store)
    with file_server({"/ged/ged231-csv.zip": body}) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/ged"
        argv = ["fetch", "ucdp", "--base-url", url, "--dest", str(tmp_path / "downloads"), "--store", str(store),
                "--import"]
        server.drop_after = len(body) // 3
        result = dyadwatch(*argv, cwd=tmp_path)
        text = output(result)
        assert result.returncode == 3, text
        assert "Traceback" not in text
        assert "connection failed" in text.lower() and "Nothing was imported" in text
        assert state(store) == before
        server.drop_after = None
        again = dyadwatch(*argv, cwd=tmp_path)
        assert again.returncode == 0, output(again)
    ok, counts, content = state(store)
    assert ok and counts["documents"] == before[1]["documents"]
    assert counts["events"] + counts["dataset_events"] == 1000
    assert all(n == 1 for n in content.events.values())


def test_dropped_connection_during_ingest_of_an_address(tmp_path: Path) -> None:
    page = (b"<html><head><title>Talks</title></head><body><article>"
            + b"<p>On 15 August 2021 the ministers met in Moscow to discuss Afghanistan.</p>" * 200
            + b"</article></body></html>")
    store = seed_store(tmp_path)
    before = state(store)
    with file_server({"/talks.html": page}) as server:
        server.drop_after = 4000
        url = f"http://127.0.0.1:{server.server_address[1]}/talks.html"
        started = time.monotonic()
        result = dyadwatch("ingest", url, "--store", str(store), "--rate-limit", "0", cwd=tmp_path)
        assert_clear_error(result, "check the address and the network", code="E223")
        assert time.monotonic() - started < 300
        assert state(store) == before
        server.drop_after = None
        again = dyadwatch("ingest", url, "--store", str(store), "--rate-limit", "0", cwd=tmp_path)
        assert again.returncode == 0, output(again)
    assert state(store)[1]["documents"] == before[1]["documents"] + 1
