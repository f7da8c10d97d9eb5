"""Run records: an unchanged `flowza run` answered without starting the engine, like a no-op build.

A fully cached `flowza run` executes nothing, yet it spends about 0.25 s here importing what the
engine is written with (pydantic, typer) to validate the workflow and compute every node's cache
key again. So when a `flowza run` process succeeds with the cache on, it leaves a record in the
cache folder (`runs/<identity>.json`), named by everything its result depends on that can be read
without the engine:

- the command's arguments exactly as typed, the working directory and the home directory;
- every FLOWZA_* environment variable (settings such as the CSV limits);
- the workflow file's bytes;
- the Python interpreter, and the size and modification time of every Flowza source file.

The record lists the datasets the run read (path, the file it leads to, size, modification time),
each node's cache entry, the metrics and the lint warnings. The `flowza` command (flowza.launcher)
looks for it before anything else. When the datasets are unchanged and every entry is still in the
cache, it prints what a fully cached run prints (every node `cached`, the same metrics and
warnings) and exits 0. Anything else finds no record, or a stale one, and runs the engine: other
arguments (`--set`, `--no-cache`, a template name, ...), an edited workflow file, a touched
dataset, an entry removed from the cache, a changed setting, another Flowza. Runs that export files
always run the engine, which places the files in the output folder again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD_FORMAT = 2  # 2: a dataset's entry also names the file it leads to
VALUE_OPTIONS = ("--data-dir", "--cache-dir")
FLAG_OPTIONS = ("--json",)
ENV_PREFIX = "FLOWZA_"


@dataclass(frozen=True)
class Request:
    """A `flowza run` command line this module can answer: the workflow file and where the cache is."""

    workflow: Path
    cache_dir: Path | None
    as_json: bool


def parse(argv: Sequence[str]) -> Request | None:
    """`run FILE [--data-dir DIR] [--cache-dir DIR] [--json]` in any order; None for anything else."""
    if not argv or argv[0] != "run":
        return None
    positional: list[str] = []
    values: dict[str, str] = {}
    as_json = False
    tokens = list(argv[1:])
    while tokens:
        token = tokens.pop(0)
        name, has_value, value = token.partition("=")
        if name in VALUE_OPTIONS:
            if not has_value:
                if not tokens:
                    return None
                value = tokens.pop(0)
            if name in values or not value:
                return None
            values[name] = value
        elif token in FLAG_OPTIONS:
            as_json = True
        elif token.startswith("-"):
            return None
        else:
            positional.append(token)
    if len(positional) != 1 or not positional[0].endswith(".json"):
        return None
    cache_dir = Path(values["--cache-dir"]).expanduser() if "--cache-dir" in values else None
    return Request(Path(positional[0]), cache_dir, as_json)


def default_cache_dir() -> Path:
    """Settings.resolved_cache_dir() read straight from the environment (flowza.config).

    Were the two ever to differ, a record would only go unfound: the engine would run.
    """
    environment = {key.upper(): value for key, value in os.environ.items()}
    if environment.get("FLOWZA_CACHE_DIR"):
        return Path(environment["FLOWZA_CACHE_DIR"]).expanduser()
    home = Path(environment["FLOWZA_HOME"]) if environment.get("FLOWZA_HOME") else Path.home() / ".flowza"
    return (home / "cache").expanduser()


def identity(argv: Sequence[str], workflow_bytes: bytes) -> str:
    """The record's name: a digest of everything listed in the module docstring."""
    settings = sorted((key.upper(), value) for key, value in os.environ.items() if key.upper().startswith(ENV_PREFIX))
    document = {
        "format": RECORD_FORMAT,
        "argv": list(argv),
        "cwd": os.getcwd(),
        "home": str(Path.home()),  # the default data and cache folders live under it
        "environment": settings,
        "workflow": hashlib.sha256(workflow_bytes).hexdigest(),
        "python": [sys.executable, sys.version],
        "flowza": _source_fingerprint(),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def _source_fingerprint() -> str:
    """Size and modification time of every file of the installed Flowza package (about 1 ms)."""
    root = Path(__file__).resolve().parent.parent
    parts = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                path = os.path.join(directory, name)
                stat = os.stat(path)
                parts.append(f"{os.path.relpath(path, root)}|{stat.st_size}|{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def file_states(paths: Sequence[Path]) -> list[list[Any]] | None:
    """[path, the file it leads to, size, modification time] of each file, taken before a run reads
    them; None when one cannot be read (the run fails then, and leaves no record)."""
    states = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        states.append([os.path.abspath(path), os.path.realpath(path), stat.st_size, stat.st_mtime_ns])
    return states


def save_record(argv: Sequence[str], result: Any, cache_root: Path, inputs: list[list[Any]]) -> bool:
    """Write the record of a finished `flowza run` process, when a later one could be answered from it."""
    request = parse(argv)
    if request is None or result.status != "succeeded" or result.cache_errors or result.files:
        return False
    if any(node.status not in ("succeeded", "cached") or not node.cache_key for node in result.nodes.values()):
        return False
    try:
        name = identity(argv, request.workflow.read_bytes())
        record = {
            "format": RECORD_FORMAT,
            "inputs": inputs,
            "entries": {node_id: node.cache_key for node_id, node in result.nodes.items()},
            "metrics": result.metrics,
            "warnings": [issue.to_dict() for issue in result.report.warnings],
        }
        folder = cache_root / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.{os.getpid()}.{time.time_ns()}"
        temporary.write_text(json.dumps(record, default=str))
        os.replace(temporary, folder / f"{name}.json")
    except (OSError, TypeError, ValueError):  # a record is only a shortcut: never fail the run for it
        return False
    return True


def answer(argv: Sequence[str]) -> int | None:
    """Print the result of an unchanged run from its record and return its exit code; None to run the engine."""
    request = parse(argv)
    if request is None:
        return None
    cache_root = request.cache_dir or default_cache_dir()
    try:
        record_path = cache_root / "runs" / f"{identity(argv, request.workflow.read_bytes())}.json"
        record = json.loads(record_path.read_text())
        seconds = _check(record, cache_root)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # no record, or not one of ours
        return None
    if seconds is None:
        return None
    try:
        _show(record, seconds, request.as_json)
    except (KeyError, TypeError, ValueError, AttributeError):  # checked before anything is printed
        return None
    return 0


def _check(record: dict[str, Any], cache_root: Path) -> dict[str, float] | None:
    """Seconds spent finding each node's entry, when the record still holds; None when it is stale."""
    if record["format"] != RECORD_FORMAT or not _inputs_unchanged(record["inputs"]):
        return None
    seconds: dict[str, float] = {}
    for node_id, key in record["entries"].items():
        started = time.perf_counter()
        if not (cache_root / "entries" / key[:2] / key / "manifest.json").is_file():
            return None
        seconds[str(node_id)] = time.perf_counter() - started
    return seconds


def _inputs_unchanged(inputs: list[list[Any]]) -> bool:
    """Each dataset still leads to the same file (a symbolic link may have moved), of the same size and age."""
    for path, target, size, modified in inputs:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if os.path.realpath(path) != target or stat.st_size != size or stat.st_mtime_ns != modified:
            return False
    return True


def _show(record: dict[str, Any], seconds: dict[str, float], as_json: bool) -> None:
    """Print exactly what the engine prints for a run whose every node is cached (built first, then printed)."""
    from flowza.engine.events import Event
    from flowza.engine.issues import Issue, Report
    from flowza.engine.results import NodeResult, RunResult
    from flowza.progress import ProgressPrinter, show_result
    from flowza.terminal import StderrLines

    entries = record["entries"].items()
    nodes = {node_id: NodeResult(status="cached", seconds=seconds[node_id], cache_key=key) for node_id, key in entries}
    result = RunResult(
        "succeeded", nodes, dict(record["metrics"]), {}, Report([Issue(**i) for i in record["warnings"]])
    )
    printer = ProgressPrinter(StderrLines())
    for node_id, node in nodes.items():
        printer(Event("node_cached", node_id, "cached", seconds=node.seconds))
    show_result(printer, result, as_json)
