"""Writes a run's events, node states and final result to the database as the engine reports them.

Every event is stored with a per-run sequence number, so the SSE endpoint can replay it to a
late subscriber and a worker in another process can write the same rows. The number is the run's
next one when the event is written (a Cancel request appends `run_cancelling` to the same stream). The engine's
`run_finished` is held back and written in the same transaction as the final node details,
metrics and artifacts, so whoever sees it can read the complete run.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from flowza.db.models import ArtifactRow
from flowza.db.repositories import Runs
from flowza.db.session import retry_on_conflict
from flowza.engine.cache import Cache
from flowza.engine.events import Event
from flowza.engine.executor import RunResult
from flowza.jsonsafe import jsonable

CACHED_REASON = "inputs and params unchanged"
ARTIFACT_KINDS = {"dataset": "table", "model": "model", "metrics": "metrics", "file": "file"}
FINAL_NODE_STATUS = {
    "node_succeeded": "succeeded",
    "node_cached": "cached",
    "node_failed": "failed",
    "node_skipped": "skipped",
    "node_cancelled": "cancelled",
}


class RunRecorder:
    def __init__(self, sessions: sessionmaker[Session], run_id: str) -> None:
        self.sessions = sessions
        self.run_id = run_id

    def _add_event(self, runs: Runs, event_type: str, payload: dict[str, Any], at: datetime | None = None) -> None:
        runs.append_event(self.run_id, event_type, jsonable(payload), at)

    def __call__(self, event: Event) -> None:
        """The engine's event sink (called from the run's thread)."""
        if event.type == "run_finished":
            return  # written by finish(), together with the final state
        payload = event.to_dict()
        at = datetime.fromtimestamp(event.time, UTC)

        def write(session: Session) -> None:
            runs = Runs(session)
            self._add_event(runs, event.type, payload, at)
            if event.node_id is None:
                return
            if event.type == "node_started":
                runs.update_node(self.run_id, event.node_id, status="running", reason=event.message, started_at=at)
            elif event.type in FINAL_NODE_STATUS:
                values: dict[str, Any] = {"status": FINAL_NODE_STATUS[event.type], "finished_at": at}
                if event.seconds is not None:
                    values["seconds"] = event.seconds
                if event.error is not None:
                    values["error"] = event.error
                if event.message is not None:
                    values["reason"] = event.message
                elif event.type == "node_cached":
                    values["reason"] = CACHED_REASON
                runs.update_node(self.run_id, event.node_id, **values)

        retry_on_conflict(self.sessions, write)

    def finish(self, result: RunResult, cache: Cache | None, error: str | None = None) -> None:
        """Store the engine's result: node details, artifacts, metrics, then the final event."""
        failed = [(node_id, r.error) for node_id, r in result.nodes.items() if r.status == "failed"]
        if failed and error is None:
            error = f"node {failed[0][0]!r} failed: {failed[0][1]}"
        metrics = jsonable(result.metrics)
        files = {node_id: path.replace("\\", "/").rsplit("/", 1)[-1] for node_id, path in result.files.items()}
        warnings = [jsonable(issue.to_dict()) for issue in result.report.warnings]

        def write(session: Session) -> None:
            artifacts = self._artifacts(result, cache)  # read from the cache before taking any write lock
            runs = Runs(session)
            runs.lock(self.run_id)  # the run's row first, as every writer of a run (no deadlock)
            for node_id, node in result.nodes.items():
                runs.update_node(
                    self.run_id,
                    node_id,
                    status=node.status,
                    seconds=node.seconds,
                    error=node.error,
                    reason=node.reason,
                    cache_key=node.cache_key if node.status in ("succeeded", "cached") else None,
                    log=list(node.log),
                )
            runs.add_artifacts(artifacts)
            runs.finish(self.run_id, result.status, error, metrics, files, warnings)
            final = {"status": result.status, "error": error, "time": time.time(), "data": {"metrics": metrics}}
            self._add_event(runs, "run_finished", final)

        retry_on_conflict(self.sessions, write)

    def _artifacts(self, result: RunResult, cache: Cache | None) -> list[ArtifactRow]:
        rows: list[ArtifactRow] = []
        if cache is None:
            return rows
        for node_id, node in result.nodes.items():
            if node.status not in ("succeeded", "cached") or not node.cache_key or not cache.has(node.cache_key):
                continue
            for port, meta in cache.manifest(node.cache_key)["outputs"].items():
                rows.append(
                    ArtifactRow(
                        run_id=self.run_id,
                        node_id=node_id,
                        port=port,
                        kind=ARTIFACT_KINDS.get(meta.get("kind"), str(meta.get("kind"))),
                        cache_key=node.cache_key,
                        name=meta.get("name"),
                        format=meta.get("format"),
                    )
                )
        return rows

    def abort(self, status: str, error: str, node_status: str = "skipped") -> None:
        """End a run that could not run (or stopped outside the engine): close its nodes, final event."""

        def write(session: Session) -> None:
            runs = Runs(session)
            runs.lock(self.run_id)  # the run's row first, as every writer of a run (no deadlock)
            runs.close_open_nodes(self.run_id, node_status, error)
            runs.finish(self.run_id, status, error)
            final = {"status": status, "error": error, "time": time.time(), "data": {"metrics": {}}}
            self._add_event(runs, "run_finished", final)

        retry_on_conflict(self.sessions, write)
