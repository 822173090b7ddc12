"""Enrolments and role history over the API: read as scoped on the site; an enrolment moved
on through the site's services (their state machine and permissions); the HR feed checked by
the role import's own rules, all or nothing, the same rows twice changing nothing."""

import json

import pytest

from audit.models import AuditEvent
from people.access import AccessRole
from people.models import RoleAppointment
from programmes.models import EnrolmentEvent
from tests.factories import (
    ClinicianFactory,
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    RoleAppointmentFactory,
    UserFactory,
)

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db


def post(api, url, body, **headers):
    return api.post(url, json.dumps(body), content_type="application/json", **headers)


def test_enrolments_are_scoped_and_hold_none_of_the_persons_words(administrator, trust_a, trust_b):
    ours = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_a), goals="My private goals")
    theirs = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_b))
    api = api_client(token_for(administrator))
    rows = api.get("/api/v1/enrolments/").json()["results"]
    assert [row["id"] for row in rows] == [ours.pk]
    assert "goals" not in rows[0] and "My private goals" not in json.dumps(rows)
    assert api.get(f"/api/v1/enrolments/{theirs.pk}/").status_code == 404
    filtered = api.get("/api/v1/enrolments/", {"status": "enrolled", "cohort": ours.cohort_id})
    assert [row["id"] for row in filtered.json()["results"]] == [ours.pk]


def test_an_administrator_withdraws_an_enrolment_through_the_sites_service(administrator, trust_a):
    enrolment = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_a), status="enrolled")
    api = api_client(token_for(administrator, scope="write"))
    url = f"/api/v1/enrolments/{enrolment.pk}/transitions/"
    refused = post(api, url, {"action": "withdraw"})  # someone else must say why
    assert refused.status_code == 400, refused.content
    assert "reason" in refused.json()["errors"]["non_field_errors"][0]
    response = post(api, url, {"action": "withdraw", "reason": "Left the trust"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    event = EnrolmentEvent.objects.filter(enrolment=enrolment).latest("pk")
    assert (event.action, event.by_id) == ("withdraw", administrator.pk)
    again = post(api, url, {"action": "complete"})  # withdrawn cannot complete
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert post(api, url, {"action": "teleport"}).status_code == 400
    assert post(api, url, {"action": "complete", "why": "x"}).status_code == 400


def test_a_facilitator_sees_their_cohorts_enrolments_but_cannot_move_them(trust_a, trust_b):
    cohort = CohortFactory(host_trust=trust_a)
    facilitator = CohortFacilitatorFactory(cohort=cohort).person
    enrolment = EnrolmentFactory(cohort=cohort, status="enrolled")
    api = api_client(token_for(facilitator, scope="write"))
    assert api.get(f"/api/v1/enrolments/{enrolment.pk}/").status_code == 200
    url = f"/api/v1/enrolments/{enrolment.pk}/transitions/"
    response = post(api, url, {"action": "complete"})
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    other = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_b), status="enrolled")
    admin_a = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    write = api_client(token_for(admin_a, scope="write"))
    assert post(write, f"/api/v1/enrolments/{other.pk}/transitions/",
                {"action": "complete"}).status_code == 404  # fmt: skip
    other.refresh_from_db()
    assert other.status == "enrolled"


def test_role_history_is_read_by_the_persons_trust(administrator, trust_a, trust_b):
    ours = RoleAppointmentFactory(person=ClinicianFactory(trust=trust_a, staff_number="A123"))
    RoleAppointmentFactory(person=ClinicianFactory(trust=trust_b))
    api = api_client(token_for(administrator))
    rows = api.get("/api/v1/role-appointments/").json()["results"]
    assert [(r["id"], r["staff_number"]) for r in rows] == [(ours.pk, "A123")]
    assert api.get("/api/v1/role-appointments/", {"current": "true"}).status_code == 200


def test_the_hr_feed_imports_all_or_nothing_and_twice_changes_nothing(administrator, trust_a):
    doctor = ClinicianFactory(trust=trust_a, staff_number="12345678")
    manager = UserFactory(trust=trust_a, email="m.jones@northshire.nhs.uk")
    api = api_client(token_for(administrator, scope="write"))
    url = "/api/v1/role-appointments/import/"
    rows = [
        {"staff_number": "12345678", "title": "Clinical director",
         "category": "Clinical leadership",
         "start": "2025-04-01"},
        {"email": "m.jones@northshire.nhs.uk", "title": "Service manager",
         "category": "management", "start": "2024-01-01", "end": "2025-03-31"},
    ]  # fmt: skip
    dry = post(api, url, {"trust": trust_a.ods_code, "dry_run": True, "rows": rows})
    assert dry.status_code == 200 and dry.json()["new"] == 2 and not dry.json()["imported"]
    assert not RoleAppointment.objects.exists()
    done = post(api, url, {"trust": trust_a.ods_code, "rows": rows})
    assert done.status_code == 200 and done.json()["imported"]
    assert set(RoleAppointment.objects.values_list("person_id", "source")) == {
        (doctor.pk, "hr_import"), (manager.pk, "hr_import")
    }  # fmt: skip
    again = post(api, url, {"trust": trust_a.ods_code, "rows": rows}).json()
    assert (again["new"], again["unchanged"]) == (0, 2)
    assert RoleAppointment.objects.count() == 2
    assert AuditEvent.objects.filter(action="created", actor_email=administrator.email).exists()


def test_bad_hr_rows_are_named_and_nothing_is_written(administrator, trust_a, trust_b):
    ClinicianFactory(trust=trust_a, staff_number="12345678")
    ClinicianFactory(trust=trust_b, staff_number="87654321")  # another trust's: not found
    api = api_client(token_for(administrator, scope="write"))
    url = "/api/v1/role-appointments/import/"
    rows = [
        {"staff_number": "12345678", "title": "Clinical director",
         "category": "clinical_leadership",
         "start": "2025-04-01"},
        {"staff_number": "87654321", "title": "Medical director", "category": "board_executive",
         "start": "2025-01-01"},
        {"staff_number": "12345678", "title": "Lead", "category": "wizard", "start": "someday"},
        {"staff_number": "12345678", "title": "Rota lead", "category": "management",
         "start": "2025-05-01", "end": "2025-04-01"},
    ]  # fmt: skip
    response = post(api, url, {"trust": trust_a.ods_code, "rows": rows})
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert [bool(r["errors"]) for r in body["rows"]] == [False, True, True, True]
    assert "No one at" in body["rows"][1]["errors"][0]
    assert any("not one of" in e for e in body["rows"][2]["errors"])
    assert any("ends before it starts" in e for e in body["rows"][3]["errors"])
    assert not RoleAppointment.objects.exists()
    # Another trust, or one that does not exist: the same 404.
    for code in (trust_b.ods_code, "ZZZ"):
        refused = post(api, url, {"trust": code, "rows": rows[:1]})
        assert refused.status_code == 404
    assert post(api, url, {"trust": trust_a.ods_code, "rows": rows[:1], "mode": "x"}
                ).status_code == 400  # fmt: skip
    read = api_client(token_for(administrator, name="Read"))
    assert post(read, url, {"trust": trust_a.ods_code, "rows": rows[:1]}).status_code == 403
    assert not RoleAppointment.objects.exists()
