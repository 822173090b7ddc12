"""Reminders of sessions, a day ahead, each sent exactly once.

Beat runs ``session_reminders_queue`` every five minutes (programmes.tasks.sessions
.queue_session_reminders). Each run finds the reminders due — every scheduled session that
starts within REMIND_AHEAD and has not started, times every enrolment holding a place in its
cohort (enrolled, and seated before now) — less those already written, writes a
SessionReminder for each, and queues its email (programmes.tasks.send_session_reminder) in
the same transaction, through the outbox, so the email is queued if and only if its row
commits.

**Exactly once.**
- Two runs at once: each locks the due sessions' rows (in id order, so no deadlock) before
  reading which reminders exist, so the second waits for the first to commit and then finds
  its rows written: it writes and queues nothing for those sessions. The unique constraint
  (session, enrolment, starts_at) is the backstop — a clash fails the run loudly, and the
  next run simply finds the rows there.
- A task delivered twice: the task locks the reminder's row and sends only while
  ``sent_at`` is empty, setting it under the lock.
- Beat down for a while: the next run reminds of every session still ahead within the
  window (late, but once), and of none that has started.
- A reschedule: the reminder is for a start time. The new time has no reminder yet, so one
  is written and sent for it when it comes within the window; an unsent reminder for the old
  time is refused by the task (its ``starts_at`` is no longer the session's). A cancelled
  session is not scheduled, so it is neither reminded of nor sent.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import (
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionReminder,
)

REMIND_AHEAD = datetime.timedelta(hours=24)


def _due_sessions(now: datetime.datetime, *, lock: bool):
    sessions = (
        Session.objects.scheduled()
        .filter(starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD)
        .exclude(cohort__status=CohortStatus.CANCELLED)
        .order_by("pk")
    )
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    return list(sessions.values_list("pk", "cohort_id", "starts_at"))


def reminders_due(now: datetime.datetime, *, lock: bool = False) -> list[SessionReminder]:
    """The reminders that should exist at ``now`` and do not yet, unsaved. Three queries:
    the sessions in the window, the enrolments holding a place in their cohorts, and the
    reminders already written for them. ``lock`` locks the sessions' rows (the caller must be
    in a transaction)."""
    sessions = _due_sessions(now, lock=lock)
    if not sessions:
        return []
    cohort_ids = {cohort_id for _, cohort_id, _ in sessions}
    seats: dict[int, list[int]] = {}
    for enrolment_id, cohort_id in (
        Enrolment.objects.filter(
            cohort_id__in=cohort_ids,
            # Completed before the cohort's last session (the rules met early): still on the
            # register, still welcome, so still reminded.
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED),
            seated_at__lt=now,
        )
        .order_by("pk")
        .values_list("pk", "cohort_id")
    ):
        seats.setdefault(cohort_id, []).append(enrolment_id)
    written = set(
        SessionReminder.objects.filter(session_id__in=[pk for pk, _, _ in sessions]).values_list(
            "session_id", "enrolment_id", "starts_at"
        )
    )
    return [
        SessionReminder(session_id=pk, enrolment_id=enrolment_id, starts_at=starts_at)
        for pk, cohort_id, starts_at in sessions
        for enrolment_id in seats.get(cohort_id, ())
        if (pk, enrolment_id, starts_at) not in written
    ]


def session_reminders_queue(*, now: datetime.datetime | None = None) -> int:
    """Write the reminders due and queue their emails; returns how many. Queries: the three
    of ``reminders_due``, one insert of the rows, and one outbox row per reminder."""
    from ..tasks import send_session_reminder  # the tasks module imports the services

    now = now or timezone.now()
    with transaction.atomic():
        due = reminders_due(now, lock=True)
        if not due:
            return 0
        for reminder in due:
            reminder.created_at = now
        created = SessionReminder.objects.bulk_create(due)
        for reminder in created:
            send_session_reminder.delay(reminder.pk)  # through the outbox: once this commits
    return len(created)
