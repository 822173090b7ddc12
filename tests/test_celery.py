"""Celery wiring: safe defaults, enqueue-after-commit, and a real worker consuming tasks."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, transaction

from config.celery import TRANSIENT_ERRORS, TandemTask, app
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat


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


@pytest.mark.django_db
def test_enqueue_waits_for_the_transaction_to_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(record_worker_heartbeat, "delay", lambda *a, **k: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record_worker_heartbeat.delay_on_commit()
        assert sent == []  # nothing leaves before COMMIT
    assert len(callbacks) == 1
    assert sent == [()]


@pytest.mark.django_db
def test_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(record_worker_heartbeat, "delay", lambda *a, **k: sent.append(a))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_worker_heartbeat.delay_on_commit()
        raise RuntimeError("abort")
    assert sent == []


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_consumes_a_task_from_the_broker():
    """Through the configured broker (Redis in CI, the filesystem transport locally)."""
    app.conf.task_always_eager = False
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
