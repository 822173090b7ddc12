"""The end of a cohort: a programme's completion rules, and the enrolment completed or not
completed by them (or by an administrator's override).

**The rules** (Programme fields; an empty one is no rule): a minimum share of the cohort's
sessions attended (of the scheduled, not cancelled, sessions that end after the person got
their place — future ones included, so nobody completes after the first session; "excused"
counts as attended where the programme says so); a minimum number of the programme's modules
marked complete and the modules every participant must complete (both from cms, through
``register_module_progress``: programmes never imports cms); a minimum of confirmed shadowing
hours (``register_shadowing_hours``; 0 until the pairing work provides them).

**When.** ``completion_evaluate`` runs whenever an input changes (a register saved, a check-in,
a module marked: programmes.tasks queues it through the outbox) and once more at cohort end.
An enrolled person who meets every rule becomes completed; at cohort end, one who does not is
marked not completed. Each evaluation stores its rule results (CompletionResult).

**One event.** Completion is the state machine's ENROLLED → COMPLETED move, under the cohort's
row lock; COMPLETED is final, so however often evaluation runs, or runs at once, the move — and
the ``enrolment_changed`` signal (action "complete") the certificates work listens for — happens
once per enrolment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User
from people.permissions import may_change

from ..attendance_report import counted_marks, is_expected
from ..models import (
    Attendance,
    Cohort,
    CohortStatus,
    CompletionResult,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Session,
)
from .enrolments import Action, Status, _lock_cohort, _locked_enrolment, _move, _require

# --- inputs other apps provide ----------------------------------------------------------------

# (person ids, programme) -> {person id: ids of the programme's live modules they completed}
ModuleProgressReader = Callable[[list[int], Programme], dict[int, set[int]]]
# (person ids, cohort) -> {person id: confirmed shadowing hours in that cohort}
ShadowingHoursReader = Callable[[list[int], Cohort], dict[int, Decimal]]

_inputs: dict[str, Callable] = {}


def register_module_progress(provider: ModuleProgressReader) -> None:
    """cms calls this at start-up with its bulk reader of module completions."""
    _inputs["modules"] = provider


def register_shadowing_hours(provider: ShadowingHoursReader) -> None:
    """The pairing work calls this with its reader of confirmed shadowing hours."""
    _inputs["shadowing"] = provider


def _modules_completed(person_ids: list[int], programme: Programme) -> dict[int, set[int]]:
    provider = _inputs.get("modules")
    return provider(person_ids, programme) if provider else {}


def _shadowing_hours(person_ids: list[int], cohort: Cohort) -> dict[int, Decimal]:
    provider = _inputs.get("shadowing")
    return provider(person_ids, cohort) if provider else {}


def completion_inputs_changed(*, person_id: int, programme_page_id: int | None = None) -> int:
    """Something the rules count changed for ``person_id`` outside attendance (cms: a module
    of the programme on page ``programme_page_id`` marked or unmarked): queue, through the
    outbox, the evaluation of each of their current enrolments it may affect. Returns how
    many were queued."""
    from ..tasks import completion_evaluate_for  # the tasks module imports the services

    enrolments = Enrolment.objects.filter(person_id=person_id, status=EnrolmentStatus.ENROLLED)
    if programme_page_id is not None:
        enrolments = enrolments.filter(cohort__programme__page_id=programme_page_id)
    cohort_ids = sorted(set(enrolments.values_list("cohort_id", flat=True)))
    for cohort_id in cohort_ids:
        completion_evaluate_for.delay(cohort_id, [person_id])
    return len(cohort_ids)


# --- the rules ---------------------------------------------------------------------------------


@dataclass
class RuleResult:
    rule: str
    label: str
    required: str
    actual: str
    met: bool


@dataclass
class Evaluation:
    enrolment_id: int
    rules: list[RuleResult]

    @property
    def met(self) -> bool:
        return all(rule.met for rule in self.rules)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def attendance_counts(
    enrolments: list[Enrolment], sessions: list[Session], *, excused_counts: bool, now=None
) -> dict[int, tuple[int, int]]:
    """{enrolment id: (sessions attended, sessions expected)} over ``sessions`` (scheduled
    ones of one cohort): one aggregate query for the marks. A session that ended before the
    person got their place is not expected of them. A mark counts only once its session has
    started: an apology recorded ahead (excused, where that counts) is not attendance yet."""
    now = now or timezone.now()
    counted = counted_marks(excused_counts=excused_counts)
    expected = {e.pk: {s.pk for s in sessions if is_expected(e, s)} for e in enrolments}
    attended = {e.pk: 0 for e in enrolments}
    started = {s.pk: s.starts_at <= now for s in sessions}
    if sessions and enrolments:
        rows = (
            Attendance.objects.filter(
                enrolment_id__in=list(expected), session_id__in=[s.pk for s in sessions]
            )
            .filter(mark__in=counted)
            .values_list("enrolment_id", "session_id")
        )
        for enrolment_id, session_id in rows:
            if session_id in expected[enrolment_id] and started[session_id]:
                attended[enrolment_id] += 1
    return {pk: (attended[pk], len(expected[pk])) for pk in expected}


def evaluate(cohort: Cohort, enrolments: list[Enrolment]) -> list[Evaluation]:
    """Each of ``enrolments`` (of ``cohort``) against its programme's rules: a fixed number
    of queries whatever the number of people (sessions, marks, modules, hours)."""
    programme = cohort.programme
    person_ids = [e.person_id for e in enrolments]
    sessions = list(Session.objects.scheduled().filter(cohort=cohort))
    counts = attendance_counts(
        enrolments, sessions, excused_counts=programme.excused_counts_as_attended
    )
    needs_modules = programme.min_modules_completed or programme.required_modules.exists()
    completed = _modules_completed(person_ids, programme) if needs_modules else {}
    required = {m.pk: m.title for m in programme.required_modules.all()} if needs_modules else {}
    hours = _shadowing_hours(person_ids, cohort) if programme.min_shadowing_hours else {}
    evaluations = []
    for enrolment in enrolments:
        rules: list[RuleResult] = []
        if programme.min_attendance_percent:
            attended, expected = counts[enrolment.pk]
            share = _percent(attended, expected)
            rules.append(
                RuleResult(
                    rule="attendance",
                    label="Sessions attended",
                    required=f"{programme.min_attendance_percent}%",
                    actual=f"{share}% ({attended} of {expected})",
                    met=expected > 0 and share >= programme.min_attendance_percent,
                )
            )
        done = completed.get(enrolment.person_id, set())
        if programme.min_modules_completed:
            rules.append(
                RuleResult(
                    rule="modules_count",
                    label="Modules marked complete",
                    required=str(programme.min_modules_completed),
                    actual=str(len(done)),
                    met=len(done) >= programme.min_modules_completed,
                )
            )
        if required:
            missing = [title for pk, title in required.items() if pk not in done]
            rules.append(
                RuleResult(
                    rule="required_modules",
                    label="Required modules",
                    required=", ".join(required.values()),
                    actual="all complete" if not missing else "missing: " + ", ".join(missing),
                    met=not missing,
                )
            )
        if programme.min_shadowing_hours:
            have = hours.get(enrolment.person_id, Decimal(0))
            rules.append(
                RuleResult(
                    rule="shadowing_hours",
                    label="Confirmed shadowing hours",
                    required=str(programme.min_shadowing_hours),
                    actual=str(have),
                    met=have >= programme.min_shadowing_hours,
                )
            )
        evaluations.append(Evaluation(enrolment_id=enrolment.pk, rules=rules))
    return evaluations


# --- deciding ----------------------------------------------------------------------------------

COMPLETED_REASON = "Met the programme's completion rules."
NOT_COMPLETED_REASON = "The cohort ended without the programme's completion rules being met."


def _store(evaluations: list[Evaluation], now) -> None:
    """Write every evaluation's rule results: one read of the existing rows, one bulk update,
    one bulk insert, whatever the headcount."""
    existing = {
        r.enrolment_id: r
        for r in CompletionResult.objects.filter(
            enrolment_id__in=[e.enrolment_id for e in evaluations]
        )
    }
    new = []
    for evaluation in evaluations:
        result = existing.get(evaluation.enrolment_id) or CompletionResult(
            enrolment_id=evaluation.enrolment_id
        )
        result.rules = [asdict(rule) for rule in evaluation.rules]
        result.met = evaluation.met
        result.evaluated_at = now
        result.overridden_by = None
        result.override_reason = ""
        if result.pk is None:
            new.append(result)
    fields = ["rules", "met", "evaluated_at", "overridden_by", "override_reason"]
    CompletionResult.objects.bulk_update(list(existing.values()), fields, batch_size=500)
    CompletionResult.objects.bulk_create(new, batch_size=500)


@dataclass
class CompletionRun:
    completed: list[int]
    not_completed: list[int]
    evaluated: int


def completion_evaluate(
    *, cohort_id: int, enrolment_ids: Iterable[int] | None = None, at_end: bool = False, now=None
) -> CompletionRun:
    """Evaluate the enrolled people of a cohort (or those of ``enrolment_ids``) and complete
    those who meet the rules; with ``at_end`` (the cohort has ended), mark the rest not
    completed. Under the cohort's row lock, in one transaction. Tandem's own act (a task):
    no one to check permissions for. A programme with no rules completes nobody on its own:
    an administrator decides (``completion_override``)."""
    now = now or timezone.now()
    run = CompletionRun(completed=[], not_completed=[], evaluated=0)
    with transaction.atomic():
        cohort = _lock_cohort(cohort_id)
        if cohort.status == CohortStatus.CANCELLED:
            return run  # nobody completes a cohort that did not run
        enrolled = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED)
        if enrolment_ids is not None:
            enrolled = enrolled.filter(pk__in=list(enrolment_ids))
        enrolments = list(enrolled.select_related("person"))
        by_id = {e.pk: e for e in enrolments}
        evaluations = evaluate(cohort, enrolments)
        has_rules = bool(evaluations and evaluations[0].rules)
        _store(evaluations, now)
        for evaluation in evaluations:
            run.evaluated += 1
            enrolment = by_id[evaluation.enrolment_id]
            enrolment.cohort = cohort
            if has_rules and evaluation.met:
                _move(
                    enrolment,
                    action=Action.COMPLETE,
                    to=Status.COMPLETED,
                    by=None,
                    reason=COMPLETED_REASON,
                    now=now,
                )
                run.completed.append(enrolment.pk)
            elif at_end and has_rules:
                _move(
                    enrolment,
                    action=Action.MARK_NOT_COMPLETED,
                    to=Status.NOT_COMPLETED,
                    by=None,
                    reason=NOT_COMPLETED_REASON,
                    now=now,
                )
                run.not_completed.append(enrolment.pk)
    return run


def completion_override(
    *, enrolment: Enrolment, completed: bool, by: User, reason: str
) -> Enrolment:
    """An administrator decides the outcome whatever the rules say: completed (from enrolled,
    or from not completed) or not completed (from enrolled). The reason is required and kept
    with the rule results as they stood."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are deciding against the rules."})
    if not may_change(by, enrolment):
        raise PermissionDenied("You cannot change enrolments in this cohort.")
    now = timezone.now()
    with transaction.atomic():
        cohort, enrolment = _locked_enrolment(enrolment)
        [evaluation] = evaluate(cohort, [enrolment])
        action = Action.COMPLETE if completed else Action.MARK_NOT_COMPLETED
        to = Status.COMPLETED if completed else Status.NOT_COMPLETED
        enrolment = _move(enrolment, action=action, to=to, by=by, reason=reason, now=now)
        CompletionResult.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "rules": [asdict(rule) for rule in evaluation.rules],
                "met": evaluation.met,
                "evaluated_at": now,
                "overridden_by": by,
                "override_reason": reason,
            },
        )
    return enrolment


def cohorts_due_for_completion(now=None):
    """Published cohorts that have ended and still have people enrolled (not yet decided)."""
    today = timezone.localdate(now)
    return (
        Cohort.objects.filter(ends_on__lt=today, enrolments__status=EnrolmentStatus.ENROLLED)
        .exclude(status=CohortStatus.CANCELLED)
        .distinct()
    )


# --- the transitions themselves (kept for callers outside the rules: imports, tests) ---------


def enrolment_complete(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    _require(by, target=enrolment)
    with transaction.atomic():
        _cohort, enrolment = _locked_enrolment(enrolment)
        return _move(
            enrolment,
            action=Action.COMPLETE,
            to=Status.COMPLETED,
            by=by,
            reason=reason,
            now=timezone.now(),
        )


def enrolment_mark_not_completed(
    *, enrolment: Enrolment, by: User | None, reason: str = ""
) -> Enrolment:
    _require(by, target=enrolment)
    with transaction.atomic():
        _cohort, enrolment = _locked_enrolment(enrolment)
        return _move(
            enrolment,
            action=Action.MARK_NOT_COMPLETED,
            to=Status.NOT_COMPLETED,
            by=by,
            reason=reason,
            now=timezone.now(),
        )


__all__ = [
    "COMPLETED_REASON",
    "NOT_COMPLETED_REASON",
    "CompletionRun",
    "Evaluation",
    "RuleResult",
    "attendance_counts",
    "cohorts_due_for_completion",
    "completion_evaluate",
    "completion_inputs_changed",
    "completion_override",
    "enrolment_complete",
    "enrolment_mark_not_completed",
    "evaluate",
    "register_module_progress",
    "register_shadowing_hours",
]
