"""Small parts of the exporter: literals, names, imports, the plan, the script's layout."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pytest

from flowza.codegen.build import plan_export
from flowza.codegen.export import export_workflow
from flowza.codegen.notebook import md
from flowza.codegen.render import imports_block, one_line
from flowza.codegen.snippet import Allocator, Import, identifier, lit
from flowza.nodes.registry import catalog
from tests.export.cases import titanic_workflow
from tests.export.support import template

WEIRD = ['a"b', "c'd", 'e"""f', "g'''h", "i\\j", "k\nl", "m\r\n#n", "\x00\x1b", "é ✓ \u2028", "{x}", "__import__('os')"]


@pytest.mark.parametrize(
    "value", [None, True, 0, -3, 1.5, 1e-300, 2**70, *WEIRD, ["a", 1, [None]], ("t",), {"k": ["v"]}]
)
def test_lit_round_trips(value: object) -> None:
    source = lit(value)
    assert ast.literal_eval(source) == value
    assert "\n" not in source and "\r" not in source


def test_lit_non_finite_floats() -> None:
    assert lit(float("inf")) == 'float("inf")'
    assert math.isnan(eval(lit(float("nan"))))  # noqa: S307 - our own literal, in a test
    with pytest.raises(TypeError):
        lit(object())


def test_identifiers_are_safe_and_unique() -> None:
    allocator = Allocator(reserved={"pd"})
    names = set()
    ids = ["load", "load ", "LOAD", "1st", "", "class", "a__b", *WEIRD]
    for node_id in ids:
        prefix = allocator.prefix(node_id)
        assert prefix.isidentifier() and prefix.isascii()
        names.add(allocator.name(f"{prefix}_data"))
    assert len(names) == len(ids)
    assert identifier("Split (80/20)") == "split_80_20"
    assert allocator.name("pd") == "pd_2" and allocator.name("print") == "print_2"


def test_one_line_comments() -> None:
    for text in WEIRD:
        assert "\n" not in one_line(text) and "\r" not in one_line(text) and "\u2028" not in one_line(text)


def test_imports_are_grouped_and_deduplicated() -> None:
    block = imports_block(
        [Import("pandas", alias="pd"), Import("json"), Import("sklearn.svm", "SVC"), Import("pandas", alias="pd")]
        + [Import("sklearn.svm", "LinearSVC"), Import("pathlib", "Path")]
    )
    assert block == (
        "import json\nfrom pathlib import Path\n\nimport pandas as pd\nfrom sklearn.svm import LinearSVC, SVC"
    )


def test_markdown_escapes_user_text() -> None:
    assert md("# *hi* <script>`x`</script>\n[a](b)") == r"\# \*hi\* \<script\>\`x\`\</script\> \[a\]\(b\)"


def test_every_node_type_can_be_exported() -> None:
    missing = [t for t, definition in catalog().items() if definition.code is None]
    assert not missing


def test_script_layout() -> None:
    document = titanic_workflow()
    plan = plan_export(document)
    source = export_workflow(document, "script")
    tree = ast.parse(source)
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    first_other = next(i for i, n in enumerate(tree.body) if not isinstance(n, (ast.Import, ast.ImportFrom)))
    assert all(tree.body.index(n) < first_other for n in top_imports), "every import is at the top"
    nested = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and n not in top_imports]
    assert not nested
    modules = {alias.name for n in top_imports if isinstance(n, ast.Import) for alias in n.names}
    modules |= {n.module or "" for n in top_imports if isinstance(n, ast.ImportFrom)}
    assert not [m for m in modules if m.split(".")[0] == "flowza"]
    lines = [ast.unparse(n) for n in top_imports]
    assert len(lines) == len(set(lines))
    assert source.startswith("# Workflow: 'Titanic: two models'\n# Workflow version: not saved")
    assert "DATA_DIR = Path(os.environ.get(\"DATA_DIR\", '.'))" in source
    positions = [source.index(f"# [{i}/{len(plan.sections)}] {s.node_id!r}:") for i, s in enumerate(plan.sections, 1)]
    assert positions == sorted(positions)
    assert [s.node_id for s in plan.sections][:3] == ["load", "split", "drop_rows"]
    assert source.rstrip().endswith("print(json.dumps(METRICS, indent=2, default=str))")


def test_version_in_header_and_notebook_cells() -> None:
    document = template("binary_classification", "titanic.csv", "survived")
    assert "# Workflow version: version 7" in export_workflow(document, "script", version=7)
    notebook = json.loads(export_workflow(document, "notebook", version=7))
    assert notebook["nbformat"] == 4
    kinds = [c["cell_type"] for c in notebook["cells"]]
    assert kinds.count("markdown") >= len(document["nodes"]) + 1
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    assert any(s.startswith("## 4. Impute missing values") and "| strategy |" in s for s in sources)
    assert any(s.endswith(".head()") for s in sources)
    assert any("plt.show()" in s for s in sources)


def test_invalid_workflow_is_refused() -> None:
    from flowza.engine.issues import ValidationFailed

    with pytest.raises(ValidationFailed):
        export_workflow(template("binary_classification", "titanic.csv"), "script")  # no target


def test_export_with_a_data_dir_checks_columns(shared_datasets: Path) -> None:
    from flowza.engine.issues import ValidationFailed

    document = template("binary_classification", "titanic.csv", "no_such_column")
    export_workflow(document, "script")  # without data nothing can tell
    with pytest.raises(ValidationFailed, match="no_such_column"):
        export_workflow(document, "script", data_dir=shared_datasets)


def test_fidelity_cases_cover_every_node_type() -> None:
    """A new node type needs a fidelity case: its code() must be shown to reproduce its run."""
    from tests.export.cases import CASES

    used = {node["type"] for make in CASES.values() for node in make()["nodes"]}
    assert set(catalog()) <= used, sorted(set(catalog()) - used)
