"""The pair's pages: the pair and their facilitators see the page and its reflections;
anyone else, an administrator included, gets a 404 and changes nothing; forms show their
refusals; the pages' queries do not grow with the number of visits."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pairing.models import ImprovementProject, PairMeeting, ShadowingVisit, VisitStatus
from people.access import AccessRole
from tests.factories import CohortFacilitatorFactory, UserFactory

from .factories import PairingFactory, ShadowingVisitFactory

pytestmark = pytest.mark.django_db
REFLECTION = "How the consultant decides who goes home first."


@pytest.fixture
def pairing(trust_a):
    pairing = PairingFactory(cohort__host_trust=trust_a)
    ShadowingVisitFactory(pairing=pairing, reflection=REFLECTION)
    return pairing


def page(client, user, pairing):
    client.force_login(user)
    return client.get(reverse("pairing:pair", args=[pairing.pk]))


def test_each_member_sees_the_pair_page_with_reflections_and_hours(client, pairing):
    for member in (pairing.clinician, pairing.manager):
        response = page(client, member, pairing)
        assert response.status_code == 200
        assert REFLECTION in response.content.decode()
    # The manager logged the visit: the clinician is asked to confirm it.
    response = page(client, pairing.clinician, pairing)
    assert "Waiting for you to confirm" in response.content.decode()
    response = page(client, pairing.manager, pairing)
    assert "Waiting for you to confirm" not in response.content.decode()


def test_the_cohorts_facilitator_reads_reflections_and_comments(client, pairing):
    facilitator = CohortFacilitatorFactory(cohort=pairing.cohort).person
    ImprovementProject.objects.create(pairing=pairing, title="Faster discharge letters")
    response = page(client, facilitator, pairing)
    assert response.status_code == 200 and REFLECTION in response.content.decode()
    assert "Log a visit" not in response.content.decode()  # facilitators read, pairs write
    response = client.post(
        reverse("pairing:project_comment", args=[pairing.pk]), {"body": "Measure it weekly."}
    )
    assert response.status_code == 302
    assert pairing.project.comments.get().author == facilitator


@pytest.mark.parametrize("who", ["another pair's member", "administrator", "participant"])
def test_anyone_else_gets_a_404_and_changes_nothing(client, pairing, who, trust_a):
    if who == "another pair's member":
        user = PairingFactory(cohort=pairing.cohort).clinician
    elif who == "administrator":
        user = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    else:
        user = UserFactory(trust=trust_a)
    assert page(client, user, pairing).status_code == 404
    visit = pairing.visits.get()
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    posts = [
        (reverse("pairing:visit_confirm", args=[visit.pk]), {}),
        (reverse("pairing:visit_delete", args=[visit.pk]), {}),
        (reverse("pairing:visit_query", args=[visit.pk]), {"reason": "Wrong"}),
        (
            reverse("pairing:visit_log", args=[pairing.pk]),
            {"who": "me", "visited_on": day, "hours": "2", "setting": "clinic"},
        ),
        (reverse("pairing:meeting_log", args=[pairing.pk]), {"met_on": day, "notes": "x"}),
        (reverse("pairing:project", args=[pairing.pk]), {"title": "Mine", "status": "idea"}),
        (
            reverse("pairing:agreement", args=[pairing.pk]),
            {"goals": "x", "meeting_frequency": "weekly"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    visit.refresh_from_db()
    pairing.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED and ShadowingVisit.objects.count() == 1
    assert not PairMeeting.objects.exists() and not ImprovementProject.objects.exists()
    assert pairing.goals.startswith("Learn how")


def test_logging_a_visit_then_the_partner_confirms_it(client, pairing):
    client.force_login(pairing.clinician)
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("pairing:visit_log", args=[pairing.pk]),
        {"who": "me", "visited_on": day, "hours": "2.5", "setting": "budget_meeting",
         "reflection": "Cost pressures"},
    )  # fmt: skip
    assert response.status_code == 302
    visit = ShadowingVisit.objects.get(logged_by=pairing.clinician)
    assert visit.shadower == pairing.clinician and visit.hours == Decimal("2.5")
    client.force_login(pairing.manager)
    assert client.post(reverse("pairing:visit_confirm", args=[visit.pk])).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
    response = client.get(reverse("pairing:pair", args=[pairing.pk]))
    assert "2.5" in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"hours": "30"}, "less than or equal to 24"),
        ({"hours": "-1"}, "greater than or equal to 0.5"),
        ({"visited_on": "2999-01-01"}, "in the future"),
        ({"setting": "other"}, "Say where the visit took place"),
    ],
)
def test_a_bad_visit_is_shown_on_the_form_and_nothing_saved(client, pairing, data, message):
    client.force_login(pairing.clinician)
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("pairing:visit_log", args=[pairing.pk]),
        {"who": "me", "visited_on": day, "hours": "2", "setting": "clinic"} | data,
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert ShadowingVisit.objects.count() == 1  # the fixture's


def test_confirming_your_own_visit_says_why_not(client, pairing):
    visit = pairing.visits.get()  # logged by the manager
    client.force_login(pairing.manager)
    response = client.post(reverse("pairing:visit_confirm", args=[visit.pk]), follow=True)
    assert "your partner confirms it" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED


def test_the_pair_page_queries_do_not_grow_with_visits(
    client, pairing, django_assert_max_num_queries
):
    client.force_login(pairing.clinician)
    url = reverse("pairing:pair", args=[pairing.pk])
    client.get(url)
    for _ in range(30):
        ShadowingVisitFactory(pairing=pairing)
        PairMeeting.objects.create(pairing=pairing, met_on=timezone.localdate(), notes="n")
    # Session and user (2), the pairing with its hours (1), visits (1), project (1), meetings
    # (1), messages/2FA checks of the middleware and the savepoint-free rest: at most 12.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_my_pairing_and_my_learning_show_the_pair(client, pairing):
    client.force_login(pairing.clinician)
    response = client.get(reverse("pairing:mine"))
    assert escape(pairing.manager.get_full_name()) in response.content.decode()
    response = client.get("/learn/")
    page = response.content.decode()
    assert reverse("pairing:pair", args=[pairing.pk]) in page
    assert "1 visit for you to confirm" in page  # the manager logged it
    client.force_login(pairing.manager)
    assert "for you to confirm" not in client.get("/learn/").content.decode()


def test_the_partner_queries_a_visit_from_the_page(client, pairing):
    visit = pairing.visits.get()  # logged by the manager
    client.force_login(pairing.clinician)
    url = reverse("pairing:visit_query", args=[visit.pk])
    response = client.post(url, {f"visit-{visit.pk}-reason": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = client.post(url, {f"visit-{visit.pk}-reason": "It was 2 hours, not 3.5"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.QUERIED and visit.query_reason == "It was 2 hours, not 3.5"
