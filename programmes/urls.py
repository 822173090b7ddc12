"""The participant's enrolment pages, under /learn/ beside "My learning" (config/urls.py).
The sponsor's page, which needs no account, is at /sponsor/<token>/ (config/urls.py)."""

from django.urls import path

from . import attendance_views, pair_views, register_views, sponsor_views, views

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
        "cohorts/<int:cohort_id>/attendance/",
        attendance_views.cohort_attendance_page,
        name="cohort_attendance",
    ),
    path(
        "cohorts/<int:cohort_id>/attendance.csv",
        attendance_views.cohort_attendance_csv,
        name="cohort_attendance_csv",
    ),
    path(
        "cohorts/<int:cohort_id>/attendance.xlsx",
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
]
