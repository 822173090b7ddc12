"""Who may be paired, and the life of a pairing: the rules of pairing.services.check_pair,
the database's one-live-pairing constraint, pairs who applied together, confirming, ending."""

import pytest
from django.core import mail
from django.db import IntegrityError

from pairing import services
from pairing.models import DoNotPair, Pairing, PairingStatus
from people.access import AccessRole
from programmes import services as programme_services
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

from .factories import PairingFactory, PairingSchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(trust_a):
    return CohortFactory(host_trust=trust_a, name="Spring cohort")


@pytest.fixture
def admin(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])


def enrolled(cohort, factory=ClinicianFactory, **kwargs):
    person = factory(trust=cohort.host_trust, **kwargs)
    EnrolmentFactory(person=person, cohort=cohort)
    return person


def test_an_administrator_pairs_a_clinician_with_a_manager_and_both_are_emailed(
    cohort, admin, django_capture_on_commit_callbacks
):
    clinician = enrolled(cohort, first_name="Asha", last_name="Patel")
    manager = enrolled(cohort, UserFactory, first_name="Ben", last_name="Okafor")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pairing = services.pairing_create(
            clinician=clinician, manager=manager, group=cohort, by=admin
        )
    assert pairing.status == PairingStatus.ACTIVE and pairing.started_on is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([clinician.email, manager.email])
    to_asha = next(m for m in mail.outbox if m.to == [clinician.email])
    assert "Ben Okafor" in to_asha.subject and f"/learn/pairing/{pairing.pk}/" in to_asha.body


@pytest.mark.parametrize(
    "case, message",
    [
        ("two clinicians", "both clinicians"),
        ("two managers", "both managers"),
        ("swapped", "Name the clinician first"),
        ("self", "cannot be paired with themselves"),
        ("outside", "is not taking part in this cohort"),
        ("waitlisted", "is not taking part in this cohort"),
        ("sponsor", "line manager or supervising consultant"),
        ("enrolment sponsor", "line manager: pair them with someone"),
        ("kept apart", "do-not-pair rule"),
    ],
)
def test_refused_pairs_say_why_and_save_nothing(cohort, admin, case, message):
    clinician = enrolled(cohort)
    manager = enrolled(cohort, UserFactory)
    first, second = clinician, manager
    if case == "two clinicians":
        second = enrolled(cohort)
    elif case == "two managers":
        first = enrolled(cohort, UserFactory)
    elif case == "swapped":
        first, second = manager, clinician
    elif case == "self":
        second = clinician
    elif case == "outside":
        second = UserFactory(trust=cohort.host_trust)
    elif case == "waitlisted":
        second = UserFactory(trust=cohort.host_trust)
        EnrolmentFactory(person=second, cohort=cohort, status="waitlisted")
    elif case == "sponsor":
        clinician.sponsor_email = manager.email.upper()
        clinician.save()
    elif case == "enrolment sponsor":
        from programmes.models import Enrolment

        Enrolment.objects.filter(person=manager).update(sponsor_email=clinician.email)
    elif case == "kept apart":
        services.do_not_pair_add(first=manager, second=clinician, by=admin, reason="Grievance")
    with pytest.raises(services.PairingRefused, match=message):
        services.pairing_create(clinician=first, manager=second, group=cohort, by=admin)
    assert not Pairing.objects.exists()


def test_a_person_is_in_one_live_pairing_per_cohort_by_rule_and_by_constraint(cohort, admin):
    pairing = PairingFactory(cohort=cohort)
    other_manager = enrolled(cohort, UserFactory)
    with pytest.raises(services.PairingRefused, match="already in a pairing in this cohort"):
        services.pairing_create(
            clinician=pairing.clinician, manager=other_manager, group=cohort, by=admin
        )
    with pytest.raises(IntegrityError):
        Pairing.objects.create(
            cohort=cohort, clinician=pairing.clinician, manager=other_manager, source="matched"
        )


def test_once_a_pairing_ends_each_may_be_paired_again(cohort, admin):
    pairing = PairingFactory(cohort=cohort)
    services.pairing_end(pairing=pairing, by=admin, reason="Moved to another trust")
    other = enrolled(cohort, UserFactory)
    again = services.pairing_create(
        clinician=pairing.clinician, manager=other, group=cohort, by=admin
    )
    assert again.status == PairingStatus.ACTIVE
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED and pairing.end_reason == "Moved to another trust"


def test_only_the_host_trusts_administrators_pair_people(cohort, trust_b):
    clinician, manager = enrolled(cohort), enrolled(cohort, UserFactory)
    stranger = UserFactory(trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    with pytest.raises(services.PairingRefused, match="programme administrators"):
        services.pairing_create(clinician=clinician, manager=manager, group=cohort, by=stranger)
    pairing = PairingFactory(cohort=cohort)
    with pytest.raises(services.PairingRefused):
        services.pairing_end(pairing=pairing, by=stranger)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE


def test_the_same_rules_hold_in_a_trust_wide_scheme(trust_a, trust_b, admin):
    scheme = PairingSchemeFactory(trust=trust_a)
    clinician = ClinicianFactory(trust=trust_a)
    manager = UserFactory(trust=trust_a)
    outsider = UserFactory(trust=trust_b)
    services.scheme_join(scheme=scheme, person=clinician)
    with pytest.raises(services.PairingRefused, match="not taking part in this scheme"):
        services.pairing_create(clinician=clinician, manager=manager, group=scheme, by=admin)
    with pytest.raises(services.PairingRefused, match="another trust"):
        services.scheme_join(scheme=scheme, person=outsider)
    services.scheme_join(scheme=scheme, person=manager)
    pairing = services.pairing_create(clinician=clinician, manager=manager, group=scheme, by=admin)
    assert pairing.scheme == scheme and pairing.cohort is None
    with pytest.raises(services.PairingRefused, match="ask the scheme's administrator"):
        services.scheme_leave(scheme=scheme, person=manager)


def test_pairs_who_applied_together_start_as_a_proposed_pair_then_are_confirmed(
    cohort, admin, django_capture_on_commit_callbacks
):
    clinician = ClinicianFactory(trust=cohort.host_trust)
    manager = UserFactory(trust=cohort.host_trust, email="ben.colleague@northshire.nhs.uk")
    application = programme_services.pair_invite(
        inviter=clinician, cohort=cohort, invitee_email=manager.email, answers={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        programme_services.pair_accept(application=application, person=manager, answers={})
    pairing = Pairing.objects.get(application=application)
    assert pairing.status == PairingStatus.PROPOSED
    assert (pairing.clinician, pairing.manager) == (clinician, manager)
    assert pairing.source == "applied_together"
    # Trying again (another enrolment change) makes no second pairing.
    application.refresh_from_db()
    assert services.pairing_from_application(application=application) == pairing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_confirm(pairing=pairing, by=admin)
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    assert len([m for m in mail.outbox if "paired with" in m.subject]) == 2
    with pytest.raises(services.PairingRefused, match="active already"):
        services.pairing_confirm(pairing=pairing, by=admin)


def test_confirming_many_is_all_or_nothing(cohort, admin):
    c1, c2 = enrolled(cohort), enrolled(cohort)
    m1, m2 = enrolled(cohort, UserFactory), enrolled(cohort, UserFactory)
    DoNotPair.objects.create(
        person_a=min(c2, m2, key=lambda p: p.pk), person_b=max(c2, m2, key=lambda p: p.pk)
    )
    with pytest.raises(services.PairingRefused, match="do-not-pair"):
        services.pairings_create_many(group=cohort, pairs=[(c1, m1), (c2, m2)], by=admin)
    assert not Pairing.objects.exists()
    with pytest.raises(services.PairingRefused, match="in two of the chosen pairs"):
        services.pairings_create_many(group=cohort, pairs=[(c1, m1), (c2, m1)], by=admin)
    made = services.pairings_create_many(group=cohort, pairs=[(c1, m2), (c2, m1)], by=admin)
    assert {(p.clinician, p.manager) for p in made} == {(c1, m2), (c2, m1)}


def test_a_scheme_that_has_ended_takes_nobody_and_is_not_offered(client, trust_a):
    import datetime

    from django.utils import timezone

    ended = PairingSchemeFactory(
        trust=trust_a,
        name="Last year's scheme",
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    person = UserFactory(trust=trust_a)
    with pytest.raises(services.PairingRefused, match="has ended"):
        services.scheme_join(scheme=ended, person=person)
    client.force_login(person)
    assert "Last year's scheme" not in client.get("/learn/pairing/").content.decode()
