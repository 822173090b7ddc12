"""The participant's enrolment pages, under /learn/ beside "My learning" (config/urls.py).
The sponsor's page, which needs no account, is at /sponsor/<token>/ (config/urls.py)."""

from django.urls import path

from . import sponsor_views, views

app_name = "programmes"

urlpatterns = [
    path("enrol/<int:cohort_id>/", views.enrol, name="enrol"),
    path("enrolments/<int:enrolment_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "enrolments/<int:enrolment_id>/sponsor/",
        sponsor_views.resend,
        name="sponsor_request_resend",
    ),
]
