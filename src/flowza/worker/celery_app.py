"""The Celery application, configured from Settings: reliable delivery, JSON only, limits per run.

* `task_acks_late` + `task_reject_on_worker_lost`: a message is acknowledged only when its run
  ended; a worker child that dies puts the message back (the claim makes the redelivery harmless).
* `worker_prefetch_multiplier=1`: a worker reserves one run per free child, so runs spread over
  all workers instead of queueing behind a busy one.
* The broker's visibility timeout is longer than the hard time limit, so Redis never hands a
  message that is still being worked on to a second worker.
* Soft and hard time limits back up the watchdog's own FLOWZA_RUN_TIMEOUT.
* `worker_max_memory_per_child`: a child that grew past the limit is replaced after its run.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from flowza.config import Settings

RUN_TASK = "flowza.run"
STOP_GRACE_SECONDS = 2.0  # a cancelled or timed-out node gets this long to stop before its process is ended


def time_limits(settings: Settings) -> tuple[float, float]:
    """(soft, hard) Celery limits: after the watchdog's own timeout and grace, never before."""
    soft = settings.run_timeout + STOP_GRACE_SECONDS + 30
    return soft, soft + 30


def celery_config(settings: Settings) -> dict[str, Any]:
    soft, hard = time_limits(settings)
    return {
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "event_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "task_default_queue": settings.queue,
        "task_soft_time_limit": soft,
        "task_time_limit": hard,
        "broker_transport_options": {"visibility_timeout": int(hard * 2 + 60)},
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": False,  # the lease, not the broker, owns a run
        "worker_max_memory_per_child": settings.worker_max_memory_mb * 1024 or None,
        "worker_send_task_events": False,
        "worker_hijack_root_logger": False,
    }


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("FLOWZA_BROKER_URL is not set (e.g. redis://localhost:6379/0)")
    app = Celery("flowza", broker=settings.broker_url, set_as_current=False)
    app.conf.update(celery_config(settings))
    return app
