"""A cohort's capacity changed while people enrol, on PostgreSQL (tests/concurrency.py): the
change takes the cohort's row lock that enrolments take, so whichever order they meet in,
nobody is seated beyond the capacity that ends up saved."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from programmes import services
from programmes.models import Cohort, Enrolment, EnrolmentStatus
from programmes.services import cohorts as cohort_services
from programmes.services import enrolments as enrolment_services
from tests.concurrency import run_concurrently
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, TrustFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 30
CAPACITY, SEATED, NEW_CAPACITY = 20, 10, 12
WINDOW_SECONDS = 0.2


def widen_the_window(monkeypatch):
    """Sleep between counting the seated and writing, in both services (each module calls
    cohort_seats by its own name)."""
    count = enrolment_services.cohort_seats

    def slow_count(*args, **kwargs):
        seats = count(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)
        return seats

    monkeypatch.setattr(enrolment_services, "cohort_seats", slow_count)
    monkeypatch.setattr(cohort_services, "cohort_seats", slow_count)


def race(cohort, people):
    """Thread 0 lowers the capacity to 12; the others enrol."""

    def act(i):
        if i == 0:
            return services.cohort_update(cohort=cohort, by=None, capacity=NEW_CAPACITY)
        return services.enrolment_create(person=people[i], cohort=cohort, by=people[i])

    return run_concurrently(act, threads=THREADS)


def setting(trust):
    cohort = CohortFactory(host_trust=trust, capacity=CAPACITY)
    for _ in range(SEATED):
        EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust))
    people = [None, *(ClinicianFactory(trust=trust) for _ in range(THREADS - 1))]
    return cohort, people


def seated_and_capacity(cohort):
    seated = Enrolment.objects.filter(cohort=cohort).seated().count()
    return seated, Cohort.objects.get(pk=cohort.pk).capacity


def test_a_capacity_change_racing_enrolments_never_overbooks(monkeypatch):
    cohort, people = setting(TrustFactory())
    widen_the_window(monkeypatch)

    run = race(cohort, people)

    change = run.outcomes[0]
    seated, capacity = seated_and_capacity(cohort)
    assert seated <= capacity
    if change.ok:
        # The change went first or early enough: enrolments behind it counted against 12.
        assert capacity == NEW_CAPACITY and seated == NEW_CAPACITY
    else:
        # Enough enrolments were ahead of it in the lock's queue: refused, with the count.
        assert isinstance(change.error, ValidationError)
        assert "already hold a place" in change.error.message_dict["capacity"][0]
        assert capacity == CAPACITY and seated == CAPACITY
    assert all(outcome.ok for outcome in run.outcomes[1:])
    waiting = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED).count()
    assert seated + waiting == SEATED + THREADS - 1


def test_without_the_cohort_lock_the_race_overbooks(monkeypatch):
    """The control: with select_for_update taken away, the threads count the same ten seated
    people, each enrols, and the capacity saved is below who holds a place."""
    cohort, people = setting(TrustFactory())
    widen_the_window(monkeypatch)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)

    race(cohort, people)

    seated, capacity = seated_and_capacity(cohort)
    assert seated > capacity
