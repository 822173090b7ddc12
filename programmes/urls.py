"""The participant's enrolment pages, under /learn/ beside "My learning" (config/urls.py)."""

from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("enrol/<int:cohort_id>/", views.enrol, name="enrol"),
    path("enrolments/<int:enrolment_id>/withdraw/", views.withdraw, name="withdraw"),
]
