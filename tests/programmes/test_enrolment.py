"""Enrolling, the joint mix, the waiting list and the release of reserved seats, through
programmes.services (single-threaded; tests/programmes/test_concurrency.py races them)."""

import datetime

import pytest
from django.utils import timezone

from programmes import services, tasks
from programmes.events import enrolment_changed
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus
from programmes.seats import Seats
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentStatus
SPONSOR = {"sponsor_name": "Dr Ada Lovelace", "sponsor_email": "ada.lovelace@nhs.net"}


def enrol(person, cohort, **kwargs):
    return services.enrolment_create(person=person, cohort=cohort, by=person, **kwargs)


def statuses(cohort):
    return list(
        Enrolment.objects.filter(cohort=cohort).order_by("pk").values_list("status", flat=True)
    )


# --- Seats: the calculation -------------------------------------------------------------------


def test_reserved_seats_are_held_for_their_group_until_released():
    seats = Seats(
        capacity=10,
        reserved_for_clinicians=3,
        reserved_for_managers=4,
        clinicians=5,
        managers=1,
        reservations_held=True,
    )
    assert seats.left == 4
    assert seats.left_for_clinicians == 1  # three of the four are still held for managers
    assert seats.left_for_managers == 4  # the clinicians' reservation is filled
    released = Seats(**{**seats.__dict__, "reservations_held": False})
    assert released.left_for_clinicians == released.left_for_managers == 4


# --- enrolling ----------------------------------------------------------------------------------


def test_enrolling_takes_a_place_and_records_who_what_and_when(cohort, participant):
    enrolment = enrol(participant, cohort, goals="  Read a budget statement.  ")

    assert enrolment.status == S.ENROLLED
    assert enrolment.trust == participant.trust
    assert enrolment.professional_group == participant.professional_group
    assert enrolment.goals == "Read a budget statement."
    [event] = enrolment.events.all()
    assert (event.action, event.from_status, event.to_status, event.by) == (
        "apply",
        "",
        S.ENROLLED,
        participant,
    )


def test_the_trust_and_group_are_kept_as_they_were_at_enrolment(cohort, participant, trust_b):
    enrolment = enrol(participant, cohort)
    participant.trust = trust_b
    participant.save()
    enrolment.refresh_from_db()
    assert enrolment.trust != trust_b


def test_a_full_cohort_waitlists_in_order(trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    people = ClinicianFactory.create_batch(4, trust=trust_a)
    for person in people:
        enrol(person, cohort)
    assert statuses(cohort) == [S.ENROLLED, S.ENROLLED, S.WAITLISTED, S.WAITLISTED]
    queue = list(Enrolment.objects.filter(cohort=cohort).waitlist())
    assert [e.person for e in queue] == people[2:]
    from programmes.selectors import waitlist_position

    assert [waitlist_position(e) for e in queue] == [1, 2]


def test_a_cohort_needing_approval_waits_for_the_sponsor(trust_a, participant):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    assert enrol(participant, cohort, **SPONSOR).status == S.PENDING_APPROVAL


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "draft"}, "not opened yet"),
        ({"status": "cancelled"}, "cancelled"),
        ({"enrolment_opens_at_days": 1}, "not opened yet"),
        ({"enrolment_closes_at_days": -1}, "closed"),
    ],
)
def test_enrolling_outside_the_window_is_refused(trust_a, participant, changes, message):
    now = timezone.now()
    fields = {}
    if "status" in changes:
        fields["status"] = changes["status"]
    if "enrolment_opens_at_days" in changes:
        fields["enrolment_opens_at"] = now + datetime.timedelta(days=1)
    if "enrolment_closes_at_days" in changes:
        fields["enrolment_opens_at"] = now - datetime.timedelta(days=10)
        fields["enrolment_closes_at"] = now - datetime.timedelta(days=1)
    cohort = CohortFactory(host_trust=trust_a, **fields)

    with pytest.raises(services.EnrolmentClosed, match=message):
        enrol(participant, cohort)
    assert not Enrolment.objects.exists()
    assert not EnrolmentEvent.objects.exists()


def test_enrolling_twice_is_refused_but_one_may_return_after_withdrawing(cohort, participant):
    first = enrol(participant, cohort)
    with pytest.raises(services.AlreadyEnrolled, match="already have a place"):
        enrol(participant, cohort)
    assert Enrolment.objects.count() == 1

    services.enrolment_withdraw(enrolment=first, by=participant, reason="")
    again = enrol(participant, cohort)
    assert again.pk != first.pk and again.status == S.ENROLLED


def test_the_database_refuses_a_second_live_enrolment_whatever_the_checks(
    cohort, participant, monkeypatch
):
    from programmes.models import EnrolmentQuerySet

    enrol(participant, cohort)
    # As if the check under the lock had been skipped: the partial unique index still holds,
    # and the refusal is the same plain one.
    monkeypatch.setattr(EnrolmentQuerySet, "live", lambda self: self.none())
    with pytest.raises(services.AlreadyEnrolled):
        enrol(participant, cohort)
    assert Enrolment.objects.count() == 1
    assert EnrolmentEvent.objects.count() == 1


def test_an_incomplete_profile_is_refused(cohort, trust_a):
    person = UserFactory(trust=trust_a, job_title="")
    with pytest.raises(services.ProfileIncomplete, match="Complete your profile"):
        enrol(person, cohort)
    assert not Enrolment.objects.exists()


def test_someone_else_enrols_a_person_only_if_they_administer_the_host_trust(
    cohort, participant, administrator, other_trust_lead
):
    with pytest.raises(services.NotAllowed):
        services.enrolment_create(person=participant, cohort=cohort, by=other_trust_lead)
    enrolment = services.enrolment_create(person=participant, cohort=cohort, by=administrator)
    assert enrolment.events.get().by == administrator


# --- the joint mix ------------------------------------------------------------------------------


def test_reserved_places_are_held_for_each_group_while_enrolment_is_open(trust_a):
    cohort = CohortFactory(
        host_trust=trust_a, capacity=4, reserved_for_clinicians=1, reserved_for_managers=2
    )
    clinicians = ClinicianFactory.create_batch(3, trust=trust_a)
    managers = UserFactory.create_batch(3, trust=trust_a)

    # Two clinicians fill their reserved place and the one open place; the third would take
    # a place held for managers, so waits.
    assert [enrol(c, cohort).status for c in clinicians] == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    # The two managers take their held places; then the cohort is full.
    assert [enrol(m, cohort).status for m in managers] == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]


def test_a_freed_place_goes_to_the_first_waitlisted_person_who_fits(trust_a, administrator):
    cohort = CohortFactory(
        host_trust=trust_a, capacity=2, reserved_for_clinicians=0, reserved_for_managers=1
    )
    clinician = ClinicianFactory(trust=trust_a)
    manager = UserFactory(trust=trust_a)
    waiting_clinician, waiting_manager = ClinicianFactory(trust=trust_a), UserFactory(trust=trust_a)
    enrol(clinician, cohort)
    leaving = enrol(manager, cohort)
    waiting_first = enrol(waiting_clinician, cohort)
    waiting_second = enrol(waiting_manager, cohort)
    assert waiting_first.status == waiting_second.status == S.WAITLISTED

    # The manager's place is held for managers: the clinician ahead in the queue keeps their
    # place, the manager behind them takes it.
    withdrawal = services.enrolment_withdraw(
        enrolment=leaving, by=administrator, reason="Moved to another trust."
    )
    assert [e.pk for e in withdrawal.promoted] == [waiting_second.pk]
    waiting_first.refresh_from_db()
    assert waiting_first.status == S.WAITLISTED
    promotion = waiting_second.events.order_by("pk").last()
    assert (promotion.action, promotion.by, promotion.reason) == (
        "promote",
        None,
        "A place became free.",
    )


def test_a_manual_promotion_must_fit_the_mix(trust_a, administrator):
    cohort = CohortFactory(host_trust=trust_a, capacity=2, reserved_for_managers=1)
    enrol(ClinicianFactory(trust=trust_a), cohort)
    waiting = enrol(ClinicianFactory(trust=trust_a), cohort)
    with pytest.raises(services.NoPlaceAvailable, match="held for the other group"):
        services.enrolment_promote(enrolment=waiting, by=administrator)
    enrol(UserFactory(trust=trust_a), cohort)
    with pytest.raises(services.NoPlaceAvailable, match="full"):
        services.enrolment_promote(enrolment=waiting, by=administrator)
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


def test_approval_takes_a_place_if_one_fits_else_waitlists(trust_a, administrator):
    cohort = CohortFactory(host_trust=trust_a, capacity=1, requires_sponsor_approval=True)
    first, second = (enrol(ClinicianFactory(trust=trust_a), cohort, **SPONSOR) for _ in range(2))
    assert services.enrolment_approve(enrolment=first, by=None).status == S.ENROLLED
    second = services.enrolment_approve(enrolment=second, by=None)
    assert second.status == S.WAITLISTED and second.waitlisted_at is not None
    assert first.events.order_by("pk").last().by is None  # the sponsor, from their link


def test_only_the_host_trusts_administrator_acts_on_an_enrolment(
    cohort, participant, other_trust_lead
):
    enrolment = enrol(participant, cohort)
    stranger = ClinicianFactory(trust=participant.trust)
    with pytest.raises(services.NotAllowed):
        services.enrolment_withdraw(enrolment=enrolment, by=stranger, reason="Not mine.")
    with pytest.raises(services.NotAllowed):
        services.enrolment_complete(enrolment=enrolment, by=other_trust_lead)
    with pytest.raises(services.NotAllowed):
        services.enrolment_complete(enrolment=enrolment, by=participant)  # not their own call
    enrolment.refresh_from_db()
    assert enrolment.status == S.ENROLLED


def test_withdrawing_someone_else_needs_a_reason(cohort, participant, administrator):
    enrolment = enrol(participant, cohort)
    with pytest.raises(services.EnrolmentError, match="reason"):
        services.enrolment_withdraw(enrolment=enrolment, by=administrator, reason="  ")


def test_changes_are_announced_after_commit(
    cohort, participant, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    enrolment_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enrolment = enrol(participant, cohort)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        enrolment_changed.disconnect(receiver)
    assert heard == [
        {
            "signal": enrolment_changed,
            "enrolment_id": enrolment.pk,
            "cohort_id": cohort.pk,
            "person_id": participant.pk,
            "action": "apply",
            "from_status": None,
            "to_status": "enrolled",
        }
    ]


# --- when enrolment closes ------------------------------------------------------------------------


def close_enrolment(cohort):
    cohort.enrolment_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    cohort.save()


def test_closing_releases_unfilled_reserved_places_to_the_waitlist_once(trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=4, reserved_for_managers=2)
    clinicians = ClinicianFactory.create_batch(4, trust=trust_a)
    for person in clinicians:
        enrol(person, cohort)
    assert statuses(cohort) == [S.ENROLLED, S.ENROLLED, S.WAITLISTED, S.WAITLISTED]
    unrelated = CohortFactory(host_trust=trust_a)  # still open: not touched

    close_enrolment(cohort)
    assert tasks.release_reserved_seats() == 2

    assert statuses(cohort) == [S.ENROLLED] * 4
    cohort.refresh_from_db()
    assert cohort.reserved_seats_released_at is not None
    unrelated.refresh_from_db()
    assert unrelated.reserved_seats_released_at is None
    # Exactly once: a second run (beat again, a re-delivered message) finds nothing to do.
    assert tasks.release_reserved_seats() == 0
    assert services.cohort_release_reserved_seats(cohort_id=cohort.pk) is None
    assert EnrolmentEvent.objects.filter(action="promote").count() == 2


def test_release_is_refused_while_enrolment_is_open(cohort):
    assert services.cohort_release_reserved_seats(cohort_id=cohort.pk) is None
    cohort.refresh_from_db()
    assert cohort.reserved_seats_released_at is None


def test_after_closing_a_freed_place_goes_to_whoever_is_next(trust_a, administrator):
    cohort = CohortFactory(host_trust=trust_a, capacity=2, reserved_for_managers=1)
    seated = enrol(ClinicianFactory(trust=trust_a), cohort)
    enrol(UserFactory(trust=trust_a), cohort)
    waiting = enrol(ClinicianFactory(trust=trust_a), cohort)
    close_enrolment(cohort)
    # Before the release has run, the reservation no longer holds: enrolment has closed.
    services.enrolment_withdraw(enrolment=seated, by=administrator, reason="Illness.")
    waiting.refresh_from_db()
    assert waiting.status == S.ENROLLED


def test_nobody_is_promoted_into_a_cohort_that_has_ended(trust_a, administrator):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    seated = enrol(ClinicianFactory(trust=trust_a), cohort)
    waiting = enrol(ClinicianFactory(trust=trust_a), cohort)
    today = timezone.localdate()
    cohort.starts_on, cohort.ends_on = (
        today - datetime.timedelta(days=9),
        today - datetime.timedelta(days=1),
    )
    cohort.save()
    services.enrolment_withdraw(enrolment=seated, by=administrator, reason="Left the NHS.")
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


def test_the_beat_schedule_runs_the_release_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["programmes-release-reserved-seats"]
    assert entry["task"] == "programmes.tasks.release_reserved_seats"
    assert entry["schedule"] == 60.0


def test_enrolment_factory_rows_count_as_seated(cohort):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    EnrolmentFactory(cohort=cohort, status="waitlisted")
    seats = services.cohort_seats(cohort)
    assert (seats.clinicians, seats.managers, seats.left) == (2, 0, 18)
