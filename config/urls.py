from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from accounts import views as account_views
from cms import sites as cms_sites
from cms import views as cms_views
from core import ids as core_ids
from core import views as core_views
from outcomes import views as outcome_views
from programmes import calendar_views, sponsor_views

urlpatterns = [
    path("healthz/", core_views.healthz, name="healthz"),
    path("favicon.ico", cms_views.favicon, name="favicon"),
    # Wagtail's own sign-in and password views would skip two-factor authentication and
    # lockout; every sign-in goes through allauth instead.
    path("admin/login/", account_views.admin_login_redirect),
    path("admin/password_reset/", account_views.admin_password_reset_redirect),
    path("_util/login/", account_views.admin_login_redirect),  # restricted pages' sign-in
    # Every admin view (Wagtail's and those apps register) with its ids checked first:
    # a malformed id is a 404, not a 500 (core.ids).
    path(
        "admin/",
        include(decorate_urlpatterns(wagtailadmin_urls.urlpatterns, core_ids.refuse_malformed_ids)),
    ),
    # Personal API tokens, on the account pages (api/token_urls.py).
    path("accounts/api-tokens/", include("api.token_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # A person's own data: subject access (privacy/).
    path("account/", include("privacy.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Content: site search, and "My learning" with the learner's own progress forms.
    path("search/", cms_views.search, name="search"),
    # Tandem coffee (coffee/), before the other /learn/ pages.
    path("learn/coffee/", include("coffee.urls")),
    # The holder's certificates and their downloads (certificates/learn_urls.py), before the
    # other /learn/ pages as coffee's are; /verify/ is certificates/urls.py's.
    path("learn/certificates/", include("certificates.learn_urls")),
    # The participant's leadership self-assessment, before and after (outcomes/).
    path("learn/self-assessment/", include("outcomes.learn_urls")),
    # The person's own role history (people/learn_urls.py), before the other /learn/ pages.
    path("learn/roles/", include("people.learn_urls")),
    path("learn/", include("cms.urls")),
    path("learn/", include("programmes.urls")),  # enrolling and withdrawing
    path("learn/", include("pairing.urls")),  # pairs, shadowing, meetings, projects
    # A sponsor approves or declines an application from their emailed, signed link, with
    # no account (programmes.sponsors).
    path("sponsor/<str:token>/", sponsor_views.answer, name="sponsor_answer"),
    # A follow-up survey, answered from its emailed, signed link without signing in
    # (outcomes.links): the link is the credential.
    path("survey/<str:token>/", outcome_views.survey, name="survey_answer"),
    # A participant's private calendar feed: calendar apps cannot sign in, so the token in
    # the address is the credential (programmes.calendar_views).
    path("calendar/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    # Certificates' Open Badges credentials, signing keys and revocation lists: public,
    # for machines (certificates/badge_urls.py). Each ends in an extension, so none collides
    # with the verification pages at /verify/ and /verify/<code>/.
    path("verify/", include("certificates.badge_urls")),
    # Public certificate verification: anyone may check a certificate (certificates/urls.py).
    path("verify/", include("certificates.urls")),
    # Trust reporting: aggregates of a trust's programmes, small numbers suppressed (reports/).
    path("reports/", include("reports.urls")),
    # The REST API: its OpenAPI schema and docs, and /api/v1/ (api/urls.py).
    path("api/", include("api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Images only: documents are always served through Wagtail's permission-checking view.
    urlpatterns += static(
        f"{settings.MEDIA_URL}images/", document_root=settings.MEDIA_ROOT / "images"
    )
    urlpatterns += static(
        f"{settings.MEDIA_URL}original_images/",
        document_root=settings.MEDIA_ROOT / "original_images",
    )

# Wagtail serves every other path from the page tree; keep it last. Its page view is wrapped
# so that the request's Site comes from the cache (cms.sites); its other views are its own.
urlpatterns += [
    *(p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, cms_sites.serve, name="wagtail_serve"),
]
