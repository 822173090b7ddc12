"""Pairing in the admin: an administrator of the host trust asks the matcher for pairs,
adjusts and confirms them, pairs by hand, confirms pairs who applied together, ends a pair,
keeps two people apart, and runs schemes; another trust's cohort or scheme is a 404; the pages
show hours, never reflections."""

import pytest
from django.core import mail
from django.urls import reverse

from pairing.models import DoNotPair, Pairing, PairingScheme, PairingStatus, SchemeMember
from people.access import AccessRole
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    UserFactory,
    give_totp,
)

from .factories import PairingFactory, PairingSchemeFactory, ShadowingVisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.fixture
def cohort(trust_a):
    return CohortFactory(host_trust=trust_a, name="Spring cohort")


def seat(cohort, factory, n, **kwargs):
    people = [factory(trust=cohort.host_trust, **kwargs) for _ in range(n)]
    for person in people:
        EnrolmentFactory(person=person, cohort=cohort)
    return people


def test_suggestions_are_adjusted_and_confirmed_and_everyone_paired_is_emailed(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    clinicians = seat(cohort, ClinicianFactory, 3, directorate="Medicine")
    managers = seat(cohort, UserFactory, 2, directorate="Finance")
    url = reverse("pairing_admin:cohort_suggest", args=[cohort.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not matched" in page and "More clinicians than managers" in page
    suggested = {
        c.pk: m
        for c in clinicians
        for m in [m.pk for m in managers]
        if f'name="manager-{c.pk}"' in page
        and f'value="{m}" selected' in page.split(f'name="manager-{c.pk}"')[1].split("</select>")[0]
    }
    assert len(suggested) == 2
    # The administrator swaps the two managers round and confirms.
    (c1, m1), (c2, m2) = suggested.items()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {f"manager-{c1}": m2, f"manager-{c2}": m1})
    assert response.status_code == 302
    assert set(Pairing.objects.values_list("clinician_id", "manager_id")) == {(c1, m2), (c2, m1)}
    assert len(mail.outbox) == 4
    # Asked again, the matcher keeps those pairs and has nobody left to pair.
    page = admin_client.get(url).content.decode()
    assert "Pairs kept as they are" in page and "No new pairs to suggest" in page


def test_a_refused_confirmation_saves_nothing_and_says_why(admin_client, cohort, administrator):
    (clinician,) = seat(cohort, ClinicianFactory, 1)
    (manager,) = seat(cohort, UserFactory, 1)
    url = reverse("pairing_admin:cohort_suggest", args=[cohort.pk])
    admin_client.get(url)
    # Meanwhile someone keeps them apart.
    low, high = sorted([clinician, manager], key=lambda p: p.pk)
    DoNotPair.objects.create(person_a=low, person_b=high)
    response = admin_client.post(url, {f"manager-{clinician.pk}": manager.pk})
    assert response.status_code == 200
    assert "do-not-pair rule" in response.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_by_hand_confirming_and_ending(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    (clinician,) = seat(cohort, ClinicianFactory, 1)
    (manager,) = seat(cohort, UserFactory, 1)
    url = reverse("pairing_admin:cohort_group", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "pair", "clinician": clinician.pk, "manager": manager.pk})
    pairing = Pairing.objects.get()
    assert pairing.status == PairingStatus.ACTIVE
    admin_client.post(url, {"action": "end", "pairing": pairing.pk, "reason": "Rotated"})
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED and pairing.end_reason == "Rotated"
    proposed = PairingFactory(cohort=cohort, status="proposed", started_on=None)
    admin_client.post(url, {"action": "confirm", "pairing": proposed.pk})
    proposed.refresh_from_db()
    assert proposed.status == PairingStatus.ACTIVE


def test_two_of_the_same_side_by_hand_are_refused(admin_client, cohort):
    first, second = seat(cohort, ClinicianFactory, 2)
    url = reverse("pairing_admin:cohort_group", args=[cohort.pk])
    response = admin_client.post(
        url, {"action": "pair", "clinician": first.pk, "manager": second.pk}
    )
    assert response.status_code == 200  # the form refuses: a clinician is no manager
    page = response.content.decode()
    assert "There is a problem, and nothing was saved" in page and 'href="#id_manager"' in page
    assert not Pairing.objects.exists()


def test_the_pairs_page_shows_hours_never_reflections(
    admin_client, cohort, django_assert_max_num_queries
):
    pairing = PairingFactory(cohort=cohort)
    ShadowingVisitFactory(
        pairing=pairing,
        status="confirmed",
        confirmed_at=pairing.proposed_at,
        reflection="Secret sauce",
    )
    url = reverse("pairing_admin:cohort_group", args=[cohort.pk])
    page = admin_client.get(url).content.decode()
    assert "3.5" in page and "Secret sauce" not in page
    for _ in range(10):
        PairingFactory(cohort=cohort)
    # Admin chrome (session, user, grants, menu), the cohort, members, the pairs with their
    # hours (1), unpaired people, rules and the form's choices: bounded whatever the pairs.
    with django_assert_max_num_queries(40):
        assert admin_client.get(url).status_code == 200


def test_another_trusts_cohort_and_scheme_are_404_by_get_and_post(admin_client, trust_b):
    cohort_b = CohortFactory(host_trust=trust_b)
    pairing_b = PairingFactory(cohort=cohort_b)
    scheme_b = PairingSchemeFactory(trust=trust_b)
    for url in (
        reverse("pairing_admin:cohort_group", args=[cohort_b.pk]),
        reverse("pairing_admin:cohort_suggest", args=[cohort_b.pk]),
        reverse("pairing_admin:scheme_group", args=[scheme_b.pk]),
        reverse("pairing_admin:scheme_suggest", args=[scheme_b.pk]),
        reverse("pairing_admin:scheme_edit", args=[scheme_b.pk]),
    ):
        assert admin_client.get(url).status_code == 404, url
        assert (
            admin_client.post(
                url, {"action": "end", "pairing": pairing_b.pk, "name": "x"}
            ).status_code
            == 404
        )
    pairing_b.refresh_from_db()
    assert pairing_b.status == PairingStatus.ACTIVE
    page = admin_client.get(reverse("pairing_admin:index")).content.decode()
    assert cohort_b.name not in page and scheme_b.name not in page


def test_a_pairing_of_another_cohort_cannot_be_ended_through_ones_own(
    admin_client, cohort, trust_b
):
    pairing_b = PairingFactory(cohort=CohortFactory(host_trust=trust_b))
    url = reverse("pairing_admin:cohort_group", args=[cohort.pk])
    assert admin_client.post(url, {"action": "end", "pairing": pairing_b.pk}).status_code == 404
    pairing_b.refresh_from_db()
    assert pairing_b.status == PairingStatus.ACTIVE


def test_a_scheme_is_added_members_join_and_are_paired(admin_client, trust_a, administrator):
    facilitator = UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    response = admin_client.post(
        reverse("pairing_admin:scheme_add"),
        {
            "name": "Paired learning 2027",
            "starts_on": "2027-01-04",
            "is_open": "on",
            "target_shadowing_hours": "12",
            "quiet_after_weeks": "4",
            "facilitators": [facilitator.pk],
        },
    )
    assert response.status_code == 302
    scheme = PairingScheme.objects.get()
    assert scheme.trust == trust_a and list(
        scheme.facilitator_links.values_list("person", flat=True)
    ) == [facilitator.pk]
    clinician = ClinicianFactory(trust=trust_a)
    manager = UserFactory(trust=trust_a)
    url = reverse("pairing_admin:scheme_group", args=[scheme.pk])
    admin_client.post(url, {"action": "add_member", "email": clinician.email})
    admin_client.post(url, {"action": "add_member", "email": manager.email.upper()})
    assert SchemeMember.objects.filter(scheme=scheme).count() == 2
    response = admin_client.post(url, {"action": "add_member", "email": "nobody@else.nhs.uk"})
    assert "Nobody of this trust" in response.content.decode()
    admin_client.post(
        reverse("pairing_admin:scheme_suggest", args=[scheme.pk]),
        {f"manager-{clinician.pk}": manager.pk},
    )
    assert Pairing.objects.get(scheme=scheme).manager == manager


def test_a_scheme_that_ends_before_it_starts_is_refused(admin_client):
    response = admin_client.post(
        reverse("pairing_admin:scheme_add"),
        {"name": "Backwards", "starts_on": "2027-01-04", "ends_on": "2026-01-04",
         "target_shadowing_hours": "12", "quiet_after_weeks": "4"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not PairingScheme.objects.exists()
