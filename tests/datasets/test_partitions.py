"""The Parquet partitions beside the store (store/parquet.py): staging, commit, cleanup."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

from dyadwatch.errors import StoreError
from dyadwatch.store import Store
from dyadwatch.store.parquet import (
    MANIFEST,
    PartitionSet,
    PartWriter,
    arrow_schema,
    register_partitions,
)


def _rows(source: str, days: list[dt.date], start: int = 0) -> pa.Table:
    n = len(days)
    columns = {f.name: pa.nulls(n, f.type) for f in arrow_schema()}
    columns.update({
        "event_id": pa.array([f"{source}-{start + i}" for i in range(n)], pa.string()),
        "origin": pa.array(["gdelt2"] * n, pa.string()),
        "date": pa.array(days, pa.date32()),
        "source_file": pa.array([source] * n, pa.string()),
        "negated": pa.array([False] * n, pa.bool_()),
    })
    return pa.table(columns, schema=arrow_schema())


def _stage(partitions: PartitionSet, source: str, days: list[dt.date]) -> dict[str, list[object]]:
    writer = PartWriter(partitions.staging() / "f")
    writer.write(_rows(source, days))
    return {source: writer.finish()}  # type: ignore[dict-item]


def test_commit_names_parts_in_the_manifest(tmp_path: Path) -> None:
    partitions = PartitionSet(tmp_path)
    staged = _stage(partitions, "/data/a.CSV", [dt.date(2021, 10, 1), dt.date(2021, 10, 2), dt.date(2021, 9, 30)])
    partitions.commit("b1", staged, {"/data/a.CSV": {"fingerprint": "x"}})  # type: ignore[arg-type]
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert sorted(manifest["parts"]) == ["gdelt2/year=2021/month=10/part-b1.parquet", "gdelt2/year=2021/month=9/part-b1.parquet"]
    assert manifest["sources"]["/data/a.CSV"]["fingerprint"] == "x"
    assert len(manifest["sources"]["/data/a.CSV"]["parts"]) == 2


def test_orphans_of_a_crash_are_invisible_and_removed(tmp_path: Path) -> None:
    partitions = PartitionSet(tmp_path)
    staged = _stage(partitions, "/data/a.CSV", [dt.date(2021, 10, 1)])
    partitions.commit("b1", staged, {"/data/a.CSV": {}})  # type: ignore[arg-type]
    # a crash after a part file was moved into place but before the manifest named it
    orphan = tmp_path / "gdelt2" / "year=2021" / "month=10" / "part-crashed.parquet"
    orphan.write_bytes(b"half a file")
    (tmp_path / ".staging" / "leftover").mkdir(parents=True)
    assert PartitionSet(tmp_path).cleanup() == 1
    assert not orphan.exists() and not (tmp_path / ".staging").exists()


def test_forget_rewrites_shared_parts(tmp_path: Path) -> None:
    partitions = PartitionSet(tmp_path)
    first = _stage(partitions, "/data/a.CSV", [dt.date(2021, 10, 1)] * 3)
    second = _stage(partitions, "/data/b.CSV", [dt.date(2021, 10, 2)] * 2)
    partitions.commit("b1", {**first, **second}, {"/data/a.CSV": {}, "/data/b.CSV": {}})  # type: ignore[arg-type]
    assert list(partitions.manifest.parts.values())[0]["rows"] == 5
    partitions.forget(["/data/a.CSV"])
    (info,) = partitions.manifest.parts.values()
    assert info == {"rows": 2, "sources": ["/data/b.CSV"]}
    assert sorted(p.name for p in tmp_path.rglob("*.parquet")) == [next(iter(partitions.manifest.parts)).rsplit("/", 1)[1]]


def test_views_read_only_the_named_parts(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    folder = Path(store.path + ".partitions")
    folder.mkdir()
    partitions = PartitionSet(folder)
    staged = _stage(partitions, "/data/a.CSV", [dt.date(2021, 10, 1)] * 4)
    partitions.commit("b1", staged, {"/data/a.CSV": {}})  # type: ignore[arg-type]
    (folder / "gdelt2" / "year=2021" / "month=10" / "part-orphan.parquet").write_bytes(b"junk")
    register_partitions(store)
    assert store.con.execute("SELECT count(*), min(year), min(month) FROM dataset_events").fetchall() == [(4, 2021, 10)]
    assert store.con.execute("SELECT count(*) FROM all_events").fetchall() == [(4,)]
    store.close()


def test_a_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(StoreError) as caught:
        PartitionSet(tmp_path)
    assert caught.value.code == "E519" and str(tmp_path) in str(caught.value)


def test_a_broken_manifest_does_not_lock_the_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(tmp_path / "s.duckdb")
    folder = Path(store.path + ".partitions")
    folder.mkdir()
    (folder / MANIFEST).write_text("{not json")
    register_partitions(store)  # as on opening: a warning, and the table alone
    assert "E519" in caplog.text
    assert store.con.execute("SELECT count(*) FROM all_events").fetchall() == [(0,)]
    with pytest.raises(StoreError):
        register_partitions(store, strict=True)
    store.close()
