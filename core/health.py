"""Reachability checks for /healthz/. Each returns (ok, detail) and never raises."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app

from .models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=90)  # beat sends a heartbeat every 30 s


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported below
        return False, f"{type(error).__name__}: {error}".strip()
    return True, connection.vendor


def check_broker(url: str | None = None) -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as error:  # noqa: BLE001
        return False, f"{type(error).__name__}: {error}".strip()
    return True, str(transport)


def worker_status() -> dict:
    """Informational: when a worker last ran the heartbeat task. Does not change the status
    code, because a deploy can serve pages while its workers restart."""
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception:  # noqa: BLE001 - the database check reports this failure
        return {"status": "unknown"}
    if beat is None:
        return {"status": "no heartbeat yet"}
    age = timezone.now() - beat.beat_at
    return {
        "status": "ok" if age <= WORKER_STALE_AFTER else "stale",
        "last_heartbeat": beat.beat_at.isoformat(),
        "seconds_ago": int(age.total_seconds()),
    }
