"""Artifact stores: a shared home for the engine's cache entries, so any worker reuses any other's outputs.

The engine's `Cache` stays a local working copy (fast reads, memory-mapped Parquet); a store is
what it syncs whole entries with: a miss is fetched from the store, a new entry is published to it.
Entries keep the cache's layout, `entries/ab/abcdef…/`, and `manifest.json` is always written last,
so an entry whose manifest is visible is complete, on an object store without atomic renames too.

Backends: a directory (a local disk or a shared mount) and any fsspec URL (`s3://bucket/prefix`
with s3fs installed, `gs://`, `file:///mnt/shared`, …). Besides cache entries a store holds
blobs by name: the datasets runs read, as `datasets/<sha256>` (see datasets.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def entry_path(key: str) -> str:
    return f"entries/{key[:2]}/{key}"


def _files(directory: Path) -> list[Path]:
    """Every file under `directory`, the manifest last."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return sorted(files, key=lambda p: p.relative_to(directory).as_posix() == MANIFEST)


class DirectoryStore:
    """Entries under a directory; publishing copies to a temporary name and renames it into place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "entries").mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return str(self.root)

    def has(self, key: str) -> bool:
        return (self.root / entry_path(key) / MANIFEST).is_file()

    def fetch(self, key: str, dest: Path) -> bool:
        source = self.root / entry_path(key)
        if not (source / MANIFEST).is_file():
            return False
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return True

    def has_blob(self, name: str) -> bool:
        return (self.root / name).is_file()

    def put_blob(self, name: str, path: Path) -> None:
        final = self.root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".tmp-{final.name}-{uuid.uuid4().hex}")
        shutil.copyfile(path, tmp)
        os.replace(tmp, final)

    def get_blob(self, name: str, dest: Path) -> bool:
        if not self.has_blob(name):
            return False
        shutil.copyfile(self.root / name, dest)
        return True

    def publish(self, key: str, src: Path) -> None:
        final = self.root / entry_path(key)
        if (final / MANIFEST).is_file():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".tmp-{key}-{uuid.uuid4().hex}"
        try:
            shutil.copytree(src, tmp)
            try:
                os.replace(tmp, final)
            except OSError:  # another worker published it first: theirs is identical
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class FsspecStore:
    """Entries on any fsspec file system; an entry counts as present once its manifest is there."""

    def __init__(self, url: str, **options: Any) -> None:
        from fsspec.core import url_to_fs

        self.url = url
        self.fs, root = url_to_fs(url, **options)
        self.root = str(root).rstrip("/")

    def _remote(self, key: str, relative: str = "") -> str:
        base = f"{self.root}/{entry_path(key)}"
        return f"{base}/{relative}" if relative else base

    def has(self, key: str) -> bool:
        return bool(self.fs.exists(self._remote(key, MANIFEST)))

    def fetch(self, key: str, dest: Path) -> bool:
        if not self.has(key):
            return False
        base = self._remote(key)
        names = sorted(self.fs.find(base), key=lambda name: name.endswith(f"/{MANIFEST}"))
        for name in names:
            relative = name[len(base) :].lstrip("/") if name.startswith(base) else name.rsplit("/", 1)[-1]
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self.fs.get_file(name, str(target))
        return (dest / MANIFEST).is_file()

    def has_blob(self, name: str) -> bool:
        return bool(self.fs.exists(f"{self.root}/{name}"))

    def put_blob(self, name: str, path: Path) -> None:
        remote = f"{self.root}/{name}"
        self.fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
        self.fs.put_file(str(path), remote)

    def get_blob(self, name: str, dest: Path) -> bool:
        if not self.has_blob(name):
            return False
        self.fs.get_file(f"{self.root}/{name}", str(dest))
        return True

    def publish(self, key: str, src: Path) -> None:
        if self.has(key):
            return
        for path in _files(src):
            relative = path.relative_to(src).as_posix()
            remote = self._remote(key, relative)
            parent = remote.rsplit("/", 1)[0]
            self.fs.makedirs(parent, exist_ok=True)
            self.fs.put_file(str(path), remote)


ArtifactStore = DirectoryStore | FsspecStore


def open_store(url: str | None) -> ArtifactStore | None:
    """The store at `url`: a plain path is a directory, anything with a scheme goes through fsspec.

    None (FLOWZA_ARTIFACTS_URL unset) means no separate store: the cache directory is the store.
    """
    if not url:
        return None
    if "://" in url:
        try:
            return FsspecStore(url)
        except ImportError as exc:  # e.g. s3:// without s3fs
            raise ValueError(f"FLOWZA_ARTIFACTS_URL={url}: {exc}") from exc
    return DirectoryStore(Path(url).expanduser())
