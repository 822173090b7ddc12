"""The refusal matrix over the API, with personal tokens: every API route, every role that
may hold a token and trust B's real ids (those of tests/test_access_matrix.py's world), each
with GET, POST, PUT, PATCH and DELETE, the writes with bodies aimed at trust B (its
enrolments on a register, its staff number in an HR feed, a withdrawal). Whatever a request
does, it must never show trust B's people's data, change a protected row, or answer 500.

The session personas (participants included, who hold no tokens) are run over the same API
routes by tests/test_access_matrix.py; here each role acts through a read-and-write token,
which must never reach further than the person's own session would."""

import json

import pytest
from django.db import transaction
from django.test import Client

from programmes.models import Enrolment
from tests import test_access_matrix as matrix
from tests.security.matrix import body_text
from tests.test_access_matrix import (
    MARKERS,
    MAY_SEE_TRUST_B,
    PERSONAS,
    PUBLIC_BY_DESIGN,
    SENTINEL_STAFF,
    TWO_ROLES,
    ProtectedRows,
    differ,
    probes,
)

from .helpers import token_for

# The matrix's world (trust B's sentinel records), as a fixture of this module too (the tests
# below take it by that name, hence their noqa).
world = matrix.world
METHODS = ("get", "post", "put", "patch", "delete")


def _bodies(the_world) -> dict:
    """What a write sends, by the end of its path: aimed at trust B."""
    enrolments = the_world["targets"].targets(Enrolment)
    return {
        "/register/": {"marks": [{"enrolment": pk, "mark": "absent"} for pk in enrolments]},
        "/transitions/": {"action": "withdraw", "reason": "An attacker's reason"},
        "/import/": {
            "trust": the_world["trust_b"].ods_code,
            "rows": [
                {
                    "staff_number": SENTINEL_STAFF,
                    "title": "Attacker",
                    "category": "board_executive",
                    "start": "2025-01-01",
                }
            ],
        },
    }


def _send(client, method, path, body, snapshot):
    with transaction.atomic():
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, json.dumps(body),
                                               content_type="application/json")  # fmt: skip
        text = body_text(response)
        with transaction.atomic():
            changes = snapshot()
        transaction.set_rollback(True)
    return response.status_code, text, changes


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("name", [n for n in PERSONAS if n != "participant A"] + [TWO_ROLES])
def test_no_token_reaches_further_than_its_owner(world, name):
    person = world["people"][name]
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=(
        f"Bearer {token_for(person, scope='write', name='Matrix')}"))  # fmt: skip
    api_probes = [p for p in probes(world["targets"])[0] if p.path.startswith("/api/v1/")]
    assert len(api_probes) > 20  # every resource's list and detail, and the writes
    protected = ProtectedRows(world["trust_b"], person)
    baseline = protected.read()
    bodies = _bodies(world)
    failures = []
    for probe in api_probes:
        body = next((b for end, b in bodies.items() if probe.path.endswith(end)), {})
        public = next((m for p, m in PUBLIC_BY_DESIGN.items() if probe.path.startswith(p)), ())
        for method in METHODS:
            status, text, changes = _send(
                client, method, probe.path, body, lambda: differ(baseline, protected.read())
            )
            where = f"{name} {method.upper()} {probe.path}"
            if status >= 500:
                failures.append(f"{where}: {status}")
            if changes:
                failures.append(f"{where}: changed {changes}")
            shown = [m for m in MARKERS if m in text and m not in public]
            if shown and name not in MAY_SEE_TRUST_B:
                failures.append(f"{where}: shows trust B's data {shown}")
    print(f"API refusal matrix, {name}: {len(api_probes)} paths x {len(METHODS)} methods")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_the_api_matrix_sees_a_leak_when_there_is_one(world):
    """The positive control: trust B's own administrator, through a token, is shown the
    sentinel and can change trust B's rows — so the matrix above would see either."""
    person = world["other_admin"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(person, scope='write')}")
    sentinel_enrolment = Enrolment.objects.filter(person=world["sentinel"]).first()
    protected = ProtectedRows(world["trust_b"], None)
    baseline = protected.read()
    status, text, changes = _send(
        client, "post", f"/api/v1/enrolments/{sentinel_enrolment.pk}/transitions/",
        {"action": "withdraw", "reason": "Positive control"},
        lambda: differ(baseline, protected.read()),
    )  # fmt: skip
    assert status == 200 and changes
    status, text, _ = _send(client, "get", "/api/v1/role-appointments/", {}, lambda: [])
    assert status == 200 and any(m in text for m in MARKERS)
