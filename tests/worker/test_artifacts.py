"""The artifact store backends, and the engine cache as a working copy of one (no services needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowza.artifacts.datasets import dataset_names
from flowza.artifacts.store import MANIFEST, DirectoryStore, FsspecStore, open_store
from flowza.demo import iris
from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
from tests.worker.conftest import small_workflow

KEY = "ab" + "0" * 62


def entry(tmp_path: Path) -> Path:
    source = tmp_path / "entry"
    (source / "table").mkdir(parents=True, exist_ok=True)
    (source / "table" / "part-0.parquet").write_bytes(b"PAR1 data")
    (source / "model.skops").write_bytes(b"model")
    (source / MANIFEST).write_text('{"key": "k", "outputs": {}}')
    return source


@pytest.mark.parametrize("kind", ["directory", "fsspec"])
def test_publish_then_fetch_whole_entries(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "store"
    store = DirectoryStore(root) if kind == "directory" else FsspecStore(root.as_uri())
    assert not store.has(KEY) and not store.fetch(KEY, tmp_path / "nothing")
    store.publish(KEY, entry(tmp_path))
    assert store.has(KEY)
    assert (root / "entries" / "ab" / KEY / "table" / "part-0.parquet").read_bytes() == b"PAR1 data"
    store.publish(KEY, entry(tmp_path))  # publishing again is a no-op
    dest = tmp_path / "copy"
    assert store.fetch(KEY, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        MANIFEST,
        "model.skops",
        "table/part-0.parquet",
    ]


def test_open_store_by_url(tmp_path: Path) -> None:
    assert open_store(None) is None and open_store("") is None
    assert isinstance(open_store(str(tmp_path / "dir")), DirectoryStore)
    assert isinstance(open_store((tmp_path / "f").as_uri()), FsspecStore)
    with pytest.raises(ValueError, match="FLOWZA_ARTIFACTS_URL=s3://"):
        open_store("s3://bucket/prefix")  # s3fs is not installed here: a clear message, not a stack trace


def test_a_second_cache_reuses_every_output_through_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    iris().to_csv(data / "iris.csv", index=False)
    store = FsspecStore((tmp_path / "store").as_uri())

    def run(cache_dir: str) -> dict[str, str]:
        cache = Cache(tmp_path / cache_dir, remote=store)
        try:
            result = run_workflow(small_workflow(), RunOptions(data_dir=data, cache=cache, output_dir=tmp_path / "o"))
        finally:
            cache.close()
        assert result.status == "succeeded"
        return {node_id: node.status for node_id, node in result.nodes.items()}

    assert set(run("cache-a").values()) == {"succeeded"}
    assert set(run("cache-b").values()) == {"cached"}  # a different machine's empty cache
    reader = Cache(tmp_path / "cache-c", remote=store)  # tables stored by reference fetch their parents too
    try:
        keys = [p.name for p in (tmp_path / "store" / "entries").glob("*/*")]
        for key in keys:
            assert reader.has(key)
            reader.load(key)
    finally:
        reader.close()


@pytest.mark.parametrize("kind", ["directory", "fsspec"])
def test_blobs_by_name(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "store"
    store = DirectoryStore(root) if kind == "directory" else FsspecStore(root.as_uri())
    source = tmp_path / "iris.csv"
    source.write_text("a,b\n1,2\n")
    assert not store.has_blob("datasets/abc") and not store.get_blob("datasets/abc", tmp_path / "x")
    store.put_blob("datasets/abc", source)
    assert store.has_blob("datasets/abc")
    assert store.get_blob("datasets/abc", tmp_path / "copy.csv")
    assert (tmp_path / "copy.csv").read_text() == "a,b\n1,2\n"


def test_dataset_names_of_a_workflow() -> None:
    assert dataset_names(small_workflow()) == {"iris.csv"}
    assert dataset_names({"nodes": [{"type": "load_csv", "params": {}}, {"type": "nope"}, "junk"]}) == set()
