"""/api/: the OpenAPI schema and its docs, and version 1 of the resources under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import pairs_views, people_views, registers, reports_views, views

app_name = "api"

# No root view listing the routes (the schema does that) and no format suffixes: JSON only.
router = SimpleRouter(trailing_slash=True)
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("sessions", registers.SessionViewSet, basename="session")
router.register("attendance", registers.AttendanceViewSet, basename="attendance")
router.register("enrolments", people_views.EnrolmentViewSet, basename="enrolment")
router.register("pairings", pairs_views.PairingViewSet, basename="pairing")
router.register("shadowing-visits", pairs_views.ShadowingVisitViewSet, basename="shadowing-visit")
router.register("certificates", pairs_views.CertificateViewSet, basename="certificate")
router.register(
    "role-appointments", people_views.RoleAppointmentViewSet, basename="role-appointment"
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(router.urls)),
    path(
        "v1/reports/trusts/<int:trust_id>/",
        reports_views.TrustReportView.as_view(),
        name="report_trust",
    ),
    path(
        "v1/reports/regions/<int:region_id>/",
        reports_views.ComparisonReportView.as_view(),
        name="report_region",
    ),
    path(
        "v1/reports/national/",
        reports_views.ComparisonReportView.as_view(),
        name="report_national",
    ),
    # Last: anything else under /api/ is a problem+json 404, not the site's HTML page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
