"""The participant's enrolment pages, under /learn/ beside "My learning" (config/urls.py).
The sponsor's page, which needs no account, is at /sponsor/<token>/ (config/urls.py)."""

from django.urls import path

from . import (
    attendance_views,
    calendar_views,
    checkin_views,
    pair_views,
    register_views,
    sponsor_views,
    views,
)

app_name = "programmes"

urlpatterns = [
    path("enrol/<int:cohort_id>/", views.enrol, name="enrol"),
    path("enrolments/<int:enrolment_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "enrolments/<int:enrolment_id>/sponsor/",
        sponsor_views.resend,
        name="sponsor_request_resend",
    ),
    # Attendance: a cohort's matrix and its exports (staff), one's own (participants).
    path(
        "facilitate/cohorts/<int:cohort_id>/attendance/",
        attendance_views.cohort_attendance_page,
        name="cohort_attendance",
    ),
    path(
        "facilitate/cohorts/<int:cohort_id>/attendance.csv",
        attendance_views.cohort_attendance_csv,
        name="cohort_attendance_csv",
    ),
    path(
        "facilitate/cohorts/<int:cohort_id>/attendance.xlsx",
        attendance_views.cohort_attendance_xlsx,
        name="cohort_attendance_xlsx",
    ),
    path(
        "enrolments/<int:enrolment_id>/attendance/",
        attendance_views.my_attendance,
        name="my_attendance",
    ),
    path("pairs/<int:application_id>/", pair_views.pair_invitation, name="pair_invitation"),
    path("pairs/<int:application_id>/decline/", pair_views.pair_decline, name="pair_decline"),
    path("pairs/<int:application_id>/cancel/", pair_views.pair_cancel, name="pair_cancel"),
    # Staff pages (registers, check-in screens, attendance) sit under facilitate/, which the
    # two-factor rule for staff roles covers (accounts.middleware.STAFF_PATH_PREFIXES).
    path("facilitate/", register_views.facilitate, name="facilitate"),
    path(
        "facilitate/sessions/<int:session_id>/register/",
        register_views.register,
        name="session_register",
    ),
    # Sessions in calendars: one session's file, and the page with the private feed's address
    # (the feed itself is /calendar/<token>.ics, in config/urls.py: it needs no sign-in).
    path(
        "sessions/<int:session_id>/calendar.ics",
        calendar_views.session_calendar,
        name="session_calendar",
    ),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    # Self check-in (a participant's) and the facilitator's live view of it (staff: under
    # facilitate/ with the register).
    path("check-in/", checkin_views.checkin, name="checkin"),
    path(
        "facilitate/sessions/<int:session_id>/live/",
        checkin_views.session_live,
        name="session_live",
    ),
    path(
        "facilitate/sessions/<int:session_id>/live/checked-in/",
        checkin_views.session_live_fragment,
        name="session_live_fragment",
    ),
]
