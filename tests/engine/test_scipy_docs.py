"""flowza.scipy_docs: SciPy imports with its functions' own docstrings and unchanged behaviour."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from flowza.scipy_docs import skip_doc_tables
mode = sys.argv[1]
if mode == "skip":
    assert skip_doc_tables()
    assert not skip_doc_tables()  # once
import numpy as np
import scipy.stats
from scipy._lib import _array_api
from sklearn.linear_model import LogisticRegression
hooks = [type(h).__name__ for h in sys.meta_path]
assert "_PatchOnLoad" not in hooks, hooks  # it removed itself
assert scipy.stats.ttest_ind in _array_api.xp_capabilities_table  # capabilities still recorded
doc = scipy.stats.ttest_ind.__doc__
note = "Array API Standard Support"
rng = np.random.default_rng(3)
a, b = rng.normal(size=200), rng.normal(0.3, size=200)
X = rng.normal(size=(300, 4))
y = (X[:, 0] + rng.logistic(size=300) > 0).astype(int)
model = LogisticRegression().fit(X, y)
print(mode, note in doc, doc.lstrip().startswith("Calculate the T-test"),
      repr(scipy.stats.ttest_ind(a, b).statistic), repr(float(model.coef_.sum())))
"""


def run(mode: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_scipy_keeps_its_docstrings_and_results_without_the_tables() -> None:
    plain, skipped = run("plain"), run("skip")
    assert plain[1:3] == ["True", "True"]  # the table is there without the hook (the test can fail)
    assert skipped[1:3] == ["False", "True"]  # the function's own text, without the table
    assert skipped[3:] == plain[3:]  # the same statistics and the same fitted model, to the bit


def test_the_hook_is_not_installed_once_scipy_is_loaded() -> None:
    script = "import scipy.stats; from flowza.scipy_docs import skip_doc_tables; print(skip_doc_tables())"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
