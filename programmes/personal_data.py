"""What the programmes app holds about a person, for subject access and erasure (found by
privacy's autodiscovery: privacy.registry).

Erasure keeps what reports count — each enrolment's cohort, status, dates, and the trust and
professional group it recorded, and the baseline survey's two scale answers, which the
programme's effect is measured by — and deletes what the person or others wrote about them
(goals, their current role as they typed it, their sponsor's name and email and the secret
of the sponsor's link, the reasons given in the history). Live enrolments in cohorts still
running are
withdrawn, so no seat stays held for someone who can no longer sign in; facilitation of
cohorts ends.
"""

from django.db.models import Q
from django.utils import timezone

from privacy.registry import register_source

from . import services
from .models import (
    AbsenceAlert,
    Attendance,
    AttendanceChange,
    CalendarFeed,
    CohortFacilitator,
    CompletionResult,
    Enrolment,
    EnrolmentEvent,
    PairApplication,
    PairStatus,
    SessionFacilitator,
    SessionNotice,
    SessionNoticeDelivery,
    SessionReminder,
)


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


# Every model of this app that points at a person, and the source that exports and erases it
# (tests/programmes/test_personal_data.py checks that none is missing).
PERSON_LINKED_MODELS = {
    Enrolment: "enrolments",
    EnrolmentEvent: "enrolment_history",
    CohortFacilitator: "cohorts_facilitated",
    PairApplication: "pair_applications",
    Attendance: "attendance",
    AttendanceChange: "attendance",
    AbsenceAlert: "attendance",
    SessionReminder: "attendance",
    SessionNoticeDelivery: "attendance",
    CompletionResult: "completion",
    SessionFacilitator: "sessions_facilitated",
    CalendarFeed: "calendar_feed",
}
# Fields naming who did something to someone else's record (a facilitator marking a register,
# an administrator deciding an outcome): the record is the other person's data, not theirs.
ACTOR_FIELDS = {
    (EnrolmentEvent, "by"),
    (Attendance, "marked_by"),
    (AttendanceChange, "by"),
    (CompletionResult, "overridden_by"),
    (SessionNotice, "by"),
}


def export_enrolments(person) -> list[dict]:
    enrolments = Enrolment.objects.filter(person=person).select_related(
        "cohort__programme", "cohort__host_trust", "trust"
    )
    return [
        {
            "programme": enrolment.cohort.programme.title,
            "cohort": enrolment.cohort.name,
            "host_trust": enrolment.cohort.host_trust.name,
            "cohort_starts_on": enrolment.cohort.starts_on,
            "cohort_ends_on": enrolment.cohort.ends_on,
            "status": enrolment.get_status_display(),
            "your_trust_when_you_applied": enrolment.trust.name if enrolment.trust else "",
            "your_professional_group_when_you_applied": enrolment.get_professional_group_display(),
            "goals": enrolment.goals,
            "how_you_saw_the_relationship": enrolment.get_baseline_relationship_display() or "",
            "how_you_expected_it_to_change": enrolment.get_baseline_outlook_display() or "",
            "your_current_role_when_you_applied": enrolment.baseline_current_role,
            "sponsor_name": enrolment.sponsor_name,
            "sponsor_email": enrolment.sponsor_email,
            "sponsor_asked_at": _local(enrolment.sponsor_requested_at),
            "applied_at": _local(enrolment.created_at),
            "status_changed_at": _local(enrolment.status_changed_at),
        }
        for enrolment in enrolments.order_by("created_at", "pk")
    ]


def export_enrolment_history(person) -> list[dict]:
    """The history of their own enrolments. Who made each change is said as "you", "Tandem"
    or "Tandem staff" / "your sponsor", never another person's name."""
    history = EnrolmentEvent.objects.filter(enrolment__person=person).select_related(
        "enrolment__cohort"
    )
    rows = []
    for event in history.order_by("at", "pk"):
        if event.by_id == person.pk:
            by = "you"
        elif event.by_id is None:
            by = "your sponsor" if event.action in ("approve", "decline") else "Tandem"
        else:
            by = "Tandem staff"
        rows.append(
            {
                "cohort": event.enrolment.cohort.name,
                "what": event.get_action_display(),
                "from_status": event.get_from_status_display() if event.from_status else "",
                "to_status": event.get_to_status_display(),
                "by": by,
                "at": _local(event.at),
                "reason": event.reason,
                "emailed_at": _local(event.notified_at),
            }
        )
    return rows


def export_cohorts_facilitated(person) -> list[dict]:
    links = CohortFacilitator.objects.filter(person=person).select_related("cohort__programme")
    return [
        {
            "programme": link.cohort.programme.title,
            "cohort": link.cohort.name,
            "since": _local(link.added_at),
        }
        for link in links.order_by("added_at", "pk")
    ]


def _pair_applications_of(person):
    condition = Q(inviter=person) | Q(invitee=person)
    if person.email:
        condition |= Q(invitee_email__iexact=person.email)
    return PairApplication.objects.filter(condition)


def export_pair_applications(person) -> list[dict]:
    """Invitations to apply together that they sent or received. The other person is named
    as the invitation names them (that is what the person saw), nothing more."""
    rows = []
    applications = _pair_applications_of(person).select_related("cohort", "inviter")
    for application in applications.order_by("invited_at", "pk"):
        sent = application.inviter_id == person.pk
        rows.append(
            {
                "cohort": application.cohort.name,
                "you": "invited a colleague" if sent else "were invited",
                "colleague": application.invitee_email
                if sent
                else application.inviter.get_full_name(),
                "status": application.get_status_display(),
                "message": application.message,
                "reason": application.reason,
                "your_answers_kept_until_accepted": application.inviter_answers if sent else {},
                "invited_at": _local(application.invited_at),
                "answered_at": _local(application.answered_at),
            }
        )
    return rows


def erase_pair_applications(person, *, by, reason) -> None:
    """Open invitations they sent or received are cancelled; what either side wrote, the
    kept answers and the address they were invited at are cleared. An accepted application
    stays (the two enrolments, and later their pairing, point at it), without the text."""
    applications = _pair_applications_of(person)
    applications.filter(status=PairStatus.INVITED).update(
        status=PairStatus.CANCELLED, answered_at=timezone.now()
    )
    applications.update(message="", reason="", inviter_answers={})
    applications.filter(Q(invitee=person) | Q(invitee_email__iexact=person.email or "-")).update(
        invitee_email=""
    )


def erase_enrolments(person, *, by, reason) -> None:
    # Free text first, so the withdrawal's own fixed reason is the only one left.
    # The sponsor's link stops working too: its secret goes with the sponsor.
    Enrolment.objects.filter(person=person).update(
        goals="", baseline_current_role="", sponsor_name="", sponsor_email="", sponsor_nonce=""
    )
    EnrolmentEvent.objects.filter(enrolment__person=person).exclude(reason="").update(reason="")
    services.enrolments_withdraw_for_erasure(person=person, by=by)


def erase_facilitation(person, *, by, reason) -> None:
    CohortFacilitator.objects.filter(person=person).delete()


def export_attendance(person) -> list[dict]:
    """Their mark at each session, how it was recorded, the note, and each later change (who
    changed it is said as "you", "Tandem" or "Tandem staff"), with the reminders and alerts
    they were sent."""
    marks = (
        Attendance.objects.filter(enrolment__person=person)
        .select_related("session__cohort")
        .prefetch_related("changes")
        .order_by("session__starts_at", "pk")
    )
    reminded = {
        (r.session_id, r.enrolment_id): r.sent_at
        for r in SessionReminder.objects.filter(enrolment__person=person, sent_at__isnull=False)
    }

    def who(by_id):
        return "you" if by_id == person.pk else ("Tandem" if by_id is None else "Tandem staff")

    rows = [
        {
            "cohort": mark.session.cohort.name,
            "session": mark.session.title,
            "session_started_at": _local(mark.session.starts_at),
            "mark": mark.get_mark_display(),
            "recorded_by": mark.get_source_display(),
            "checked_in_at": _local(mark.checked_in_at),
            "note": mark.note,
            "reminded_at": _local(reminded.get((mark.session_id, mark.enrolment_id))),
            "changes": [
                {
                    "from": change.get_from_mark_display(),
                    "to": change.get_to_mark_display(),
                    "by": who(change.by_id),
                    "at": _local(change.at),
                }
                for change in mark.changes.all()
            ],
        }
        for mark in marks
    ]
    for delivery in SessionNoticeDelivery.objects.filter(
        enrolment__person=person, sent_at__isnull=False
    ).select_related("notice__session"):
        rows.append(
            {
                "session": delivery.notice.session.title,
                "notice": delivery.notice.get_kind_display(),
                "sent_at": _local(delivery.sent_at),
            }
        )
    for alert in AbsenceAlert.objects.filter(enrolment__person=person).select_related(
        "enrolment__cohort"
    ):
        rows.append(
            {
                "cohort": alert.enrolment.cohort.name,
                "alert": f"Attendance below the minimum: {alert.attendance_percent}%",
                "sent_at": _local(alert.sent_at),
            }
        )
    return rows


def erase_attendance(person, *, by, reason) -> None:
    """Marks stay (attendance rates are what reports count); what was written about the
    person — the notes on their marks and in their history — goes."""
    Attendance.objects.filter(enrolment__person=person).exclude(note="").update(note="")
    AttendanceChange.objects.filter(attendance__enrolment__person=person).update(
        from_note="", to_note=""
    )


def export_completion(person) -> list[dict]:
    results = CompletionResult.objects.filter(enrolment__person=person).select_related(
        "enrolment__cohort"
    )
    return [
        {
            "cohort": result.enrolment.cohort.name,
            "rules": result.rules,
            "met": result.met,
            "evaluated_at": _local(result.evaluated_at),
            "decided_by_an_administrator": result.overridden_by_id is not None,
            "reason": result.override_reason,
        }
        for result in results
    ]


def erase_completion(person, *, by, reason) -> None:
    CompletionResult.objects.filter(enrolment__person=person).update(override_reason="")


def export_sessions_facilitated(person) -> list[dict]:
    links = SessionFacilitator.objects.filter(person=person).select_related("session__cohort")
    return [
        {
            "cohort": link.session.cohort.name,
            "session": link.session.title,
            "starts_at": _local(link.session.starts_at),
        }
        for link in links.order_by("session__starts_at", "pk")
    ]


def erase_sessions_facilitated(person, *, by, reason) -> None:
    SessionFacilitator.objects.filter(person=person).delete()


def export_calendar_feed(person) -> list[dict]:
    # The token itself is a secret: saying a feed exists and since when is enough.
    return [
        {"calendar_feed_since": _local(f.created_at)}
        for f in CalendarFeed.objects.filter(person=person)
    ]


def erase_calendar_feed(person, *, by, reason) -> None:
    CalendarFeed.objects.filter(person=person).delete()


register_source(
    "attendance", label="Your attendance", exporter=export_attendance, eraser=erase_attendance
)
register_source(
    "completion",
    label="Your completion results",
    exporter=export_completion,
    eraser=erase_completion,
)
register_source(
    "sessions_facilitated",
    label="Sessions you facilitate",
    exporter=export_sessions_facilitated,
    eraser=erase_sessions_facilitated,
)
register_source(
    "calendar_feed",
    label="Your calendar feed",
    exporter=export_calendar_feed,
    eraser=erase_calendar_feed,
)
register_source(
    "enrolments", label="Your enrolments", exporter=export_enrolments, eraser=erase_enrolments
)
# Erased with the enrolments (erase_enrolments clears the reasons): the history's statuses
# and dates are what reports count.
register_source(
    "enrolment_history", label="The history of your enrolments", exporter=export_enrolment_history
)
register_source(
    "pair_applications",
    label="Invitations to apply together",
    exporter=export_pair_applications,
    eraser=erase_pair_applications,
)
register_source(
    "cohorts_facilitated",
    label="Cohorts you facilitate",
    exporter=export_cohorts_facilitated,
    eraser=erase_facilitation,
)
