"""Pairs, shadowing visits and certificates over the API: read as scoped on the site and
without the pair's private words; public verification of a certificate by its code, with
misses limited per address as on the site's page."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client

from pairing.models import Pairing, ShadowingVisit
from tests.factories import (
    CertificateFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    UserFactory,
)

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db


def _pair(cohort, trust):
    doctor, manager = ClinicianFactory(trust=trust), UserFactory(trust=trust)
    for person in (doctor, manager):
        EnrolmentFactory(person=person, cohort=cohort)
    pair = Pairing.objects.create(cohort=cohort, clinician=doctor, manager=manager,
                                  status="active", source="matched",
                                  goals="Our private goals")  # fmt: skip
    ShadowingVisit.objects.create(
        pairing=pair, shadower=manager, logged_by=manager, visited_on=datetime.date(2026, 3, 1),
        hours=Decimal("2.5"), setting="clinic", reflection="A private reflection",
    )  # fmt: skip
    return pair


def test_pairs_and_visits_are_scoped_and_hold_no_private_words(administrator, trust_a, trust_b):
    ours = _pair(CohortFactory(host_trust=trust_a), trust_a)
    theirs = _pair(CohortFactory(host_trust=trust_b), trust_b)
    api = api_client(token_for(administrator))
    pairs = api.get("/api/v1/pairings/").json()["results"]
    assert [p["id"] for p in pairs] == [ours.pk]
    # Visits are the pair's and their supporters' only, as on the site: not the trust's.
    assert api.get("/api/v1/shadowing-visits/").json()["results"] == []
    assert api.get(f"/api/v1/pairings/{theirs.pk}/").status_code == 404
    member = Client()
    member.force_login(ours.manager)
    assert [p["id"] for p in member.get("/api/v1/pairings/").json()["results"]] == [ours.pk]
    visits = member.get("/api/v1/shadowing-visits/").json()["results"]
    assert [v["pairing"] for v in visits] == [ours.pk] and visits[0]["hours"] == "2.5"
    text = json.dumps([pairs, visits])
    assert "private" not in text.lower()  # neither their goals nor the reflection


def test_certificates_are_scoped(administrator, trust_a, trust_b):
    ours = CertificateFactory(enrolment__cohort=CohortFactory(host_trust=trust_a),
                              enrolment__person=ClinicianFactory(trust=trust_a),
                              status="valid")  # fmt: skip
    CertificateFactory(enrolment__cohort=CohortFactory(host_trust=trust_b),
                       enrolment__person=ClinicianFactory(trust=trust_b))  # fmt: skip
    api = api_client(token_for(administrator))
    rows = api.get("/api/v1/certificates/").json()["results"]
    assert [(r["id"], r["code"]) for r in rows] == [(ours.pk, ours.printed_code)]


def test_anyone_verifies_a_certificate_by_its_code(client, trust_a):
    certificate = CertificateFactory(enrolment__cohort=CohortFactory(host_trust=trust_a),
                                     status="valid")  # fmt: skip
    for typed in (certificate.printed_code, certificate.printed_code.lower().replace("-", " ")):
        response = client.get(f"/api/v1/certificates/verify/{typed}/")
        assert response.status_code == 200, typed
        body = response.json()
        assert body["status"] == "valid" and body["code"] == certificate.printed_code
        assert body["participant_name"] == certificate.participant_name
        assert "id" not in body and "enrolment" not in body
    missing = client.get("/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG/")
    assert missing.status_code == 404 and "No certificate has this code" in missing.json()["detail"]
    assert client.get("/api/v1/certificates/verify/x/").json() == missing.json()


def test_verification_misses_are_limited_per_address_with_the_sites_limit(client, trust_a):
    certificate = CertificateFactory(enrolment__cohort=CohortFactory(host_trust=trust_a),
                                     status="valid")  # fmt: skip
    for _ in range(30):
        assert client.get("/api/v1/certificates/verify/nothing-here/").status_code == 404
    limited = client.get(f"/api/v1/certificates/verify/{certificate.printed_code}/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    # The site's page shares the count: the API is no way round it.
    assert client.get(f"/verify/{certificate.printed_code}/").status_code == 429
