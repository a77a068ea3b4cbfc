"""Fixtures for the actor tests: the packaged dictionary (loaded once, cached in a temporary
folder so that tests never write to the user's cache) and a writer for small TOML files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dyadwatch.actors import ActorDictionary, Resolver


@pytest.fixture(scope="session")
def actors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActorDictionary]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DYADWATCH_CACHE_DIR", str(tmp_path_factory.mktemp("actor-cache")))
        yield ActorDictionary.load()


@pytest.fixture(scope="session")
def resolver(actors: ActorDictionary) -> Resolver:
    return actors.resolver()


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dictionary file in a temporary folder and return its path."""

    def write(text: str, name: str = "mine.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
