"""Benchmark of the offline planner: does each prompt give a workflow that validates, runs, and does what was asked?

Usage: python benchmarks/generate.py [--data-dir DIR] [--json] [--only SUBSTRING]
A case passes when the generated workflow validates, runs to completion on its dataset (engine in
process, temporary cache) and has the target, task and model the prompt asked for (and the export
format when one was asked). Refusal cases pass when the planner refuses with the expected code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flowza.ai.errors import GenerationRefused
from flowza.ai.generate import generate
from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
from flowza.engine.validate import validate

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = Path(__file__).with_name("generate_prompts.json")
TRAINERS = {"xgboost", "random_forest", "logistic_regression", "linear_regression"}
TARGET_SHARE = 0.90


def default_data_dir() -> Path:
    return Path(os.environ.get("FLOWZA_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


def load_cases() -> dict[str, list[dict[str, Any]]]:
    return json.loads(PROMPTS.read_text(encoding="utf-8"))


def what_it_does(workflow: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Target, task, model and export format of a workflow, the task read from what evaluate reported."""
    nodes = workflow["nodes"]
    split = next((n for n in nodes if n["type"] == "train_test_split"), None)
    model = next((n["type"] for n in nodes if n["type"] in TRAINERS), None)
    export = next((n["params"].get("format", "skops") for n in nodes if n["type"] == "export_model"), None)
    values = next(iter(metrics.values()), {})
    task = "classification" if "accuracy" in values else "regression" if "r2" in values else None
    return {
        "target": split["params"]["target"] if split else None,
        "task": task if model else "cleaning",
        "model": model,
        "export": export,
        "stratify": split["params"].get("stratify", True) if split else None,
    }


def check_case(case: dict[str, Any], data_dir: Path, work: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"prompt": case["prompt"], "dataset": case["dataset"], "ok": False}
    started = time.perf_counter()
    try:
        result = generate(case["prompt"], dataset=data_dir / case["dataset"], use_llm=False)
    except GenerationRefused as exc:
        row.update(problem=f"refused: {exc.message}", seconds=time.perf_counter() - started)
        return row
    workflow = result["workflow"]
    report, _, _ = validate(workflow, data_dir)
    row["valid"] = report.ok
    if not report.ok:
        row.update(problem=f"invalid: {report.errors[0]}", seconds=time.perf_counter() - started)
        return row
    cache = Cache(work / "cache")
    try:
        run = run_workflow(workflow, RunOptions(data_dir=data_dir, cache=cache, output_dir=work / "out"))
    finally:
        cache.close()
    row["ran"] = run.status == "succeeded"
    got = what_it_does(workflow, run.metrics)
    row["got"] = got
    wanted = {k: case.get(k) for k in ("target", "task", "model", "export", "stratify") if k in case}
    wanted.setdefault("export", None)
    wrong = {k: (v, got[k]) for k, v in wanted.items() if got[k] != v}
    if not row["ran"]:
        failed = next((f"{n}: {r.error}" for n, r in run.nodes.items() if r.error), run.status)
        row["problem"] = f"run {run.status}: {failed}"
    elif wrong:
        row["problem"] = "; ".join(f"{k}: wanted {w!r}, got {g!r}" for k, (w, g) in wrong.items())
    else:
        row["ok"] = True
    row["seconds"] = time.perf_counter() - started
    return row


def check_refusal(case: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    try:
        generate(case["prompt"], dataset=data_dir / case["dataset"], use_llm=False)
    except GenerationRefused as exc:
        return {"prompt": case["prompt"], "ok": exc.code == case["code"], "problem": f"{exc.code}: {exc.message}"}
    return {"prompt": case["prompt"], "ok": False, "problem": "not refused"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--only", default="", help="run only prompts containing this text")
    args = parser.parse_args(argv)
    if not (args.data_dir / "titanic.csv").is_file():
        print(f"shared datasets not found in {args.data_dir} (set FLOWZA_SHARED_DATASETS)", file=sys.stderr)
        return 2
    spec = load_cases()
    cases = [c for c in spec["cases"] if args.only.lower() in c["prompt"].lower()]
    with tempfile.TemporaryDirectory(prefix="flowza-bench-") as tmp:
        rows = [check_case(case, args.data_dir, Path(tmp)) for case in cases]
    refusals = [check_refusal(case, args.data_dir) for case in spec["refusals"]]
    passed = sum(row["ok"] for row in rows)
    share = passed / len(rows) if rows else 0.0
    if args.json:
        print(json.dumps({"share": share, "cases": rows, "refusals": refusals}, indent=2, default=str))
    else:
        for row in rows:
            mark = "pass" if row["ok"] else "FAIL"
            print(f"{mark}  {row.get('seconds', 0):5.1f}s  {row['dataset']:<13} {row['prompt']}")
            if not row["ok"]:
                print(f"      {row.get('problem')}")
        for row in refusals:
            print(f"{'pass' if row['ok'] else 'FAIL'}  refusal  {row['prompt']}  ->  {row['problem']}")
        valid = sum(bool(r.get("valid")) for r in rows)
        ran = sum(bool(r.get("ran")) for r in rows)
        print(
            f"\nplanner: {passed}/{len(rows)} prompts = {share:.1%} valid, ran to completion and did what was asked "
            f"(valid {valid}, ran {ran}); refusals {sum(r['ok'] for r in refusals)}/{len(refusals)}; "
            f"target >= {TARGET_SHARE:.0%}"
        )
    return 0 if share >= TARGET_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
