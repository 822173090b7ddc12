"""The participant's next sessions on "My learning" (/learn/)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programmes import services
from tests.factories import CohortFacilitatorFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_my_learning_lists_the_next_sessions_of_cohorts_i_have_a_place_in(client, participant):
    mine = EnrolmentFactory(person=participant).cohort
    waiting = EnrolmentFactory(person=participant, status="waitlisted").cohort
    SessionFactory(cohort=mine, title="Reading a directorate budget")
    SessionFactory(cohort=waiting, title="A session of a cohort I wait for")
    past = timezone.now() - datetime.timedelta(days=3)
    SessionFactory(
        cohort=mine, title="Last week", starts_at=past, ends_at=past + datetime.timedelta(hours=1)
    )
    cancelled = SessionFactory(cohort=mine, title="Business planning")
    services.session_cancel(session=cancelled, by=None, reason="Strike day")
    client.force_login(participant)

    page = client.get("/learn/").content.decode()

    assert "Reading a directorate budget" in page
    assert "A session of a cohort I wait for" not in page and "Last week" not in page
    assert 'Business planning <strong class="tag">Cancelled</strong>' in page
    assert "Strike day" in page
    assert "/learn/calendar/" in page
    assert "Sessions I run" not in page


def test_a_session_open_for_check_in_offers_the_button(client, participant):
    cohort = EnrolmentFactory(person=participant).cohort
    now = timezone.now()
    SessionFactory(
        cohort=cohort,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    client.force_login(participant)

    assert 'href="/learn/check-in/"' in client.get("/learn/").content.decode()


def test_a_facilitator_is_offered_sessions_i_run(client):
    facilitator = CohortFacilitatorFactory().person
    SessionFactory(cohort=CohortFacilitatorFactory(person=facilitator).cohort)
    client.force_login(facilitator)

    assert "Sessions I run" in client.get("/learn/").content.decode()


def test_the_sessions_cost_the_same_queries_for_one_and_six(client, participant):
    cohort = EnrolmentFactory(person=participant).cohort
    client.force_login(participant)
    client.get("/learn/")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/learn/").status_code == 200
        return len(captured)

    SessionFactory(cohort=cohort)
    one = queries()
    SessionFactory.create_batch(5, cohort=cohort)
    assert queries() == one
