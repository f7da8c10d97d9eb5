"""The bad-input corpus, generated: malformed CSV files and malformed or hostile workflow documents."""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import dataclass
from typing import Any

GOOD_CSV = b"x1,x2,color,label\n" + b"".join(
    f"{i % 7}.5,{(i * 3) % 11},{'red' if i % 2 else 'blue'},{'yes' if i % 3 else 'no'}\n".encode() for i in range(60)
)
PAD = b"a,b\n" + b"1,2\n" * 30_000  # past the 64 KB the reader sniffs, so the problem sits deep in the file


@dataclass(frozen=True)
class BadCsv:
    name: str
    content: bytes


def bad_csvs() -> list[BadCsv]:
    """Malformed CSV content: the API refuses each with a 4xx, `flowza run` with a clear error."""
    return [
        BadCsv("empty", b""),
        BadCsv("blank lines", b"   \n\n\t\n"),
        BadCsv("header only", b"a,b,c\n"),
        BadCsv("header only with bom", b"\xef\xbb\xbfa,b\n"),
        BadCsv("binary nul", b"a,b\n1,\x00\x002\n"),
        BadCsv("nul in header", b"a\x00,b\n1,2\n"),
        BadCsv("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        BadCsv("gzip", gzip.compress(GOOD_CSV)),
        BadCsv("zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + GOOD_CSV[:50]),
        BadCsv("pickle", b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93."),
        BadCsv("sqlite database", b"SQLite format 3\x00" + bytes(100)),
        BadCsv("windows executable", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        BadCsv("utf16", "a,b\n1,2\n".encode("utf-16")),
        BadCsv("undecodable", b"a,b\n\x81\x8d,\x8f\x90\n"),
        BadCsv("ragged long row", b"a,b\n1,2\n3,4,5\n"),
        BadCsv("ragged crlf", b"a,b\r\n1,2\r\n2,3,4\r\n"),
        BadCsv("ragged quoted newline", b'a,b\n"x\ny",1,2\n'),
        BadCsv("ragged short row", b"a,b,c\n1,2,3\n4,5\n"),
        BadCsv("cr-only ragged", b"a,b\r1,2\r3\r"),
        BadCsv("duplicate columns", b"a,a\n1,2\n"),
        BadCsv("empty column name", b"a,,c\n1,2,3\n"),
        BadCsv("numbers only", b"1,2\n3,4\n"),
        BadCsv("unterminated quote", b'a,b\n"1,2\n3,4\n'),
        BadCsv("separators only", b",,,\n,,,\n"),
        BadCsv("bom only", b"\xef\xbb\xbf"),
        BadCsv("json", b'{"a": 1, "b": [1, 2]}\n'),
        BadCsv("html", b"<html><body><script>alert(1)</script></body></html>\n"),
        BadCsv("formula header only", b"=cmd|' /C calc'!A0,@SUM(1)\n"),
        BadCsv(
            "too many columns",
            (",".join(f"c{i}" for i in range(3000)) + "\n" + ",".join("1" * 3000) + "\n").encode(),
        ),
        BadCsv("huge cell", b"a,b\n" + b"z" * 400_000 + b",1\n"),
        BadCsv("huge quoted cell", b'a,b\n"' + b"q\n" * 200_000 + b'",1\n'),
        BadCsv("ragged deep in the file", PAD + b"1,2,3\n"),
        BadCsv("undecodable deep in the file", PAD + b"\x81\x8d,\x90\n"),
        BadCsv("nul deep in the file", PAD + b"1,\x002\n"),
    ]


# Upload names: refused, or reduced to a plain base name inside the user's dataset folder.
HOSTILE_UPLOAD_NAMES: list[tuple[str, str | None]] = [
    ("../escape.csv", None),
    ("/etc/passwd", None),
    ("..\\..\\win.csv", None),
    ("%2e%2e%2fdot.csv", None),
    ("a\x00b.csv", None),
    ("x" * 300 + ".csv", None),
    (".hidden.csv", None),
    ("new\nline.csv", None),
    ("", None),
    ("good.csv", "../../x.csv"),
    ("good.csv", "/tmp/x.csv"),
    ("good.csv", "x\x00.csv"),
    ("good.csv", "%2e%2e%2fx.csv"),
    ("good.csv", "CON"),
]


def base_workflow(dataset: str = "good.csv") -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "corpus",
        "nodes": [
            {"id": "load", "type": "load_csv", "params": {"dataset": dataset}},
            {"id": "split", "type": "train_test_split", "params": {"target": "label"}},
            {"id": "encode", "type": "encode_categorical", "params": {}},
            {"id": "model", "type": "logistic_regression", "params": {}},
            {"id": "eval", "type": "evaluate", "params": {}},
        ],
        "edges": [
            {"source": "load", "target": "split"},
            {"source": "split", "target": "encode"},
            {"source": "encode", "target": "model"},
            {"source": "model", "target": "eval"},
        ],
    }


@dataclass(frozen=True)
class BadWorkflow:
    name: str
    body: Any  # a document (dict), or raw bytes for what is not even a JSON object
    code: str | None  # the validation error kind expected; None: refused before validation (not an object, …)
    api_refused: bool = False  # the API refuses the request itself (4xx) instead of reporting errors


def _with(change: Any) -> dict[str, Any]:
    doc = base_workflow()
    change(doc)
    return doc


def _node(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def _set(doc: dict[str, Any], node_id: str, **params: Any) -> None:
    _node(doc, node_id)["params"].update(params)


def bad_workflows() -> list[BadWorkflow]:
    nested: dict[str, Any] = {}
    cursor = nested
    for _ in range(300):
        cursor["a"] = {}
        cursor = cursor["a"]
    hostile = '"""; import os; os.system("rm -rf ~") #'
    cases = [
        BadWorkflow("schema version 2", _with(lambda d: d.update(schema_version=2)), "invalid_document"),
        BadWorkflow("nodes not a list", _with(lambda d: d.update(nodes="abc")), "invalid_document"),
        BadWorkflow("edges not a list", _with(lambda d: d.update(edges={"a": 1})), "invalid_document"),
        BadWorkflow("unknown top-level field", _with(lambda d: d.update(exec="print(1)")), "invalid_document"),
        BadWorkflow("node id too long", _with(lambda d: _node(d, "eval").update(id="e" * 65)), "invalid_document"),
        BadWorkflow("node id empty", _with(lambda d: _node(d, "eval").update(id="")), "invalid_document"),
        BadWorkflow(
            "position not numbers", _with(lambda d: _node(d, "load").update(position={"x": "a"})), "invalid_document"
        ),
        BadWorkflow("node not an object", _with(lambda d: d["nodes"].append("load_csv")), "invalid_document"),
        BadWorkflow("unknown param", _with(lambda d: _set(d, "split", bogus=1)), "unknown_param"),
        BadWorkflow("param out of range", _with(lambda d: _set(d, "split", test_size=5)), "invalid_param"),
        BadWorkflow("param wrong type", _with(lambda d: _set(d, "split", test_size="half")), "invalid_param"),
        BadWorkflow("unknown source port", _with(lambda d: d["edges"][0].update(source_port="nope")), "unknown_port"),
        BadWorkflow("unknown target port", _with(lambda d: d["edges"][0].update(target_port="nope")), "unknown_port"),
        BadWorkflow(
            "model into a data port",
            _with(lambda d: d["edges"].append({"source": "model", "target": "split"})),
            "port_mismatch",
        ),
        BadWorkflow(
            "edge into load_csv",
            _with(lambda d: d["edges"].append({"source": "split", "target": "load"})),
            "port_mismatch",
        ),
        BadWorkflow("duplicate id", _with(lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][0]))), "duplicate_id"),
        BadWorkflow(
            "unknown node type",
            _with(lambda d: _node(d, "encode").update(type="encode_everything")),
            "unknown_node_type",
        ),
        BadWorkflow(
            "dangling source",
            _with(lambda d: d["edges"].append({"source": "ghost", "target": "eval"})),
            "dangling_edge",
        ),
        BadWorkflow(
            "dangling target",
            _with(lambda d: d["edges"].append({"source": "load", "target": "ghost"})),
            "dangling_edge",
        ),
        BadWorkflow("self loop", _with(lambda d: d["edges"].append({"source": "encode", "target": "encode"})), "cycle"),
        BadWorkflow(
            "two-node cycle",
            _with(
                lambda d: (
                    d["nodes"].append({"id": "again", "type": "drop_nulls", "params": {}}),
                    d["edges"].extend(
                        [{"source": "encode", "target": "again"}, {"source": "again", "target": "split"}]
                    ),
                    d["edges"].pop(0),
                )
            ),
            "cycle",
        ),
        BadWorkflow(
            "two inputs into one port",
            _with(
                lambda d: (
                    d["nodes"].append({"id": "load2", "type": "load_csv", "params": {"dataset": "good.csv"}}),
                    d["edges"].append({"source": "load2", "target": "split"}),
                )
            ),
            "multiple_inputs",
        ),
        BadWorkflow("required input missing", _with(lambda d: d["edges"].pop(2)), "missing_input"),
        BadWorkflow("unknown target column", _with(lambda d: _set(d, "split", target="nope")), "unknown_column"),
        BadWorkflow(
            "template injection column",
            _with(lambda d: _set(d, "split", target="{{7*7}}${jndi:ldap://x}")),
            "unknown_column",
        ),
        BadWorkflow("missing dataset", _with(lambda d: _set(d, "load", dataset="missing.csv")), "node_check"),
        BadWorkflow("dataset traversal", _with(lambda d: _set(d, "load", dataset="../../../etc/passwd")), "node_check"),
        BadWorkflow("dataset absolute", _with(lambda d: _set(d, "load", dataset="/etc/passwd")), "node_check"),
        BadWorkflow(
            "dataset url-encoded dots", _with(lambda d: _set(d, "load", dataset="%2e%2e/%2e%2e/x.csv")), "node_check"
        ),
        BadWorkflow(
            "dataset sibling prefix", _with(lambda d: _set(d, "load", dataset="../datasets2/good.csv")), "node_check"
        ),
        BadWorkflow("dataset empty", _with(lambda d: _set(d, "load", dataset="")), "node_check"),
        BadWorkflow("dataset url", _with(lambda d: _set(d, "load", dataset="http://127.0.0.1:1/x.csv")), "node_check"),
        BadWorkflow(
            "code in node type",
            _with(lambda d: _node(d, "model").update(type="__import__('os').system('id')")),
            "unknown_node_type",
        ),
        BadWorkflow(
            "hostile strings everywhere",
            _with(
                lambda d: (
                    d.update(name=hostile, description="<script>alert(1)</script>\u202e"),
                    _node(d, "eval").update(id=hostile[:60], label="'); DROP TABLE runs; --"),
                )
            ),
            "missing_input",
        ),
        BadWorkflow("hostile column name", _with(lambda d: _set(d, "split", target=hostile)), "unknown_column"),
        BadWorkflow(
            "params too deep", _with(lambda d: _set(d, "encode", deep=nested)), "unknown_param", api_refused=True
        ),
        BadWorkflow(
            "nul in node id",
            _with(lambda d: _node(d, "encode").update(id="enc\u0000ode")),
            "missing_input",
            api_refused=True,
        ),
        BadWorkflow(
            "too many nodes",
            _with(lambda d: d["nodes"].extend({"id": f"n{i}", "type": "nope", "params": {}} for i in range(501))),
            "too_large",
            api_refused=True,
        ),
        BadWorkflow("a list", b"[]", None, api_refused=True),
        BadWorkflow("a string", b'"workflow"', None, api_refused=True),
        BadWorkflow("not json", b'{"nodes": [', None, api_refused=True),
        BadWorkflow("empty", b"", None, api_refused=True),
        BadWorkflow("nan and infinity", b'{"schema_version": NaN, "nodes": Infinity}', None, api_refused=True),
    ]
    return cases


def raw(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()
