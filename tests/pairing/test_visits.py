"""Shadowing visits: logged by either member, confirmed by the other, counted toward the
programme's completion rule once confirmed; bad hours and dates refused with nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from pairing import services
from pairing.models import PairingStatus, ShadowingVisit, VisitStatus
from programmes.models import CompletionResult, EnrolmentStatus
from programmes.services import completion_evaluate
from tests.factories import ProgrammeFactory

from .factories import PairingFactory, ShadowingVisitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def log(pairing, *, by=None, shadower=None, **overrides):
    fields = {
        "visited_on": TODAY() - datetime.timedelta(days=2),
        "hours": "3.5",
        "setting": "budget_meeting",
        "reflection": "Budgets are set a year ahead.",
    } | overrides
    return services.visit_log(
        pairing=pairing,
        by=by or pairing.clinician,
        shadower=shadower or pairing.clinician,
        **fields,
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"hours": "0"}, "more than 0 hours"),
        ({"hours": "-2"}, "more than 0 hours"),
        ({"hours": "25"}, "more than 24 hours"),
        ({"hours": "lots"}, "as a number"),
        ({"visited_on": TODAY() + datetime.timedelta(days=1)}, "in the future"),
        ({"visited_on": TODAY() - datetime.timedelta(days=800)}, "more than a year before"),
        ({"setting": "pub"}, "Choose where"),
        ({"setting": "other", "setting_other": " "}, "Say where"),
    ],
)
def test_bad_visits_are_refused_and_nothing_is_saved(overrides, message):
    pairing = PairingFactory()
    with pytest.raises(services.PairingRefused, match=message):
        log(pairing, **overrides)
    assert not ShadowingVisit.objects.exists()


def test_a_day_has_24_hours_across_visits():
    pairing = PairingFactory()
    log(pairing, hours="20")
    with pytest.raises(services.PairingRefused, match=r"24\.5 hours of shadowing"):
        log(pairing, hours="4.5")
    assert ShadowingVisit.objects.count() == 1


def test_only_members_log_and_the_shadower_is_one_of_them(trust_a):
    pairing, other = PairingFactory(), PairingFactory()
    with pytest.raises(services.PairingRefused, match="Only the two people"):
        log(pairing, by=other.clinician)
    with pytest.raises(services.PairingRefused, match="must be one of the pair"):
        log(pairing, shadower=other.manager)
    pairing.status = PairingStatus.PROPOSED
    pairing.save()
    with pytest.raises(services.PairingRefused, match="once the pairing is active"):
        log(pairing)
    assert not ShadowingVisit.objects.exists()


def test_the_partner_confirms_not_the_one_who_logged_it():
    pairing = PairingFactory()
    visit = log(pairing)
    with pytest.raises(services.PairingRefused, match="your partner confirms it"):
        services.visit_confirm(visit=visit, by=pairing.clinician)
    with pytest.raises(services.PairingRefused, match="Only the two people"):
        services.visit_confirm(visit=visit, by=PairingFactory().manager)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    services.visit_confirm(visit=visit, by=pairing.manager)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED and visit.confirmed_by == pairing.manager
    with pytest.raises(services.PairingRefused, match="cannot be removed"):
        services.visit_delete(visit=visit, by=pairing.clinician)


def test_a_queried_visit_does_not_count_and_is_removed_by_whoever_logged_it():
    pairing = PairingFactory()
    visit = log(pairing)
    with pytest.raises(services.PairingRefused, match="Say what is not right"):
        services.visit_query(visit=visit, by=pairing.manager, reason="  ")
    services.visit_query(visit=visit, by=pairing.manager, reason="It was 2 hours, not 3.5")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.QUERIED and visit.query_reason.startswith("It was 2")
    with pytest.raises(services.PairingRefused, match="Only the one who logged"):
        services.visit_delete(visit=visit, by=pairing.manager)
    services.visit_delete(visit=visit, by=pairing.clinician)
    assert not ShadowingVisit.objects.exists()


def test_confirmed_hours_count_toward_completion(django_capture_on_commit_callbacks):
    programme = ProgrammeFactory(min_shadowing_hours=Decimal("6"))
    pairing = PairingFactory(cohort__programme=programme)
    first = log(pairing, hours="4")
    second = log(pairing, hours="2", visited_on=TODAY() - datetime.timedelta(days=1))
    log(pairing, hours="10", shadower=pairing.manager, by=pairing.manager)  # the manager's
    cohort = pairing.cohort
    completion_evaluate(cohort_id=cohort.pk)
    result = CompletionResult.objects.get(enrolment__person=pairing.clinician)
    shadowing = next(r for r in result.rules if r["rule"] == "shadowing_hours")
    assert shadowing["met"] is False  # nothing confirmed yet
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_confirm(visit=first, by=pairing.manager)
        services.visit_confirm(visit=second, by=pairing.manager)
    # Confirming asked programmes to evaluate the clinician again (through the outbox).
    enrolment = pairing.clinician.enrolments.get(cohort=cohort)
    result = CompletionResult.objects.get(enrolment=enrolment)
    shadowing = next(r for r in result.rules if r["rule"] == "shadowing_hours")
    assert shadowing["met"] is True and "6" in shadowing["actual"]
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_hours_are_the_shadowers_in_that_cohort_only():
    from pairing.selectors import confirmed_hours

    pairing = PairingFactory()
    ShadowingVisitFactory(
        pairing=pairing, status="confirmed", confirmed_at=timezone.now(), hours=Decimal("2")
    )
    ShadowingVisitFactory(pairing=pairing, hours=Decimal("5"))  # not confirmed
    elsewhere = PairingFactory(manager=pairing.manager)
    ShadowingVisitFactory(pairing=elsewhere, status="confirmed", confirmed_at=timezone.now())
    assert confirmed_hours([pairing.manager_id, pairing.clinician_id], pairing.cohort) == {
        pairing.manager_id: Decimal("2")
    }


def test_the_partner_is_asked_to_confirm_once(django_capture_on_commit_callbacks):
    from django.core import mail

    from pairing.tasks import send_visit_to_confirm

    pairing = PairingFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        visit = log(pairing)  # the clinician logs: the manager is asked
    assert [m.to for m in mail.outbox] == [[pairing.manager.email]]
    assert send_visit_to_confirm(visit.pk) == "already sent"  # a redelivery sends nothing
    assert len(mail.outbox) == 1
