"""The register page (/learn/facilitate/sessions/<id>/register/) and "Sessions I run"."""

import datetime

import pytest
from django.utils import timezone

from programmes.models import Attendance, AttendanceChange
from tests.factories import (
    CohortFacilitatorFactory,
    EnrolmentFactory,
    SessionFacilitatorFactory,
    SessionFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


def url(session):
    return f"/learn/facilitate/sessions/{session.pk}/register/"


@pytest.fixture
def session(cohort):
    start = timezone.now() - datetime.timedelta(hours=2)
    return SessionFactory(
        cohort=cohort,
        title="Reading a directorate budget",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )


@pytest.fixture
def facilitator_client(client, session):
    facilitator = CohortFacilitatorFactory(cohort=session.cohort).person
    client.force_login(facilitator)
    client.facilitator = facilitator
    return client


def test_the_register_lists_everyone_with_a_place_and_who_joined_after(facilitator_client, session):
    session.starts_at -= datetime.timedelta(days=7)  # last week's
    session.ends_at -= datetime.timedelta(days=7)
    session.save()
    on_time = EnrolmentFactory(cohort=session.cohort, person__first_name="Aisha")
    late = EnrolmentFactory(
        cohort=session.cohort, person__first_name="Zed", seated_at=timezone.now()
    )
    EnrolmentFactory(cohort=session.cohort, status="waitlisted", person__first_name="Wanda")

    response = facilitator_client.get(url(session))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="mark-{on_time.pk}"' in page
    assert f'name="mark-{late.pk}"' not in page  # no choices for someone not expected
    assert "Got their place after this session" in page
    assert "Wanda" not in page  # on the waiting list: not on the register
    assert response["Cache-Control"].startswith("private")


def test_saving_the_register_writes_every_mark_and_a_later_change_is_listed(
    facilitator_client, session
):
    first, second = EnrolmentFactory.create_batch(2, cohort=session.cohort)

    response = facilitator_client.post(
        url(session),
        {f"mark-{first.pk}": "present", f"mark-{second.pk}": "late", f"note-{second.pk}": "Bleep"},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=second).note == "Bleep"

    facilitator_client.post(
        url(session),
        {
            f"mark-{first.pk}": "left_early",
            f"mark-{second.pk}": "late",
            f"note-{second.pk}": "Bleep",
        },
    )
    page = facilitator_client.get(url(session)).content.decode()
    assert "Present → Left early" in page
    [change] = AttendanceChange.objects.all()
    assert change.by == facilitator_client.facilitator


def test_mark_everyone_present_fills_the_form_and_saves_nothing(facilitator_client, session):
    first, second = EnrolmentFactory.create_batch(2, cohort=session.cohort)

    response = facilitator_client.post(
        url(session), {"all_present": "1", f"mark-{second.pk}": "absent"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="mark-{first.pk}" value="present" checked' in page
    assert f'name="mark-{second.pk}" value="absent" checked' in page  # kept as chosen
    assert "nothing is saved until you do" in page
    assert not Attendance.objects.exists()


def test_a_note_without_a_mark_is_a_row_error_and_nothing_is_saved(facilitator_client, session):
    first, second = EnrolmentFactory.create_batch(2, cohort=session.cohort)

    response = facilitator_client.post(
        url(session), {f"mark-{first.pk}": "present", f"note-{second.pk}": "Phoned in"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a mark for this person, or clear the note." in page
    assert f'href="#row-{second.pk}"' in page
    assert not Attendance.objects.exists()


def test_a_forged_row_for_someone_elses_cohort_is_refused_by_the_service(
    facilitator_client, session
):
    mine = EnrolmentFactory(cohort=session.cohort)
    stranger = EnrolmentFactory()

    response = facilitator_client.post(
        url(session), {f"mark-{mine.pk}": "present", f"mark-{stranger.pk}": "present"}
    )

    # The form only reads the rows it shows, so the stranger's field is ignored.
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [mine.pk]


def test_people_who_may_not_take_it_get_404(client, session, admin_b, participant):
    EnrolmentFactory(cohort=session.cohort, person=participant)
    other_facilitator = SessionFacilitatorFactory().person
    give_totp(admin_b)
    for person in (admin_b, participant, other_facilitator):
        client.force_login(person)
        assert client.get(url(session)).status_code == 404
        assert client.post(url(session), {}).status_code == 404
    assert not Attendance.objects.exists()


def test_the_host_administrator_takes_it_with_two_factor(admin_client, session):
    person = EnrolmentFactory(cohort=session.cohort)

    response = admin_client.post(url(session), {f"mark-{person.pk}": "excused"})

    assert response.status_code == 302
    assert Attendance.objects.get().mark == "excused"


def test_an_administrator_without_two_factor_is_sent_to_set_it_up(client, administrator, session):
    client.force_login(administrator)

    response = client.get(url(session))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_the_register_makes_the_same_queries_for_2_people_and_40(
    facilitator_client, session, django_assert_max_num_queries
):
    def count_for(n):
        EnrolmentFactory.create_batch(n, cohort=session.cohort)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert facilitator_client.get(url(session)).status_code == 200
        return len(queries)

    facilitator_client.get(url(session))  # the first request of a session writes to it
    small = count_for(2)
    large = count_for(38)
    assert small == large
    # session and user (2), the session under the register scope (1), the people on the
    # register (1), their marks (1), the changes (1), messages/session bits (a few).
    with django_assert_max_num_queries(12):
        facilitator_client.get(url(session))


def test_sessions_i_run_lists_today_and_recent_sessions(facilitator_client, session):
    past = SessionFactory(
        cohort=session.cohort,
        title="Business planning",
        starts_at=timezone.now() - datetime.timedelta(days=7),
        ends_at=timezone.now() - datetime.timedelta(days=7) + datetime.timedelta(hours=2),
    )

    page = facilitator_client.get("/learn/facilitate/").content.decode()

    assert session.title in page and past.title in page
    assert url(session) in page


def test_sessions_i_run_is_404_for_a_participant(client, participant):
    client.force_login(participant)
    assert client.get("/learn/facilitate/").status_code == 404


def test_before_the_session_the_register_offers_only_an_apology(client, cohort):
    session = SessionFactory(cohort=cohort)  # next week
    person = EnrolmentFactory(cohort=cohort)
    client.force_login(CohortFacilitatorFactory(cohort=cohort).person)

    page = client.get(url(session)).content.decode()

    assert f'name="mark-{person.pk}" value="excused"' in page
    assert f'name="mark-{person.pk}" value="present"' not in page
    assert 'name="all_present"' not in page
