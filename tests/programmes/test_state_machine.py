"""The enrolment state machine: every cell of programmes.models.TRANSITIONS, allowed and
refused, through the service that performs it."""

import pytest

from programmes import services
from programmes.models import (
    TRANSITIONS,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentStatus,
)
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

SERVICES = {
    EnrolmentAction.APPROVE: services.enrolment_approve,
    EnrolmentAction.DECLINE: services.enrolment_decline,
    EnrolmentAction.WITHDRAW: services.enrolment_withdraw,
    EnrolmentAction.PROMOTE: services.enrolment_promote,
    EnrolmentAction.COMPLETE: services.enrolment_complete,
    EnrolmentAction.MARK_NOT_COMPLETED: services.enrolment_mark_not_completed,
}

CELLS = [(action, status) for action in SERVICES for status in EnrolmentStatus]


def test_every_action_but_applying_has_a_service():
    assert set(SERVICES) == set(TRANSITIONS) - {EnrolmentAction.APPLY}


@pytest.mark.parametrize(
    ("action", "status"), CELLS, ids=[f"{a.value}-from-{s.value}" for a, s in CELLS]
)
def test_each_action_from_each_status(action, status, cohort, administrator):
    enrolment = EnrolmentFactory(cohort=cohort, status=status)
    allowed = TRANSITIONS[action].get(status)
    call = SERVICES[action]

    if allowed is None:
        with pytest.raises(services.IllegalTransition, match="cannot be"):
            call(enrolment=enrolment, by=administrator, reason="Asked by the participant.")
        enrolment.refresh_from_db()
        assert enrolment.status == status  # nothing half-written
        assert not EnrolmentEvent.objects.filter(enrolment=enrolment).exists()
        return

    call(enrolment=enrolment, by=administrator, reason="Asked by the participant.")
    enrolment.refresh_from_db()
    assert enrolment.status in allowed
    [event] = EnrolmentEvent.objects.filter(enrolment=enrolment)
    assert (event.action, event.from_status, event.to_status) == (action, status, enrolment.status)
    assert event.by == administrator
    assert event.reason  # the given reason, or the decline's default


def test_the_table_refuses_anything_it_does_not_name():
    with pytest.raises(services.IllegalTransition):
        services.check_transition(action="apply", from_status=None, to_status="withdrawn")
    with pytest.raises(services.IllegalTransition):
        services.check_transition(action="teleport", from_status="enrolled", to_status="completed")
    services.check_transition(action="withdraw", from_status="enrolled", to_status="withdrawn")


def test_no_transition_leaves_a_withdrawn_or_finished_enrolment():
    for action, table in TRANSITIONS.items():
        assert EnrolmentStatus.WITHDRAWN not in table, action
        assert EnrolmentStatus.COMPLETED not in table, action
        # Not completed is final but for one move: an administrator's override of the
        # completion rules to completed (services.completion_override).
        if action != "complete":
            assert EnrolmentStatus.NOT_COMPLETED not in table, action
    assert TRANSITIONS["complete"][EnrolmentStatus.NOT_COMPLETED] == {EnrolmentStatus.COMPLETED}
