"""Two requests at once on PostgreSQL (tests/concurrency.py: each thread its own connection,
released together): two administrators pairing one clinician with two managers; one person
logging 20 hours twice on the same day in two pairings. The window between the check and the
insert is widened by the same sleep in each test and its control, so the only difference is
the lock pairing.services takes."""

import datetime
import time

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from pairing import services
from pairing.models import Pairing, SchemeMember, ShadowingVisit
from pairing.services import activity, pairings
from people.access import AccessRole
from tests.concurrency import run_concurrently
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

from .factories import PairingFactory, PairingSchemeFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WINDOW_SECONDS = 0.3


def widen(monkeypatch, module, name):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)  # checked, not yet written
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.fixture
def contested(monkeypatch):
    cohort = CohortFactory()
    trust = cohort.host_trust
    clinician = ClinicianFactory(trust=trust)
    managers = [UserFactory(trust=trust) for _ in range(2)]
    for person in (clinician, *managers):
        EnrolmentFactory(person=person, cohort=cohort)
    admin = UserFactory(trust=trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    widen(monkeypatch, pairings, "check_pair")
    return cohort, clinician, managers, admin


def pair_at_once(cohort, clinician, managers, admin):
    def act(index):
        return services.pairing_create(
            clinician=clinician, manager=managers[index], group=cohort, by=admin
        )

    return run_concurrently(act, threads=2)


def test_two_administrators_pairing_one_clinician_at_once_make_one_pair(contested):
    run = pair_at_once(*contested)
    assert Pairing.objects.count() == 1
    [refusal] = run.errors_of(services.PairingRefused)
    # The second waited for the first (the cohort's lock) and was told why, in words.
    assert "already in a pairing in this cohort" in str(refusal)


def test_control_without_the_lock_the_constraint_is_what_stops_the_second(contested, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    run = pair_at_once(*contested)
    assert Pairing.objects.count() == 1
    [refusal] = run.errors_of(services.PairingRefused)
    assert "just now" in str(refusal), "the window did not open: the test proves nothing"


@pytest.fixture
def busy_day(monkeypatch):
    in_cohort = PairingFactory()
    clinician = in_cohort.clinician
    scheme = PairingSchemeFactory(trust=in_cohort.cohort.host_trust)
    other = UserFactory(trust=scheme.trust)
    for person in (clinician, other):
        SchemeMember.objects.create(scheme=scheme, person=person)
    in_scheme = services.pairing_create(clinician=clinician, manager=other, group=scheme, by=None)
    widen(monkeypatch, activity, "_check_day")
    return clinician, [in_cohort, in_scheme]


def log_at_once(clinician, pairs):
    day = timezone.localdate() - datetime.timedelta(days=1)

    def act(index):
        return services.visit_log(
            pairing=pairs[index], by=clinician, shadower=clinician, visited_on=day,
            hours="20", setting="clinic",
        )  # fmt: skip

    return run_concurrently(act, threads=2)


def test_two_20_hour_visits_at_once_in_two_pairings_leave_one(busy_day):
    run = log_at_once(*busy_day)
    assert ShadowingVisit.objects.count() == 1
    [refusal] = run.errors_of(services.PairingRefused)
    assert "a day has 24" in str(refusal)


def test_control_without_the_lock_both_are_saved(busy_day, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    log_at_once(*busy_day)
    assert ShadowingVisit.objects.count() == 2, "without the people's lock a day has 40 hours"
