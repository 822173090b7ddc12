"""programmes.services.cohorts: creating and changing cohorts, their capacity under the row
lock, the waiting list filled when places free, facilitators and programme records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from people.access import AccessRole
from programmes import services
from programmes.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus, Programme
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


def cohort_fields(programme, trust, **overrides):
    now = timezone.now()
    today = timezone.localdate()
    return {
        "programme": programme,
        "name": "Northshire, autumn",
        "host_trust": trust,
        "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=200),
        "enrolment_opens_at": now - datetime.timedelta(days=1),
        "enrolment_closes_at": now + datetime.timedelta(days=20),
        "capacity": 12,
        "reserved_for_clinicians": 4,
        "reserved_for_managers": 4,
        "requires_sponsor_approval": False,
        "status": "published",
        **overrides,
    }


def enrol(person, cohort):
    return services.enrolment_create(person=person, cohort=cohort, by=person)


def statuses(cohort):
    return list(
        Enrolment.objects.filter(cohort=cohort).order_by("pk").values_list("status", flat=True)
    )


# --- creating -------------------------------------------------------------------------------


def test_an_administrator_creates_a_cohort_in_their_trust(administrator, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    cohort = services.cohort_create(
        by=administrator,
        facilitators=[facilitator],
        **cohort_fields(ProgrammeFactory(), trust_a),
    )
    assert Cohort.objects.get() == cohort
    assert list(cohort.facilitators.all()) == [facilitator]


def test_a_cohort_cannot_be_created_in_a_trust_one_does_not_administer(administrator, trust_b):
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(by=administrator, **cohort_fields(ProgrammeFactory(), trust_b))
    assert "trust you administer" in caught.value.message_dict["host_trust"][0]
    assert not Cohort.objects.exists()


def test_the_models_constraints_are_the_messages(administrator, trust_a):
    fields = cohort_fields(
        ProgrammeFactory(), trust_a, capacity=6, reserved_for_clinicians=4, reserved_for_managers=4
    )
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(by=administrator, **fields)
    assert "The reserved seats add up to more than the capacity." in caught.value.messages
    assert not Cohort.objects.exists()


def test_only_cohort_fields_may_be_set(administrator, trust_a):
    with pytest.raises(TypeError, match="reserved_seats_released_at"):
        services.cohort_create(
            by=administrator,
            reserved_seats_released_at=timezone.now(),
            **cohort_fields(ProgrammeFactory(), trust_a),
        )


def test_someone_who_is_not_a_facilitator_cannot_be_made_one(administrator, trust_a):
    not_a_facilitator = ClinicianFactory(trust=trust_a)
    with pytest.raises(ValidationError) as caught:
        services.cohort_create(
            by=administrator,
            facilitators=[not_a_facilitator],
            **cohort_fields(ProgrammeFactory(), trust_a),
        )
    assert "facilitator role" in caught.value.message_dict["facilitators"][0]
    assert not Cohort.objects.exists()  # nothing half-written


# --- changing ---------------------------------------------------------------------------------


def test_another_trusts_administrator_cannot_change_the_cohort(cohort, admin_b):
    with pytest.raises(PermissionDenied):
        services.cohort_update(cohort=cohort, by=admin_b, name="Taken over")
    cohort.refresh_from_db()
    assert cohort.name == "Northshire, spring"


def test_a_cohort_cannot_move_to_a_trust_one_does_not_administer(cohort, administrator, trust_b):
    with pytest.raises(ValidationError) as caught:
        services.cohort_update(cohort=cohort, by=administrator, host_trust=trust_b)
    assert "host_trust" in caught.value.message_dict
    cohort.refresh_from_db()
    assert cohort.host_trust != trust_b


def test_a_capacity_below_the_seated_is_refused(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=5)
    for _ in range(3):
        enrol(ClinicianFactory(trust=trust_a), cohort)
    with pytest.raises(ValidationError) as caught:
        services.cohort_update(cohort=cohort, by=administrator, capacity=2, name="Renamed")
    assert caught.value.message_dict["capacity"] == [
        "3 people already hold a place in this cohort, so the capacity cannot be less than 3. "
        "Withdraw people first to make it smaller."
    ]
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.name) == (5, cohort.name)  # nothing written
    assert cohort.name != "Renamed"
    # Exactly the seated number is allowed.
    services.cohort_update(cohort=cohort, by=administrator, capacity=3)
    cohort.refresh_from_db()
    assert cohort.capacity == 3


def test_raising_the_capacity_promotes_the_waiting_list_in_order(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    people = ClinicianFactory.create_batch(4, trust=trust_a)
    for person in people:
        enrol(person, cohort)
    assert statuses(cohort) == [S.ENROLLED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]

    change = services.cohort_update(cohort=cohort, by=administrator, capacity=3)

    assert [e.person for e in change.promoted] == people[1:3]
    assert statuses(cohort) == [S.ENROLLED, S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    event = Enrolment.objects.get(person=people[1]).events.latest("pk")
    assert (event.action, event.by) == ("promote", None)
    assert "places were changed" in event.reason


def test_new_places_respect_the_joint_mix(administrator, trust_a):
    """Capacity 2, one place held for managers: a clinician takes the open place, the next
    clinician waits. Raising the capacity to 4 (the manager's place still held) seats one more
    clinician — the first in the queue — and no more, though two clinicians wait."""
    cohort = CohortFactory(host_trust=trust_a, capacity=2, reserved_for_managers=1)
    clinicians = ClinicianFactory.create_batch(4, trust=trust_a)
    for person in clinicians:
        enrol(person, cohort)
    assert statuses(cohort) == [S.ENROLLED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]

    change = services.cohort_update(cohort=cohort, by=administrator, capacity=4)

    assert [e.person for e in change.promoted] == clinicians[1:3]
    assert statuses(cohort) == [S.ENROLLED, S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    seats = services.cohort_seats(change.cohort)
    assert seats.left == 1 and seats.left_for_clinicians == 0 and seats.left_for_managers == 1


def test_shrinking_a_reservation_opens_the_held_place_to_the_queue(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=2, reserved_for_managers=1)
    clinicians = ClinicianFactory.create_batch(3, trust=trust_a)
    for person in clinicians:
        enrol(person, cohort)
    manager_waiting_behind = UserFactory(trust=trust_a)
    assert statuses(cohort) == [S.ENROLLED, S.WAITLISTED, S.WAITLISTED]

    change = services.cohort_update(cohort=cohort, by=administrator, reserved_for_managers=0)

    assert [e.person for e in change.promoted] == [clinicians[1]]
    assert statuses(cohort) == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    assert manager_waiting_behind.enrolments.count() == 0


def test_a_change_that_frees_nothing_promotes_nobody(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    for person in ClinicianFactory.create_batch(2, trust=trust_a):
        enrol(person, cohort)
    change = services.cohort_update(cohort=cohort, by=administrator, name="Renamed")
    assert change.promoted == []
    assert statuses(cohort) == [S.ENROLLED, S.WAITLISTED]


def test_cancelling_is_a_status_change_and_stops_promotion(administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    for person in ClinicianFactory.create_batch(2, trust=trust_a):
        enrol(person, cohort)
    services.cohort_cancel(cohort=cohort, by=administrator)
    cohort.refresh_from_db()
    assert cohort.status == "cancelled"
    change = services.cohort_update(cohort=cohort, by=administrator, capacity=5)
    assert change.promoted == []
    assert statuses(cohort) == [S.ENROLLED, S.WAITLISTED]


# --- facilitators ------------------------------------------------------------------------------


def test_facilitators_are_added_and_removed(cohort, administrator, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    services.cohort_facilitator_add(cohort=cohort, person=facilitator, by=administrator)
    services.cohort_facilitator_add(cohort=cohort, person=facilitator, by=administrator)
    assert CohortFacilitator.objects.filter(cohort=cohort).count() == 1
    assert services.cohort_facilitator_remove(cohort=cohort, person=facilitator, by=administrator)
    assert not CohortFacilitator.objects.exists()


def test_facilitators_are_chosen_from_people_one_may_see(cohort, administrator, trust_b):
    stranger = ClinicianFactory(trust=trust_b, roles=[AccessRole.FACILITATOR])
    with pytest.raises(ValidationError):
        services.cohort_facilitator_add(cohort=cohort, person=stranger, by=administrator)
    assert not CohortFacilitator.objects.exists()


def test_another_trusts_administrator_cannot_change_facilitators(cohort, admin_b, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    with pytest.raises(PermissionDenied):
        services.cohort_facilitator_add(cohort=cohort, person=facilitator, by=admin_b)


def test_update_replaces_the_facilitator_list(cohort, administrator, trust_a):
    first, second = (
        ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR]) for _ in range(2)
    )
    services.cohort_facilitator_add(cohort=cohort, person=first, by=administrator)
    services.cohort_update(cohort=cohort, by=administrator, facilitators=[second])
    assert list(cohort.facilitators.all()) == [second]


# --- programmes ----------------------------------------------------------------------------------


def test_programmes_are_superusers_to_save(administrator, superuser):
    programme = Programme(title="Leading together", slug="leading-together")
    with pytest.raises(PermissionDenied):
        services.programme_save(programme=programme, by=administrator)
    services.programme_save(programme=programme, by=superuser)
    assert Programme.objects.get().slug == "leading-together"


def test_a_programmes_rules_are_checked(superuser):
    with pytest.raises(ValidationError) as caught:
        services.programme_save(
            programme=Programme(title="X", slug="x", min_attendance_percent=120), by=superuser
        )
    assert "min_attendance_percent" in caught.value.message_dict
