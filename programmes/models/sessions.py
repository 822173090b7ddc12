"""Sessions of a cohort: when and where it meets, who facilitates, and what each session has
sent (reminders) so that nothing is sent twice.

Times are stored in UTC (USE_TZ) and entered and shown in Europe/London (TIME_ZONE): a
session at 09:30 in July and one at 09:30 in January are both 09:30 on the wall clock.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .cohorts import Cohort
from .enrolments import Enrolment

# Self check-in codes: Crockford's base32 alphabet (no I, L, O or U: nothing to misread when
# typed from a screen across a room), six characters, 30 bits. A code is valid only in its
# session's window and attempts are rate-limited (programmes.services.checkin), so guessing
# one in the window is about a one-in-ten-million chance.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
# The check-in window: from this long before the start until the session ends.
CHECKIN_OPENS_BEFORE = datetime.timedelta(minutes=30)


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_checkin_code(typed: str) -> str:
    """A code as typed (any case, spaces or hyphens, O for 0, I or L for 1) in stored form."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


class SessionKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    ACTION_LEARNING_SET = "action_learning_set", "Action-learning set"
    SHADOWING_DEBRIEF = "shadowing_debrief", "Shadowing debrief"
    INFORMAL_MEETUP = "informal_meetup", "Informal meet-up"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class SessionQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(status=SessionStatus.SCHEDULED)

    def held_by(self, now: datetime.datetime | None = None):
        """Sessions that have taken place: scheduled (not cancelled) and ended."""
        return self.scheduled().filter(ends_at__lte=now or timezone.now())

    def upcoming(self, now: datetime.datetime | None = None):
        return self.scheduled().filter(ends_at__gt=now or timezone.now())

    def checkin_open(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.scheduled().filter(starts_at__lte=now + CHECKIN_OPENS_BEFORE, ends_at__gt=now)


class Session(models.Model):
    """One meeting of a cohort. Cancelling keeps the row (its attendance and the calendars
    that list it need it); ``sequence`` counts the changes a calendar must see (RFC 5545
    SEQUENCE), bumped by each reschedule and by the cancellation."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=SessionKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(
        max_length=300, blank=True, help_text="Where it meets in person: room, building, site."
    )
    online_url = models.URLField(
        "online link", max_length=500, blank=True, help_text="The video call, if it is online."
    )
    description = models.TextField(blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SessionFacilitator",
        related_name="facilitated_sessions",
        blank=True,
    )
    modules = models.ManyToManyField(
        "cms.ModulePage",
        blank=True,
        related_name="+",
        help_text="The modules this session works through.",
    )
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    checkin_code = models.CharField(max_length=CODE_LENGTH, default=new_checkin_code)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["cohort", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="programmes_session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""),
                name="programmes_session_has_place_or_link",
                violation_error_message="Give the place it meets, the online link, or both.",
            ),
            # A code names one session, so a typed code finds its session directly.
            models.UniqueConstraint(fields=["checkin_code"], name="programmes_unique_checkin"),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y %H:%M})"

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def checkin_opens_at(self) -> datetime.datetime:
        return self.starts_at - CHECKIN_OPENS_BEFORE

    def checkin_is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return not self.is_cancelled and self.checkin_opens_at <= now < self.ends_at

    @property
    def checkin_code_display(self) -> str:
        """The code as shown on the screen at the door: two groups of three."""
        return f"{self.checkin_code[:3]}-{self.checkin_code[3:]}"


class SessionFacilitator(models.Model):
    """A facilitator of one session: they see that session's register and take it (while
    they hold the facilitator access role), even if they do not facilitate the cohort."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="facilitator_links")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_facilitator_links"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="programmes_one_facilitator_link_per_session"
            )
        ]

    def __str__(self):
        return f"{self.person} facilitates {self.session}"


class SessionReminder(models.Model):
    """The reminder of one session to one participant, for the start time it was sent about.
    The row is created (unique) before the email is queued and ``sent_at`` is set under its
    lock when it goes, so a second beat run or a re-delivered task sends nothing; a
    reschedule has a new start time, so it gets a reminder of its own."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment", "starts_at"],
                name="programmes_one_reminder_per_session_start",
            )
        ]

    def __str__(self):
        return f"Reminder of {self.session} to enrolment #{self.enrolment_id}"


class NoticeKind(models.TextChoices):
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"


class SessionNotice(models.Model):
    """The email to a session's participants that it was rescheduled or cancelled, one per
    change (``sequence`` is the session's after that change): written with the change, in its
    transaction, and marked sent under its lock, so each change is announced once."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notices")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    # What it said, as it was: a later change must not rewrite an earlier notice.
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    previous_ends_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sequence"], name="programmes_one_notice_per_session_change"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.session}"


class SessionNoticeDelivery(models.Model):
    """A notice's email to one participant: one row, and one task, per recipient, so a mail
    server timing out at the tenth person retries that person alone and nobody is emailed
    twice (``sent_at`` is checked and set under the row's lock)."""

    notice = models.ForeignKey(SessionNotice, on_delete=models.CASCADE, related_name="deliveries")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "enrolment"], name="programmes_one_delivery_per_notice_person"
            )
        ]

    def __str__(self):
        return f"{self.notice} to enrolment #{self.enrolment_id}"
