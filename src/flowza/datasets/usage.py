"""Which dataset names a workflow document refers to (params whose form widget is `dataset`)."""

from __future__ import annotations

from typing import Any

from flowza.nodes.registry import dataset_names


def datasets_in(document: dict[str, Any]) -> set[str]:
    return set(dataset_names(document))
