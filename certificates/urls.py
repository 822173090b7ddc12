"""Public certificate verification, mounted at /verify/ (config/urls.py; PRODUCT.md §4).
The machine-readable credential and the issuer's keys live in certificates/badge_urls.py."""

from django.urls import path

from . import verify_views

app_name = "certificates"

urlpatterns = [
    path("", verify_views.verify, name="verify"),
    path("<str:code>/", verify_views.verify_code, name="verify_code"),
]
