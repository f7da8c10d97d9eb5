"""scikit-learn is imported on another thread while a run reads its CSV, and only then.

Each check runs in a fresh interpreter: what matters is which thread imports scikit-learn
first, which one process can only see once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowza.nodes.registry import catalog
from tests.engine.helpers import chain, classification_chain

RECORD_FIRST_IMPORTER = """
import sys, threading
first = []

class RecordFirstImporter:
    def find_spec(self, name, path=None, target=None):
        if name == "sklearn" and not first:
            first.append(threading.current_thread().name)
        return None

sys.meta_path.insert(0, RecordFirstImporter())
"""


def run_script(body: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RECORD_FIRST_IMPORTER + body], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_run_that_starts_with_a_csv_read_imports_scikit_learn_beside_it(data_dir: Path, tmp_path: Path) -> None:
    body = f"""
import json
from pathlib import Path
from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
workflow = {json.dumps(classification_chain())}
options = RunOptions(data_dir=Path({str(data_dir)!r}), cache=Cache(Path({str(tmp_path / "cache")!r})))
result = run_workflow(workflow, options)
options.cache.flush()
print(json.dumps({{"first": first, "status": result.status, "metrics": result.metrics}}))
"""
    outcome = run_script(body)
    assert outcome["status"] == "succeeded"
    assert outcome["first"] == ["flowza-import-writers"]
    assert outcome["metrics"]["eval"]["accuracy"] > 0.5  # type: ignore[index]


def test_a_run_that_starts_past_the_read_imports_scikit_learn_first_in_its_own_thread(
    data_dir: Path, tmp_path: Path
) -> None:
    """The load step cached: the first node to run needs scikit-learn, so nothing imports it beside."""
    cache = tmp_path / "cache"
    prime = f"""
import json
from pathlib import Path
from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
options = RunOptions(data_dir=Path({str(data_dir)!r}), cache=Cache(Path({str(cache)!r})))
WORKFLOW = {json.dumps(classification_chain(model_params={"C": 1.0}))}
"""
    run_script(prime + 'run_workflow(WORKFLOW, options); options.cache.flush(); print("{}")')
    changed = json.dumps(classification_chain(model_params={"C": 0.25}))
    outcome = run_script(
        prime
        + f"result = run_workflow({changed}, options)\n"
        + 'print(json.dumps({"first": first, "status": result.status, '
        + '"ran": sorted(k for k, v in result.nodes.items() if v.status == "succeeded")}))'
    )
    assert outcome["status"] == "succeeded"
    assert outcome["ran"] == ["eval", "model"]
    assert outcome["first"] == ["MainThread"]


@pytest.mark.parametrize("node_type", sorted(d.type for d in catalog().values() if not d.needs_sklearn))
def test_a_node_declared_free_of_scikit_learn_does_not_import_it(node_type: str, data_dir: Path) -> None:
    steps: list[tuple[str, str, dict[str, object]]] = [("load", "load_csv", {"dataset": "synthetic.csv"})]
    if node_type != "load_csv":
        steps.append(("step", node_type, {}))
    body = f"""
import json
from pathlib import Path
from flowza.engine.executor import RunOptions, run_workflow
result = run_workflow({json.dumps(chain(*steps))}, RunOptions(data_dir=Path({str(data_dir)!r})))
print(json.dumps({{"first": first, "status": result.status, "sklearn": "sklearn" in sys.modules}}))
"""
    outcome = run_script(body)
    assert outcome["status"] == "succeeded"
    assert outcome == {"first": [], "status": "succeeded", "sklearn": False}


def test_import_writers_waits_for_the_import_begun_in_the_background() -> None:
    body = """
import json
from flowza.engine import cache
cache.import_writers_in_background()
cache.import_writers()
import sklearn.cluster
print(json.dumps({"first": first, "skops": "skops.io" in sys.modules,
                  "cluster_is_real": hasattr(sklearn.cluster, "KMeans")}))
"""
    outcome = run_script(body)
    assert outcome == {"first": ["flowza-import-writers"], "skops": True, "cluster_is_real": True}
