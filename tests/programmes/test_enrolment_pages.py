"""The participant's enrolment pages: /learn/enrol/<cohort>/, "Your programmes" on /learn/,
and withdrawing. The rules are programmes.services' (tested in test_enrolment.py); these check
that the pages call them, show each refusal in words, and write nothing when they refuse."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from programmes import services
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus, Outlook, Relationship
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentStatus
ANSWERS = {
    "baseline_relationship": str(Relationship.PARTNERSHIP_WITH_TENSIONS.value),
    "baseline_outlook": str(Outlook.SAME.value),
    "current_role": "Specialty registrar in anaesthetics",
    "goals": "Understand how the theatre budget is set.",
}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response):
    return " ".join(soup(response).get_text(" ").split())


def summary_text(response):
    return " ".join(soup(response).select_one(".error-summary").get_text(" ").split())


def enrol_url(cohort):
    return f"/learn/enrol/{cohort.pk}/"


# --- who may see the page ---------------------------------------------------------------------


def test_the_programme_pages_enrol_link_is_served(cohort):
    assert cohort.enrol_url == enrol_url(cohort)


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, cohort, method):
    response = getattr(client, method)(enrol_url(cohort), ANSWERS if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/learn/enrol/{cohort.pk}/"
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_a_draft_or_cancelled_cohort_is_not_found(client, participant, trust_a, status):
    hidden = CohortFactory(host_trust=trust_a, status=status)
    client.force_login(participant)
    assert client.get(enrol_url(hidden)).status_code == 404
    assert client.post(enrol_url(hidden), ANSWERS).status_code == 404
    assert not Enrolment.objects.exists()


def test_an_unknown_cohort_is_not_found(client, participant):
    client.force_login(participant)
    assert client.get("/learn/enrol/999999/").status_code == 404


def test_a_closed_window_gets_a_clear_page_and_takes_nothing(client, participant, trust_a):
    now = timezone.now()
    closed = CohortFactory(
        host_trust=trust_a,
        enrolment_opens_at=now - datetime.timedelta(days=30),
        enrolment_closes_at=now - datetime.timedelta(days=1),
    )
    client.force_login(participant)
    response = client.get(enrol_url(closed))
    assert response.status_code == 200
    assert "Enrolment has closed" in text(response)
    assert client.post(enrol_url(closed), ANSWERS).status_code == 200
    assert not Enrolment.objects.exists()


def test_a_window_not_yet_open_says_when_it_opens(client, participant, trust_a):
    opens = timezone.now() + datetime.timedelta(days=3)
    future = CohortFactory(
        host_trust=trust_a,
        enrolment_opens_at=opens,
        enrolment_closes_at=opens + datetime.timedelta(days=10),
    )
    client.force_login(participant)
    body = text(client.get(enrol_url(future)))
    assert "Enrolment has not opened yet" in body
    assert f"You can enrol in this cohort from {timezone.localtime(opens):%-d %B %Y}" in body


# --- the form -----------------------------------------------------------------------------------


def test_the_page_shows_the_cohort_places_and_the_persons_details(client, participant, trust_b):
    cohort = CohortFactory(
        host_trust=trust_b, name="Southvale, autumn", capacity=10, reserved_for_managers=4
    )
    EnrolmentFactory(cohort=cohort)  # a clinician holds one seat
    client.force_login(participant)
    response = client.get(enrol_url(cohort))
    assert response.status_code == 200
    body = text(response)
    assert cohort.programme.title in body and "Southvale, autumn" in body
    assert "Southvale Community NHS Trust" in body
    assert "9 of 10: 5 for clinicians, 9 for managers" in body
    assert participant.get_full_name() in body and "Specialty registrar" in body
    assert "Northshire Hospitals NHS Foundation Trust" in body and "Medical" in body
    change = next(a for a in soup(response).select("a") if "Change your details" in a.get_text())
    assert change["href"] == f"/accounts/profile/?next=/learn/enrol/{cohort.pk}/"
    # The radio groups are fieldsets with a legend; there is no sponsor to name here.
    legends = [legend.get_text(strip=True) for legend in soup(response).select("fieldset legend")]
    assert len(legends) == 2 and legends[0].startswith("How would you describe")
    assert "sponsor" not in body.lower()
    assert "no-cache" in response["Cache-Control"]


def test_enrolling_records_the_answers_and_says_so_on_my_learning(client, participant, cohort):
    client.force_login(participant)
    response = client.post(enrol_url(cohort), ANSWERS)
    assert response.status_code == 302 and response["Location"] == "/learn/"
    enrolment = Enrolment.objects.get()
    assert enrolment.person == participant and enrolment.status == S.ENROLLED
    assert enrolment.baseline_relationship == Relationship.PARTNERSHIP_WITH_TENSIONS
    assert enrolment.baseline_outlook == Outlook.SAME
    assert enrolment.baseline_current_role == "Specialty registrar in anaesthetics"
    assert enrolment.goals == "Understand how the theatre budget is set."
    assert enrolment.events.get().by == participant
    body = text(client.get("/learn/"))
    assert f"You are enrolled in {cohort.programme.title}, Northshire, spring." in body


def test_a_full_cohort_puts_the_person_on_the_waiting_list_with_their_place(
    client, participant, trust_a
):
    full = CohortFactory(host_trust=trust_a, capacity=1)
    EnrolmentFactory(cohort=full)
    EnrolmentFactory(cohort=full, status="waitlisted")
    client.force_login(participant)
    client.post(enrol_url(full), ANSWERS)
    assert Enrolment.objects.get(person=participant).status == S.WAITLISTED
    body = text(client.get("/learn/"))
    assert "you are on the waiting list: you are number 2" in body
    assert "You are number 2 on the waiting list." in body  # the card on /learn/


def test_a_cohort_needing_approval_asks_for_the_sponsor(client, participant, trust_a):
    sponsored = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    client.force_login(participant)
    assert "We will ask your sponsor" in text(client.get(enrol_url(sponsored)))

    response = client.post(enrol_url(sponsored), ANSWERS)
    assert response.status_code == 400
    assert "Enter your sponsor's full name." in text(response)
    assert not Enrolment.objects.exists()

    client.post(
        enrol_url(sponsored),
        ANSWERS | {"sponsor_name": "Dr Ada Lovelace", "sponsor_email": "Ada.Lovelace@NHS.net"},
    )
    enrolment = Enrolment.objects.get()
    assert enrolment.status == S.PENDING_APPROVAL
    assert (enrolment.sponsor_name, enrolment.sponsor_email) == (
        "Dr Ada Lovelace",
        "ada.lovelace@nhs.net",
    )
    assert "waiting for your sponsor's approval" in text(client.get("/learn/"))


def test_missing_answers_are_listed_and_nothing_is_written(client, participant, cohort):
    client.force_login(participant)
    response = client.post(enrol_url(cohort), {"goals": "x" * 2001})
    assert response.status_code == 400
    summary = soup(response).select_one(".error-summary")
    links = {a["href"]: a.get_text(strip=True) for a in summary.select("a")}
    assert links["#id_baseline_relationship"] == "Choose how you would describe the relationship."
    assert soup(response).select_one("fieldset#id_baseline_relationship") is not None
    assert links["#id_current_role"] == "Enter your current role."
    assert "#id_goals" in links
    assert not Enrolment.objects.exists()


def test_an_incomplete_profile_goes_to_the_profile_step_and_back(client, trust_a, cohort):
    """The profile step (accounts.middleware) catches an incomplete profile before the page:
    the person completes it and comes back here. Nothing is written meanwhile."""
    person = UserFactory(trust=trust_a, job_title="")
    client.force_login(person)
    response = client.get(enrol_url(cohort))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/profile/?next=%2Flearn%2Fenrol%2F{cohort.pk}%2F"
    response = client.post(enrol_url(cohort), ANSWERS)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/profile/")
    assert not Enrolment.objects.exists() and not EnrolmentEvent.objects.exists()


def test_the_services_refusal_of_an_incomplete_profile_is_shown(client, participant, cohort):
    """Should the profile step ever let one through (a field emptied meanwhile), the
    service's own refusal is the message, and nothing is written."""
    client.force_login(participant)
    page = client.get(enrol_url(cohort))
    assert page.status_code == 200
    type(participant).objects.filter(pk=participant.pk).update(job_title="")
    middleware = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.ProfileStepMiddleware"
    ]
    with override_settings(MIDDLEWARE=middleware):
        unchecked = Client()  # a new handler: it loads the middleware without the step
        unchecked.force_login(participant)
        response = unchecked.post(enrol_url(cohort), ANSWERS)
    assert response.status_code == 400
    assert "Complete your profile first" in summary_text(response)
    assert not Enrolment.objects.exists() and not EnrolmentEvent.objects.exists()


def test_enrolling_twice_says_so_and_keeps_one_enrolment(client, participant, cohort):
    client.force_login(participant)
    client.post(enrol_url(cohort), ANSWERS)
    response = client.post(enrol_url(cohort), ANSWERS)
    assert response.status_code == 400
    assert "You have already applied" in text(response)
    assert Enrolment.objects.count() == 1


def test_a_refusal_raised_under_the_lock_is_shown_not_a_500(
    client, participant, cohort, monkeypatch
):
    """The window can close between the check on the page and the service's own, under the
    cohort's lock: the service's refusal is the message."""

    def closed(**kwargs):
        raise services.EnrolmentClosed("Enrolment for this cohort has closed.")

    monkeypatch.setattr(services, "enrolment_create", closed)
    client.force_login(participant)
    response = client.post(enrol_url(cohort), ANSWERS)
    assert response.status_code == 400
    assert "Enrolment for this cohort has closed." in summary_text(response)


# --- My learning ---------------------------------------------------------------------------------


def test_my_learning_lists_only_ones_own_enrolments_in_words(client, participant, trust_a):
    mine = EnrolmentFactory(person=participant, cohort=CohortFactory(name="Mine, spring"))
    EnrolmentFactory(
        person=participant, cohort=CohortFactory(name="Left, winter"), status="withdrawn"
    )
    EnrolmentFactory(cohort=CohortFactory(name="Someone else's, summer"))
    client.force_login(participant)
    response = client.get("/learn/")
    cards = soup(response).select(".enrolment-card")
    assert len(cards) == 2
    body = text(response)
    assert "Mine, spring" in body and "Left, winter" in body
    assert "Someone else's" not in body
    withdraw_links = [a["href"] for a in soup(response).select(".enrolment-card a.button")]
    assert withdraw_links == [f"/learn/enrolments/{mine.pk}/withdraw/"]
    assert "Withdrawn" in body and "Enrolled" in body


def test_my_learning_queries_do_not_grow_with_enrolments(
    client, participant, django_assert_max_num_queries
):
    for index in range(10):
        cohort = CohortFactory(capacity=1)
        if index % 2:
            EnrolmentFactory(cohort=cohort)  # the seat is taken: the participant waits
            EnrolmentFactory(person=participant, cohort=cohort, status="waitlisted")
        else:
            EnrolmentFactory(person=participant, cohort=cohort)
    client.force_login(participant)
    client.get("/learn/")
    # Session, person, groups, site, navigation (as before); the enrolments with their
    # cohorts, programmes and host trusts (one joined query); the waiting cohorts' queues
    # (one); module marks and reflections (two); the person's certificates (one, the
    # certificates tag); their self-assessment ratings (one, the outcomes tag). Not one per
    # enrolment.
    with django_assert_max_num_queries(16):
        response = client.get("/learn/")
    assert len(soup(response).select(".enrolment-card")) == 10
    assert text(response).count("You are number 1 on the waiting list.") == 5


# --- withdrawing ---------------------------------------------------------------------------------


def withdraw_url(enrolment):
    return f"/learn/enrolments/{enrolment.pk}/withdraw/"


def test_withdrawing_asks_first_then_withdraws_and_frees_the_seat(client, participant, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    client.force_login(participant)
    mine = services.enrolment_create(person=participant, cohort=cohort, by=participant)
    waiting = ClinicianFactory(trust=trust_a)
    services.enrolment_create(person=waiting, cohort=cohort, by=waiting)

    confirm = client.get(withdraw_url(mine))
    assert confirm.status_code == 200
    assert "your place goes to the next person on the waiting list" in text(confirm)
    mine.refresh_from_db()
    assert mine.status == S.ENROLLED  # a GET changes nothing

    response = client.post(withdraw_url(mine), {"reason": "My rota changed."})
    assert response.status_code == 302 and response["Location"] == "/learn/"
    mine.refresh_from_db()
    assert mine.status == S.WITHDRAWN
    assert mine.events.last().reason == "My rota changed."
    assert Enrolment.objects.get(person=waiting).status == S.ENROLLED
    assert "You have withdrawn from" in text(client.get("/learn/"))


def test_withdrawing_twice_is_refused_in_words(client, participant, cohort):
    mine = EnrolmentFactory(person=participant, cohort=cohort, status="withdrawn")
    client.force_login(participant)
    assert "You have already withdrawn from this cohort." in text(client.get(withdraw_url(mine)))
    response = client.post(withdraw_url(mine), {"reason": ""})
    assert response.status_code == 400
    assert "You have already withdrawn from this cohort." in text(response)
    assert not EnrolmentEvent.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_persons_enrolment_is_not_found(client, participant, trust_b, method):
    theirs = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_b))
    client.force_login(participant)
    response = getattr(client, method)(withdraw_url(theirs), {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.ENROLLED


def test_even_the_host_administrator_withdraws_people_elsewhere_not_here(
    client, administrator, cohort
):
    theirs = EnrolmentFactory(cohort=cohort)
    client.force_login(administrator)
    assert client.post(withdraw_url(theirs), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_withdrawal_is_sent_to_sign_in(client, cohort, method):
    enrolment = EnrolmentFactory(cohort=cohort)
    response = getattr(client, method)(withdraw_url(enrolment))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    enrolment.refresh_from_db()
    assert enrolment.status == S.ENROLLED
