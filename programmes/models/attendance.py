"""Attendance: one mark per enrolment per session, every change of it, the alerts and the
completion decisions it feeds, and each participant's private calendar feed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .enrolments import Enrolment
from .sessions import Session


class Mark(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


# The marks that count as having attended (excused counts too where a programme says so).
ATTENDED = frozenset({Mark.PRESENT, Mark.LATE, Mark.LEFT_EARLY})


class MarkSource(models.TextChoices):
    REGISTER = "register", "Register"
    CHECK_IN = "check_in", "Self check-in"


class Attendance(models.Model):
    """A participant's attendance at one session: written by the register (a facilitator or
    administrator) or by the participant's own check-in (programmes.services.attendance)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    mark = models.CharField(max_length=16, choices=Mark.choices)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=16, choices=MarkSource.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        indexes = [
            # A trust's attendance figure reads its enrolments' marks from the index alone
            # (mark included: an index-only scan, no visit to two million rows' pages).
            models.Index(
                fields=["enrolment", "session"],
                include=["mark"],
                name="programmes_att_enrol_sess_mark",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="programmes_one_mark_per_session"
            ),
            models.CheckConstraint(
                condition=Q(mark__in=Mark.values), name="programmes_attendance_mark_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_mark_display()}: enrolment #{self.enrolment_id} at {self.session}"

    @property
    def attended(self) -> bool:
        return self.mark in ATTENDED


class AttendanceChange(models.Model):
    """One change of a mark after it was first recorded: who, when, old → new. Written by the
    services only, never changed afterwards."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    from_mark = models.CharField(max_length=16, choices=Mark.choices)
    to_mark = models.CharField(max_length=16, choices=Mark.choices)
    from_note = models.CharField(max_length=300, blank=True)
    to_note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=16, choices=MarkSource.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_mark} → {self.to_mark}"


class AbsenceAlert(models.Model):
    """The one alert that an enrolment's attendance fell below its programme's minimum: the
    row (unique per enrolment) is written before the emails are queued, so it goes once."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="absence_alert"
    )
    attendance_percent = models.DecimalField(max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Absence alert for enrolment #{self.enrolment_id}"


class CompletionResult(models.Model):
    """The latest evaluation of an enrolment against its programme's completion rules: each
    rule's requirement, what the person has, and whether it is met (``rules``, a list of
    {"rule", "label", "required", "actual", "met"}). An administrator's override keeps the
    rules as they stood and records who decided, and why."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="completion_result"
    )
    rules = models.JSONField(default=list)
    met = models.BooleanField()
    evaluated_at = models.DateTimeField(default=timezone.now)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True)

    def __str__(self):
        outcome = "met" if self.met else "not met"
        return f"Completion rules for enrolment #{self.enrolment_id}: {outcome}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A participant's private iCal feed: its URL carries the token (calendar apps cannot
    sign in), so it can be replaced, which stops the old URL working at once."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.person}"
