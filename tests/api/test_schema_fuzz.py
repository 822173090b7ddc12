"""Schemathesis over the whole OpenAPI schema: loaded from the app itself (GET /api/schema/
through Django's WSGI handler), every operation called through that handler with values the
schema allows (positive) and values it forbids (negative), as the host trust's programme
administrator with a read-and-write token.

For every response: no 5xx; a status code the schema documents for the operation; a content
type it documents; a body and headers that match what it documents. Deterministic (Hypothesis
derandomized, a fixed seed, no example database) and bounded (MAX_EXAMPLES an operation in
the fuzzing phase, plus Schemathesis' coverage phase of boundary values).

Real ids exist for the path parameters to hit (half the generated ids are real ones): a
trust, a cohort with a session that started an hour ago and three participants, one of them
marked. A second test sends the requests a client would make with those ids (each resource,
the register read and written) through the same checks, so the 200 bodies are always
checked whatever the generator picks."""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from people.access import AccessRole
from tests.factories import (
    AttendanceFactory,
    ClinicianFactory,
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)

from .helpers import token_for

SEED = 15  # issue 15
MAX_EXAMPLES = 50  # an operation, in the fuzzing phase: about 10 s for the whole schema
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def seeded(trust_a, settings):
    """The data the generated requests can find: (the token they send, real ids)."""
    # The rate limit is a behaviour of its own (tests/api/test_conventions.py); a few hundred
    # generated requests a minute must not turn into 429s here.
    settings.API_RATE_LIMIT = "1000000/minute"
    now = timezone.now()
    cohort = CohortFactory(host_trust=trust_a)
    session = SessionFactory(cohort=cohort, starts_at=now - datetime.timedelta(hours=1),
                             ends_at=now + datetime.timedelta(hours=2))  # fmt: skip
    places = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust_a))
              for _ in range(3)]  # fmt: skip
    mark = AttendanceFactory(session=session, enrolment=places[0])
    CohortFacilitatorFactory(cohort=cohort)
    administrator = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    ids = {
        "programmes": cohort.programme_id,
        "cohorts": cohort.pk,
        "sessions": session.pk,
        "attendance": mark.pk,
        "enrolments": places[0].pk,
        "places": [e.pk for e in places],
        "trust_id": trust_a.pk,
        "region_id": trust_a.region_id,
    }
    return token_for(administrator, scope="write"), ids


class InTheTestsTransaction(WSGIHandler):
    """Django's WSGI handler, as a server runs it, but leaving the database connection open:
    a server closes it after each request (close_old_connections), which would end the
    transaction the test's data lives in. Django's test client does the same."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()  # sends request_finished, as a server does
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


@pytest.fixture
def app(db):
    return InTheTestsTransaction()


@pytest.fixture
def api_schema(seeded, app, request):
    _, ids = seeded
    # Schemathesis 4.32.5 names each operation's subtest through Node._nodeid, which pytest
    # 9.2 no longer has (AttributeError before any request): give it one to read and write.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=config)

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        # Half the time an id that exists (the resource's, the register's session, the
        # report's trust or region) where the seed has one.
        real = real_path_parameters(context.operation.path, ids)
        return strategy if real is None else st.one_of(strategy, st.just(real))

    return schema


def real_path_parameters(path: str, ids: dict) -> dict | None:
    resource = path.split("/")[3]
    if "{id}" in path and resource in ids:
        return {"id": ids[resource]}
    for name in ("trust_id", "region_id"):
        if f"{{{name}}}" in path:
            return {name: ids[name]}
    return None


def authorised(token):
    return {"Authorization": f"Bearer {token}"}


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@pytest.mark.slow
def test_every_operation_keeps_to_its_schema(case, seeded):
    token, _ = seeded
    # Each request in a savepoint of its own, as it would have its own transaction: a
    # database error in one (a 500) must not abort the transaction of every later one.
    with transaction.atomic():
        case.call_and_validate(headers=authorised(token), checks=CHECKS)


def test_a_clients_requests_with_real_ids_keep_to_the_schema(api_schema, seeded):
    token, ids = seeded
    first, second, third = ids["places"]
    cases = [
        api_schema[path]["GET"].Case(path_parameters={"id": ids[resource]})
        for resource in ("programmes", "cohorts", "sessions", "attendance", "enrolments")
        for path in (f"/api/v1/{resource}/", f"/api/v1/{resource}/{{id}}/")
    ]
    register = api_schema["/api/v1/sessions/{id}/register/"]
    at = {"id": ids["sessions"]}
    marks = [
        {"enrolment": first, "mark": "present"},
        {"enrolment": second, "mark": "late", "note": "Train delayed"},
    ]
    key = {"Idempotency-Key": "a1b2c3d4-fuzz"}
    nobody = [{"enrolment": 10**6, "mark": "present"}]  # not on the register
    asleep = [{"enrolment": third, "mark": "asleep"}]  # not a mark
    cases += [
        api_schema["/api/v1/attendance/"]["GET"].Case(query={"page_size": 1}),
        register["GET"].Case(path_parameters=at),
        register["PUT"].Case(path_parameters=at, body={"marks": marks}),
        register["PUT"].Case(path_parameters=at, body={"marks": marks}, headers=key),
        register["PUT"].Case(path_parameters=at, body={"marks": nobody}),
        register["PUT"].Case(path_parameters=at, body={"marks": asleep}),
        api_schema["/api/v1/sessions/{id}/"]["GET"].Case(path_parameters={"id": 10**6}),
    ]
    failures = []
    for case in cases:
        try:
            case.call_and_validate(headers=authorised(token), checks=CHECKS)
        except FailureGroup as group:  # every request is sent; all that failed are reported
            failures.append(f"{case.method} {case.formatted_path}: {group}")
    assert not failures, "\n\n".join(failures)
