"""Checks for /healthz/. Each returns (ok, detail) or a dict, and never raises."""

import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from outbox.selectors import outbox_backlog

from . import pdf
from .models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=90)  # beat sends a heartbeat every 30 s
# Unpublished outbox rows older than this mean the sweeper is not running (it runs every 30 s).
OUTBOX_BEHIND_AFTER = timedelta(minutes=2)
# The probe's own queue: no worker consumes it, and each probe takes back what it put.
PROBE_QUEUE = "tandem.healthcheck"
PROBE_TIMEOUT = 2  # seconds, for connecting and for reading the probe back

_probe_lock = threading.Lock()
_probe_cache: dict[str, tuple[float, tuple[bool, str]]] = {}


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported below
        return False, f"{type(error).__name__}: {error}".strip()
    return True, connection.vendor


def check_broker(url: str | None = None) -> tuple[bool, str]:
    """Whether the broker accepts a publish: a probe message is published to a queue of its
    own and read back, so nothing piles up. Reachable is not enough — the embedded broker
    accepted connections while its queue folder refused every message.

    Load balancers poll this, so each process reuses an answer for
    HEALTHZ_BROKER_CACHE_SECONDS (the failing one too: a dead broker must not make every
    poll wait for its timeout)."""
    key = url or ""
    max_age = settings.HEALTHZ_BROKER_CACHE_SECONDS
    with _probe_lock:
        cached = _probe_cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < max_age:
            return cached[1]
        result = _probe_broker(url)
        _probe_cache[key] = (time.monotonic(), result)
    return result


def forget_broker_checks() -> None:
    """Drop cached answers (tests, and after changing the broker at run time)."""
    with _probe_lock:
        _probe_cache.clear()


def _probe_broker(url: str | None) -> tuple[bool, str]:
    started = time.monotonic()
    try:
        with celery_app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT)
            driver = conn.transport.driver_type
            probe = conn.SimpleQueue(PROBE_QUEUE, serializer="json")
            try:
                probe.put({"probe": uuid.uuid4().hex}, retry=False)
                # Concurrent probes (other web processes) may take each other's message;
                # each puts one before it takes one, so there is always one to take.
                probe.get(block=True, timeout=PROBE_TIMEOUT).ack()
            finally:
                probe.close()
    except Exception as error:  # noqa: BLE001
        return False, f"{type(error).__name__}: {error}".strip()
    return True, f"{driver}: publish ok in {int((time.monotonic() - started) * 1000)} ms"


def outbox_status() -> dict:
    """Informational, like the worker: how much background work is waiting to be published.
    Rows wait while the broker is down; old ones with the broker up mean no sweeper runs."""
    try:
        backlog = outbox_backlog()
    except Exception:  # noqa: BLE001 - the database check reports this failure
        return {"status": "unknown"}
    oldest = backlog["oldest_seconds"]
    behind = oldest is not None and oldest > OUTBOX_BEHIND_AFTER.total_seconds()
    return {"status": "behind" if behind else "ok", **backlog}


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


def certificates_status() -> dict:
    """Informational: which font subsetter WeasyPrint uses. fontTools still makes correct
    PDFs, 3 to 5 times slower, so it is a warning (``"slow"``), never a 503."""
    try:
        subsetter = pdf.font_subsetter()
    except Exception:  # noqa: BLE001 - WeasyPrint's system libraries missing: say so
        return {"status": "unavailable", "font_subsetter": None}
    return {"status": "ok" if subsetter == "harfbuzz" else "slow", "font_subsetter": subsetter}
