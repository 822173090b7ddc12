"""Self check-in: the service (programmes.services.checkin) and the participant's page
(/learn/check-in/). The window, idempotency, lateness, refusals that teach a guesser nothing,
the per-person limit on wrong codes, and a GET that never writes."""

import datetime
from urllib.parse import quote

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboxMessage
from programmes import services
from programmes.models import Attendance, AttendanceChange
from programmes.services.attendance import CHECKIN_ATTEMPTS
from tests.factories import (
    DEFAULT_PASSWORD,
    AttendanceFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

# 09:30 London time on a winter Tuesday (GMT, so UTC too).
START = datetime.datetime(2026, 12, 8, 9, 30, tzinfo=datetime.UTC)
URL = "/learn/check-in/"
UNKNOWN = (
    "That code does not match a session you have a place in. Check the code on the screen "
    "(six letters and numbers) and try again."
)


@pytest.fixture(autouse=True)
def _morning_of_the_session():
    """Every test starts two hours before the session (sign-ins included: a session cookie
    from a week earlier would have expired by the time the test travels to the session)."""
    with time_machine.travel(START - datetime.timedelta(hours=2), tick=False):
        yield


@pytest.fixture
def session(db):
    return SessionFactory(
        title="Reading a directorate budget",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=3),
        checkin_code="AB0C1D",
    )


@pytest.fixture
def enrolment(session):
    return EnrolmentFactory(cohort=session.cohort, person=ClinicianFactory(first_name="Priya"))


@pytest.fixture
def person(enrolment):
    return enrolment.person


def at(minutes: float):
    """Travel to ``minutes`` after the session starts (negative: before)."""
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def reevaluations():
    return OutboxMessage.objects.filter(task_name__endswith="attendance_changed").count()


# --- the service --------------------------------------------------------------------------------


def test_a_check_in_in_the_window_records_present_and_queues_one_reevaluation(session, person):
    with at(-5):
        result = services.checkin(person=person, code="AB0C1D")

    assert result.already is False
    attendance = Attendance.objects.get(session=session, enrolment__person=person)
    assert (attendance.mark, attendance.source) == ("present", "check_in")
    assert attendance.checked_in_at == START - datetime.timedelta(minutes=5)
    assert attendance.marked_by == person
    assert reevaluations() == 1


@pytest.mark.parametrize(
    ("minutes", "opens"),
    [(-30.01, False), (-30, True), (179.99, True), (180, False)],
    ids=["just before it opens", "as it opens", "just before the end", "at the end"],
)
def test_the_window_runs_from_30_minutes_before_the_start_to_the_end(
    session, person, minutes, opens
):
    with at(minutes):
        if opens:
            services.checkin(person=person, code="AB0C1D")
        else:
            with pytest.raises(services.CheckInRefused):
                services.checkin(person=person, code="AB0C1D")
    assert Attendance.objects.filter(session=session).exists() is opens


def test_before_the_window_the_refusal_says_when_it_opens(session, person):
    with at(-60), pytest.raises(services.CheckInRefused) as refused:
        services.checkin(person=person, code="AB0C1D")
    assert str(refused.value) == (
        "Check-in for Reading a directorate budget opens at 09:00 on Tuesday 8 December, "
        "30 minutes before it starts."
    )
    assert refused.value.retry_after is None


def test_after_the_end_the_refusal_says_it_closed_and_what_to_do(session, person):
    with at(200), pytest.raises(services.CheckInRefused) as refused:
        services.checkin(person=person, code="AB0C1D")
    assert "ended at 12:30 on Tuesday 8 December: check-in has closed" in str(refused.value)
    assert "Ask the facilitator to mark you on the register" in str(refused.value)


def test_a_cancelled_session_refuses_check_in_even_in_its_window(session, person):
    session.status = "cancelled"
    session.save()
    with at(0), pytest.raises(services.CheckInRefused, match="was cancelled"):
        services.checkin(person=person, code="AB0C1D")
    assert not Attendance.objects.exists()


def test_a_second_check_in_changes_nothing(session, person):
    with at(-5):
        first = services.checkin(person=person, code="AB0C1D")
    with at(45):  # late by now: the first check-in's time and mark stand
        second = services.checkin(person=person, code="ab0-c1d")

    assert second.already is True
    assert second.attendance.pk == first.attendance.pk
    assert Attendance.objects.filter(session=session).count() == 1
    attendance = Attendance.objects.get()
    assert (attendance.mark, attendance.checked_in_at) == ("present", first.attendance.marked_at)
    assert AttendanceChange.objects.count() == 0
    assert reevaluations() == 1


@pytest.mark.parametrize(
    ("minutes", "mark"),
    [(10, "present"), (10.02, "late"), (90, "late")],
    ids=["at 10 minutes", "just after 10 minutes", "an hour and a half in"],
)
def test_a_check_in_more_than_10_minutes_after_the_start_is_late(session, person, minutes, mark):
    with at(minutes):
        services.checkin(person=person, code="AB0C1D")
    assert Attendance.objects.get().mark == mark


def test_a_mark_on_the_register_stands_against_a_later_check_in(session, enrolment):
    AttendanceFactory(session=session, enrolment=enrolment, mark="absent", source="register")
    with at(20):
        result = services.checkin(person=enrolment.person, code="AB0C1D")
    assert result.already is True
    assert Attendance.objects.get().mark == "absent"
    assert reevaluations() == 0


def test_someone_not_in_the_cohort_gets_the_same_answer_as_an_unknown_code(session, person):
    stranger = EnrolmentFactory(cohort=CohortFactory()).person  # enrolled elsewhere
    with at(0):
        with pytest.raises(services.CheckInRefused) as not_theirs:
            services.checkin(person=stranger, code="AB0C1D")
        with pytest.raises(services.CheckInRefused) as unknown:
            services.checkin(person=person, code="ZZZZZZ")
    assert str(not_theirs.value) == str(unknown.value) == UNKNOWN
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("status", ["waitlisted", "pending_approval", "withdrawn"])
def test_only_people_holding_a_place_may_check_in(session, status):
    waiting = EnrolmentFactory(cohort=session.cohort, status=status).person
    with at(0), pytest.raises(services.CheckInRefused, match="does not match a session"):
        services.checkin(person=waiting, code="AB0C1D")


@pytest.mark.parametrize(
    "typed", ["ab0c1d", "AB0-C1D", " ab0 c1d ", "ABOC1D", "aboc1d", "AB0CID", "AB0CLD"]
)
def test_a_code_is_found_however_it_was_typed(session, person, typed):
    with at(0):
        services.checkin(person=person, code=typed)
    assert Attendance.objects.filter(session=session).count() == 1


def test_ten_wrong_codes_stop_even_the_right_one_until_the_window_passes(session, person):
    with at(0):
        for _ in range(CHECKIN_ATTEMPTS.attempts):
            with pytest.raises(services.CheckInRefused) as wrong:
                services.checkin(person=person, code="ZZZZZZ")
            assert wrong.value.retry_after is None
        with pytest.raises(services.CheckInRefused) as limited:
            services.checkin(person=person, code="AB0C1D")
    assert limited.value.retry_after and limited.value.retry_after <= 15 * 60
    assert str(limited.value).startswith("Too many codes that did not match. Try again in")
    assert not Attendance.objects.exists()
    with at(16):  # the next 15-minute window
        services.checkin(person=person, code="AB0C1D")
    assert Attendance.objects.count() == 1


def test_wrong_codes_count_per_person(session, person):
    other = EnrolmentFactory(cohort=session.cohort).person
    with at(0):
        for _ in range(CHECKIN_ATTEMPTS.attempts):
            with pytest.raises(services.CheckInRefused):
                services.checkin(person=other, code="ZZZZZZ")
        services.checkin(person=person, code="AB0C1D")
    assert Attendance.objects.get().enrolment.person == person


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_signing_in_brings_a_scanned_code_back_to_the_page(session, person):
    client = Client()
    response = client.get(f"{URL}?code=AB0-C1D")
    assert response.status_code == 302
    login = response["Location"]
    assert login == f"/accounts/login/?next={quote(URL + '?code=AB0-C1D', safe='/')}"

    response = client.post(
        login, {"login": person.email, "password": DEFAULT_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{URL}?code=AB0-C1D"
    assert soup(response).find("input", attrs={"name": "code"})["value"] == "AB0-C1D"


def test_the_page_from_a_qr_code_is_filled_in_and_writes_nothing(session, signed_in):
    with at(0):
        response = signed_in.get(f"{URL}?code=AB0-C1D")

    assert response.status_code == 200
    page = soup(response)
    field = page.find("input", attrs={"name": "code"})
    assert field["value"] == "AB0-C1D"
    assert (field["autocomplete"], field["autocapitalize"], field["inputmode"]) == (
        "off",
        "characters",
        "text",
    )
    assert page.find("button", string="Check in")
    assert page.find("form")["method"] == "post"
    assert not Attendance.objects.exists()
    assert "private" in response["Cache-Control"]


def test_a_get_never_checks_in_nor_counts_as_a_guess(session, signed_in):
    with at(0):
        for _ in range(CHECKIN_ATTEMPTS.attempts + 2):
            signed_in.get(f"{URL}?code=ZZZZZZ")
        signed_in.get(f"{URL}?code=AB0C1D")
        response = signed_in.post(URL, {"code": "AB0C1D"})
    assert response.status_code == 200
    assert Attendance.objects.count() == 1  # the POST's, and only that


def test_checking_in_says_where_and_when(session, signed_in):
    with at(-3):
        response = signed_in.post(URL, {"code": "ab0-c1d"})
    assert response.status_code == 200
    text = soup(response).get_text(" ", strip=True)
    assert "You're checked in to Reading a directorate budget at 09:27." in text
    assert Attendance.objects.count() == 1


def test_checking_in_again_says_when_it_was_first_done(session, signed_in):
    with at(-3):
        signed_in.post(URL, {"code": "AB0C1D"})
    with at(20):
        response = signed_in.post(URL, {"code": "AB0C1D"})
    text = soup(response).get_text(" ", strip=True)
    assert "You were already checked in to Reading a directorate budget at 09:27." in text
    assert Attendance.objects.count() == 1


def test_a_register_mark_of_absent_is_reported_not_passed_off_as_checked_in(
    session, enrolment, signed_in
):
    AttendanceFactory(session=session, enrolment=enrolment, mark="absent", source="register")
    with at(20):
        response = signed_in.post(URL, {"code": "AB0C1D"})
    text = soup(response).get_text(" ", strip=True)
    assert "The facilitator has marked you as absent" in text
    assert "tell the facilitator" in text
    assert "checked in to" not in text


def test_a_refusal_is_a_form_error_on_the_field(session, signed_in):
    with at(-120):
        response = signed_in.post(URL, {"code": "AB0C1D"})
    assert response.status_code == 200
    page = soup(response)
    summary = page.find(class_="error-summary")
    assert "Check-in for Reading a directorate budget opens at 09:00" in summary.get_text()
    assert summary.find("a")["href"] == "#id_code"
    field = page.find("input", attrs={"name": "code"})
    assert field["aria-invalid"] == "true"
    assert "id_code_error" in field["aria-describedby"]
    assert page.title.string.startswith("Error: ")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the check-in code shown on the screen."),
        ("AB0C1", "The check-in code is 6 letters and numbers"),
        ("ABUC1D", "The check-in code is 6 letters and numbers"),  # U is in no code
        ("A" * 40, "The check-in code is 6 letters and numbers"),
    ],
    ids=["empty", "too short", "not in the alphabet", "far too long"],
)
def test_a_code_that_cannot_be_one_is_refused_without_counting_as_a_guess(
    session, person, signed_in, typed, error
):
    with at(0):
        for _ in range(CHECKIN_ATTEMPTS.attempts + 1):
            response = signed_in.post(URL, {"code": typed})
            assert response.status_code == 200
            assert error in soup(response).find(class_="error-summary").get_text()
        response = signed_in.post(URL, {"code": "AB0C1D"})  # not rate-limited by them
    assert response.status_code == 200
    assert Attendance.objects.filter(enrolment__person=person).count() == 1


def test_after_ten_wrong_codes_the_page_answers_429_with_retry_after(session, signed_in):
    with at(0):
        for _ in range(CHECKIN_ATTEMPTS.attempts):
            response = signed_in.post(URL, {"code": "ZZZZZZ"})
            assert response.status_code == 200
            assert UNKNOWN in soup(response).find(class_="error-summary").get_text(" ")
        response = signed_in.post(URL, {"code": "AB0C1D"})

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert "Too many codes that did not match" in soup(response).get_text()
    assert not Attendance.objects.exists()


def test_the_form_needs_its_csrf_token(session, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    with at(0):
        response = client.post(URL, {"code": "AB0C1D"})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_page_is_reachable_by_name():
    assert reverse("programmes:checkin") == URL
    assert timezone.get_current_timezone_name() == "Europe/London"


def test_arriving_at_a_drop_in_meet_up_after_its_start_is_not_late():
    now = timezone.now()
    session = SessionFactory(
        kind="informal_meetup",
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=2),
    )
    person = EnrolmentFactory(cohort=session.cohort).person

    result = services.checkin(person=person, code=session.checkin_code)

    assert result.attendance.mark == "present"
