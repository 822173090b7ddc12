import pytest
from django.db import OperationalError
from django.utils import timezone

from core import health
from tests.factories import WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db


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
