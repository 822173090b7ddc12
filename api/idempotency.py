"""``Idempotency-Key`` on writes: the first request with a key does the work and stores its
answer in the same transaction; the same request again gets that answer back
(``Idempotent-Replayed: true``) and changes nothing; the same key with a different request
is a 422. A request that fails writes nothing, key included, so it can simply be retried.

Two requests with one key at the same moment: the second's insert waits on the first's
uncommitted row (the unique constraint), then finds it and replays it."""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotentRequest
from .problems import problem

HEADER = "Idempotency-Key"
KEEP = datetime.timedelta(hours=24)
VALID_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def _digest(request) -> str:
    """The request as the server understood it: method, path and the parsed body as canonical
    JSON (so the same marks sent with other spacing or key order are the same request)."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method}\0{request.path}\0{body}".encode()).hexdigest()


def run_once(request, perform, *, keep=None, replay=None) -> Response:
    """``perform()`` returns the Response of a successful write (raising on refusal).
    ``keep(body)`` is what is stored of its answer and ``replay(stored)`` what a retry gets
    back: a register keeps its counts only and is read afresh for a retry, so no one's name
    or note is held here (nor survives their erasure)."""
    keep = keep or (lambda body: body)
    replay = replay or (lambda stored: stored)
    key = request.headers.get(HEADER)
    if key is None:
        with transaction.atomic():
            return perform()
    if not VALID_KEY.match(key):
        return problem(
            400,
            f"{HEADER} must be 1 to 100 letters, digits or . _ : - (a UUID is ideal).",
        )
    user, digest, now = request.user, _digest(request), timezone.now()
    with transaction.atomic():
        # Keys last a day, everyone's: the expired go on every keyed write (by created_at).
        IdempotentRequest.objects.filter(created_at__lt=now - KEEP).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    owner=user, key=key, request_digest=digest, status_code=0, body={},
                    created_at=now,
                )  # fmt: skip
        except IntegrityError:
            row = IdempotentRequest.objects.get(owner=user, key=key)
            if row.request_digest != digest:
                return problem(
                    422,
                    f"This {HEADER} was used for a different request in the last 24 hours: "
                    "use a new key for a new request.",
                )
            response = Response(replay(row.body), status=row.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        response = perform()
        # As plain JSON (dates and decimals as the client saw them), to replay exactly.
        row.status_code = response.status_code
        row.body = keep(json.loads(JSONRenderer().render(response.data)))
        row.save(update_fields=["status_code", "body"])
    return response
