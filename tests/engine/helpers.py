"""Small builders for workflow documents in tests."""

from __future__ import annotations

from typing import Any


def chain(*steps: tuple[str, str, dict[str, Any]], name: str = "test workflow") -> dict[str, Any]:
    """A linear workflow: each node feeds the next."""
    nodes = [{"id": node_id, "type": node_type, "params": params} for node_id, node_type, params in steps]
    edges = [{"source": steps[i][0], "target": steps[i + 1][0]} for i in range(len(steps) - 1)]
    return {"schema_version": 1, "name": name, "nodes": nodes, "edges": edges}


def classification_chain(
    dataset: str = "synthetic.csv",
    target: str = "label",
    model: str = "logistic_regression",
    model_params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return chain(
        ("load", "load_csv", {"dataset": dataset}),
        ("split", "train_test_split", {"target": target}),
        ("impute", "impute", {}),
        ("encode", "encode_categorical", {}),
        ("scale", "normalize", {}),
        ("model", model, model_params or {}),
        ("eval", "evaluate", {}),
    )
