"""No route or node executes user-supplied code or unpickles user data: a static scan of the package."""

from __future__ import annotations

import ast
from pathlib import Path

import flowza

PACKAGE = Path(flowza.__file__).parent
FORBIDDEN_CALLS = {"eval", "exec", "__import__", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("cloudpickle", "load"),
    ("cloudpickle", "loads"),
    ("dill", "load"),
    ("dill", "loads"),
    ("marshal", "loads"),
    ("joblib", "load"),
    ("os", "system"),
    ("os", "popen"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
}


def offences(path: Path, root: Path = PACKAGE) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.relative_to(root)}:{node.lineno}"
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            found.append(f"{where} {func.id}()")
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if (func.value.id, func.attr) in FORBIDDEN_ATTRIBUTES:
                found.append(f"{where} {func.value.id}.{func.attr}()")
            if func.attr == "read_pickle":
                found.append(f"{where} read_pickle()")
        for keyword in node.keywords:
            if keyword.arg == "shell" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                found.append(f"{where} shell=True")
    return found


def test_the_package_never_evaluates_or_unpickles() -> None:
    files = [p for p in PACKAGE.rglob("*.py") if "web" not in p.relative_to(PACKAGE).parts]
    assert len(files) > 50
    problems = [problem for path in files for problem in offences(path)]
    assert problems == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import pickle, os\npickle.loads(b'')\neval('1')\nos.system('x')\n")
    assert len(offences(sample, tmp_path)) == 3
