"""Process settings for a one-shot `flowza run` from the command line (not for servers or workers).

A run allocates and frees tables of hundreds of megabytes node after node. By default glibc
serves each such block with a fresh `mmap` and gives it back to the system on `free`, so every
node pays page faults again for memory the process had a moment ago; on virtual machines that
hand freed memory back to the host this costs about a second per gigabyte. A process that runs
one workflow and exits gains from keeping freed memory for reuse instead, and from leaving the
interpreter without freeing every object one by one (0.3 s for a 1 GB run). The cyclic garbage
collector, at its default thresholds, also walks the few hundred thousand objects that imports
create again and again (0.17 s of a 3 s run); collecting less often cuts that to 0.05 s.

pyarrow's buffers (the cache's Parquet reads and writes) come from its bundled mimalloc rather
than from malloc: mimalloc keeps and reuses its own pages, so a rerun that reads a 220 MB table
from the cache takes about 60 thousand page faults instead of 215 thousand (0.1-0.15 s of a
1.8 s rerun here), and a cold run is no slower. SciPy is imported without rewriting its
docstrings (flowza.scipy_docs): 0.13 s less in every run that imports scikit-learn.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import platform
import sys

from flowza.scipy_docs import skip_doc_tables

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_KEEP_UP_TO = 2**31 - 1  # mallopt takes an int


GC_THRESHOLDS = (100_000, 50, 50)  # default (700, 10, 10): a young collection every 700 new objects


def tune_for_one_run() -> bool:
    """Make malloc serve large blocks from its heap and keep freed memory, collect garbage less
    often and import SciPy without its docstring tables; call before pandas loads.

    The malloc part applies to glibc only (elsewhere it changes nothing). pyarrow is pointed at
    its own mimalloc (unless ARROW_DEFAULT_MEMORY_POOL says otherwise). Returns whether malloc was tuned.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    skip_doc_tables()
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP_UP_TO))


def exit_now(code: int) -> None:
    """End the process with `code` once output is flushed, skipping the interpreter's teardown.

    Only for the end of a `flowza run` process whose cache writes are finished: no atexit work
    is left that matters (logging is shut down here), and freeing a gigabyte of tables object by
    object only delays the exit.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
