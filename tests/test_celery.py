"""Celery wiring: safe defaults, one base class, and a real worker consuming tasks."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError

from config.celery import app
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from outbox.base import TRANSIENT_ERRORS, TandemTask
from outbox.models import OutboxMessage


def test_safe_defaults():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.worker_prefetch_multiplier == 1


def test_tasks_are_discovered_per_app_and_use_the_tandem_base():
    assert "core.tasks.record_worker_heartbeat" in app.tasks
    assert isinstance(record_worker_heartbeat, TandemTask)
    assert OperationalError in TRANSIENT_ERRORS
    assert record_worker_heartbeat.autoretry_for == TRANSIENT_ERRORS
    assert record_worker_heartbeat.retry_backoff


@pytest.mark.django_db
def test_transient_database_errors_are_retried(monkeypatch):
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return (None, True)

    monkeypatch.setattr(WorkerHeartbeat.objects, "update_or_create", flaky)
    # Eager mode runs the retry in-process at once (no backoff wait); the second call succeeds.
    result = record_worker_heartbeat.apply(throw=False)
    assert len(calls) == 2
    assert result.successful()


def test_every_task_is_enqueued_through_the_outbox():
    """One base class for all: a task declared anywhere cannot bypass the outbox by accident
    (outbox behaviour itself: tests/test_outbox.py)."""
    app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert {"accounts.tasks.send_invitation", "outbox.tasks.sweep_outbox"} <= set(app.tasks)
    assert all(isinstance(task, TandemTask) for task in ours)
    assert all(type(task).apply_async is TandemTask.apply_async for task in ours)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_consumes_a_task_from_the_broker():
    """Through the configured broker (Redis in CI, the filesystem transport locally)."""
    app.conf.task_always_eager = False
    # Messages another broker test left queued (a task published while its worker was down)
    # would reach this worker first and write to SQLite while this thread polls it.
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            record_worker_heartbeat.delay()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if WorkerHeartbeat.objects.filter(name="worker").exists():
                    break
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    beat = WorkerHeartbeat.objects.get(name="worker")
    assert beat.hostname  # set from the worker's request context: a real worker ran it
    assert OutboxMessage.objects.get().published_at is not None  # it went through the outbox
