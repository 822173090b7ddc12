"""Open Badges 3.0 and machine verification, mounted at /verify/ (config/urls.py) beside the
verification pages (certificates/urls.py). Every pattern here ends in a file extension and
has no trailing slash, so none can be taken for a certificate's page, /verify/<code>/; the
fixed names come before ``<code>.json``."""

from django.urls import path

from . import badge_views

app_name = "badges"

urlpatterns = [
    path("keys.json", badge_views.key_set, name="keys"),
    path("keys/<str:thumbprint>.json", badge_views.key, name="key"),
    path("leadership-model.json", badge_views.leadership_model, name="leadership_model"),
    path("issuers/<str:ods_code>.json", badge_views.issuer, name="issuer"),
    path("issuers/<str:ods_code>/revocations.json", badge_views.revocations, name="revocations"),
    path("<str:code>.json", badge_views.credential_json, name="credential"),
    path("<str:code>.jwt", badge_views.credential_jwt, name="credential_jwt"),
]
