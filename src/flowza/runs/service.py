"""Creating runs, executing them on the engine, and recovering runs a stopped process left behind."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from flowza.datasets.layout import Layout
from flowza.db.models import RunRow
from flowza.db.repositories import ACTIVE_RUN_STATUSES, Runs, Workflows
from flowza.db.session import retry_on_conflict, transaction
from flowza.engine.cache import Cache
from flowza.engine.executor import RunOptions, run_workflow
from flowza.engine.issues import Report, ValidationFailed
from flowza.engine.validate import validate
from flowza.nodes.limits import CsvLimits
from flowza.runs.executor import CancelSignal
from flowza.runs.recorder import RunRecorder

log = logging.getLogger(__name__)

CANCELLING = "cancelling"
CANCELLING_MESSAGE = "cancel requested; stopping the node in progress"
RECOVERY_CANCELLED = "cancelled; the server stopped before the run's work had stopped"
RECOVERY_REASON = "the server stopped while this run was {status}; it was never finished. Start the run again"


class NotFound(LookupError):
    pass


class InvalidWorkflow(Exception):
    def __init__(self, report: Report) -> None:
        lines = "; ".join(str(issue) for issue in report.errors[:5])
        super().__init__(f"the workflow is not valid, nothing was run: {lines}")
        self.report = report


class RunFinished(Exception):
    pass


@dataclass
class RunService:
    sessions: sessionmaker[Session]
    layout: Layout
    cache_root: Path
    executor_name: str = "inline"
    csv_limits: CsvLimits = field(default_factory=CsvLimits)  # FLOWZA_MAX_*: what an upload was checked against
    # Who records the run's events (a Celery worker passes one that checks it still holds the run).
    recorder_factory: Callable[[sessionmaker[Session], str], RunRecorder] = RunRecorder

    def create(self, owner_id: str, workflow_id: str, version: int | None, target_node: str | None) -> RunRow:
        """Validate the workflow version against the owner's datasets and insert a pending run."""
        with self.sessions() as session:
            workflows = Workflows(session)
            workflow = workflows.get(owner_id, workflow_id)
            if workflow is None:
                raise NotFound(f"no workflow {workflow_id!r}")
            number = version if version is not None else workflow.version
            stored = workflows.version(workflow_id, number)
            if stored is None:
                raise NotFound(f"workflow {workflow_id!r} has no version {number} (latest is {workflow.version})")
            document = stored.document
        report, _, graph = validate(document, self.layout.datasets_dir(owner_id))
        if graph is None:
            raise InvalidWorkflow(report)
        order = graph.order
        if target_node is not None:
            if target_node not in graph.defs:
                report.error("unknown_node", f"no node {target_node!r} to run up to", target_node, "target_node")
                raise InvalidWorkflow(report)
            wanted = graph.ancestors(target_node) | {target_node}
            order = [node_id for node_id in order if node_id in wanted]
        run = RunRow(
            owner_id=owner_id,
            workflow_id=workflow_id,
            workflow_version=number,
            target_node=target_node,
            executor=self.executor_name,
        )
        with transaction(self.sessions) as session:
            Runs(session).create(run, [(node_id, graph.defs[node_id].type) for node_id in order])
        return run

    def request_cancel(self, owner_id: str, run_id: str) -> RunRow:
        """Flag the run; a running one turns `cancelling` (with a `run_cancelling` event) until its work stops."""

        def flag(session: Session) -> RunRow:
            runs = Runs(session)
            run = runs.get(run_id, owner_id)
            if run is None:
                raise NotFound(f"no run {run_id!r}")
            if run.status not in ACTIVE_RUN_STATUSES:
                raise RunFinished(f"run {run_id!r} already finished ({run.status}); nothing to cancel")
            if runs.request_cancel(run_id):
                payload = {"status": CANCELLING, "message": CANCELLING_MESSAGE, "time": time.time()}
                runs.append_event(run_id, "run_cancelling", payload)
            session.refresh(run)
            return run

        return retry_on_conflict(self.sessions, flag)

    def execute(self, run_id: str, signal: CancelSignal) -> None:
        """Run `run_id` on the engine, recording everything; never raises for a failing workflow."""
        with self.sessions() as session:
            run = Runs(session).get(run_id)
            if run is None:
                return
            stored = Workflows(session).version(run.workflow_id, run.workflow_version)
            document: dict[str, Any] | None = stored.document if stored is not None else None
        recorder = self.recorder_factory(self.sessions, run_id)
        if signal.reason is not None:
            recorder.abort("failed", signal.reason)
            return
        if signal.is_set() or run.cancel_requested:
            recorder.abort("cancelled", "cancelled before it started", node_status="cancelled")
            return
        with transaction(self.sessions) as session:
            if not Runs(session).mark_started(run_id):
                return
        if document is None:
            recorder.abort("failed", "the workflow version of this run no longer exists")
            return
        cache = Cache(self.cache_root, scope=run.owner_id)  # owners never share cache hits
        try:
            result = run_workflow(
                document,
                RunOptions(
                    data_dir=self.layout.datasets_dir(run.owner_id),
                    cache=cache,
                    output_dir=self.layout.run_output_dir(run.owner_id, run_id),
                    target_node=run.target_node,
                    cancel_event=signal,
                    on_event=recorder,
                    csv_limits=self.csv_limits,
                ),
            )
            # stopped by the server (shutting down, time limit), unless a person had asked to cancel first
            stopped = signal.reason is not None and result.status == "cancelled" and not self._cancelling(run_id)
            if stopped:
                result.status = "failed"
            recorder.finish(result, cache, signal.reason if stopped else None)
        except ValidationFailed as exc:  # the datasets changed since the run was created
            recorder.abort("failed", str(InvalidWorkflow(exc.report)))
        except Exception as exc:
            log.exception("run %s failed", run_id)
            recorder.abort("failed", f"internal error: {type(exc).__name__}: {exc}", node_status="failed")
        finally:
            cache.close()

    def _cancelling(self, run_id: str) -> bool:
        with self.sessions() as session:
            return Runs(session).status(run_id) == CANCELLING

    def abandon(self, run_id: str, reason: str) -> None:
        """Record a run this process gives up on (shutting down) as failed, if it is still open
        (cancelled if it was cancelling: a person had asked it to stop)."""
        with self.sessions() as session:
            status = Runs(session).status(run_id)
        if status == CANCELLING:
            self.recorder_factory(self.sessions, run_id).abort("cancelled", RECOVERY_CANCELLED, "cancelled")
        elif status in ACTIVE_RUN_STATUSES:
            self.recorder_factory(self.sessions, run_id).abort("failed", reason, "failed")

    def recover(self) -> list[str]:
        """Mark runs this executor left pending or running (a previous process died) as failed (cancelling: cancelled)."""
        with self.sessions() as session:
            runs = Runs(session)
            stale = [(run_id, runs.status(run_id) or "running") for run_id in runs.active_ids(self.executor_name)]
        for run_id, status in stale:
            if status == CANCELLING:  # a person asked it to stop: it stopped, with the server
                RunRecorder(self.sessions, run_id).abort("cancelled", RECOVERY_CANCELLED, "cancelled")
            else:
                RunRecorder(self.sessions, run_id).abort("failed", RECOVERY_REASON.format(status=status), "failed")
        return [run_id for run_id, _ in stale]
