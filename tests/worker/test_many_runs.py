"""20 runs at once over 2 workers: all succeed, both workers take part, each run ends exactly once."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.worker.conftest import Stack, events_of, run_row, saved_workflow, start_run, wait_finished


def test_twenty_runs_over_two_workers(stack: Stack, api: TestClient) -> None:
    workers = [stack.start_worker(name, concurrency=2, wait=False) for name in ("a", "b")]
    for worker in workers:
        worker.wait_ready()
    # five variants (different test sizes), four runs each: some compute, the rest reuse outputs
    # that either worker published to the artifact store
    workflows = [saved_workflow(api, f"variant {i}", test_size=0.2 + 0.02 * i) for i in range(5)]
    began = time.monotonic()
    run_ids = [start_run(api, workflows[i % 5]) for i in range(20)]
    runs = [wait_finished(api, run_id, timeout=180) for run_id in run_ids]
    took = time.monotonic() - began
    assert [run["status"] for run in runs] == ["succeeded"] * 20, [run["error"] for run in runs]
    holders = {run_row(stack.database_url, run_id)["worker"].split("-", 1)[0] for run_id in run_ids}
    assert holders == {"a", "b"}
    for run_id in run_ids:
        kinds = [kind for _, kind, _ in events_of(stack.database_url, run_id)]
        assert kinds.count("run_started") == 1 and kinds.count("run_finished") == 1
    print(f"20 runs over 2 workers (concurrency 2 each) in {took:.1f} s")
