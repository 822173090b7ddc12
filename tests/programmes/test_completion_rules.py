"""A programme's completion rules (programmes.services.completion): each rule, the override,
evaluation at cohort end, and one completion event per enrolment however often it runs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programmes import services
from programmes.events import enrolment_changed
from programmes.models import CompletionResult, Enrolment, EnrolmentEvent
from programmes.services import completion
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    ModulePageFactory,
    ModuleProgressFactory,
    ProgrammeFactory,
    ProgrammePageFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def sessions_of(cohort, count, *, days_ago_first=40):
    """``count`` sessions a week apart, the first ``days_ago_first`` days ago."""
    made = []
    for i in range(count):
        start = NOW - datetime.timedelta(days=days_ago_first - 7 * i)
        made.append(
            SessionFactory(
                cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
            )
        )
    return made


def mark(enrolment, sessions, marks):
    for session, value in zip(sessions, marks, strict=False):
        AttendanceFactory(session=session, enrolment=enrolment, mark=value)


@pytest.fixture
def events():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    enrolment_changed.connect(receiver)
    yield received
    enrolment_changed.disconnect(receiver)


def cohort_with(**rules):
    return CohortFactory(programme=ProgrammeFactory(**rules))


def test_attendance_at_or_above_the_minimum_completes(django_capture_on_commit_callbacks, events):
    cohort = cohort_with(min_attendance_percent=75)
    sessions = sessions_of(cohort, 4)
    enough, short = EnrolmentFactory.create_batch(2, cohort=cohort)
    mark(enough, sessions, ["present", "late", "left_early", "absent"])  # 3 of 4
    mark(short, sessions, ["present", "absent", "absent", "present"])  # 2 of 4

    with django_capture_on_commit_callbacks(execute=True):
        run = services.completion_evaluate(cohort_id=cohort.pk)

    assert run.completed == [enough.pk]
    assert Enrolment.objects.get(pk=short.pk).status == "enrolled"  # the cohort runs on
    result = CompletionResult.objects.get(enrolment=enough)
    assert result.met and result.rules[0]["actual"] == "75.0% (3 of 4)"
    assert [e["action"] for e in events] == ["complete"]


def test_future_sessions_count_so_nobody_completes_after_the_first(
    django_capture_on_commit_callbacks,
):
    cohort = cohort_with(min_attendance_percent=75)
    [first, *_later] = sessions_of(cohort, 4, days_ago_first=2)  # 3 still to come
    person = EnrolmentFactory(cohort=cohort)
    mark(person, [first], ["present"])

    run = services.completion_evaluate(cohort_id=cohort.pk)

    assert run.completed == []
    assert CompletionResult.objects.get(enrolment=person).rules[0]["actual"] == "25.0% (1 of 4)"


def test_excused_counts_only_where_the_programme_says_so():
    for counts in (False, True):
        cohort = cohort_with(min_attendance_percent=100, excused_counts_as_attended=counts)
        sessions = sessions_of(cohort, 2)
        person = EnrolmentFactory(cohort=cohort)
        mark(person, sessions, ["present", "excused"])
        run = services.completion_evaluate(cohort_id=cohort.pk)
        assert run.completed == ([person.pk] if counts else [])


def test_cancelled_sessions_and_those_before_the_persons_place_are_not_expected():
    cohort = cohort_with(min_attendance_percent=100)
    early, cancelled, attended = sessions_of(cohort, 3)
    services.session_cancel(session=cancelled, by=None, reason="Strike day")
    late_joiner = EnrolmentFactory(cohort=cohort, seated_at=early.ends_at)
    mark(late_joiner, [attended], ["present"])

    run = services.completion_evaluate(cohort_id=cohort.pk)

    assert run.completed == [late_joiner.pk]
    assert CompletionResult.objects.get().rules[0]["actual"] == "100.0% (1 of 1)"


def test_modules_count_and_required_modules_come_from_cms():
    page = ProgrammePageFactory()
    budgets, planning, change = (
        ModulePageFactory(parent=page, title=title)
        for title in ("Budgets", "Business planning", "Organisational change")
    )
    programme = ProgrammeFactory(page=page, min_modules_completed=2)
    programme.required_modules.set([change])
    cohort = CohortFactory(programme=programme)
    has_two_not_required, has_required = EnrolmentFactory.create_batch(2, cohort=cohort)
    for module in (budgets, planning):
        ModuleProgressFactory(person=has_two_not_required.person, module=module)
    for module in (budgets, change):
        ModuleProgressFactory(person=has_required.person, module=module)

    run = services.completion_evaluate(cohort_id=cohort.pk)

    assert run.completed == [has_required.pk]
    rules = CompletionResult.objects.get(enrolment=has_two_not_required).rules
    assert rules[1] == {
        "rule": "required_modules",
        "label": "Required modules",
        "required": "Organisational change",
        "actual": "missing: Organisational change",
        "met": False,
    }


def test_marking_a_module_complete_queues_the_evaluation(django_capture_on_commit_callbacks):
    from cms.services import module_progress_mark_complete
    from outbox.models import OutboxMessage

    page = ProgrammePageFactory()
    module = ModulePageFactory(parent=page)
    cohort = CohortFactory(programme=ProgrammeFactory(page=page, min_modules_completed=1))
    person = EnrolmentFactory(cohort=cohort)

    module_progress_mark_complete(person=person.person, module=module)

    [queued] = OutboxMessage.objects.filter(task_name__endswith="completion_evaluate_for")
    assert queued.args == [cohort.pk, [person.person_id]]


def test_shadowing_hours_are_zero_until_the_pairing_work_provides_them(monkeypatch):
    cohort = cohort_with(min_shadowing_hours=Decimal("6"))
    person = EnrolmentFactory(cohort=cohort)
    monkeypatch.setattr(completion, "_inputs", {})

    assert services.completion_evaluate(cohort_id=cohort.pk).completed == []

    completion.register_shadowing_hours(lambda ids, c: {i: Decimal("6.5") for i in ids})
    assert services.completion_evaluate(cohort_id=cohort.pk).completed == [person.pk]


def test_at_cohort_end_the_rest_are_marked_not_completed():
    cohort = cohort_with(min_attendance_percent=50)
    sessions = sessions_of(cohort, 2)
    done, not_done = EnrolmentFactory.create_batch(2, cohort=cohort)
    mark(done, sessions, ["present"])
    mark(not_done, sessions, ["absent", "absent"])

    run = services.completion_evaluate(cohort_id=cohort.pk, at_end=True)

    assert (run.completed, run.not_completed) == ([done.pk], [not_done.pk])
    assert Enrolment.objects.get(pk=not_done.pk).status == "not_completed"


def test_a_programme_without_rules_completes_nobody_by_itself():
    cohort = cohort_with()
    person = EnrolmentFactory(cohort=cohort)

    run = services.completion_evaluate(cohort_id=cohort.pk, at_end=True)

    assert run == completion.CompletionRun(completed=[], not_completed=[], evaluated=1)
    assert Enrolment.objects.get(pk=person.pk).status == "enrolled"


def test_evaluating_again_completes_once_and_announces_once(
    django_capture_on_commit_callbacks, events
):
    cohort = cohort_with(min_attendance_percent=50)
    person = EnrolmentFactory(cohort=cohort)
    mark(person, sessions_of(cohort, 1), ["present"])

    with django_capture_on_commit_callbacks(execute=True):
        first = services.completion_evaluate(cohort_id=cohort.pk)
        second = services.completion_evaluate(cohort_id=cohort.pk, at_end=True)

    assert first.completed == [person.pk] and second.evaluated == 0
    assert EnrolmentEvent.objects.filter(enrolment=person, action="complete").count() == 1
    assert [e["enrolment_id"] for e in events if e["action"] == "complete"] == [person.pk]


def test_the_override_needs_a_reason_and_records_who(administrator, trust_a, events):
    cohort = CohortFactory(
        host_trust=trust_a, programme=ProgrammeFactory(min_attendance_percent=90)
    )
    person = EnrolmentFactory(cohort=cohort)
    mark(person, sessions_of(cohort, 2), ["present", "absent"])

    with pytest.raises(ValidationError, match="Say why"):
        services.completion_override(enrolment=person, completed=True, by=administrator, reason=" ")

    services.completion_override(
        enrolment=person, completed=True, by=administrator, reason="Absence agreed: jury service"
    )

    person.refresh_from_db()
    assert person.status == "completed"
    result = CompletionResult.objects.get(enrolment=person)
    assert (result.met, result.overridden_by, result.override_reason) == (
        False,
        administrator,
        "Absence agreed: jury service",
    )
    event = EnrolmentEvent.objects.get(enrolment=person, action="complete")
    assert (event.by, event.reason) == (administrator, "Absence agreed: jury service")


def test_not_completed_can_be_overridden_to_completed_but_not_back(administrator, trust_a):
    cohort = CohortFactory(
        host_trust=trust_a, programme=ProgrammeFactory(min_attendance_percent=90)
    )
    person = EnrolmentFactory(cohort=cohort, status="not_completed")

    services.completion_override(enrolment=person, completed=True, by=administrator, reason="Ok")

    with pytest.raises(services.IllegalTransition):
        services.completion_override(
            enrolment=person, completed=False, by=administrator, reason="Changed my mind"
        )


def test_another_trusts_administrator_cannot_override(admin_b, trust_a):
    person = EnrolmentFactory(cohort=CohortFactory(host_trust=trust_a))

    with pytest.raises(Exception, match="cannot change"):
        services.completion_override(enrolment=person, completed=True, by=admin_b, reason="x")
    assert Enrolment.objects.get(pk=person.pk).status == "enrolled"


def test_the_beat_task_finishes_ended_cohorts_once():
    from programmes.tasks import complete_ended_cohorts

    ended = CohortFactory(
        programme=ProgrammeFactory(min_attendance_percent=50),
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    running = cohort_with(min_attendance_percent=50)
    absent = EnrolmentFactory(cohort=ended)
    EnrolmentFactory(cohort=running)

    assert complete_ended_cohorts() == "0 completed, 1 not completed"
    assert complete_ended_cohorts() == "0 completed, 0 not completed"
    assert Enrolment.objects.get(pk=absent.pk).status == "not_completed"


def test_evaluating_a_cohort_makes_the_same_queries_for_5_people_and_50():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n):
        cohort = cohort_with(min_attendance_percent=50, min_modules_completed=1)
        sessions = sessions_of(cohort, 3)
        for enrolment in EnrolmentFactory.create_batch(n, cohort=cohort):
            mark(enrolment, sessions, ["present", "absent", "absent"])  # 1 of 3: not met
        with CaptureQueriesContext(connection) as queries:
            services.completion_evaluate(cohort_id=cohort.pk)
        return len(queries)

    # The cohort's lock, its enrolments, sessions, marks, modules (none: no page), the
    # stored results (read, bulk update, bulk insert), savepoints: none per person.
    assert queries_for(5) == queries_for(50)
