"""Engine benchmark matrix: `flowza run` against a plain pandas + scikit-learn script, on several table shapes.

Shapes (rows can be changed with --rows SHAPE=N):
  a  1M rows: 20 numeric columns, a 4-value and a 30-value text column, a yes/no text target,
     0.5% missing in one column
  b  1M rows: 6 numeric and 5 text columns (2-6 values), a three-class text target, 0.5% missing
  c  one text column with 5,000 distinct values beside 10 numeric ones (one-hot is sparse in the script)
  d  wide: 500 numeric columns x 200k rows
  e  10M rows x 23 columns like (a), a ~2 GB CSV (only when asked for: --shapes e)
  f  titanic (891 rows) from FLOWZA_SHARED_DATASETS, where per-run overhead dominates; skipped when absent

The workflow: load -> drop nulls (titanic: drop columns, then impute after the split) -> split ->
encode -> normalize -> logistic regression -> evaluate. The script is written the way a data
scientist would: pandas.read_csv, train_test_split(random_state=42, stratify=y), one Pipeline of a
ColumnTransformer (StandardScaler on the numeric columns, OneHotEncoder(handle_unknown="ignore")
with its default sparse output on the text ones, SimpleImputers where the workflow imputes) and a
LogisticRegression (max_iter=1000, Flowza's default; otherwise scikit-learn's defaults).

Every measured program runs as its own process; wall seconds and peak RSS come from the operating
system (wait4). Per shape and repeat: the script; `flowza run` on an empty cache (cold); the same
run again (unchanged rerun); the run with the model's C changed; and the baseline for that last
one, a script that reads the model's input (the script's transformed train and test matrices,
saved once as .npy/.npz) and fits and scores the model alone. Medians are reported.

Usage: python benchmarks/engine.py [--shapes a,b,c,d,f] [--repeat 3] [--rows a=200000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SHAPES = "a,b,c,d,f"
QUICK_ROWS = {"a": 20_000, "b": 20_000, "c": 5_000, "d": 2_000, "e": 30_000}
GOALS = {"time": 1.2, "memory": 1.3, "rerun": 0.05, "change": 1.0}


@dataclass(frozen=True)
class Shape:
    letter: str
    title: str
    rows: int  # default size; titanic: the file's
    target: str
    numeric: list[str]
    text: list[str]
    drop: list[str] = field(default_factory=list)  # columns the workflow and the script leave out
    impute: bool = False  # impute after the split (titanic) instead of dropping rows with nulls first


A_NUMERIC = [f"x{i}" for i in range(20)]
SHAPES = {
    "a": Shape("a", "20 numeric + 4- and 30-value text, yes/no", 1_000_000, "target", A_NUMERIC, ["region", "plan"]),
    "b": Shape(
        "b",
        "6 numeric + 5 text, 3-class text target",
        1_000_000,
        "grade",
        [f"x{i}" for i in range(6)],
        [f"t{j}" for j in range(5)],
    ),
    "c": Shape("c", "10 numeric + one 5,000-value text", 50_000, "target", [f"x{i}" for i in range(10)], ["item"]),
    "d": Shape("d", "wide: 500 numeric, yes/no", 200_000, "target", [f"x{i:03d}" for i in range(500)], []),
    "e": Shape("e", "like (a), 10M rows (~2 GB CSV)", 10_000_000, "target", A_NUMERIC, ["region", "plan"]),
    "f": Shape(
        "f",
        "titanic",
        891,
        "survived",
        ["pclass", "age", "sibsp", "parch", "fare"],
        ["sex", "embarked"],
        drop=["alive", "adult_male", "alone", "who", "class", "deck", "embark_town"],
        impute=True,
    ),
}


# ---------------------------------------------------------------------------------------------
# data, written with pyarrow's CSV writer in a child process (the measuring process stays small)


def make_csv(letter: str, path: Path, rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(7)
    tmp = path.with_suffix(".partial")
    writer: Any = None
    chunk = 500_000
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        columns = _columns(letter, rng, n)
        table = pa.table(columns)
        if writer is None:
            writer = pacsv.CSVWriter(str(tmp), table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
        writer.write_table(table)
    assert writer is not None
    writer.close()
    os.replace(tmp, path)


def _columns(letter: str, rng: Any, n: int) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa

    def numbers(count: int, name: str) -> dict[str, np.ndarray]:
        return {name.format(i): rng.normal(size=n).round(6) for i in range(count)}

    def with_missing(values: Any) -> Any:
        return pa.array(values, mask=rng.random(n) < 0.005)

    cols: dict[str, Any] = {}
    if letter in ("a", "e"):
        cols = numbers(20, "x{}")
        region = rng.integers(0, 4, size=n)
        plan = rng.integers(0, 30, size=n)
        cols["region"] = np.array(["north", "south", "east", "west"])[region]
        cols["plan"] = np.char.add("plan", np.char.zfill(plan.astype(str), 2))
        logit = cols["x0"] - 0.5 * cols["x1"] + 0.25 * cols["x2"] + 0.8 * (region == 0) + plan / 29 - 0.5
        cols["target"] = np.where(logit + rng.logistic(size=n) > 0, "yes", "no")
        cols["x3"] = with_missing(cols["x3"])
    elif letter == "b":
        cols = numbers(6, "x{}")
        logit = cols["x0"] - cols["x1"]
        for j, count in enumerate([2, 3, 4, 5, 6]):
            codes = rng.integers(0, count, size=n)
            cols[f"t{j}"] = np.char.add(f"t{j}v", codes.astype(str))
            logit = logit + 0.3 * (codes == 0)
        score = logit + rng.logistic(size=n)
        cols["grade"] = np.where(score < -0.5, "low", np.where(score < 0.8, "mid", "high"))
        cols["t2"] = with_missing(cols["t2"])
    elif letter == "c":
        cols = numbers(10, "x{}")
        item = rng.integers(0, 5000, size=n)
        cols["item"] = np.char.add("i", np.char.zfill(item.astype(str), 4))
        logit = cols["x0"] + 0.5 * cols["x1"] + ((item % 7) - 3) / 3
        cols["target"] = np.where(logit + rng.logistic(size=n) > 0, "yes", "no")
        cols["x1"] = with_missing(cols["x1"])
    elif letter == "d":
        cols = numbers(500, "x{:03d}")
        logit = sum(cols[f"x{i:03d}"] * (0.1 if i % 2 else -0.1) for i in range(20))
        cols["target"] = np.where(logit + rng.logistic(size=n) > 0, "yes", "no")
        cols["x007"] = with_missing(cols["x007"])
    else:
        raise ValueError(letter)
    return cols


# ---------------------------------------------------------------------------------------------
# the programs measured

# The scoring both measured scripts end with (the metrics Flowza's evaluate reports for these shapes).
SCORE_SNIPPET = """
proba = model.predict_proba(X_test)
pred = model.predict(X_test)
classes = list(model.classes_)
if len(classes) == 2:
    positive = sorted(classes)[-1]
    f1 = metrics.f1_score(y_test, pred, pos_label=positive)
    auc = metrics.roc_auc_score(y_test == positive, proba[:, classes.index(positive)])
else:
    f1 = metrics.f1_score(y_test, pred, average="macro")
    auc = metrics.roc_auc_score(y_test, proba, multi_class="ovr", average="macro", labels=classes)
print(json.dumps({"accuracy": metrics.accuracy_score(y_test, pred), "f1": f1, "roc_auc": auc}))
"""

PLAIN_SCRIPT = """
import json, sys
import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

csv, C, spec = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
df = pd.read_csv(csv)
if spec["drop"]:
    df = df.drop(columns=spec["drop"])
if not spec["impute"]:
    df = df.dropna()
X, y = df.drop(columns=[spec["target"]]), df[spec["target"]]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
if spec["impute"]:
    numeric = make_pipeline(SimpleImputer(), StandardScaler())
    text = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
else:
    numeric, text = StandardScaler(), OneHotEncoder(handle_unknown="ignore")
parts = [("numeric", numeric, spec["numeric"])] + ([("text", text, spec["text"])] if spec["text"] else [])
model = Pipeline([("prepare", ColumnTransformer(parts)), ("model", LogisticRegression(C=C, max_iter=1000))])
model.fit(X_train, y_train)
{metrics}if len(sys.argv) > 4:  # save the model's input for the baseline of a C change (not in measured runs)
    import scipy.sparse
    from pathlib import Path
    out = Path(sys.argv[4])
    for name, part in (("train", X_train), ("test", X_test)):
        matrix = model[:-1].transform(part)
        if scipy.sparse.issparse(matrix):
            scipy.sparse.save_npz(out / f"X_{name}.npz", matrix.tocsr(), compressed=False)
        else:
            np.save(out / f"X_{name}.npy", np.ascontiguousarray(matrix))
    np.save(out / "y_train.npy", y_train.to_numpy().astype(str))
    np.save(out / "y_test.npy", y_test.to_numpy().astype(str))
""".replace("{metrics}", SCORE_SNIPPET.lstrip("\n"))

BASELINE_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
from sklearn import metrics
from sklearn.linear_model import LogisticRegression

folder, C = Path(sys.argv[1]), float(sys.argv[2])
def matrix(name):
    if (folder / f"{name}.npz").exists():
        import scipy.sparse
        return scipy.sparse.load_npz(folder / f"{name}.npz")
    return np.load(folder / f"{name}.npy")
X_train, X_test = matrix("X_train"), matrix("X_test")
y_train, y_test = np.load(folder / "y_train.npy"), np.load(folder / "y_test.npy")
model = LogisticRegression(C=C, max_iter=1000).fit(X_train, y_train)
{metrics}""".replace("{metrics}", SCORE_SNIPPET.lstrip("\n"))


def workflow(shape: Shape, dataset: str, c: float) -> dict[str, Any]:
    """The shape's workflow; encode and normalize name their columns as the script's ColumnTransformer does."""
    steps: list[tuple[str, str, dict[str, Any]]] = [("load", "load_csv", {"dataset": dataset})]
    if shape.drop:
        steps.append(("drop", "drop_columns", {"columns": shape.drop}))
    if not shape.impute:
        steps.append(("clean", "drop_nulls", {}))
    steps.append(("split", "train_test_split", {"target": shape.target}))
    if shape.impute:
        steps.append(("impute", "impute", {}))
    if shape.text:
        steps.append(("encode", "encode_categorical", {"columns": shape.text}))
    steps += [
        ("scale", "normalize", {"columns": shape.numeric}),
        ("model", "logistic_regression", {"C": c}),
        ("eval", "evaluate", {}),
    ]
    return {
        "schema_version": 1,
        "name": f"benchmark {shape.letter}",
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in steps],
        "edges": [{"source": steps[k][0], "target": steps[k + 1][0]} for k in range(len(steps) - 1)],
    }


SETTLE_SCRIPT = "import numpy, sys; numpy.ones(int(float(sys.argv[1]) * 2**30) // 8)"


def settle_memory(gib: float) -> None:
    """Touch and free `gib` GiB in a child process, so the next program starts on memory the VM backs.

    On a virtual machine that hands freed memory back to its host, the first touch of such a
    page costs the guest a host fault (about 1 s per GiB measured here). Whether a program gets
    such pages depends on what ran just before it; settling before every measured program gives
    each the same start. --settle-gib 0 measures without it.
    """
    subprocess.run([sys.executable, "-c", SETTLE_SCRIPT, str(gib)], check=True)


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    out: str
    cpu: float = 0.0  # user + system seconds of all its threads: steadier than wall time on a busy machine


def measure(args: list[str], settle_gib: float) -> Measured:
    """Wall seconds, peak RSS in MiB and stdout of one child process."""
    if settle_gib:
        settle_memory(settle_gib)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, error = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args[:5])} failed ({status}): {error[-3000:]}{text[-2000:]}")
    return Measured(seconds, usage.ru_maxrss / 1024, text, usage.ru_utime + usage.ru_stime)


# ---------------------------------------------------------------------------------------------
# one shape


@dataclass
class ShapeResult:
    shape: Shape
    rows: int
    columns: int
    runs: dict[str, list[Measured]]
    metrics_equal: bool
    change_equal: bool
    rerun_statuses: list[str]
    change_statuses: dict[str, str]
    node_seconds: dict[str, float]

    def median(self, name: str) -> Measured:
        ordered = sorted(self.runs[name], key=lambda r: r.seconds)
        return ordered[len(ordered) // 2]


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(b.get(k) is not None and abs(float(a[k]) - float(b[k])) <= 1e-9 for k in a)


def prepare_data(shape: Shape, rows: int, work: Path) -> Path | None:
    """The shape's CSV in its own data folder (generated once and kept), or None when it is not available."""
    if shape.letter == "f":
        shared = Path(
            os.environ.get("FLOWZA_SHARED_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets")
        )
        source = shared / "titanic.csv"
        if not source.is_file():
            print(f"shape f skipped: {source} not found (set FLOWZA_SHARED_DATASETS)")
            return None
        folder = work / "data-f"
        folder.mkdir(parents=True, exist_ok=True)
        csv = folder / "titanic.csv"
        if not csv.exists() or csv.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, csv)  # a copy: a data folder's files must lie inside it
        return csv
    folder = work / f"data-{shape.letter}-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"shape_{shape.letter}.csv"
    if not csv.exists():
        started = time.perf_counter()
        maker = multiprocessing.get_context("spawn").Process(target=make_csv, args=(shape.letter, csv, rows))
        maker.start()
        maker.join()
        if maker.exitcode != 0:
            raise RuntimeError(f"generating {csv} failed")
        print(f"generated {csv} ({csv.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f}s")
    return csv


def run_shape(shape: Shape, rows: int, options: argparse.Namespace) -> ShapeResult | None:
    work: Path = options.work_dir
    csv = prepare_data(shape, rows, work)
    if csv is None:
        return None
    with csv.open() as handle:
        columns = len(handle.readline().split(","))
    if shape.letter == "f":
        with csv.open() as handle:
            rows = sum(1 for _ in handle) - 1
    run_dir = work / f"run-{shape.letter}-{rows}"
    shutil.rmtree(run_dir, ignore_errors=True)
    (run_dir / "model-input").mkdir(parents=True)
    cache = run_dir / "cache"
    script, baseline = run_dir / "plain.py", run_dir / "baseline.py"
    script.write_text(PLAIN_SCRIPT)
    baseline.write_text(BASELINE_SCRIPT)
    spec = json.dumps(
        {
            "target": shape.target,
            "numeric": shape.numeric,
            "text": shape.text,
            "drop": shape.drop,
            "impute": shape.impute,
        }
    )
    for c in (1.0, 0.5):
        (run_dir / f"wf-{c}.json").write_text(json.dumps(workflow(shape, csv.name, c)))
    py = sys.executable
    flowza = [py, "-m", "flowza", "run"]
    common = ["--data-dir", str(csv.parent), "--cache-dir", str(cache), "--json"]
    settle = options.settle_gib
    # the baseline's input: the script's own transformed matrices, saved once (not measured)
    measure([py, str(script), str(csv), "0.5", spec, str(run_dir / "model-input")], 0)

    runs: dict[str, list[Measured]] = {"script": [], "cold": [], "rerun": [], "change": [], "baseline": []}
    for _ in range(options.repeat):
        shutil.rmtree(cache, ignore_errors=True)
        runs["script"].append(measure([py, str(script), str(csv), "1.0", spec], settle))
        runs["cold"].append(measure([*flowza, str(run_dir / "wf-1.0.json"), *common], settle))
        runs["rerun"].append(measure([*flowza, str(run_dir / "wf-1.0.json"), *common], settle))
        runs["change"].append(measure([*flowza, str(run_dir / "wf-0.5.json"), *common], settle))
        runs["baseline"].append(measure([py, str(baseline), str(run_dir / "model-input"), "0.5"], settle))
    result = ShapeResult(shape, rows, columns, runs, False, False, [], {}, {})
    cold = json.loads(result.median("cold").out)
    change = json.loads(result.median("change").out)
    result.metrics_equal = _same(json.loads(result.median("script").out), cold["metrics"]["eval"])
    result.change_equal = _same(json.loads(result.median("baseline").out), change["metrics"]["eval"])
    result.rerun_statuses = sorted({n["status"] for r in runs["rerun"] for n in json.loads(r.out)["nodes"].values()})
    result.change_statuses = {k: n["status"] for k, n in change["nodes"].items()}
    result.node_seconds = {k: float(n["seconds"]) for k, n in cold["nodes"].items()}
    return result


# ---------------------------------------------------------------------------------------------
# the table


def _mark(ratio: float, goal: float) -> str:
    return f"{ratio:.2f}x {'ok' if ratio <= goal else 'NO'}"


def table(results: list[ShapeResult]) -> str:
    header = (
        "| shape | rows x cols | script s | cold s | cold / script | CPU s script / cold | script MB | cold MB "
        "| cold / script MB "
        "| rerun s | rerun / cold | C changed s | fit+read s | C / fit+read | metrics = script |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for r in results:
        script, cold, rerun = r.median("script"), r.median("cold"), r.median("rerun")
        change, base = r.median("change"), r.median("baseline")
        equal = "yes" if r.metrics_equal and r.change_equal else f"NO (cold {r.metrics_equal}, C {r.change_equal})"
        lines.append(
            f"| {r.shape.letter} {r.shape.title} | {r.rows:,} x {r.columns} | {script.seconds:.2f} | {cold.seconds:.2f} "
            f"| {_mark(cold.seconds / script.seconds, GOALS['time'])} | {script.cpu:.1f} / {cold.cpu:.1f} "
            f"| {script.peak_mb:,.0f} | {cold.peak_mb:,.0f} "
            f"| {_mark(cold.peak_mb / script.peak_mb, GOALS['memory'])} | {rerun.seconds:.2f} "
            f"| {rerun.seconds / cold.seconds:.3f}x {'ok' if rerun.seconds <= GOALS['rerun'] * cold.seconds else 'NO'} "
            f"| {change.seconds:.2f} | {base.seconds:.2f} | {_mark(change.seconds / base.seconds, GOALS['change'])} "
            f"| {equal} |"
        )
    return "\n".join(lines)


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = f", {int(handle.readline().split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


def parse_rows(values: list[str]) -> dict[str, int]:
    rows: dict[str, int] = {}
    for value in values:
        letter, _, count = value.partition("=")
        if letter not in SHAPES or not count.replace("_", "").isdigit():
            raise SystemExit(f"--rows takes SHAPE=N with SHAPE one of {', '.join(SHAPES)}, not {value!r}")
        rows[letter] = int(count)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default=None, help=f"comma-separated shape letters (default {DEFAULT_SHAPES})")
    parser.add_argument("--repeat", type=int, default=None, help="measure each program this many times (default 3)")
    parser.add_argument("--rows", action="append", default=[], metavar="SHAPE=N", help="rows of a generated shape")
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat, no settling: for tests")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "flowza-bench")
    parser.add_argument(
        "--settle-gib",
        type=float,
        default=None,
        help="before each measured program, touch and free this much memory in a child (default 2; 0: off)",
    )
    options = parser.parse_args()
    letters = (options.shapes or ("a,b,c,d,e,f" if options.quick else DEFAULT_SHAPES)).split(",")
    unknown = [s for s in letters if s not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shape {unknown[0]!r}; shapes: {', '.join(SHAPES)}")
    options.repeat = options.repeat or (1 if options.quick else 3)
    options.settle_gib = options.settle_gib if options.settle_gib is not None else (0.0 if options.quick else 2.0)
    sizes = {k: (QUICK_ROWS.get(k, s.rows) if options.quick else s.rows) for k, s in SHAPES.items()}
    sizes.update(parse_rows(options.rows))
    options.work_dir.mkdir(parents=True, exist_ok=True)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[1]
    results: list[ShapeResult] = []
    for letter in letters:
        result = run_shape(SHAPES[letter], sizes[letter], options)
        if result is None:
            continue
        results.append(result)
        seconds = {name: [round(m.seconds, 2) for m in runs] for name, runs in result.runs.items()}
        print(f"shape {letter}: wall seconds in the order run: {seconds}")
        print(
            f"shape {letter}: cold run per node (s): "
            + ", ".join(f"{k} {v:.2f}" for k, v in result.node_seconds.items())
        )
        print(
            f"shape {letter}: unchanged rerun statuses {result.rerun_statuses}; after changing C: {result.change_statuses}"
        )
        print(
            f"shape {letter}: metrics equal to the script (1e-9): {result.metrics_equal}; "
            f"after changing C equal to the model-alone baseline: {result.change_equal}",
            flush=True,
        )
    print()
    print(
        f"{started}; {machine()}; load average (5 min) {load_before:.1f} at the start, "
        f"{os.getloadavg()[1]:.1f} at the end; medians of {options.repeat} run(s) per program; "
        + (f"{options.settle_gib:g} GiB settled before each program" if options.settle_gib else "memory not settled")
    )
    print(
        f"goals: cold <= {GOALS['time']}x the script's time and <= {GOALS['memory']}x its peak memory; "
        f"unchanged rerun <= {GOALS['rerun']}x cold; C changed <= {GOALS['change']}x fitting the model alone "
        "plus reading its input"
    )
    print(table(results))


if __name__ == "__main__":
    main()
