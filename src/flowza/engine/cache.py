"""A content-addressed cache of node outputs on disk (ComfyUI-style keys from inputs).

key = sha256(node type, node version, canonical params, upstream keys and ports, file hashes).
Input files are hashed with BLAKE2b (32 bytes): 0.33 s for a 200 MB CSV here against sha256's
0.59 s, on a machine without SHA instructions, and the hash runs beside the first read of the file.
An entry is a directory written under a temporary name and renamed into place, so a reader
never sees half an entry; `manifest.json` inside describes the outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

CACHE_FORMAT = 3  # 2: input files hashed with BLAKE2b; 3: split rows as ranges
_HASH_CHUNK = 8 * 1024 * 1024


def cache_key(
    node_type: str,
    version: int,
    params: dict[str, Any],
    upstream: list[tuple[str, str, str]],
    files: list[str],
    scope: str = "",
) -> str:
    """The key of a node's outputs; a non-empty `scope` (the server's owner id) keeps owners' entries apart."""
    document: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "type": node_type,
        "version": version,
        "params": params,
        "upstream": sorted(upstream),
        "files": files,
    }
    if scope:  # without one (the CLI, one person's cache) keys stay as they were
        document["scope"] = scope
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _import_writers() -> None:
    import pyarrow.parquet  # noqa: F401

    from flowza.engine import serialize  # noqa: F401
    from flowza.nodes.export.model_files import skops_io

    skops_io()


_writers_lock = threading.Lock()  # held for the whole import
_writers_imported = False
_writers_thread_lock = threading.Lock()
_writers_thread: threading.Thread | None = None


def import_writers() -> None:
    """Import what writing an entry needs (pyarrow.parquet, skops and so scikit-learn), once per process.

    A caller waits for an import another thread has begun: two threads importing scikit-learn
    modules on their own can deadlock in the import system (_DeadlockError).
    """
    global _writers_imported
    if _writers_imported:
        return
    with _writers_lock:
        if not _writers_imported:
            _import_writers()
            _writers_imported = True


def import_writers_in_background() -> None:
    """Begin `import_writers` on another thread, once; a later `import_writers` call waits for it.

    Until that call, the calling thread must import nothing from scikit-learn or skops: the
    executor starts this only beside a node that runs on pandas alone (NodeDef.needs_sklearn).
    Importing scikit-learn holds the GIL for about a second; pandas parsing a CSV mostly does
    not, so the two overlap.
    """
    global _writers_thread
    with _writers_thread_lock:
        if _writers_imported or _writers_thread is not None:
            return
        _writers_thread = threading.Thread(target=_import_quietly, name="flowza-import-writers", daemon=True)
        _writers_thread.start()


def _import_quietly() -> None:
    try:
        import_writers()
    except Exception:  # noqa: S110 - the caller's own import_writers() call raises it again, in its thread
        pass


def lower_thread_priority() -> None:
    """Let the calling background thread (cache writes, file hashing) yield the CPU to the run.

    Nodes use every core in parts (pandas parses a CSV on several threads, BLAS fits a model on
    several); background work at normal priority slows them by as much as it takes. Linux gives
    each thread its own nice value; elsewhere this does nothing.
    """
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except OSError:
        pass


class FileHashes:
    """BLAKE2b digests of input files, remembered by (path, size, mtime) so a rerun does not re-read them."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._pending: dict[str, Future[str]] = {}
        if path is not None and path.is_file():
            try:
                self._known = json.loads(path.read_text())
            except (OSError, ValueError):
                self._known = {}

    def prefetch(self, file: Path) -> None:
        """Start hashing `file` in the background (hashlib releases the GIL), e.g. during validation."""
        marker = self._marker(file)
        with self._lock:
            if marker in self._known or marker in self._pending:
                return
            future: Future[str] = Future()
            self._pending[marker] = future
        threading.Thread(target=self._fill, args=(file, marker, future), daemon=True).start()

    def _fill(self, file: Path, marker: str, future: Future[str]) -> None:
        lower_thread_priority()
        try:
            future.set_result(self._compute(file, marker))
        except BaseException as exc:
            future.set_exception(exc)

    @staticmethod
    def _marker(file: Path) -> str:
        stat = file.stat()
        return f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"

    def digest(self, file: Path) -> str:
        marker = self._marker(file)
        with self._lock:
            known = self._known.get(marker)
            pending = self._pending.get(marker)
        if known:
            return known
        if pending is not None:
            return pending.result()
        return self._compute(file, marker)

    def _compute(self, file: Path, marker: str) -> str:
        hasher = hashlib.blake2b(digest_size=32)
        # One buffer, refilled: a fresh 8 MB bytes object per chunk would be mapped and unmapped
        # each time, and those page faults and unmaps stall the run's own threads.
        buffer = bytearray(_HASH_CHUNK)
        view = memoryview(buffer)
        with file.open("rb", buffering=0) as handle:
            while size := handle.readinto(buffer):
                hasher.update(view[:size])
        value = hasher.hexdigest()
        with self._lock:
            self._known[marker] = value
            self._pending.pop(marker, None)
            if self.path is not None:
                tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}")
                tmp.write_text(json.dumps(self._known))
                os.replace(tmp, self.path)
        return value


class Remote(Protocol):
    """A shared store this cache is a working copy of (see flowza.artifacts): whole entries go both ways."""

    def fetch(self, key: str, dest: Path) -> bool:
        """Copy entry `key` into the new directory `dest`; False when the store does not have it."""

    def publish(self, key: str, src: Path) -> None:
        """Upload the complete entry directory `src` as `key` (a no-op when the store has it)."""


_REMOTES: dict[Path, Remote] = {}


def bind_remote(root: Path, remote: Remote | None) -> None:
    """Make every Cache opened on `root` in this process sync with `remote` (None unbinds)."""
    if remote is None:
        _REMOTES.pop(root.resolve(), None)
    else:
        _REMOTES[root.resolve()] = remote


class Cache:
    """Node outputs by key, stored under `root/entries/ab/abcdef…/`; writes happen in the background.

    Keys are opaque here; `scope` only says what the executor mixes into the keys it computes.

    With a `remote` (given, or bound to `root` by `bind_remote`), a missing entry is fetched from it
    before it counts as absent, and every entry written here is published to it.
    """

    def __init__(self, root: Path, remote: Remote | None = None, scope: str = "") -> None:
        self.root = root
        # Part of every key computed for this cache: on a server, the run's owner, so one person's
        # first run never finds (and reports as `cached`) another person's outputs of the same file.
        self.scope = scope
        self.remote = remote if remote is not None else _REMOTES.get(root.resolve())
        (root / "entries").mkdir(parents=True, exist_ok=True)
        self.file_hashes = FileHashes(root / "file-digests.json")
        self._writer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="flowza-cache-writer", initializer=lower_thread_priority
        )
        self._pending: list[Future[None]] = []
        self._loaded: dict[tuple[str, str], Any] = {}

    def entry_dir(self, key: str) -> Path:
        return self.root / "entries" / key[:2] / key

    def has(self, key: str) -> bool:
        return (self.entry_dir(key) / "manifest.json").is_file() or self._fetch(key)

    def _fetch(self, key: str) -> bool:
        """Download entry `key` from the remote into place (atomically, like a local write)."""
        if self.remote is None:
            return False
        final = self.entry_dir(key)
        tmp = final.parent / f".fetch-{key}-{uuid.uuid4().hex}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not self.remote.fetch(key, tmp) or not (tmp / "manifest.json").is_file():
                return False
            try:
                os.replace(tmp, final)
            except OSError:  # another process fetched or wrote it first: theirs is identical
                pass
            return (final / "manifest.json").is_file()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def manifest(self, key: str) -> dict[str, Any]:
        if self.remote is not None and not (self.entry_dir(key) / "manifest.json").is_file():
            self._fetch(key)  # e.g. the upstream entry a table refers to, written on another machine
        return dict(json.loads((self.entry_dir(key) / "manifest.json").read_text()))

    def load(self, key: str) -> dict[str, Any]:
        from flowza.engine.serialize import read_value

        manifest = self.manifest(key)
        directory = self.entry_dir(key)
        outputs: dict[str, Any] = {}
        for port, meta in manifest["outputs"].items():
            cached = self._loaded.get((key, port))
            if cached is None:
                cached = read_value(meta, directory, port, self.load_frame)
                self._loaded[(key, port)] = cached
            outputs[port] = cached
        return outputs

    def load_frame(self, key: str, port: str, columns: list[str] | None = None, rows: Any = None) -> Any:
        """The table of one output, only the `columns` (all when None) at row positions `rows` (all when None)."""
        from flowza.engine.serialize import load_frame

        cached = self._loaded.get((key, port))
        if cached is not None:
            frame = cached.frame if columns is None else cached.frame[columns]
            return frame if rows is None else frame.iloc[rows]
        meta = self.manifest(key)["outputs"][port]
        return load_frame(meta, self.entry_dir(key), port, columns, self.load_frame, rows)

    def store(self, key: str, node_type: str, outputs: dict[str, Any], parents: list[Any]) -> None:
        """Queue `outputs` for writing; the caller must not mutate them afterwards."""
        import_writers()  # here, in the caller's thread, never first in the writer's (see import_writers)
        future = self._writer.submit(self._write, key, node_type, outputs, parents)
        self._pending.append(future)

    def _write(self, key: str, node_type: str, outputs: dict[str, Any], parents: list[Any]) -> None:
        from flowza.engine.serialize import write_json, write_value

        final = self.entry_dir(key)
        if (final / "manifest.json").is_file():
            return
        tmp = final.parent / f".tmp-{key}-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            metas = {port: write_value(value, tmp, port, parents) for port, value in outputs.items()}
            write_json(tmp / "manifest.json", {"key": key, "type": node_type, "outputs": metas})
            try:
                os.replace(tmp, final)
            except OSError:  # another writer finished first: theirs is identical
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if self.remote is not None:
            self.remote.publish(key, final)

    def flush(self) -> list[str]:
        """Wait for queued writes; return the errors of any that failed (the run is unaffected)."""
        errors = []
        for future in self._pending:
            try:
                future.result()
            except Exception as exc:  # a full disk must not fail a finished run
                errors.append(f"{type(exc).__name__}: {exc}")
        self._pending.clear()
        return errors

    def close(self) -> None:
        self.flush()
        self._writer.shutdown(wait=True)

    def read_validation(self, key: str) -> dict[str, Any] | None:
        path = self.root / "validation" / f"{key}.json"
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            return None

    def write_validation(self, key: str, report: dict[str, Any]) -> None:
        directory = self.root / "validation"
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{key}.{uuid.uuid4().hex}"
        tmp.write_text(json.dumps(report))
        os.replace(tmp, directory / f"{key}.json")

    def clear(self) -> None:
        shutil.rmtree(self.root / "entries", ignore_errors=True)
        (self.root / "entries").mkdir(parents=True, exist_ok=True)
