"""Engine benchmark: `flowza run` cold, warm and after changing C, against a plain pandas + sklearn script.

Generates a 1,000,000-row CSV (20 numeric columns, 2 categorical, a few nulls, a binary target),
then runs load_csv -> drop_nulls -> train_test_split -> encode_categorical -> normalize ->
logistic_regression -> evaluate. Every measured program runs as its own process; wall seconds
and peak RSS come from the operating system (wait4). Usage: python benchmarks/engine.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN_SCRIPT = """
import json, sys
import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv(sys.argv[1])
df = df.dropna()
X, y = df.drop(columns=["target"]), df["target"]
train, test = train_test_split(np.arange(len(df)), test_size=0.2, random_state=42, stratify=y)
X_train, X_test, y_train, y_test = X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test]
text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
encoder = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text)],
                            remainder="passthrough", verbose_feature_names_out=False).set_output(transform="pandas")
X_train = encoder.fit_transform(X_train)
X_test = encoder.transform(X_test)
numeric = [c for c in X_train.columns if c not in encoder.get_feature_names_out()[:0]
           and pd.api.types.is_numeric_dtype(X_train[c]) and not pd.api.types.is_bool_dtype(X_train[c])]
scaler = ColumnTransformer([("standard", StandardScaler(), numeric)], remainder="passthrough",
                           verbose_feature_names_out=False).set_output(transform="pandas")
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
model = LogisticRegression(C=float(sys.argv[2]), max_iter=1000).fit(X_train, y_train)
proba = model.predict_proba(X_test)[:, 1]
pred = model.predict(X_test)
print(json.dumps({"accuracy": metrics.accuracy_score(y_test, pred), "f1": metrics.f1_score(y_test, pred),
                  "roc_auc": metrics.roc_auc_score(y_test, proba)}))
"""


def make_csv(path: Path, rows: int) -> None:
    # imported here, in the child that writes the file: the measuring process stays small (see main)
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=rows).round(6) for i in range(20)})
    frame["region"] = rng.choice(["north", "south", "east", "west"], size=rows)
    frame["plan"] = rng.choice(["basic", "plus", "pro"], size=rows)
    logit = frame["x0"] - 0.5 * frame["x1"] + 0.25 * frame["x2"] + (frame["plan"] == "pro") * 0.8
    frame["target"] = (logit + rng.logistic(size=rows) > 0).astype(int)
    for column in ("x3", "x7", "region"):
        frame.loc[rng.choice(rows, rows // 1000, replace=False), column] = np.nan
    frame.to_csv(path, index=False)


def workflow(c: float) -> dict:
    steps = [
        ("load", "load_csv", {"dataset": "bench.csv"}),
        ("clean", "drop_nulls", {}),
        ("split", "train_test_split", {"target": "target"}),
        ("encode", "encode_categorical", {}),
        ("scale", "normalize", {}),
        ("model", "logistic_regression", {"C": c}),
        ("eval", "evaluate", {}),
    ]
    return {
        "schema_version": 1,
        "name": "benchmark",
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in steps],
        "edges": [{"source": steps[k][0], "target": steps[k + 1][0]} for k in range(len(steps) - 1)],
    }


SETTLE_SCRIPT = "import numpy, sys; numpy.ones(int(float(sys.argv[1]) * 2**30) // 8)"


def settle_memory(gib: float) -> None:
    """Touch and free `gib` GiB in a child process, so the next program starts on memory the VM backs.

    On a virtual machine that hands freed memory back to its host, the first touch of such a
    page costs the guest a host fault: about 1 s per GiB here, 2-4x a program's own work on
    it. Whether a program gets such pages depends on what ran just before it and on the host's
    timing, which made one program's time vary by 1.5 s from run to run. Settling before every
    measured program gives each the same start; `--no-settle` measures without it.
    """
    subprocess.run([sys.executable, "-c", SETTLE_SCRIPT, str(gib)], check=True)


def measure(args: list[str], settle_gib: float = 0.0) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and stdout of one child process."""
    if settle_gib:
        settle_memory(settle_gib)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args[:4]} failed: {text[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="measure each program this many times; report medians")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "flowza-bench")
    parser.add_argument(
        "--settle-gib",
        type=float,
        default=3.0,
        help="before each measured program, touch and free this much memory in a child process (see settle_memory)",
    )
    parser.add_argument("--no-settle", action="store_true", help="measure without settling memory first")
    options = parser.parse_args()
    settle = 0.0 if options.no_settle else options.settle_gib
    work = options.work_dir
    data = work / f"data-{options.rows}"
    data.mkdir(parents=True, exist_ok=True)
    csv = data / "bench.csv"
    if not csv.exists():
        started = time.perf_counter()
        # in a child process: a child's peak RSS counts from the memory of the process it was forked
        # from, so a parent that had held the generated frame would inflate every figure below
        maker = multiprocessing.get_context("spawn").Process(target=make_csv, args=(csv, options.rows))
        maker.start()
        maker.join()
        if maker.exitcode != 0:
            raise RuntimeError(f"generating {csv} failed")
        print(f"generated {csv} ({csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s")
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    script = work / "plain.py"
    script.write_text(PLAIN_SCRIPT)
    for c in (1.0, 0.5):
        (work / f"wf-{c}.json").write_text(json.dumps(workflow(c)))
    flowza = [sys.executable, "-m", "flowza", "run"]
    common = ["--data-dir", str(data), "--cache-dir", str(cache), "--json"]

    runs: dict[str, list[tuple[float, float, str]]] = {"plain": [], "cold": [], "warm": [], "engine": [], "change": []}
    for _ in range(options.repeat):
        shutil.rmtree(cache, ignore_errors=True)
        runs["plain"].append(measure([sys.executable, str(script), str(csv), "1.0"], settle))
        runs["cold"].append(measure([*flowza, str(work / "wf-1.0.json"), *common], settle))
        runs["warm"].append(measure([*flowza, str(work / "wf-1.0.json"), *common], settle))
        shutil.rmtree(cache / "runs")  # the same rerun without its run record: through the engine
        runs["engine"].append(measure([*flowza, str(work / "wf-1.0.json"), *common], settle))
        runs["change"].append(measure([*flowza, str(work / "wf-0.5.json"), *common], settle))

    def median(name: str) -> tuple[float, float, str]:
        ordered = sorted(runs[name], key=lambda r: r[0])
        return ordered[len(ordered) // 2]

    def fastest(name: str) -> float:
        return min(r[0] for r in runs[name])

    plain_s, plain_mb, plain_out = median("plain")
    cold_s, cold_mb, cold_out = median("cold")
    warm_s, warm_mb, warm_out = median("warm")
    engine_s, engine_mb, engine_out = median("engine")
    change_s, change_mb, change_out = median("change")
    ours = json.loads(cold_out)["metrics"]["eval"]
    theirs = json.loads(plain_out)
    same = all(abs(ours[k] - theirs[k]) <= 1e-9 for k in theirs)
    warm_statuses = {n["status"] for n in json.loads(warm_out)["nodes"].values()}
    warm_statuses |= {n["status"] for n in json.loads(engine_out)["nodes"].values()}
    change_statuses = {k: n["status"] for k, n in json.loads(change_out)["nodes"].items()}
    best = {name: fastest(name) for name in runs}

    print(
        "all wall seconds, in the order run: "
        + ", ".join(f"{k} {[round(r[0], 2) for r in v]}" for k, v in runs.items())
    )
    print(
        f"rows: {options.rows:,}   metrics equal to the plain script (1e-9): {same}   "
        + (f"memory settled ({settle:g} GiB) before each program" if settle else "memory not settled")
    )
    print(
        f"median and fastest of {options.repeat} runs each (a shared VM's noise only ever adds time, so the "
        "fastest run is the least disturbed one)"
    )
    print(f"{'program':<34}{'median s':>9}{'fastest s':>10}{'peak MiB':>10}   ratio: median, fastest")
    print(f"{'plain pandas + sklearn script':<34}{plain_s:>9.2f}{best['plain']:>10.2f}{plain_mb:>10.0f}")
    print(
        f"{'flowza run, cold (empty cache)':<34}{cold_s:>9.2f}{best['cold']:>10.2f}{cold_mb:>10.0f}"
        f"   time x{cold_s / plain_s:.2f}, x{best['cold'] / best['plain']:.2f} of the script; "
        f"mem x{cold_mb / plain_mb:.2f}"
    )
    print(
        f"{'flowza run, warm, nothing changed':<34}{warm_s:>9.2f}{best['warm']:>10.2f}{warm_mb:>10.0f}"
        f"   x{warm_s / cold_s:.3f}, x{best['warm'] / best['cold']:.3f} of cold"
    )
    print(
        f"{'  the same without its run record':<34}{engine_s:>9.2f}{best['engine']:>10.2f}{engine_mb:>10.0f}"
        f"   x{engine_s / cold_s:.3f}, x{best['engine'] / best['cold']:.3f} of cold (the engine validates and "
        "finds every node cached)"
    )
    print(
        f"{'flowza run, warm, C changed':<34}{change_s:>9.2f}{best['change']:>10.2f}{change_mb:>10.0f}"
        f"   x{change_s / cold_s:.2f}, x{best['change'] / best['cold']:.2f} of cold"
    )
    print(f"warm statuses: {sorted(warm_statuses)}; after changing C: {change_statuses}")
    print("targets: cold <= 1.10x time and <= 1.5x memory of the script; warm <= 0.05x cold; C change <= 0.6x cold")


if __name__ == "__main__":
    main()
