"""Running the real CLI in a subprocess, and what a fault test asserts about its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dyadwatch.store.maintenance import check
from tests.reliability.crash import Content

CODE = re.compile(r"\[E\d{3}\]")


def dyadwatch(*argv: str, cwd: Path, preexec_fn: Callable[[], None] | None = None,
              env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``dyadwatch ARGV`` as a user runs it (a wide terminal, so messages are not wrapped)."""
    environment = {k: v for k, v in os.environ.items() if k != "DYADWATCH_STORE"}
    environment["COLUMNS"] = "400"
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "dyadwatch.cli.main", *argv], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn, check=False)


def output(result: subprocess.CompletedProcess[str]) -> str:
    """stdout and stderr, whitespace folded (rich wraps long lines)."""
    return " ".join((result.stdout + "\n" + result.stderr).split())


def assert_clear_error(result: subprocess.CompletedProcess[str], *words: str, code: str | None = None) -> str:
    """The command failed with a coded message that says what to do, and no stack trace."""
    text = output(result)
    assert result.returncode != 0, text
    assert "Traceback" not in text, text
    found = CODE.search(text)
    assert found is not None, text
    if code is not None:
        assert f"[{code}]" in text, text
    for word in words:
        assert word.lower() in text.lower(), (word, text)
    return text


def state(store: Path) -> tuple[bool, dict[str, int], Content]:
    """What a fault must not change: the check's verdict, its counts, every id stored."""
    report = check(store)
    counts = {k: v for k, v in report.counts.items() if k != "runs"}  # a refused run may log itself
    return report.ok, counts, Content.read(store)


@contextmanager
def small_filesystem(folder: Path, size_kb: int) -> Iterator[bool]:
    """A tmpfs of ``size_kb`` mounted on ``folder`` (root only); yields False when mounting
    is not allowed here, so the caller can fall back or skip."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                            capture_output=True, text=True, check=False) if os.geteuid() == 0 else None
    mounted = result is not None and result.returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def remount(folder: Path, options: str) -> bool:
    result = subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], capture_output=True, check=False)
    return result.returncode == 0
