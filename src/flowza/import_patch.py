"""Patching a module right after its own code runs, from an import hook (see its two users:
flowza.scipy_docs and flowza.nodes.export.model_files)."""

from __future__ import annotations

import importlib.machinery
from collections.abc import Callable
from types import ModuleType
from typing import Any


def spec_patched_after_load(
    name: str, path: Any, patch: Callable[[ModuleType], None]
) -> importlib.machinery.ModuleSpec | None:
    """The spec the path finders give module `name`, whose loader calls `patch(module)` right after
    running the module. For a `MetaPathFinder.find_spec` to return."""
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return spec
    run_module = spec.loader.exec_module

    def exec_module(module: ModuleType) -> None:
        run_module(module)
        patch(module)

    spec.loader.exec_module = exec_module  # type: ignore[method-assign]
    return spec
