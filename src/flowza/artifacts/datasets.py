"""Datasets for workers on other machines, through the artifact store.

The API publishes the dataset files a run reads as `datasets/<sha256>` when it sends the run (a
cheap existence check when they are there already); a worker whose data directory lacks a file,
or holds a different one, fetches it before running. With a shared data directory nothing moves.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from flowza.artifacts.store import ArtifactStore
from flowza.datasets.layout import Layout
from flowza.db.models import DatasetRow
from flowza.db.repositories import Datasets, Runs, Workflows

log = logging.getLogger(__name__)


def dataset_names(document: dict[str, Any]) -> set[str]:
    """The dataset names a workflow document reads (params whose form widget is `dataset`)."""
    from flowza.nodes.registry import dataset_names as names_in

    return set(names_in(document))


def blob_name(row: DatasetRow) -> str:
    return f"datasets/{row.sha256}"


@dataclass
class DatasetSync:
    store: ArtifactStore
    sessions: sessionmaker[Session]
    layout: Layout

    def rows(self, run_id: str) -> tuple[str, Sequence[DatasetRow]]:
        with self.sessions() as session:
            run = Runs(session).get(run_id)
            if run is None:
                return "", []
            stored = Workflows(session).version(run.workflow_id, run.workflow_version)
            names = dataset_names(stored.document) if stored is not None else set()
            datasets = Datasets(session)
            rows = [row for row in (datasets.by_name(run.owner_id, name) for name in sorted(names)) if row]
            return run.owner_id, rows

    def publish(self, run_id: str) -> None:
        """API side: make sure the store has every dataset file the run reads."""
        owner_id, rows = self.rows(run_id)
        for row in rows:
            path = self.layout.datasets_dir(owner_id) / row.name
            if path.is_file() and not self.store.has_blob(blob_name(row)):
                self.store.put_blob(blob_name(row), path)

    def fetch(self, run_id: str) -> None:
        """Worker side: download the dataset files this machine lacks (or holds another version of)."""
        owner_id, rows = self.rows(run_id)
        for row in rows:
            path = self.layout.datasets_dir(owner_id) / row.name
            if path.is_file() and path.stat().st_size == row.size_bytes:
                continue
            tmp = path.with_name(f".fetch-{uuid.uuid4().hex}")
            try:
                if self.store.get_blob(blob_name(row), tmp):
                    os.replace(tmp, path)
                else:
                    log.warning("dataset %r of run %s is not in the artifact store", row.name, run_id)
            finally:
                tmp.unlink(missing_ok=True)
