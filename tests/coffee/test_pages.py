"""/learn/coffee/: opting in and out, this round's match and past ones, "We met" (a member
only: anyone else's match is a 404 and saves nothing), people without a trust, and the
emails a round sends."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from coffee import services, tasks
from coffee.models import CoffeeMatch, CoffeeMatchMember, CoffeeOptIn
from tests.factories import ClinicianFactory, UserFactory

from .factories import (
    CoffeeRoundFactory,
    CoffeeSchemeFactory,
    SharedSpaceFactory,
    match_of,
)

pytestmark = pytest.mark.django_db
HOME = "/learn/coffee/"
NOW = "2026-03-10 12:00:00+00:00"


@pytest.fixture
def signed_in(client, participant):
    client.force_login(participant)
    return client


def test_sign_in_is_required(client):
    response = client.get(HOME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("coffee:taking_part"), {"taking_part": "yes"}).status_code == 302
    assert not CoffeeOptIn.objects.exists()


def test_opting_in_and_out_keeps_one_row(signed_in, participant):
    page = signed_in.get(HOME)
    assert page.status_code == 200
    assert b"your name, job title and professional group are shared" in page.content
    assert b"Take part in Tandem coffee" in page.content

    response = signed_in.post(reverse("coffee:taking_part"), {"taking_part": "yes"}, follow=True)
    assert b"You are taking part" in response.content
    assert CoffeeOptIn.objects.get(person=participant).opted_in is True

    response = signed_in.post(reverse("coffee:taking_part"), {"taking_part": "no"}, follow=True)
    assert b"You have stopped taking part" in response.content
    assert b"You are not taking part" in response.content
    row = CoffeeOptIn.objects.get(person=participant)
    assert row.opted_in is False


def test_opting_in_needs_a_post_with_csrf(participant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.get(reverse("coffee:taking_part")).status_code == 405
    assert client.post(reverse("coffee:taking_part"), {"taking_part": "yes"}).status_code == 403
    assert not CoffeeOptIn.objects.exists()


def test_someone_without_a_trust_is_told_they_cannot_take_part(client):
    person = UserFactory(trust=None)
    client.force_login(person)
    page = client.get(HOME)
    assert b"You cannot take part" in page.content
    assert b"Take part in Tandem coffee" not in page.content
    response = client.post(reverse("coffee:taking_part"), {"taking_part": "yes"}, follow=True)
    assert b"your account has no trust" in response.content
    assert not CoffeeOptIn.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_this_round_and_past_rounds_are_shown(signed_in, participant, trust_a):
    CoffeeSchemeFactory(trust=trust_a)
    kitchen = SharedSpaceFactory(trust=trust_a, name="Level 3 staff kitchen")
    manager = UserFactory(trust=trust_a, first_name="Harriet", last_name="Okafor")
    other = UserFactory(trust=trust_a, first_name="Tomasz", last_name="Nowak")
    march = CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 3, 1))
    february = CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 2, 1))
    match_of(march, participant, manager, space=kitchen)
    match_of(february, participant, other)

    page = signed_in.get(HOME).content.decode()

    this_round = page.split('id="current-heading"')[1].split('id="past-heading"')[0]
    assert "Harriet Okafor, Service manager (Management and administration)" in this_round
    assert "Level 3 staff kitchen" in this_round
    assert "Tomasz Nowak" in page.split('id="past-heading"')[1]
    assert page.count(">We met<") == 2


def test_we_met_is_saved_once_and_counted_on_the_match(signed_in, participant, trust_a):
    round_ = CoffeeRoundFactory(trust=trust_a)
    match = match_of(round_, participant, UserFactory(trust=trust_a))
    url = reverse("coffee:we_met", args=[match.pk])

    response = signed_in.post(url, follow=True)
    assert b"we have noted that you met" in response.content
    member = CoffeeMatchMember.objects.get(match=match, person=participant)
    first = member.met_at
    assert first is not None
    match.refresh_from_db()
    assert match.met_at == first
    assert b"You said you met" in response.content

    signed_in.post(url)  # again: nothing changes
    member.refresh_from_db()
    assert member.met_at == first


def test_we_met_on_another_persons_match_is_a_404_and_saves_nothing(signed_in, trust_a, trust_b):
    theirs = match_of(
        CoffeeRoundFactory(trust=trust_b),
        ClinicianFactory(trust=trust_b),
        UserFactory(trust=trust_b),
    )
    same_trust = match_of(
        CoffeeRoundFactory(trust=trust_a),
        ClinicianFactory(trust=trust_a),
        UserFactory(trust=trust_a),
    )
    for match in (theirs, same_trust):
        assert signed_in.post(reverse("coffee:we_met", args=[match.pk])).status_code == 404
    assert signed_in.post("/learn/coffee/matches/999999/met/").status_code == 404
    assert signed_in.get(reverse("coffee:we_met", args=[same_trust.pk])).status_code == 405
    assert not CoffeeMatchMember.objects.filter(met_at__isnull=False).exists()
    assert not CoffeeMatch.objects.filter(met_at__isnull=False).exists()


@time_machine.travel(NOW, tick=False)
def test_the_page_makes_a_fixed_number_of_queries(
    signed_in, participant, trust_a, django_assert_max_num_queries
):
    CoffeeSchemeFactory(trust=trust_a)
    services.coffee_opt_set(person=participant, opted_in=True)
    SharedSpaceFactory(trust=trust_a)
    for month in range(1, 7):
        round_ = CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, month, 1))
        match_of(round_, participant, UserFactory(trust=trust_a), UserFactory(trust=trust_a))
    signed_in.get(HOME)  # the site's own lookups (cms.sites) are cached from here on
    # The page's frame: the session, its user, the user's grants and their two permission
    # lookups, the footer's site and information pages (7). This page: the scheme with its
    # trust; the memberships (with match, round and space) and their members with their
    # people (a prefetch); the carry-overs; the opt-in; the active spaces (6). The same for
    # 1 round or 6.
    with django_assert_max_num_queries(13):
        response = signed_in.get(HOME)
    assert response.content.count(b">We met<") == 6


# --- the emails --------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_each_member_is_emailed_their_match_and_a_trio_is_said_plainly(trust_a, committed):
    scheme = CoffeeSchemeFactory(trust=trust_a)
    SharedSpaceFactory(trust=trust_a, name="Level 3 staff kitchen", where="Tower block, L3")
    doctor = ClinicianFactory(
        trust=trust_a, first_name="Priya", last_name="Shah", job_title="Specialty registrar"
    )
    nurse = ClinicianFactory(
        trust=trust_a,
        first_name="Sean",
        last_name="O'Neill",
        professional_group="nursing_midwifery",
        registration_body="NMC",
        registration_number="12A3456E",
        job_title="Ward sister",
    )
    manager = UserFactory(trust=trust_a, first_name="Harriet", last_name="Okafor")
    for person in (doctor, nurse, manager):
        services.coffee_opt_set(person=person, opted_in=True)

    with committed():
        tasks.coffee_round_run.delay(scheme.pk, "2026-03-01")

    assert len(mail.outbox) == 3
    to_manager = next(m for m in mail.outbox if m.to == [manager.email])
    assert "your trio this month" in to_manager.subject
    assert "Priya Shah, Specialty registrar (Medical)" in to_manager.body
    assert "Sean O'Neill, Ward sister (Nursing and midwifery)" in to_manager.body  # not &#x27;
    assert "This is a trio" in to_manager.body
    assert "Level 3 staff kitchen (Tower block, L3)" in to_manager.body
    assert "http://testserver/learn/coffee/" in to_manager.body
    html = to_manager.alternatives[0][0]
    assert "Level 3 staff kitchen" in html and "trio" in html
    assert manager.get_full_name() not in to_manager.body.split("\n", 2)[-1].split("Suggested")[0]


@time_machine.travel(NOW, tick=False)
def test_someone_carried_over_is_told_plainly(trust_a, committed):
    scheme = CoffeeSchemeFactory(trust=trust_a)
    clinicians = [ClinicianFactory(trust=trust_a) for _ in range(4)]
    manager = UserFactory(trust=trust_a)
    for person in (*clinicians, manager):
        services.coffee_opt_set(person=person, opted_in=True)

    with committed():
        tasks.coffee_round_run.delay(scheme.pk, "2026-03-01")

    carried = [m for m in mail.outbox if "no match" in m.subject]
    assert len(carried) == 2
    for message in carried:
        assert message.subject == (
            "Tandem coffee: no match this month; you will be first in the next round"
        )
        assert "No match this month" in message.body
        assert "You'll be first in the next round, which starts on 1 April 2026" in message.body
