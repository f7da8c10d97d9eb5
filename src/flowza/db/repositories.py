"""All SQL lives here: one small repository per aggregate, each working on a caller's Session.

Repositories never commit; the caller owns the transaction (`flowza.db.session.transaction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.orm import Session

from flowza.db.models import (
    ArtifactRow,
    DatasetRow,
    NodeRunRow,
    RunEventRow,
    RunRow,
    User,
    WorkflowRow,
    WorkflowVersionRow,
    utcnow,
)

# `cancelling`: a cancel was asked for while the run was running; it becomes `cancelled` once its work stopped.
ACTIVE_RUN_STATUSES = ("pending", "running", "cancelling")


class StaleVersion(Exception):
    """A save was based on a version that is no longer the current one."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


class Users:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, name: str) -> User:
        user = self.session.scalar(select(User).where(User.name == name))
        if user is None:
            user = User(name=name)
            self.session.add(user)
            self.session.flush()
        return user


class Datasets:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_owner(self, owner_id: str) -> Sequence[DatasetRow]:
        return self.session.scalars(
            select(DatasetRow).where(DatasetRow.owner_id == owner_id).order_by(DatasetRow.name)
        ).all()

    def get(self, owner_id: str, dataset_id: str) -> DatasetRow | None:
        return self.session.scalar(
            select(DatasetRow).where(DatasetRow.owner_id == owner_id, DatasetRow.id == dataset_id)
        )

    def by_name(self, owner_id: str, name: str) -> DatasetRow | None:
        return self.session.scalar(select(DatasetRow).where(DatasetRow.owner_id == owner_id, DatasetRow.name == name))

    def add(self, row: DatasetRow) -> DatasetRow:
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, row: DatasetRow) -> None:
        self.session.delete(row)
        self.session.flush()


class Workflows:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_owner(self, owner_id: str) -> Sequence[WorkflowRow]:
        return self.session.scalars(
            select(WorkflowRow).where(WorkflowRow.owner_id == owner_id).order_by(WorkflowRow.updated_at.desc())
        ).all()

    def get(self, owner_id: str, workflow_id: str) -> WorkflowRow | None:
        return self.session.scalar(
            select(WorkflowRow).where(WorkflowRow.owner_id == owner_id, WorkflowRow.id == workflow_id)
        )

    def create(self, owner_id: str, name: str, document: dict[str, Any], validation: dict[str, Any]) -> WorkflowRow:
        row = WorkflowRow(owner_id=owner_id, name=name, version=1)
        self.session.add(row)
        self.session.flush()
        self.session.add(
            WorkflowVersionRow(
                workflow_id=row.id, version=1, document=document, validation=validation, message="created"
            )
        )
        self.session.flush()
        return row

    def add_version(
        self,
        row: WorkflowRow,
        base_version: int | None,
        name: str,
        document: dict[str, Any],
        validation: dict[str, Any],
        message: str,
    ) -> int:
        """Append a version; with `base_version`, only when it is still the current one (else StaleVersion)."""
        now = utcnow()
        statement = update(WorkflowRow).where(WorkflowRow.id == row.id)
        if base_version is not None:
            statement = statement.where(WorkflowRow.version == base_version)
        result = self.session.execute(
            statement.values(version=WorkflowRow.version + 1, name=name, updated_at=now)
            .returning(WorkflowRow.version)
            .execution_options(synchronize_session=False)
        )
        new_version = result.scalar()
        if new_version is None:
            self.session.refresh(row)
            raise StaleVersion(row.version)
        self.session.add(
            WorkflowVersionRow(
                workflow_id=row.id, version=new_version, document=document, validation=validation, message=message
            )
        )
        self.session.flush()
        self.session.refresh(row)
        return int(new_version)

    def versions(self, workflow_id: str) -> Sequence[WorkflowVersionRow]:
        return self.session.scalars(
            select(WorkflowVersionRow)
            .where(WorkflowVersionRow.workflow_id == workflow_id)
            .order_by(WorkflowVersionRow.version.desc())
        ).all()

    def version(self, workflow_id: str, version: int) -> WorkflowVersionRow | None:
        return self.session.scalar(
            select(WorkflowVersionRow).where(
                WorkflowVersionRow.workflow_id == workflow_id, WorkflowVersionRow.version == version
            )
        )

    def current_documents(self, owner_id: str) -> list[tuple[WorkflowRow, dict[str, Any]]]:
        rows = self.session.execute(
            select(WorkflowRow, WorkflowVersionRow.document)
            .join(
                WorkflowVersionRow,
                (WorkflowVersionRow.workflow_id == WorkflowRow.id)
                & (WorkflowVersionRow.version == WorkflowRow.version),
            )
            .where(WorkflowRow.owner_id == owner_id)
        ).all()
        return [(row, document) for row, document in rows]

    def delete(self, row: WorkflowRow) -> None:
        run_ids = select(RunRow.id).where(RunRow.workflow_id == row.id)
        for table in (RunEventRow, NodeRunRow, ArtifactRow):
            self.session.execute(delete(table).where(table.run_id.in_(run_ids)))
        self.session.execute(delete(RunRow).where(RunRow.workflow_id == row.id))
        self.session.execute(delete(WorkflowVersionRow).where(WorkflowVersionRow.workflow_id == row.id))
        self.session.delete(row)
        self.session.flush()


class Runs:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, run: RunRow, nodes: list[tuple[str, str]]) -> RunRow:
        """Insert a run and one pending node run per planned (node id, node type), in plan order."""
        self.session.add(run)
        self.session.flush()
        for position, (node_id, node_type) in enumerate(nodes):
            self.session.add(NodeRunRow(run_id=run.id, node_id=node_id, node_type=node_type, position=position))
        self.session.flush()
        return run

    def get(self, run_id: str, owner_id: str | None = None) -> RunRow | None:
        statement = select(RunRow).where(RunRow.id == run_id)
        if owner_id is not None:
            statement = statement.where(RunRow.owner_id == owner_id)
        return self.session.scalar(statement)

    def for_workflow(self, owner_id: str, workflow_id: str, limit: int, offset: int) -> Sequence[RunRow]:
        return self.session.scalars(
            select(RunRow)
            .where(RunRow.owner_id == owner_id, RunRow.workflow_id == workflow_id)
            .order_by(RunRow.created_at.desc())
            .limit(limit)
            .offset(offset)
        ).all()

    def count_active(self, workflow_id: str) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(RunRow)
                .where(RunRow.workflow_id == workflow_id, RunRow.status.in_(ACTIVE_RUN_STATUSES))
            )
            or 0
        )

    def active_ids(self, executor: str) -> list[str]:
        return list(
            self.session.scalars(
                select(RunRow.id).where(RunRow.executor == executor, RunRow.status.in_(ACTIVE_RUN_STATUSES))
            ).all()
        )

    def mark_started(self, run_id: str) -> bool:
        """pending -> running (cancelling if a cancel came meanwhile); False when it is no longer pending."""
        result = self.session.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == "pending")
            .values(status=case((RunRow.cancel_requested, "cancelling"), else_="running"), started_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def request_cancel(self, run_id: str) -> bool:
        """Flag the run for cancelling; True when it was running and is now `cancelling`."""
        self.session.execute(
            update(RunRow)
            .where(RunRow.id == run_id)
            .values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.status == "running")
            .values(status="cancelling")
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish(
        self,
        run_id: str,
        status: str,
        error: str | None = None,
        metrics: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        warnings: list[Any] | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "error": error, "finished_at": utcnow()}
        if metrics is not None:
            values["metrics"] = metrics
        if files is not None:
            values["files"] = files
        if warnings is not None:
            values["warnings"] = warnings
        self.session.execute(
            update(RunRow).where(RunRow.id == run_id).values(**values).execution_options(synchronize_session=False)
        )

    # node runs

    def nodes(self, run_id: str) -> Sequence[NodeRunRow]:
        return self.session.scalars(
            select(NodeRunRow).where(NodeRunRow.run_id == run_id).order_by(NodeRunRow.position)
        ).all()

    def node(self, run_id: str, node_id: str) -> NodeRunRow | None:
        return self.session.scalar(select(NodeRunRow).where(NodeRunRow.run_id == run_id, NodeRunRow.node_id == node_id))

    def update_node(self, run_id: str, node_id: str, **values: Any) -> None:
        self.session.execute(
            update(NodeRunRow)
            .where(NodeRunRow.run_id == run_id, NodeRunRow.node_id == node_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def close_open_nodes(self, run_id: str, status: str, reason: str) -> None:
        """Give every node still pending or running a final status."""
        self.session.execute(
            update(NodeRunRow)
            .where(NodeRunRow.run_id == run_id, NodeRunRow.status.in_(ACTIVE_RUN_STATUSES))
            .values(status=status, reason=reason, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    def lock(self, run_id: str) -> None:
        """Write the run's row (changing nothing) so that other writers of this run wait until commit.

        Every transaction that writes several of a run's rows takes this first, so they all lock in
        one order (run, then its nodes and events) and cannot deadlock on PostgreSQL.
        """
        self.session.execute(
            update(RunRow)
            .where(RunRow.id == run_id)
            .values(cancel_requested=RunRow.cancel_requested)
            .execution_options(synchronize_session=False)
        )

    # events

    def next_seq(self, run_id: str) -> int:
        return int(self.session.scalar(select(func.max(RunEventRow.seq)).where(RunEventRow.run_id == run_id)) or 0) + 1

    def add_event(self, run_id: str, seq: int, event_type: str, payload: dict[str, Any], at: datetime) -> None:
        self.session.add(RunEventRow(run_id=run_id, seq=seq, type=event_type, payload=payload, created_at=at))
        self.session.flush()

    def append_event(self, run_id: str, event_type: str, payload: dict[str, Any], at: datetime | None = None) -> int:
        """Add an event after the run's last one; returns its number.

        Several writers may append to one run (its executor, a Cancel request, the reaper). Each first
        writes the run's row (changing nothing), which makes them wait for one another until commit:
        a row lock on PostgreSQL, the database's write lock on SQLite. So the last number is read only
        once the previous writer's event is visible, and many writers do not keep colliding on the
        unique (run_id, seq); should two still collide, the caller retries its transaction
        (`flowza.db.session.retry_on_conflict`).
        """
        self.lock(run_id)
        seq = self.next_seq(run_id)
        body = {"seq": seq, "run_id": run_id, "type": event_type, **payload}
        self.add_event(run_id, seq, event_type, body, at or utcnow())
        return seq

    def events_after(self, run_id: str, seq: int, limit: int = 500) -> Sequence[RunEventRow]:
        return self.session.scalars(
            select(RunEventRow)
            .where(RunEventRow.run_id == run_id, RunEventRow.seq > seq)
            .order_by(RunEventRow.seq)
            .limit(limit)
        ).all()

    def status(self, run_id: str) -> str | None:
        return self.session.scalar(select(RunRow.status).where(RunRow.id == run_id))

    # artifacts

    def add_artifacts(self, rows: list[ArtifactRow]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def artifacts(self, run_id: str) -> Sequence[ArtifactRow]:
        return self.session.scalars(
            select(ArtifactRow).where(ArtifactRow.run_id == run_id).order_by(ArtifactRow.node_id, ArtifactRow.port)
        ).all()

    def artifact(self, run_id: str, node_id: str, port: str) -> ArtifactRow | None:
        return self.session.scalar(
            select(ArtifactRow).where(
                ArtifactRow.run_id == run_id, ArtifactRow.node_id == node_id, ArtifactRow.port == port
            )
        )
