"""The pair's pages (/learn/pairing/) and the facilitator's list of pairs
(/learn/facilitate/pairs/), included at /learn/ (config/urls.py)."""

from django.urls import path

from . import facilitate_views, views

app_name = "pairing"

urlpatterns = [
    path("pairing/", views.my_pairing, name="mine"),
    path("pairing/interests/", views.interests, name="interests"),
    path("pairing/schemes/<int:scheme_id>/join/", views.scheme_join, name="scheme_join"),
    path("pairing/schemes/<int:scheme_id>/leave/", views.scheme_leave, name="scheme_leave"),
    path("pairing/<int:pairing_id>/", views.pair, name="pair"),
    path("pairing/<int:pairing_id>/agreement/", views.agreement, name="agreement"),
    path("pairing/<int:pairing_id>/visits/", views.visit_log, name="visit_log"),
    path("pairing/<int:pairing_id>/meetings/", views.meeting_log, name="meeting_log"),
    path("pairing/<int:pairing_id>/project/", views.project, name="project"),
    path(
        "pairing/<int:pairing_id>/project/comments/",
        views.project_comment,
        name="project_comment",
    ),
    path("pairing/visits/<int:visit_id>/confirm/", views.visit_confirm, name="visit_confirm"),
    path("pairing/visits/<int:visit_id>/query/", views.visit_query, name="visit_query"),
    path("pairing/visits/<int:visit_id>/delete/", views.visit_delete, name="visit_delete"),
    path("facilitate/pairs/", facilitate_views.supported_pairs, name="supported_pairs"),
]
