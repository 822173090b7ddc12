"""The register of a session (programmes.services.register_save): one transaction for the
whole session, every later change recorded, late joiners shown as such, refusals that write
nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outbox.models import OutboxMessage
from people.access import AccessRole
from programmes import services
from programmes.models import Attendance, AttendanceChange, Enrolment
from tests.factories import (
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFacilitatorFactory,
    SessionFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def held_session(cohort=None, **kwargs):
    """A session that ended yesterday afternoon."""
    start = timezone.now() - datetime.timedelta(days=1, hours=4)
    return SessionFactory(
        cohort=cohort or CohortFactory(),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        **kwargs,
    )


def administrator_of(trust):
    return UserFactory(trust=trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])


def test_a_whole_register_is_saved_and_queues_one_reevaluation():
    session = held_session()
    people = EnrolmentFactory.create_batch(3, cohort=session.cohort)
    admin = administrator_of(session.cohort.host_trust)

    result = services.register_save(
        session=session,
        marks={
            people[0].pk: ("present", ""),
            people[1].pk: ("late", "Bleep went at 09:40"),
            people[2].pk: ("absent", ""),
        },
        by=admin,
    )

    assert (result.created, result.changed, result.unchanged) == (3, 0, 0)
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
    assert marks == {people[0].pk: "present", people[1].pk: "late", people[2].pk: "absent"}
    assert Attendance.objects.get(enrolment=people[1]).note == "Bleep went at 09:40"
    assert Attendance.objects.get(enrolment=people[0]).marked_by == admin
    assert AttendanceChange.objects.count() == 0  # first marks are not changes
    [queued] = OutboxMessage.objects.filter(task_name__endswith="attendance_changed")
    assert queued.args == [session.cohort_id, sorted(p.pk for p in people)]


def test_a_later_change_is_recorded_old_to_new_and_an_unchanged_row_is_not():
    session = held_session()
    first, second = EnrolmentFactory.create_batch(2, cohort=session.cohort)
    admin = administrator_of(session.cohort.host_trust)
    services.register_save(
        session=session, marks={first.pk: ("absent", ""), second.pk: ("present", "")}, by=admin
    )
    facilitator = CohortFacilitatorFactory(cohort=session.cohort).person

    result = services.register_save(
        session=session,
        marks={first.pk: ("excused", "Sent apologies: on call"), second.pk: ("present", "")},
        by=facilitator,
    )

    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    [change] = AttendanceChange.objects.all()
    assert (change.from_mark, change.to_mark) == ("absent", "excused")
    assert (change.from_note, change.to_note) == ("", "Sent apologies: on call")
    assert change.by == facilitator and change.source == "register"
    assert Attendance.objects.get(enrolment=first).marked_by == facilitator


def test_one_bad_row_refuses_the_whole_register_and_says_which():
    session = held_session()
    good = EnrolmentFactory(cohort=session.cohort)
    elsewhere = EnrolmentFactory()  # another cohort's participant
    admin = administrator_of(session.cohort.host_trust)

    with pytest.raises(ValidationError) as refused:
        services.register_save(
            session=session,
            marks={good.pk: ("present", ""), elsewhere.pk: ("present", "")},
            by=admin,
        )

    assert refused.value.message_dict == {
        str(elsewhere.pk): ["This person is not on this session's register."]
    }
    assert not Attendance.objects.exists()  # the good row was not written either


def test_someone_who_got_their_place_after_the_session_cannot_be_marked_absent():
    session = held_session()
    late_joiner = EnrolmentFactory(cohort=session.cohort, seated_at=timezone.now())
    admin = administrator_of(session.cohort.host_trust)

    with pytest.raises(ValidationError, match="got their place after this session"):
        services.register_save(session=session, marks={late_joiner.pk: ("absent", "")}, by=admin)


def test_before_the_session_only_an_apology_can_be_recorded():
    session = SessionFactory()  # next week
    person = EnrolmentFactory(cohort=session.cohort)
    admin = administrator_of(session.cohort.host_trust)

    with pytest.raises(ValidationError, match="only an apology"):
        services.register_save(session=session, marks={person.pk: ("present", "")}, by=admin)
    services.register_save(session=session, marks={person.pk: ("excused", "Leave")}, by=admin)

    assert Attendance.objects.get().mark == "excused"


def test_an_unknown_mark_is_refused():
    session = held_session()
    person = EnrolmentFactory(cohort=session.cohort)

    with pytest.raises(ValidationError, match="Choose present, late"):
        services.register_save(session=session, marks={person.pk: ("asleep", "")}, by=None)


def test_who_may_take_the_register():
    session = held_session()
    person = EnrolmentFactory(cohort=session.cohort)
    marks = {person.pk: ("present", "")}
    other_trusts_admin = administrator_of(TrustFactory())
    participant = person.person
    facilitator_of_another_session = SessionFacilitatorFactory().person
    facilitator_without_the_role = UserFactory()
    SessionFacilitatorFactory(session=session, person=facilitator_without_the_role)

    for refused in (
        other_trusts_admin,
        participant,
        facilitator_of_another_session,
        facilitator_without_the_role,
    ):
        with pytest.raises(PermissionDenied):
            services.register_save(session=session, marks=marks, by=refused)

    session_facilitator = SessionFacilitatorFactory(session=session).person
    services.register_save(session=session, marks=marks, by=session_facilitator)
    assert Attendance.objects.get().marked_by == session_facilitator


def test_a_withdrawn_person_marked_before_stays_on_the_register():
    session = held_session()
    person = EnrolmentFactory(cohort=session.cohort)
    services.register_save(session=session, marks={person.pk: ("present", "")}, by=None)
    Enrolment.objects.filter(pk=person.pk).update(status="withdrawn")

    assert list(Enrolment.objects.on_register(session)) == [person]
    services.register_save(session=session, marks={person.pk: ("left_early", "")}, by=None)
    assert Attendance.objects.get().mark == "left_early"


def test_a_cancelled_session_has_no_register():
    session = held_session()
    person = EnrolmentFactory(cohort=session.cohort)
    services.session_cancel(session=session, by=None, reason="Room flooded")

    with pytest.raises(ValidationError, match="cancelled"):
        services.register_save(session=session, marks={person.pk: ("present", "")}, by=None)


def test_saving_a_register_makes_the_same_queries_for_5_people_and_50():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n):
        session = held_session()
        people = EnrolmentFactory.create_batch(n, cohort=session.cohort)
        services.register_save(
            session=session, marks={p.pk: ("present", "") for p in people}, by=None
        )
        with CaptureQueriesContext(connection) as queries:  # every mark changed
            services.register_save(
                session=session, marks={p.pk: ("late", "Traffic") for p in people}, by=None
            )
        assert AttendanceChange.objects.filter(attendance__session=session).count() == n
        return len(queries)

    # The session's lock, the people on the register, their marks, one bulk update, one bulk
    # insert of the history, the outbox row: none per person.
    assert queries_for(5) == queries_for(50)
