"""A check-in and a register save of the same person at once, on PostgreSQL (tests/
concurrency.py's harness: each thread its own connection, released together).

The register reads the marks it already has, checks its rows, then inserts; the window
between reading and inserting is widened (``_check_rows`` sleeps), by the same amount in the
test and its control, so the only difference between a pass and a caught race is the
session's row lock that both take.
"""

import datetime
import time

import pytest
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from people.access import AccessRole
from programmes import services
from programmes.models import Attendance
from programmes.services import attendance as attendance_services
from tests.concurrency import run_concurrently
from tests.factories import EnrolmentFactory, SessionFactory, TrustFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WINDOW_SECONDS = 0.3


@pytest.fixture
def door(monkeypatch):
    trust = TrustFactory()
    now = timezone.now()
    session = SessionFactory(
        cohort__host_trust=trust,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
    )
    enrolment = EnrolmentFactory(cohort=session.cohort)
    admin = UserFactory(trust=trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    check_rows = attendance_services._check_rows

    def slow_check_rows(*args, **kwargs):
        errors = check_rows(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)  # the register has read "no mark yet" and not yet written
        return errors

    monkeypatch.setattr(attendance_services, "_check_rows", slow_check_rows)
    return session, enrolment, admin


def register_and_check_in_at_once(session, enrolment, admin):
    def act(index):
        if index == 0:
            return services.register_save(
                session=session, marks={enrolment.pk: ("present", "")}, by=admin
            )
        time.sleep(WINDOW_SECONDS / 3)  # once the register is inside its window
        return services.checkin(person=enrolment.person, code=session.checkin_code)

    return run_concurrently(act, threads=2)


def test_a_check_in_waits_for_the_register_and_then_finds_its_mark(door):
    session, enrolment, admin = door

    run = register_and_check_in_at_once(session, enrolment, admin)

    assert run.errors == []
    _, check_in = run.results
    assert check_in.already is True
    attendance = Attendance.objects.get(session=session)
    assert (attendance.source, attendance.mark) == ("register", "present")


def test_control_without_the_row_lock_the_register_save_fails(door, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    session, enrolment, admin = door

    run = register_and_check_in_at_once(session, enrolment, admin)

    assert run.errors_of(IntegrityError), "the window did not open: the test proves nothing"
    assert Attendance.objects.filter(session=session).count() == 1
