"""Upload scratch folders that say whether their upload is still going on.

Each folder holds a `.in-use` file locked (flock) by the process receiving the upload. The
request removes its folder when it ends, however it ends (finished, refused, client gone,
server stopping). If the process itself dies (killed, out of memory) the operating system drops
the lock, so the next cleaning by any server process removes the folder at once, instead of
waiting an hour in case an upload was still going on.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; folders are then judged by age alone
    fcntl = None  # type: ignore[assignment]

IN_USE = ".in-use"
UNLOCKED_MAX_AGE = 3600.0  # a folder without a lock file: being created, or left by an older Flowza


@contextmanager
def scratch_folder(parent: Path) -> Iterator[Path]:
    """A new folder under `parent`, locked while the block runs and removed when it ends."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = parent / uuid.uuid4().hex
    folder.mkdir()
    # Locked under another name first: a cleaner never sees an `.in-use` that is not yet locked.
    locking = folder / f"{IN_USE}.new"
    handle = os.open(locking, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(locking, folder / IN_USE)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(handle)


def abandoned(folder: Path, now: float) -> bool:
    """Whether no living process is receiving an upload into `folder`."""
    try:
        handle = os.open(folder / IN_USE, os.O_RDWR)
    except FileNotFoundError:
        return _older_than(folder, now - UNLOCKED_MAX_AGE)
    except OSError:
        return False
    try:
        if fcntl is None:
            return _older_than(folder, now - UNLOCKED_MAX_AGE)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its upload is going on
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True
    finally:
        os.close(handle)


def remove_abandoned(folders: Iterator[Path]) -> int:
    """Remove the abandoned scratch folders among `folders`; how many were removed."""
    now = time.time()
    removed = 0
    for folder in folders:
        if folder.is_dir() and abandoned(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _older_than(folder: Path, cutoff: float) -> bool:
    try:
        return folder.stat().st_mtime < cutoff
    except OSError:
        return False
