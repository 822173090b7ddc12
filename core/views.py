from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def healthz(request):
    """Database reachable and broker accepting a publish, as JSON: 200 when both are, 503
    naming what is down. The worker's heartbeat, the outbox backlog and the certificates' font
    subsetter are informational."""
    db_ok, db_detail = health.check_database()
    broker_ok, broker_detail = health.check_broker()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker": health.worker_status(),
        "outbox": health.outbox_status(),
        "certificates": health.certificates_status(),
    }
    if not ok:
        body["down"] = [name for name, up in (("database", db_ok), ("broker", broker_ok)) if not up]
    return JsonResponse(body, status=200 if ok else 503)
