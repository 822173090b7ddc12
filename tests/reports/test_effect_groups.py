"""The effect estimate's groups on factory data (reports.effect_selectors), the page's scope
and its query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.access import AccessRole
from people.models import ProfessionalGroup, RoleCategory
from reports.effect_selectors import (
    comparison,
    completers,
    effect_groups,
    effect_trusts_visible_to,
)
from tests.factories import (
    ClinicianFactory,
    EnrolmentFactory,
    RoleAppointmentFactory,
    TrustFactory,
    UserFactory,
    give_totp,
)

COMPLETED_ON = datetime.date(2024, 3, 15)


def completed_at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def completer(trust, day=COMPLETED_ON, **kwargs):
    person = ClinicianFactory(trust=trust, **kwargs)
    EnrolmentFactory(person=person, status="completed", status_changed_at=completed_at(day))
    return person


def leadership(person, starts_on, ends_on=None, category=RoleCategory.CLINICAL_LEADERSHIP):
    return RoleAppointmentFactory(
        person=person, starts_on=starts_on, ends_on=ends_on, category=category,
        title=f"Lead from {starts_on}",
    )  # fmt: skip


@pytest.mark.django_db
def test_completers_are_followed_from_first_completion_to_first_appointment_after_it():
    trust = TrustFactory()
    appointed = completer(trust)
    EnrolmentFactory(  # a second, later completion does not move the start
        person=appointed,
        status="completed",
        status_changed_at=completed_at(datetime.date(2025, 1, 1)),
    )
    leadership(appointed, datetime.date(2023, 1, 1), ends_on=datetime.date(2023, 12, 31))  # before
    leadership(appointed, datetime.date(2024, 9, 1))  # the first after: the event
    leadership(appointed, datetime.date(2025, 6, 1))
    RoleAppointmentFactory(  # a clinical role is no leadership appointment
        person=appointed, starts_on=datetime.date(2024, 4, 1), category=RoleCategory.CLINICAL,
        title="Consultant",
    )  # fmt: skip
    already = completer(trust)
    leadership(already, datetime.date(2022, 1, 1))  # still in post at the start: left out
    not_yet = completer(trust)
    # Not a completer: enrolled but not completed; a manager; another trust's completer.
    EnrolmentFactory(person=ClinicianFactory(trust=trust), status="not_completed")
    manager = UserFactory(trust=trust)
    EnrolmentFactory(person=manager, status="completed")
    completer(TrustFactory())

    rows = sorted(completers(trust), key=lambda row: row[2])
    assert len(rows) == 3
    groups = effect_groups(trust, today=datetime.date(2026, 3, 15))
    assert groups["completers_excluded"] == 1
    followed = sorted(groups["completers"], key=lambda p: p.first_leadership or datetime.date.max)
    assert [(p.start, p.first_leadership) for p in followed] == [
        (COMPLETED_ON, datetime.date(2024, 9, 1)),
        (COMPLETED_ON, None),
    ]
    assert not_yet.pk and already.pk


@pytest.mark.django_db
def test_comparison_is_clinicians_never_enrolled_from_their_groups_first_completion():
    trust = TrustFactory()
    completer(trust, day=datetime.date(2024, 6, 1))
    completer(trust, day=COMPLETED_ON)  # the medical group's first completion
    nurse_completer = completer(
        trust,
        day=datetime.date(2025, 1, 10),
        professional_group=ProfessionalGroup.NURSING_MIDWIFERY,
    )
    doctor = ClinicianFactory(trust=trust)
    leadership(doctor, datetime.date(2025, 2, 1))
    nurse = ClinicianFactory(trust=trust, professional_group=ProfessionalGroup.NURSING_MIDWIFERY)
    already = ClinicianFactory(trust=trust)
    leadership(already, datetime.date(2020, 1, 1))
    # Not in the comparison group: a pharmacist (no pharmacist completed here), someone who
    # enrolled and withdrew, a manager, a clinician of another trust.
    ClinicianFactory(trust=trust, professional_group=ProfessionalGroup.PHARMACY)
    EnrolmentFactory(person=ClinicianFactory(trust=trust), status="withdrawn")
    UserFactory(trust=trust)
    ClinicianFactory(trust=TrustFactory())

    groups = effect_groups(trust, today=datetime.date(2026, 1, 1))
    assert groups["comparison_excluded"] == 1
    assert sorted((p.start, p.first_leadership) for p in groups["comparison"]) == [
        (COMPLETED_ON, datetime.date(2025, 2, 1)),
        (datetime.date(2025, 1, 10), None),
    ]
    assert nurse.pk and nurse_completer.pk
    assert len(list(comparison(trust))) == 3


@pytest.mark.django_db
def test_an_appointment_on_the_start_date_means_already_in_post():
    trust = TrustFactory()
    person = completer(trust)
    leadership(person, COMPLETED_ON)
    groups = effect_groups(trust, today=datetime.date(2026, 1, 1))
    assert groups["completers"] == [] and groups["completers_excluded"] == 1


@pytest.mark.django_db
def test_an_empty_trust_has_empty_groups_and_a_page_without_figures(client):
    trust = TrustFactory()
    assert effect_groups(trust)["completers"] == []
    lead = UserFactory(trust=trust, roles=[AccessRole.TRUST_REPORTING_LEAD])
    give_totp(lead)
    client.force_login(lead)
    response = client.get(reverse("reports:effect_trust", args=[trust.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "nobody is in this group yet" in body
    assert "not proof of cause" in body


# --- scope ----------------------------------------------------------------------------------


@pytest.fixture
def lead_a(trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    give_totp(lead)
    return lead


def test_a_reporting_lead_sees_their_trust_and_not_another(client, lead_a, trust_a, trust_b):
    client.force_login(lead_a)
    assert client.get(reverse("reports:effect")).url == reverse(
        "reports:effect_trust", args=[trust_a.pk]
    )
    assert client.get(reverse("reports:effect_trust", args=[trust_a.pk])).status_code == 200
    assert client.get(reverse("reports:effect_trust", args=[trust_b.pk])).status_code == 404
    assert client.get("/reports/effect/99999999/").status_code == 404


@pytest.mark.parametrize(
    "roles",
    [[AccessRole.PARTICIPANT], [AccessRole.PROGRAMME_ADMINISTRATOR], [AccessRole.FACILITATOR]],
)
def test_other_roles_of_the_trust_are_refused(client, trust_a, roles):
    person = UserFactory(trust=trust_a, roles=roles)
    give_totp(person)
    client.force_login(person)
    assert client.get(reverse("reports:effect")).status_code == 404
    assert client.get(reverse("reports:effect_trust", args=[trust_a.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, trust_a):
    response = client.get(reverse("reports:effect_trust", args=[trust_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_national_leads_and_superusers_see_any_trust(client, trust_a, trust_b, superuser):
    national = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    for person in (national, superuser):
        give_totp(person)
        client.force_login(person)
        assert set(effect_trusts_visible_to(person)) == {trust_a, trust_b}
        assert client.get(reverse("reports:effect")).status_code == 200
        assert client.get(reverse("reports:effect_trust", args=[trust_b.pk])).status_code == 200


def test_a_regional_lead_sees_the_trusts_of_their_region_only(trust_a):
    from people.models import Region

    elsewhere = TrustFactory(region=Region.objects.get(code="Y56"))
    regional = UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD])
    assert trust_a in effect_trusts_visible_to(regional)
    assert elsewhere not in effect_trusts_visible_to(regional)


def test_the_page_posts_nothing(client, lead_a, trust_a):
    client.force_login(lead_a)
    assert client.post(reverse("reports:effect_trust", args=[trust_a.pk])).status_code == 405


# --- the page with figures ------------------------------------------------------------------


def test_the_page_shows_rates_curves_and_suppresses_small_counts(
    client, lead_a, trust_a, django_assert_max_num_queries
):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=800)  # everyone followed over 24 months
    for index in range(12):
        person = completer(trust_a, day=start)
        if index < 6:  # six of twelve appointed within a year
            leadership(person, start + datetime.timedelta(days=60 * (index + 1)))
    for index in range(12):
        person = ClinicianFactory(trust=trust_a)
        if index < 2:  # two of twelve: "<5", so their rates are not shown
            leadership(person, start + datetime.timedelta(days=100))
    client.force_login(lead_a)
    # Ours: the trust, then one query per group (its people, their start, whether they led
    # at it and their first appointment after it). The rest is the site's: session, user,
    # grants, TOTP authenticator; the base template's site, menu pages, permissions and
    # Wagtail user profile (created on this first visit: a savepoint and an insert); the
    # session's save. None of it grows with the number of people.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reports:effect_trust", args=[trust_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "50.0%" in body  # 6 of 12 within 12 months
    assert "&lt;5" in body  # the comparison group's 2
    assert "Not shown" in body
    assert '<path d="M' in body  # the step curves
    assert "not proof of cause" in body
    groups = response.context["groups"]
    assert groups[0].rates[0]["k"].value == 6 and groups[1].rates[0]["k"].text == "<5"
    assert groups[1].rates[0]["proportion"] is None
