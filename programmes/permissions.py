"""Who sees and changes cohorts and enrolments, declared in people.permissions (the one
module every view, export and admin listing asks):

- superusers see everything;
- a programme administrator sees the cohorts their trust hosts, with their enrolments and
  histories, and changes them; through ``register_people_reach`` they also see the people
  enrolled in those cohorts (whatever trust those people work for);
- a facilitator sees the cohorts they facilitate (a CohortFacilitator row, while they hold the
  facilitator role), their enrolments and their participants, and changes nothing here;
- a participant sees their own enrolments and the cohorts they are enrolled in.

Sessions and attendance follow their cohort: a session is seen by the cohort's staff, by the
participants holding a place in it (it is their timetable), and by the facilitators of that
one session;
attendance marks are seen by the participant they are about and by the staff who see the
session's register. Who may take a register (``may_take_register``): the host trust's
administrators, the cohort's facilitators and the session's own facilitators.

Programmes themselves are no one's personal data: every signed-in person sees them; only
superusers change them.
"""

from django.db.models import Q, QuerySet

from people.access import AccessRole
from people.permissions import (
    administered_trust_ids,
    changeable,
    register_change_scope,
    register_people_reach,
    register_scope,
)

from .models import (
    SEATED,
    AbsenceAlert,
    Attendance,
    AttendanceChange,
    CalendarFeed,
    Cohort,
    CohortFacilitator,
    CompletionResult,
    Enrolment,
    EnrolmentEvent,
    PairApplication,
    Programme,
    Session,
    SessionFacilitator,
    SessionNotice,
    SessionNoticeDelivery,
    SessionReminder,
)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _facilitates(user) -> bool:
    return user.has_role(AccessRole.FACILITATOR)


def _cohort_condition(user, prefix: str = "") -> Q:
    """Which cohorts `user` sees, as a condition on a lookup path to the cohort."""
    condition = Q(**{f"{prefix}enrolments__person_id": user.pk})
    if trusts := administered_trust_ids(user):
        condition |= Q(**{f"{prefix}host_trust_id__in": trusts})
    if _facilitates(user):
        condition |= Q(**{f"{prefix}facilitator_links__person_id": user.pk})
    return condition


def visible_cohort_ids(user) -> QuerySet:
    return Cohort.objects.filter(_cohort_condition(user)).values("pk")


def cohorts_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Cohort.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    # A subquery rather than joins, so a cohort is never listed twice.
    return queryset.filter(pk__in=visible_cohort_ids(user))


def _staff_cohort_ids(user) -> QuerySet | None:
    """The cohorts whose enrolments `user` sees as staff (host-trust administrator or
    facilitator), or None if they are neither."""
    condition = Q(pk__in=[])
    staff = False
    if trusts := administered_trust_ids(user):
        condition |= Q(host_trust_id__in=trusts)
        staff = True
    if _facilitates(user):
        condition |= Q(facilitator_links__person_id=user.pk)
        staff = True
    return Cohort.objects.filter(condition).values("pk") if staff else None


def enrolments_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Enrolment.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(person_id=user.pk)
    if (cohort_ids := _staff_cohort_ids(user)) is not None:
        condition |= Q(cohort_id__in=cohort_ids)
    return queryset.filter(condition)


def enrolment_events_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = EnrolmentEvent.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(enrolment__in=enrolments_visible_to(user).values("pk"))


def facilitator_links_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = CohortFacilitator.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(cohort_id__in=cohorts_visible_to(user).values("pk"))


def pair_applications_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A pair application is seen by the one who sent it, the colleague it was sent to (by
    their account's email: they may have signed up after it was sent), and the cohort's
    staff."""
    queryset = PairApplication.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(inviter_id=user.pk) | Q(invitee_id=user.pk)
    if user.email:
        condition |= Q(invitee_email__iexact=user.email)
    if (cohort_ids := _staff_cohort_ids(user)) is not None:
        condition |= Q(cohort_id__in=cohort_ids)
    return queryset.filter(condition)


def programmes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Programme.objects.all() if queryset is None else queryset
    return queryset if _active(user) else queryset.none()


def people_in_my_cohorts(user) -> QuerySet | None:
    """The people enrolled (in any status) in the cohorts `user` runs or facilitates."""
    if not _active(user):
        return None
    cohort_ids = _staff_cohort_ids(user)
    if cohort_ids is None:
        return None
    return Enrolment.objects.filter(cohort_id__in=cohort_ids).values("person_id")


# --- sessions and attendance ------------------------------------------------------------------


def _register_session_ids(user) -> QuerySet | None:
    """The sessions whose register `user` sees as staff, or None if they see none that way."""
    condition = Q(pk__in=[])
    staff = False
    if (cohort_ids := _staff_cohort_ids(user)) is not None:
        condition |= Q(cohort_id__in=cohort_ids)
        staff = True
    if _facilitates(user):
        condition |= Q(facilitator_links__person_id=user.pk)
        staff = True
    return Session.objects.filter(condition).values("pk") if staff else None


def sessions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Session.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    # A participant sees the sessions of cohorts where they hold a place (not those they wait
    # for or left: a session's joining link is for its participants); staff as for the cohort.
    condition = Q(
        cohort_id__in=Enrolment.objects.filter(person=user, status__in=SEATED).values("cohort_id")
    )
    if (cohort_ids := _staff_cohort_ids(user)) is not None:
        condition |= Q(cohort_id__in=cohort_ids)
    if _facilitates(user):
        condition |= Q(pk__in=SessionFacilitator.objects.filter(person=user).values("session"))
    return queryset.filter(condition)


def register_sessions(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sessions whose register `user` may see and take."""
    queryset = Session.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    session_ids = _register_session_ids(user)
    return queryset.none() if session_ids is None else queryset.filter(pk__in=session_ids)


def may_take_register(user, session: Session) -> bool:
    return register_sessions(user, Session.objects.filter(pk=session.pk)).exists()


def attendance_report_cohorts(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cohorts whose whole attendance (every register at once, and its exports) `user`
    sees: the host trust's administrators and the cohort's facilitators (while they hold
    the role); superusers all. Not a session's own facilitator (they see that session's
    register only), nor the cohort's participants (they see their own attendance)."""
    queryset = Cohort.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    cohort_ids = _staff_cohort_ids(user)
    if cohort_ids is None:
        return queryset.none()
    # Within what they see at all, as every cohort page is.
    return cohorts_visible_to(user, queryset).filter(pk__in=cohort_ids)


def attendance_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Attendance.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(enrolment__person_id=user.pk)
    if (session_ids := _register_session_ids(user)) is not None:
        condition |= Q(session_id__in=session_ids)
    return queryset.filter(condition)


def attendance_changes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = AttendanceChange.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(attendance__in=attendance_visible_to(user).values("pk"))


def session_facilitator_links_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = SessionFacilitator.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(session_id__in=sessions_visible_to(user).values("pk"))


def _by_enrolment(model):
    """A scope for a model that belongs to one enrolment: seen with the enrolment."""

    def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(enrolment__in=enrolments_visible_to(user).values("pk"))

    return visible_to


def _by_session(model):
    def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(session_id__in=register_sessions(user).values("pk"))

    return visible_to


def calendar_feeds_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A feed's token is a secret of its owner's: nobody else sees it, superusers included."""
    queryset = CalendarFeed.objects.all() if queryset is None else queryset
    return queryset.filter(person_id=user.pk) if _active(user) else queryset.none()


def people_in_my_sessions(user) -> QuerySet | None:
    """The people of the cohorts whose sessions `user` facilitates (the register lists them)."""
    if not _active(user) or not _facilitates(user):
        return None
    cohort_ids = Session.objects.filter(facilitator_links__person_id=user.pk).values("cohort_id")
    return Enrolment.objects.filter(cohort_id__in=cohort_ids).values("person_id")


register_scope(Session, sessions_visible_to)
register_scope(SessionFacilitator, session_facilitator_links_visible_to)
register_scope(Attendance, attendance_visible_to)
register_scope(AttendanceChange, attendance_changes_visible_to)
register_scope(AbsenceAlert, _by_enrolment(AbsenceAlert))
register_scope(CompletionResult, _by_enrolment(CompletionResult))
register_scope(SessionReminder, _by_enrolment(SessionReminder))
register_scope(SessionNotice, _by_session(SessionNotice))
register_scope(SessionNoticeDelivery, _by_enrolment(SessionNoticeDelivery))
register_scope(CalendarFeed, calendar_feeds_visible_to)
register_people_reach(people_in_my_sessions)
register_change_scope(Session, trust_path="cohort__host_trust_id", trust_ids=administered_trust_ids)
register_change_scope(
    SessionFacilitator,
    trust_path="session__cohort__host_trust_id",
    trust_ids=administered_trust_ids,
)

register_scope(Programme, programmes_visible_to)
register_scope(Cohort, cohorts_visible_to)
register_scope(Enrolment, enrolments_visible_to)
register_scope(EnrolmentEvent, enrolment_events_visible_to)
register_scope(CohortFacilitator, facilitator_links_visible_to)
register_scope(PairApplication, pair_applications_visible_to)
register_people_reach(people_in_my_cohorts)

register_change_scope(Cohort, trust_path="host_trust_id", trust_ids=administered_trust_ids)
register_change_scope(
    Enrolment, trust_path="cohort__host_trust_id", trust_ids=administered_trust_ids
)
register_change_scope(
    PairApplication, trust_path="cohort__host_trust_id", trust_ids=administered_trust_ids
)
register_change_scope(
    CohortFacilitator, trust_path="cohort__host_trust_id", trust_ids=administered_trust_ids
)


# --- the import of participants (programmes.services.imports, programmes.import_views) ------


def may_import_enrolments(user) -> bool:
    """Who may import participants from a file: a trust's programme administrators (into the
    cohorts their trust hosts) and superusers."""
    return _active(user) and (user.is_superuser or bool(administered_trust_ids(user)))


def importable_cohorts(user) -> QuerySet:
    """The cohorts `user` may import people into: those they may change (their trusts' hosted
    cohorts; every cohort for a superuser), whatever their status — the import explains a
    draft or cancelled one."""
    if not may_import_enrolments(user):
        return Cohort.objects.none()
    return changeable(user, Cohort)
