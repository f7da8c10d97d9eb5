"""The `pip install` line an exported file prints in its header: exactly the packages its code imports,
pinned to the versions installed where Flowza exported it (read with importlib.metadata at export time)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

from flowza.codegen.snippet import Import

# a distribution with a second name on PyPI that installs the same module
ALSO_PUBLISHED_AS: dict[str, str] = {"xgboost-cpu": "xgboost"}
# the PyPI names to try first for a module whose distribution is not named like it
LIKELY_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {"sklearn": ("scikit-learn",), "xgboost": ("xgboost", "xgboost-cpu")}


@dataclass(frozen=True)
class Requirement:
    module: str  # the top-level module the code imports, e.g. "sklearn"
    distribution: str  # the PyPI name that provides it here, e.g. "scikit-learn"
    version: str | None  # None when the module is not installed where Flowza runs

    @property
    def pin(self) -> str:
        return f"{self.distribution}=={self.version}" if self.version else self.distribution


@lru_cache(maxsize=1)
def _distributions_by_module() -> dict[str, list[str]]:
    return {module: list(dists) for module, dists in metadata.packages_distributions().items()}


def third_party_modules(modules: list[str]) -> list[str]:
    """The top-level modules among `modules` that are not in Python's standard library, sorted."""
    tops = {module.split(".")[0] for module in modules}
    return sorted(m for m in tops if m not in sys.stdlib_module_names)


def _installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def requirement(module: str) -> Requirement:
    """The installed distribution providing `module`: the likely names are tried first (fast), then
    importlib.metadata's whole module map (about a second to build, so only when needed)."""
    for name in LIKELY_DISTRIBUTIONS.get(module, (module,)):
        version = _installed_version(name)
        if version is not None:
            return Requirement(module, name, version)
    distributions = _distributions_by_module().get(module)
    if not distributions:
        return Requirement(module, module, None)
    name = sorted(distributions)[0]
    return Requirement(module, name, _installed_version(name))


def requirements(imports: list[Import]) -> list[Requirement]:
    """One pinned requirement per third-party top-level module the imports name, sorted by distribution."""
    found = [requirement(module) for module in third_party_modules([i.module for i in imports])]
    return sorted(found, key=lambda r: r.distribution.lower())


def pip_line(found: list[Requirement]) -> str:
    return "pip install " + " ".join(r.pin for r in found)


def alternative_names(found: list[Requirement]) -> list[str]:
    """Sentences naming the other PyPI name of a pinned distribution, e.g. xgboost for xgboost-cpu."""
    notes = []
    for r in found:
        other = ALSO_PUBLISHED_AS.get(r.distribution)
        if other:
            pinned = f"{other}=={r.version}" if r.version else other
            notes.append(f"{r.distribution} is the CPU-only build of {other}: {pinned} works too.")
    return notes
