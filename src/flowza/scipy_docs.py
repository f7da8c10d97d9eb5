"""Import SciPy without rewriting its docstrings, for a one-shot `flowza run` process.

scikit-learn imports `scipy.stats` (through `sklearn.utils.fixes`), and SciPy decorates about
500 of its functions with `xp_capabilities` at import. The decorator parses each function's
docstring with numpydoc's `FunctionDoc` and appends a table of array-API backends to its Notes:
0.13 s of the 0.8 s that importing pandas and scikit-learn's modules takes here, paid by every
run, for text that only `help()` shows. Flowza never reads those docstrings.

`skip_doc_tables()` installs an import hook: when `scipy._lib._array_api` is loaded, its
`FunctionDoc` is swapped for `_DocAsIs`, which hands the decorator the docstring back unchanged.
The decorator still records each function's capabilities; functions, their signatures and their
results are untouched. The hook removes itself once it has done this.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from types import ModuleType
from typing import Any

from flowza.import_patch import spec_patched_after_load

TARGET = "scipy._lib._array_api"


class _DocAsIs(dict[str, list[str]]):
    """What `xp_capabilities` needs of a `FunctionDoc`: sections to append to (any name, each a
    list), and a text whose first line (the signature) it drops. The text is the function's own
    docstring, unchanged."""

    def __init__(self, function: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.doc = getattr(function, "__doc__", None) or ""

    def __missing__(self, section: str) -> list[str]:
        self[section] = []
        return self[section]

    def __str__(self) -> str:
        return "\n" + self.doc


class _PatchOnLoad(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        return spec_patched_after_load(name, path, _use_docs_as_is) if name == TARGET else None


def _use_docs_as_is(module: ModuleType) -> None:
    if hasattr(module, "FunctionDoc") and hasattr(module, "xp_capabilities"):
        module.__dict__["FunctionDoc"] = _DocAsIs
    remove_hook()


_hook: _PatchOnLoad | None = None
_hook_lock = threading.Lock()


def skip_doc_tables() -> bool:
    """Install the hook unless SciPy's module is already loaded; returns whether it was installed."""
    global _hook
    with _hook_lock:
        if TARGET in sys.modules or _hook is not None:
            return False
        _hook = _PatchOnLoad()
        sys.meta_path.insert(0, _hook)
        return True


def remove_hook() -> None:
    global _hook
    with _hook_lock:
        if _hook is not None and _hook in sys.meta_path:
            sys.meta_path.remove(_hook)
        _hook = None
