"""Bad input through the CLI: a clear error naming the problem, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.engine.helpers import chain, classification_chain


def flowza(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flowza.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


@pytest.fixture()
def bad_dir(tmp_path: Path) -> Path:
    write(tmp_path / "empty.csv", b"")
    write(tmp_path / "binary.csv", bytes(range(256)) * 20)
    write(tmp_path / "ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n")
    write(tmp_path / "header_only.csv", b"a,b,c\n")
    write(tmp_path / "dupes.csv", b"a,b,a\n1,2,3\n")
    write(tmp_path / "latin.csv", "name,label\nJos\xe9,yes\nAnn,no\n".encode("cp1252"))
    write(tmp_path / "text_target.csv", b"x,y\n" + b"".join(f"{i},{'ab'[i % 2]}\n".encode() for i in range(40)))
    return tmp_path


def run_json(workflow: dict, data_dir: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(workflow))
    done = flowza("run", str(path), "--data-dir", str(data_dir), "--json", "--no-cache")
    return done, json.loads(done.stdout) if done.stdout.strip() else {}


def assert_clear(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output


@pytest.mark.parametrize(
    ("dataset", "needle"),
    [
        ("empty.csv", "empty"),
        ("binary.csv", "binary"),
        ("ragged.csv", "different number of fields"),
        ("header_only.csv", "no data rows"),
        ("dupes.csv", "twice"),
        ("missing.csv", "not found"),
    ],
)
def test_bad_files_are_clear_errors(bad_dir: Path, tmp_path: Path, dataset: str, needle: str) -> None:
    done, document = run_json(chain(("load", "load_csv", {"dataset": dataset})), bad_dir, tmp_path)
    assert_clear(done, needle, "'load'")
    assert document["status"] == "failed"


def test_ragged_file_names_the_line(bad_dir: Path, tmp_path: Path) -> None:
    done, _ = run_json(chain(("load", "load_csv", {"dataset": "ragged.csv"})), bad_dir, tmp_path)
    assert_clear(done, "line 3")


def test_windows_1252_text_is_read(bad_dir: Path, tmp_path: Path) -> None:
    done, document = run_json(chain(("load", "load_csv", {"dataset": "latin.csv"})), bad_dir, tmp_path)
    assert done.returncode == 0, done.stderr
    assert document["nodes"]["load"]["status"] == "succeeded"


def test_missing_column_is_named(data_dir: Path, tmp_path: Path) -> None:
    done, document = run_json(classification_chain(target="nosuch"), data_dir, tmp_path)
    assert_clear(done, "'nosuch'", "'split'", "'target'")
    assert document["errors"][0]["node_id"] == "split"


def test_non_numeric_target_for_regression(bad_dir: Path, tmp_path: Path) -> None:
    workflow = chain(
        ("load", "load_csv", {"dataset": "text_target.csv"}),
        ("split", "train_test_split", {"target": "y", "stratify": False}),
        ("model", "linear_regression", {}),
    )
    done, _ = run_json(workflow, bad_dir, tmp_path)
    assert_clear(done, "numeric target", "'model'")


def test_not_json_workflow_file(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"nodes": [')
    done = flowza("run", str(path), "--data-dir", str(data_dir))
    assert_clear(done, "not valid JSON", "line 1")


def test_unknown_workflow_name(data_dir: Path) -> None:
    done = flowza("run", "no_such_workflow", "--data-dir", str(data_dir))
    assert_clear(done, "neither a workflow file nor a template name")


def test_bad_set_override(data_dir: Path) -> None:
    done = flowza("run", "regression", "--data-dir", str(data_dir), "--set", "ghost.x=1")
    assert_clear(done, "no node 'ghost'")


def test_validate_command_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(classification_chain()))
    done = flowza("validate", str(good), "--data-dir", str(data_dir))
    assert done.returncode == 0 and "valid: 0 error(s)" in done.stdout
    bad = classification_chain(target="nosuch")
    bad["nodes"][5]["params"]["C"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    done = flowza("validate", str(path), "--data-dir", str(data_dir), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert {(e["node_id"], e["field"]) for e in report["errors"]} == {("split", "target"), ("model", "C")}


def test_template_runs_with_set(data_dir: Path, tmp_path: Path) -> None:
    done = flowza(
        "run",
        "binary_classification",
        "--data-dir",
        str(data_dir),
        "--json",
        "--cache-dir",
        str(tmp_path / "c"),
        "--set",
        "load.dataset=sample_breast_cancer.csv",
        "--set",
        "split.target=diagnosis",
        "--set",
        "model.C=0.5",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metrics"]["eval"]["accuracy"] > 0.9


def test_nodes_and_schema_commands() -> None:
    catalog = json.loads(flowza("nodes", "--json").stdout)
    assert {"load_csv", "xgboost", "export_model"} <= {entry["type"] for entry in catalog}
    schema = json.loads(flowza("schema").stdout)
    assert "nodes" in schema["properties"] and "edges" in schema["properties"]
    listing = flowza("templates").stdout
    assert "binary_classification" in listing and "regression" in listing


def test_every_row_one_field_too_many_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "extra.csv", b"a,b,c\n1,2,3,4\n5,6,7,8\n")
    done, _ = run_json(chain(("load", "load_csv", {"dataset": "extra.csv"})), tmp_path, tmp_path)
    assert_clear(done, "more fields than the header")


def test_a_short_row_past_the_sampled_rows_fails_the_run(tmp_path: Path) -> None:
    # validation reads a sample; pandas alone would fill the short row with missing values
    rows = b"".join(f"{i},{i % 3},{'ab'[i % 2]}\n".encode() for i in range(6000))
    write(tmp_path / "short.csv", b"x,y,label\n" + rows + b"1,2\n" + rows[:200])
    done, document = run_json(chain(("load", "load_csv", {"dataset": "short.csv"})), tmp_path, tmp_path)
    assert_clear(done, "line 6002 has 2 fields but the header has 3", "error")
    assert document["nodes"]["load"]["status"] == "failed"


def test_a_nul_byte_deep_in_the_file_fails_the_run(tmp_path: Path) -> None:
    write(tmp_path / "nul.csv", b"a,b\n" + b"1,2\n" * 30_000 + b"3,\x004\n")
    done, _ = run_json(chain(("load", "load_csv", {"dataset": "nul.csv"})), tmp_path, tmp_path)
    assert_clear(done, "column 'b', data row 30001 holds a NUL byte")


def test_quoted_newlines_and_separators_are_not_ragged(tmp_path: Path) -> None:
    write(tmp_path / "quoted.csv", b'note,n\n"two\nlines",1\n"a, b",2\n"say ""hi""",3\n')
    done, document = run_json(chain(("load", "load_csv", {"dataset": "quoted.csv"})), tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert document["nodes"]["load"]["status"] == "succeeded"


@pytest.mark.parametrize(
    ("variable", "value", "content", "needle"),
    [
        ("FLOWZA_MAX_ROWS", "10", b"a,b\n" + b"1,2\n" * 11, "11 data rows; at most 10"),
        ("FLOWZA_MAX_COLUMNS", "3", b"a,b,c,d\n1,2,3,4\n", "4 columns; at most 3"),
        ("FLOWZA_MAX_FIELD_KB", "1", b"a,b\n" + b"z" * 2000 + b",1\n", "column 'a', data row 1"),
    ],
)
def test_the_csv_limits_apply_to_flowza_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, content: bytes, needle: str
) -> None:
    write(tmp_path / "big.csv", content)
    monkeypatch.setenv(variable, value)
    done, _ = run_json(chain(("load", "load_csv", {"dataset": "big.csv"})), tmp_path, tmp_path)
    assert_clear(done, needle, variable)
    monkeypatch.delenv(variable)
    done, _ = run_json(chain(("load", "load_csv", {"dataset": "big.csv"})), tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr


def read(tmp_path: Path, content: bytes, separator: str = "auto", encoding: str = "auto") -> Any:
    from flowza.nodes.data.files import read_csv

    path = tmp_path / "file.csv"
    path.write_bytes(content)
    return read_csv(path, separator, encoding)


@pytest.mark.parametrize(
    ("content", "separator", "encoding", "shape"),
    [
        (b"a,b,c\n1,2,3\n4,5,\n   \n", "auto", "auto", (2, 3)),  # whitespace-only lines: pandas skips them
        (b"a,b,c\n1,2,\n\t\n4,5,6\n", "auto", "auto", (2, 3)),
        (
            "name|city|score\n\u30dd\u7530|\u6771\u4eac|1\n\u5c71\u672c|\u5927\u962a|\n".encode("shift_jis"),
            "|",
            "shift_jis",
            (2, 3),
        ),
        ("a\u00a7b\n1\u00a72\n3\u00a7\n".encode(), "\u00a7", "auto", (2, 2)),  # a separator pyarrow cannot use
        (b'a,b\r\n"x\r\ny",1\r\n"p, q",\r\n', "auto", "auto", (2, 2)),
    ],
)
def test_valid_files_with_gaps_in_the_last_column_are_read(
    tmp_path: Path, content: bytes, separator: str, encoding: str, shape: tuple[int, int]
) -> None:
    assert read(tmp_path, content, separator, encoding).shape == shape


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"a,b\n0,x,y\n1,z,w\n2,p,q\n", "more fields than the header"),  # pandas would take column 1 as index
        (
            (
                ",".join(f"column_with_a_long_name_{i:05d}" for i in range(3000)) + "\n" + ",".join("1" * 3000) + "\n"
            ).encode(),
            "at least 2185 columns; at most 2000",
        ),
        (
            (",".join(f"c{i:05d}" * 8 for i in range(1500)) + ",bad\x00name\n" + ",".join("1" * 1501) + "\n").encode(),
            "NUL",
        ),
        (b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "line 3 has 2 fields"),
    ],
)
def test_malformed_files_are_refused_by_the_reader(tmp_path: Path, content: bytes, needle: str) -> None:
    from flowza.nodes.base import NodeError

    with pytest.raises(NodeError, match=needle):
        read(tmp_path, content)
