"""The participant's enrolment pages, under /learn/ beside "My learning" (config/urls.py).
The sponsor's page, which needs no account, is at /sponsor/<token>/ (config/urls.py)."""

from django.urls import path

from . import checkin_views, pair_views, sponsor_views, views

app_name = "programmes"

urlpatterns = [
    path("enrol/<int:cohort_id>/", views.enrol, name="enrol"),
    path("enrolments/<int:enrolment_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "enrolments/<int:enrolment_id>/sponsor/",
        sponsor_views.resend,
        name="sponsor_request_resend",
    ),
    path("pairs/<int:application_id>/", pair_views.pair_invitation, name="pair_invitation"),
    path("pairs/<int:application_id>/decline/", pair_views.pair_decline, name="pair_decline"),
    path("pairs/<int:application_id>/cancel/", pair_views.pair_cancel, name="pair_cancel"),
    path("check-in/", checkin_views.checkin, name="checkin"),
    path("sessions/<int:session_id>/live/", checkin_views.session_live, name="session_live"),
    path(
        "sessions/<int:session_id>/live/checked-in/",
        checkin_views.session_live_fragment,
        name="session_live_fragment",
    ),
]
