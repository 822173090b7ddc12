"""Capacity and the joint mix under concurrent requests, on PostgreSQL (tests/concurrency.py's
harness: each thread its own connection, all released at once).

Each race widens the window between counting the seated people and writing the enrolment
(programmes.services.cohort_seats sleeps after counting), by the same amount in a test and its
control, so the only difference between a pass and a caught race is the cohort's row lock.
"""

import time

import pytest
from django.db.models import Count, QuerySet

from people.access import AccessRole
from programmes import services
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus
from programmes.seats import Seats
from programmes.services import enrolments as enrolment_services
from tests.concurrency import run_concurrently
from tests.factories import ClinicianFactory, CohortFactory, TrustFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = EnrolmentStatus
THREADS = 50
CAPACITY, RESERVED = 20, 8
# Long enough that, without the lock, many threads count before the first one writes.
WINDOW_SECONDS = 0.2


def widen_the_window(monkeypatch, seconds=WINDOW_SECONDS):
    # The services call cohort_seats from their own module, so that is where to widen it.
    count = enrolment_services.cohort_seats

    def slow_count(*args, **kwargs):
        seats = count(*args, **kwargs)
        time.sleep(seconds)
        return seats

    monkeypatch.setattr(enrolment_services, "cohort_seats", slow_count)


def without_row_locks(monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)


def fifty_applicants(trust):
    """30 clinicians and 20 managers, interleaved: both groups want more than the places
    their reservation and the open places give them, so the mix decides who gets in."""
    return [
        ClinicianFactory(trust=trust) if i % 5 < 3 else UserFactory(trust=trust)
        for i in range(THREADS)
    ]


def race_to_enrol(people, cohort):
    return run_concurrently(
        lambda i: services.enrolment_create(person=people[i], cohort=cohort, by=people[i]),
        threads=THREADS,
    )


def mix_cohort(trust):
    return CohortFactory(
        host_trust=trust,
        capacity=CAPACITY,
        reserved_for_clinicians=RESERVED,
        reserved_for_managers=RESERVED,
    )


def assert_capacity_and_mix_held(run, cohort):
    assert run.errors == []
    enrolments = list(Enrolment.objects.filter(cohort=cohort).order_by("pk"))
    assert len(enrolments) == THREADS
    seated = [e for e in enrolments if e.status == S.ENROLLED]
    waiting = [e for e in enrolments if e.status == S.WAITLISTED]
    assert len(seated) == CAPACITY
    assert len(waiting) == THREADS - CAPACITY
    clinicians = sum(e.is_clinical for e in seated)
    assert RESERVED <= clinicians <= CAPACITY - RESERVED
    assert RESERVED <= CAPACITY - clinicians <= CAPACITY - RESERVED

    # In order: the lock made the requests one queue, in the order their rows were written.
    # Replaying that order through the rules gives every decision that was made, and the
    # waiting list is in the same order.
    seats = cohort.seats_from(clinicians=0, managers=0)
    for enrolment in enrolments:
        fits = seats.fits(clinical=enrolment.is_clinical)
        assert enrolment.status == (S.ENROLLED if fits else S.WAITLISTED), enrolment.pk
        if fits:
            seats = seats.seat(clinical=enrolment.is_clinical)
    queue = list(Enrolment.objects.filter(cohort=cohort).waitlist())
    assert queue == waiting


def test_fifty_at_once_fill_twenty_places_and_honour_the_mix(monkeypatch):
    trust = TrustFactory()
    cohort = mix_cohort(trust)
    people = fifty_applicants(trust)
    widen_the_window(monkeypatch)

    run = race_to_enrol(people, cohort)

    assert_capacity_and_mix_held(run, cohort)


def test_without_the_cohort_lock_the_overbooking_is_caught(monkeypatch):
    """The control: the same race with select_for_update taken away. Threads count the same
    empty cohort and each writes an enrolment: more than 20 are enrolled, and the assertion
    above catches it."""
    trust = TrustFactory()
    cohort = mix_cohort(trust)
    people = fifty_applicants(trust)
    widen_the_window(monkeypatch)
    without_row_locks(monkeypatch)

    run = race_to_enrol(people, cohort)

    assert run.errors == []  # nothing failed loudly...
    assert Enrolment.objects.filter(cohort=cohort, status=S.ENROLLED).count() > CAPACITY
    with pytest.raises(AssertionError):
        assert_capacity_and_mix_held(run, cohort)


def test_one_persons_ten_requests_make_one_enrolment(monkeypatch):
    person = ClinicianFactory()
    cohort = CohortFactory(host_trust=person.trust)
    widen_the_window(monkeypatch, 0.05)

    run = run_concurrently(
        lambda i: services.enrolment_create(person=person, cohort=cohort, by=person), threads=10
    )

    assert len(run.results) == 1
    assert len(run.errors_of(services.AlreadyEnrolled)) == 9 == len(run.errors)
    assert Enrolment.objects.filter(person=person, cohort=cohort).count() == 1


def test_without_the_lock_the_unique_constraint_still_makes_one_enrolment(monkeypatch):
    """Belt and braces: the partial unique index refuses a second live enrolment, and the
    service turns that into the same plain refusal."""
    person = ClinicianFactory()
    cohort = CohortFactory(host_trust=person.trust)
    widen_the_window(monkeypatch, 0.1)
    without_row_locks(monkeypatch)

    run = run_concurrently(
        lambda i: services.enrolment_create(person=person, cohort=cohort, by=person), threads=10
    )

    assert len(run.results) == 1
    assert len(run.errors_of(services.AlreadyEnrolled)) == 9 == len(run.errors)
    assert Enrolment.objects.filter(person=person, cohort=cohort).count() == 1


def test_concurrent_withdrawals_and_promotions_never_overfill_and_promote_each_once(
    monkeypatch,
):
    trust = TrustFactory()
    administrator = UserFactory(trust=trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    cohort = CohortFactory(host_trust=trust, capacity=10)
    people = ClinicianFactory.create_batch(20, trust=trust)
    enrolments = [services.enrolment_create(person=p, cohort=cohort, by=p) for p in people]
    seated, waiting = enrolments[:10], enrolments[10:]
    widen_the_window(monkeypatch, 0.05)

    # Five of the seated withdraw while the administrator promotes every waitlisted person:
    # fifteen requests at once, ten of them competing for five freed places.
    def act(i):
        if i < 5:
            return services.enrolment_withdraw(
                enrolment=seated[i], by=seated[i].person, reason="Rota clash."
            )
        return services.enrolment_promote(enrolment=waiting[i - 5], by=administrator)

    run = run_concurrently(act, threads=15)

    refused = run.errors_of(services.NoPlaceAvailable, services.IllegalTransition)
    assert refused == run.errors
    statuses = dict(
        Enrolment.objects.filter(cohort=cohort)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    assert statuses == {S.ENROLLED: 10, S.WITHDRAWN: 5, S.WAITLISTED: 5}
    promotions = (
        EnrolmentEvent.objects.filter(enrolment__cohort=cohort, action="promote")
        .values("enrolment")
        .annotate(n=Count("pk"))
    )
    assert len(promotions) == 5 and {p["n"] for p in promotions} == {1}
    assert services.cohort_seats(cohort) == Seats(
        capacity=10,
        reserved_for_clinicians=0,
        reserved_for_managers=0,
        clinicians=10,
        managers=0,
        reservations_held=True,
    )


def test_ten_clicks_on_one_sponsor_link_answer_it_once():
    """A sponsor double-clicking, or approving in one tab and declining in another: the
    answers queue on the cohort's lock, the first wins, every other is refused as answered
    (no deadlock, no second history entry)."""
    from programmes import sponsors

    person = ClinicianFactory()
    cohort = CohortFactory(host_trust=person.trust, requires_sponsor_approval=True)
    enrolment = services.enrolment_create(
        person=person,
        cohort=cohort,
        by=person,
        sponsor_name="Dr Ada O'Connor",
        sponsor_email="ada.oconnor@nhs.net",
    )
    enrolment.refresh_from_db()  # the email task, run at commit, issued the link's nonce
    token = sponsors.make_token(enrolment)

    def answer(i):
        if i % 2:
            return services.sponsor_decline(token=token, reason="No.")
        return services.sponsor_approve(token=token)

    run = run_concurrently(answer, threads=10)

    assert len(run.results) == 1
    assert len(run.errors_of(services.SponsorLinkRefused)) == 9 == len(run.errors)
    answers = EnrolmentEvent.objects.filter(enrolment=enrolment, action__in=["approve", "decline"])
    assert answers.count() == 1
    enrolment.refresh_from_db()
    assert enrolment.status in (S.ENROLLED, S.WITHDRAWN) and enrolment.sponsor_nonce == ""
