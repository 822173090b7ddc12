"""The API's conventions: the OpenAPI schema and its docs (served from our own files, CSP
intact), cursor pagination with a constant number of queries per page, filters that refuse
bad values, ETag/If-None-Match, problem+json errors, a rate limit per token with
Retry-After, JSON only, and scoping by the one permissions module."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.access import AccessRole
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    UserFactory,
)

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_the_docs_load_without_a_cdn(client, administrator):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/cohorts/" in document["paths"]
    assert document["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page and "jsdelivr" not in page
    # No inline script without the response's nonce: the CSP stands as it is.
    assert (
        "unsafe-inline" not in docs["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


def test_cohorts_are_scoped_like_the_site_and_another_trusts_are_404(
    administrator, trust_a, trust_b
):
    ours = CohortFactory(host_trust=trust_a, name="Northshire spring")
    theirs = CohortFactory(host_trust=trust_b, name="Southvale spring")
    api = api_client(token_for(administrator))
    listed = api.get("/api/v1/cohorts/").json()
    assert [row["id"] for row in listed["results"]] == [ours.pk]
    assert listed["results"][0]["host_trust"] == trust_a.ods_code
    assert api.get(f"/api/v1/cohorts/{ours.pk}/").status_code == 200
    refused = api.get(f"/api/v1/cohorts/{theirs.pk}/")
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 404
    # Filtering for the other trust shows nothing either.
    assert api.get("/api/v1/cohorts/", {"trust": trust_b.ods_code}).json()["results"] == []


def test_a_participant_session_sees_their_own_cohorts_only(client, participant, trust_a):
    mine = CohortFactory(host_trust=trust_a)
    CohortFactory(host_trust=trust_a)
    EnrolmentFactory(person=participant, cohort=mine)
    client.force_login(participant)
    listed = client.get("/api/v1/cohorts/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]


def test_pages_follow_the_cursor_with_the_same_queries_each(administrator, trust_a):
    programme = ProgrammeFactory()
    for _ in range(7):
        CohortFactory(host_trust=trust_a, programme=programme)
    api = api_client(token_for(administrator))
    url, seen, counts = "/api/v1/cohorts/?page_size=3", [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            page = api.get(url).json()
        counts.append(len(captured))
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 7 and seen == sorted(seen)
    # Each page: the token with its owner, the owner's authenticator (two-factor rule), their
    # access grants, the cohorts (no COUNT) — the same for every page; the first also notes
    # when the token was last used (at most once a minute).
    assert counts[1:] == [counts[1]] * (len(counts) - 1), counts
    assert counts[0] == counts[1] + 1 and counts[1] <= 5, counts


def test_bad_filters_are_a_400_with_the_reason(administrator):
    api = api_client(token_for(administrator))
    response = api.get("/api/v1/cohorts/", {"status": "sort-of", "starts_after": "soon"})
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert set(body["errors"]) == {"status", "starts_after"}
    bad_cursor = api.get("/api/v1/cohorts/", {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 404 and "cursor" in bad_cursor.json()["detail"].lower()


def test_an_unchanged_list_is_a_304(administrator, trust_a):
    CohortFactory(host_trust=trust_a)
    api = api_client(token_for(administrator))
    first = api.get("/api/v1/cohorts/")
    etag = first["ETag"]
    assert "Authorization" in first["Vary"]
    again = api.get("/api/v1/cohorts/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    CohortFactory(host_trust=trust_a)
    changed = api.get("/api/v1/cohorts/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_rate_limit_is_per_token_with_retry_after(settings, administrator, trust_a):
    settings.API_RATE_LIMIT = "3/minute"
    one = api_client(token_for(administrator, name="One"))
    for _ in range(3):
        assert one.get("/api/v1/programmes/").status_code == 200
    limited = one.get("/api/v1/programmes/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "wait" in limited.json()["detail"]
    # Another token of someone else has its own allowance.
    other = UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    assert api_client(token_for(other)).get("/api/v1/programmes/").status_code == 200


def test_writes_are_refused_to_a_read_token_and_to_read_only_resources(administrator):
    read = api_client(token_for(administrator, name="Read"))
    response = read.post("/api/v1/programmes/", {}, content_type="application/json")
    assert response.status_code == 403 and "read only" in response.json()["detail"]
    write = api_client(token_for(administrator, scope="write", name="Write"))
    response = write.post("/api/v1/programmes/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_anonymous_requests_are_told_how_to_sign_in(client):
    response = client.get("/api/v1/cohorts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "API token" in response.json()["detail"]


def test_a_staff_session_without_two_factor_reaches_nothing(client, administrator):
    client.force_login(administrator)  # no authenticator set up
    response = client.get("/api/v1/programmes/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_every_operation_documents_its_errors_as_problem_json(client):
    document = client.get("/api/schema/?format=json").json()
    assert document["components"]["schemas"]["Problem"]["required"] == [
        "type", "title", "status", "detail"
    ]  # fmt: skip
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(operations) > 20
    for operation in operations:
        error = operation["responses"]["default"]["content"]
        assert "application/problem+json" in error


def test_what_the_fuzz_found_is_a_clear_4xx_never_a_500(administrator):
    """Regressions of tests/api/test_schema_fuzz.py's findings: malformed ids, numbers no
    column holds, time zone offsets PostgreSQL refuses, addresses that name no route."""
    api = api_client(token_for(administrator, scope="write"))
    for path in ("/api/v1/sessions/abc/register/", "/api/v1/attendance/0.5/",
                 "/api/v1/reports/trusts/abc/", "/api/v1/nothing-here/"):  # fmt: skip
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json", path
    posted = api.post("/api/v1/enrolments/abc/transitions/", {}, content_type="application/json")
    assert posted.status_code == 404
    for query in ({"cohort": "1e30"}, {"cohort": str(2**64)}, {"session": "-1"},
                  {"marked_after": "0321-09-12T23:29:22+17:55"},
                  {"marked_before": "9999-12-31T23:59:59-01:00"}):  # fmt: skip
        response = api.get("/api/v1/attendance/", query)
        assert response.status_code == 400, query
        assert set(response.json()["errors"]) == set(query), query
    # JSON is the one format: asking for another is a 404 problem, not a mislabelled 200.
    other = api.get("/api/v1/attendance/", {"format": "problem+json"})
    assert other.status_code == 404 and other["Content-Type"] == "application/problem+json"


def test_another_trusts_id_in_a_filter_looks_like_one_that_does_not_exist(administrator, trust_b):
    theirs = CohortFactory(host_trust=trust_b)
    api = api_client(token_for(administrator))
    real = api.get("/api/v1/enrolments/", {"cohort": theirs.pk})
    made_up = api.get("/api/v1/enrolments/", {"cohort": theirs.pk + 1000})
    assert real.status_code == made_up.status_code == 200
    assert real.json()["results"] == made_up.json()["results"] == []


def test_what_the_review_found_is_refused_plainly(settings, client, trust_a):
    """Regressions of the hostile review's findings (README, REST API)."""
    from people.models import AccessGrant
    from people.services import access_grant_revoke

    facilitator = UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    api = api_client(token_for(facilitator, scope="write"))
    # Unknown filters and a boolean that is neither true nor false: a 400 naming them.
    response = api.get("/api/v1/cohorts/", {"cohort_id": "9"})
    assert response.status_code == 400 and "cohort_id" in response.json()["errors"]
    response = api.get("/api/v1/role-appointments/", {"current": "maybe"})
    assert response.status_code == 400 and "current" in response.json()["errors"]
    # JSON nested past what Python's parser reads: a 400, not a 500.
    deep = '{"marks": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api.put("/api/v1/sessions/1/register/", deep, content_type="application/json")
    assert response.status_code in (400, 404) and response.status_code != 500
    # A weak tag (a compressing proxy's) still gets its 304.
    etag = api.get("/api/v1/programmes/")["ETag"]
    assert api.get("/api/v1/programmes/", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    # The role a token was made for ends: so does the token.
    access_grant_revoke(grant=AccessGrant.objects.get(person=facilitator), by=None)
    refused = api.get("/api/v1/cohorts/")
    assert refused.status_code == 401 and "role" in refused.json()["detail"]
    # Anonymous requests are limited by the real client address, not X-Forwarded-For.
    settings.API_RATE_LIMIT = "2/minute"
    statuses = [
        client.get("/api/v1/certificates/verify/x/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429, statuses


def test_the_api_is_never_redirected_to_an_html_page(client, trust_a):
    newcomer = UserFactory(trust=trust_a, first_name="", last_name="")  # profile not done
    client.force_login(newcomer)
    response = client.get("/api/v1/programmes/")
    assert response.status_code != 302
    assert response["Content-Type"].startswith("application/")
