"""/learn/coffee/: a person's Tandem coffee — opting in or out, their matches, "we met"
(included by config/urls.py before the other /learn/ pages)."""

from django.urls import path

from . import views

app_name = "coffee"

urlpatterns = [
    path("", views.home, name="home"),
    path("taking-part/", views.taking_part, name="taking_part"),
    path("matches/<int:match_id>/met/", views.we_met, name="we_met"),
]
