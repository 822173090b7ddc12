"""Sessions, registers and attendance over the API: a facilitator reads a register and writes
it whole in one request through the site's own register_save (all or nothing, history kept),
a retry with the same Idempotency-Key replays the answer and writes nothing, and everything
is scoped as on the site — another trust's session is a 404 for reading and writing."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from api.models import IdempotentRequest
from programmes.models import Attendance, AttendanceChange
from tests.factories import (
    AttendanceFactory,
    ClinicianFactory,
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(trust_a):
    """Trust A's cohort with a session that started an hour ago, three participants with
    places, and its facilitator."""
    now = timezone.now()
    cohort = CohortFactory(host_trust=trust_a)
    session = SessionFactory(cohort=cohort, starts_at=now - datetime.timedelta(hours=1),
                             ends_at=now + datetime.timedelta(hours=2))  # fmt: skip
    places = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust_a))
              for _ in range(3)]  # fmt: skip
    facilitator = CohortFacilitatorFactory(cohort=cohort).person
    return session, places, facilitator


def put(api, session, marks, **headers):
    return api.put(f"/api/v1/sessions/{session.pk}/register/", json.dumps({"marks": marks}),
                   content_type="application/json", **headers)  # fmt: skip


def test_a_facilitator_reads_and_writes_the_whole_register(held):
    session, places, facilitator = held
    api = api_client(token_for(facilitator, scope="write"))
    register = api.get(f"/api/v1/sessions/{session.pk}/register/").json()
    assert sorted(row["enrolment"] for row in register["rows"]) == sorted(e.pk for e in places)
    assert all(row["mark"] == "" and row["expected"] for row in register["rows"])
    marks = [{"enrolment": places[0].pk, "mark": "present"},
             {"enrolment": places[1].pk, "mark": "late", "note": "Train delayed"}]  # fmt: skip
    response = put(api, session, marks)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["changed"], body["unchanged"]) == (2, 0, 0)
    saved = {a.enrolment_id: (a.mark, a.note, a.marked_by_id) for a in Attendance.objects.all()}
    assert saved == {places[0].pk: ("present", "", facilitator.pk),
                     places[1].pk: ("late", "Train delayed", facilitator.pk)}  # fmt: skip
    # Changing one: the history records it, as the site's register does.
    again = put(api, session, [{"enrolment": places[0].pk, "mark": "left_early"}]).json()
    assert (again["created"], again["changed"]) == (0, 1)
    change = AttendanceChange.objects.get()
    assert (change.from_mark, change.to_mark, change.by_id) == ("present", "left_early",
                                                                facilitator.pk)  # fmt: skip


def test_the_same_idempotency_key_replays_and_writes_nothing_twice(held):
    session, places, facilitator = held
    api = api_client(token_for(facilitator, scope="write"))
    key = str(uuid.uuid4())
    marks = [{"enrolment": places[0].pk, "mark": "present"}]
    first = put(api, session, marks, HTTP_IDEMPOTENCY_KEY=key)
    # Meanwhile someone else changes the mark on the site; the retry must not undo it.
    Attendance.objects.filter(enrolment=places[0]).update(mark="absent")
    second = put(api, session, marks, HTTP_IDEMPOTENCY_KEY=key)
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    counts = ("session", "created", "changed", "unchanged")
    assert [second.json()[k] for k in counts] == [first.json()[k] for k in counts]
    assert Attendance.objects.get().mark == "absent"
    # The register in the replay is read afresh (none of it is stored with the key).
    row = next(r for r in second.json()["rows"] if r["enrolment"] == places[0].pk)
    assert row["mark"] == "absent"
    stored = IdempotentRequest.objects.get().body
    assert "rows" not in stored and stored["created"] == 1
    other = put(api, session, [{"enrolment": places[1].pk, "mark": "present"}],
                HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert put(api, session, marks, HTTP_IDEMPOTENCY_KEY="no spaces!").status_code == 400
    assert IdempotentRequest.objects.count() == 1


def test_a_refused_row_writes_nothing_and_says_which(held, trust_a):
    session, places, facilitator = held
    api = api_client(token_for(facilitator, scope="write"))
    stranger = EnrolmentFactory(person=ClinicianFactory(trust=trust_a))  # another cohort's
    key = str(uuid.uuid4())
    response = put(api, session, [{"enrolment": places[0].pk, "mark": "present"},
                                  {"enrolment": stranger.pk, "mark": "present"}],
                   HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]["marks"]) == [str(stranger.pk)]
    assert not Attendance.objects.exists()
    assert not IdempotentRequest.objects.exists()  # a failed request can simply be retried
    for marks, field in (
        ([{"enrolment": places[0].pk, "mark": "asleep"}], "marks"),
        ([{"enrolment": places[0].pk, "mark": "present", "notes": "typo"}], "marks"),
        ([{"enrolment": places[0].pk, "mark": "present"}] * 2, "marks"),
        ([{"enrolment": "one", "mark": "present"}], "marks"),
        ([], "marks"),
    ):
        response = put(api, session, marks)
        assert response.status_code == 400, (marks, response.content)
        assert field in response.json()["errors"], marks
    url = f"/api/v1/sessions/{session.pk}/register/"
    unknown = api.put(url, json.dumps({"marks": [], "by": 1}), content_type="application/json")
    assert unknown.status_code == 400 and "by" in unknown.json()["errors"]
    not_json = api.put(f"/api/v1/sessions/{session.pk}/register/", "marks=1",
                       content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert not_json.status_code == 415
    broken = api.put(f"/api/v1/sessions/{session.pk}/register/", "{not json",
                     content_type="application/json")  # fmt: skip
    assert broken.status_code == 400
    assert not Attendance.objects.exists()


def test_an_oversized_body_is_a_413(settings, held):
    session, places, facilitator = held
    settings.API_MAX_BODY_BYTES = 200
    api = api_client(token_for(facilitator, scope="write"))
    marks = [{"enrolment": places[0].pk, "mark": "present", "note": "x" * 250}]
    response = put(api, session, marks)
    assert response.status_code == 413 and "the most the API takes" in response.json()["detail"]
    assert not Attendance.objects.exists()


def test_another_trusts_session_is_a_404_to_read_and_to_write(held, trust_b):
    session, _, facilitator = held
    other = SessionFactory(cohort=CohortFactory(host_trust=trust_b))
    theirs = EnrolmentFactory(cohort=other.cohort, person=ClinicianFactory(trust=trust_b))
    api = api_client(token_for(facilitator, scope="write"))
    assert api.get(f"/api/v1/sessions/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/sessions/{other.pk}/register/").status_code == 404
    assert put(api, other, [{"enrolment": theirs.pk, "mark": "absent"}]).status_code == 404
    # Nor can trust B's enrolment be marked at trust A's session.
    assert put(api, session, [{"enrolment": theirs.pk, "mark": "absent"}]).status_code == 400
    assert not Attendance.objects.exists()


def test_a_read_token_reads_but_cannot_write_and_a_participant_has_no_register(held):
    session, places, facilitator = held
    read = api_client(token_for(facilitator, scope="read"))
    assert read.get(f"/api/v1/sessions/{session.pk}/register/").status_code == 200
    response = put(read, session, [{"enrolment": places[0].pk, "mark": "present"}])
    assert response.status_code == 403
    participant = places[0].person
    from django.test import Client

    client = Client()
    client.force_login(participant)
    assert client.get(f"/api/v1/sessions/{session.pk}/").status_code == 200  # their timetable
    assert client.get(f"/api/v1/sessions/{session.pk}/register/").status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_marks_are_scoped_and_filtered(held, trust_a, trust_b):
    session, places, facilitator = held
    AttendanceFactory(session=session, enrolment=places[0], mark="present")
    AttendanceFactory(session=session, enrolment=places[1], mark="absent")
    AttendanceFactory(session=SessionFactory(cohort=CohortFactory(host_trust=trust_b)))
    api = api_client(token_for(facilitator))
    marks = api.get("/api/v1/attendance/").json()["results"]
    assert sorted(m["enrolment"] for m in marks) == sorted([places[0].pk, places[1].pk])
    absent = api.get("/api/v1/attendance/", {"mark": "absent"}).json()["results"]
    assert [m["enrolment"] for m in absent] == [places[1].pk]
    from django.test import Client

    own = Client()
    own.force_login(places[0].person)
    assert [m["enrolment"] for m in own.get("/api/v1/attendance/").json()["results"]] == [
        places[0].pk
    ]
    admin_b = UserFactory(trust=trust_b, roles=["Programme administrators"])
    assert (
        api_client(token_for(admin_b))
        .get("/api/v1/attendance/", {"session": session.pk})
        .json()["results"]
        == []
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_key_sent_five_times_at_once_writes_once(trust_a):
    from tests.concurrency import run_concurrently

    now = timezone.now()
    cohort = CohortFactory(host_trust=trust_a)
    session = SessionFactory(cohort=cohort, starts_at=now - datetime.timedelta(hours=1),
                             ends_at=now + datetime.timedelta(hours=2))  # fmt: skip
    place = EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust_a))
    token = token_for(CohortFacilitatorFactory(cohort=cohort).person, scope="write")
    key = str(uuid.uuid4())

    def send(_):
        response = put(api_client(token), session, [{"enrolment": place.pk, "mark": "present"}],
                       HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
        return response.status_code, response.get("Idempotent-Replayed", "")

    run = run_concurrently(send, threads=5)
    assert not run.errors, run.errors
    assert sorted(run.results) == [(200, "")] + [(200, "true")] * 4
    assert Attendance.objects.count() == 1 and IdempotentRequest.objects.count() == 1
