from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from config.celery import app
from core import health
from outbox.models import OutboxMessage
from tests.factories import WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_broker_checks():
    health.forget_broker_checks()
    yield
    health.forget_broker_checks()


def test_healthz_reports_both_components_up(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(
        health, "check_broker", lambda: (False, "ConnectionRefusedError: [Errno 111]")
    )
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["broker"]["detail"].startswith("ConnectionRefusedError")


def test_healthz_names_the_database_when_it_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
    assert "could not connect" in response.json()["database"]["detail"]


def test_an_unreachable_redis_broker_is_reported():
    # Nothing listens on port 1: the real kombu connection attempt must fail fast.
    ok, detail = health.check_broker("redis://127.0.0.1:1/0")
    assert not ok
    assert "Error" in detail


def test_healthz_refuses_post(client):
    assert client.post("/healthz/").status_code == 405


def test_worker_heartbeat_is_reported(client):
    assert client.get("/healthz/").json()["worker"]["status"] == "no heartbeat yet"
    WorkerHeartbeatFactory(beat_at=timezone.now())
    assert client.get("/healthz/").json()["worker"]["status"] == "ok"
    WorkerHeartbeatFactory._meta.model.objects.update(
        beat_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert client.get("/healthz/").json()["worker"]["status"] == "stale"


def test_the_broker_probe_publishes_and_takes_its_message_back(client):
    """A real publish to the configured broker (filesystem locally, Redis in CI), read back
    from its own queue, so polling leaves no messages behind."""
    for _ in range(3):
        health.forget_broker_checks()
        ok, detail = health.check_broker()
        assert ok, detail
        assert "publish ok" in detail
    with app.connection_for_write() as conn:
        # Not passive: Redis forgets an empty queue, which a passive declare calls missing.
        leftover = conn.default_channel.queue_declare(queue=health.PROBE_QUEUE)
    assert leftover.message_count == 0


def test_the_broker_answer_is_reused_for_a_few_seconds(monkeypatch, settings):
    probes = []
    monkeypatch.setattr(health, "_probe_broker", lambda url: probes.append(url) or (True, "ok"))
    settings.HEALTHZ_BROKER_CACHE_SECONDS = 5
    health.check_broker()
    health.check_broker()
    assert len(probes) == 1  # a load balancer polling every second costs one probe per 5 s
    settings.HEALTHZ_BROKER_CACHE_SECONDS = 0
    health.check_broker()
    assert len(probes) == 2


def test_healthz_reports_the_outbox_backlog(client):
    assert client.get("/healthz/").json()["outbox"] == {
        "status": "ok",
        "unpublished": 0,
        "oldest_seconds": None,
    }
    now = timezone.now()
    for age in (timedelta(seconds=30), timedelta(minutes=10)):
        OutboxMessage.objects.create(task_name="x", queue="default", created_at=now - age)
    OutboxMessage.objects.create(task_name="x", queue="default", published_at=now)
    response = client.get("/healthz/")
    assert response.status_code == 200  # informational: waiting work does not fail health
    outbox = response.json()["outbox"]
    assert outbox["status"] == "behind"  # older than a sweep should ever leave a row
    assert outbox["unpublished"] == 2
    assert 600 <= outbox["oldest_seconds"] < 660


def test_healthz_says_which_font_subsetter_certificates_use(client):
    # This machine and CI install libharfbuzz-subset0 (.ci/run): WeasyPrint's fast subsetter.
    body = client.get("/healthz/").json()
    assert body["certificates"] == {"status": "ok", "font_subsetter": "harfbuzz"}


def test_the_slow_fallback_subsetter_is_a_warning_not_an_outage(client, monkeypatch):
    from weasyprint.pdf import fonts

    # What WeasyPrint's loader leaves when libharfbuzz-subset0 is missing.
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["certificates"] == {"status": "slow", "font_subsetter": "fonttools"}
