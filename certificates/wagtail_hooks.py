"""Certificates in the Wagtail admin (certificates.admin_views, certificates.admin_templates):
the menu item, shown to programme administrators and superusers, and the URLs under
/admin/certificates/. The ids in the URLs are named <cohort_id>, <batch_id>,
<certificate_id> and <template_id> (the refusal matrix points each at trust B's record)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_templates, admin_views
from .admin_selectors import may_administer_certificates

urlpatterns = [
    path("", admin_views.CertificatesIndexView.as_view(), name="index"),
    path("cohorts/<int:cohort_id>/", admin_views.CohortCertificatesView.as_view(), name="cohort"),
    path("cohorts/<int:cohort_id>/issue/", admin_views.IssueCohortView.as_view(), name="issue"),
    path("cohorts/<int:cohort_id>/zip/", admin_views.CohortZipView.as_view(), name="zip"),
    path("batches/<int:batch_id>/", admin_views.BatchView.as_view(), name="batch"),
    path(
        "batches/<int:batch_id>/progress/",
        admin_views.batch_progress_fragment,
        name="batch_progress",
    ),
    path(
        "certificates/<int:certificate_id>/retry/",
        admin_views.RetryView.as_view(),
        name="retry",
    ),
    path(
        "certificates/<int:certificate_id>/revoke/",
        admin_views.RevokeView.as_view(),
        name="revoke",
    ),
    path(
        "certificates/<int:certificate_id>/reissue/",
        admin_views.ReissueView.as_view(),
        name="reissue",
    ),
    path("templates/", admin_templates.TemplateListView.as_view(), name="templates"),
    path("templates/add/", admin_templates.TemplateFormView.as_view(), name="template_add"),
    path(
        "templates/<int:template_id>/edit/",
        admin_templates.TemplateFormView.as_view(),
        name="template_edit",
    ),
    path(
        "templates/<int:template_id>/preview/",
        admin_templates.template_preview,
        name="template_preview",
    ),
]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_administer_certificates(request.user)


@hooks.register("register_admin_urls")
def register_certificates_urls():
    return [path("certificates/", include((urlpatterns, "certificates_admin")))]


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        "Certificates", reverse("certificates_admin:index"), icon_name="doc-full", order=218
    )
