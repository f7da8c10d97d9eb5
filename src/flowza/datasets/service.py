"""Dataset operations behind the routes: import a checked file, delete, preview."""

from __future__ import annotations

import hashlib
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from flowza.datasets.checks import load_checked
from flowza.datasets.layout import Layout
from flowza.datasets.names import path_in
from flowza.datasets.parquet import write_parquet
from flowza.datasets.preview import parquet_page
from flowza.datasets.profile import profile
from flowza.datasets.scratch import remove_abandoned, scratch_folder
from flowza.datasets.usage import datasets_in
from flowza.db.models import DatasetRow, new_id
from flowza.db.repositories import Datasets, Workflows
from flowza.db.session import transaction
from flowza.nodes.limits import CsvLimits


class DatasetExists(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"a dataset named {name!r} already exists; delete it first or upload under another name")


class DatasetInUse(Exception):
    def __init__(self, name: str, workflows: list[str]) -> None:
        shown = ", ".join(repr(w) for w in workflows[:5])
        super().__init__(
            f"dataset {name!r} is used by the saved workflow(s) {shown}; change them first or delete with force=true"
        )
        self.workflows = workflows


def sha256_of(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            hasher.update(chunk)
    return hasher.hexdigest()


class DatasetService:
    def __init__(self, layout: Layout, sessions: sessionmaker[Session]) -> None:
        self.layout = layout
        self.sessions = sessions
        self.limits = CsvLimits()  # set from the settings by flowza.api.security

    def scratch(self, owner_id: str) -> AbstractContextManager[Path]:
        """A fresh folder for one upload, removed when the `with` block ends, however it ends."""
        return scratch_folder(self.layout.incoming_dir(owner_id))

    def clear_stale_uploads(self, owner_id: str | None = None) -> int:
        """Remove upload scratch folders whose process is gone (killed mid-upload); `owner_id`: only theirs."""
        users = "*" if owner_id is None else owner_id
        return remove_abandoned((self.layout.home / "users").glob(f"{users}/incoming/*"))

    def exists(self, owner_id: str, name: str) -> bool:
        with self.sessions() as session:
            return Datasets(session).by_name(owner_id, name) is not None

    def import_file(
        self, owner_id: str, source: Path, name: str, original_filename: str, sha256: str | None = None
    ) -> DatasetRow:
        """Check `source` (named `name` so messages name the dataset), store it with its Parquet copy.

        Raises BadFile for an unusable CSV and DatasetExists for a taken name; nothing is left behind.
        """
        if self.exists(owner_id, name):
            raise DatasetExists(name)
        frame = load_checked(source, self.limits)
        dataset_id = new_id()
        final_csv = path_in(self.layout.datasets_dir(owner_id), name)
        final_parquet = self.layout.parquet_path(owner_id, dataset_id)
        staged_parquet = source.with_name(f".{dataset_id}.parquet")
        write_parquet(frame, staged_parquet)
        summary = profile(frame)
        row = DatasetRow(
            id=dataset_id,
            owner_id=owner_id,
            name=name,
            original_filename=original_filename[:255],
            size_bytes=source.stat().st_size,
            sha256=sha256 or sha256_of(source),
            rows=int(len(frame)),
            columns=int(frame.shape[1]),
            profile=summary,
        )
        moved: list[Path] = []
        try:
            with transaction(self.sessions) as session:
                Datasets(session).add(row)
                final_parquet.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged_parquet, final_parquet)
                moved.append(final_parquet)
                os.replace(source, final_csv)
                moved.append(final_csv)
        except IntegrityError as exc:
            _remove(moved)
            raise DatasetExists(name) from exc
        except BaseException:
            _remove(moved)
            raise
        finally:
            staged_parquet.unlink(missing_ok=True)
        return row

    def users_of(self, owner_id: str, name: str) -> list[str]:
        with self.sessions() as session:
            documents = Workflows(session).current_documents(owner_id)
        return [row.name for row, document in documents if name in datasets_in(document)]

    def delete(self, owner_id: str, row: DatasetRow, force: bool) -> None:
        if not force:
            users = self.users_of(owner_id, row.name)
            if users:
                raise DatasetInUse(row.name, users)
        with transaction(self.sessions) as session:
            current = Datasets(session).get(owner_id, row.id)
            if current is not None:
                Datasets(session).delete(current)
        _remove([path_in(self.layout.datasets_dir(owner_id), row.name), self.layout.parquet_path(owner_id, row.id)])

    def preview(self, owner_id: str, row: DatasetRow, offset: int, limit: int) -> dict[str, Any]:
        return parquet_page(self.layout.parquet_path(owner_id, row.id), offset, limit)

    def seed_samples(self, owner_id: str) -> list[str]:
        """Add the project's sample datasets (flowza.demo) for `owner_id` where absent."""
        from flowza.demo import SAMPLES

        added = []
        for name, make in SAMPLES.items():
            if self.exists(owner_id, name):
                continue
            with self.scratch(owner_id) as scratch:
                path = scratch / name
                frame: pd.DataFrame = make()
                frame.to_csv(path, index=False)
                try:
                    self.import_file(owner_id, path, name, name)
                    added.append(name)
                except DatasetExists:
                    pass
        return added


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
