"""Certificates in the Wagtail admin (certificates.admin_views, admin_templates, admin_held):
the Certificates menu and the URLs under /admin/certificates/. The menu's items are shown by
role: **Cohorts** and **Templates** to programme administrators and superusers (who issue,
revoke and re-issue), **Find a certificate** to everyone who keeps others' certificates —
trust reporting leads too, who see only that item. The menu hides itself when it has none.
The ids in the URLs are named <cohort_id>, <batch_id>, <certificate_id> and <template_id>
(the refusal matrix points each at trust B's record; it names trust B's programme in the
filters of held/)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import admin_held, admin_templates, admin_views
from .admin_selectors import may_administer_certificates
from .permissions import may_keep_certificates

urlpatterns = [
    path("", admin_views.CertificatesIndexView.as_view(), name="index"),
    path("held/", admin_held.KeptCertificatesView.as_view(), name="held"),
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


class AdministratorsItem(MenuItem):
    def is_shown(self, request):
        return may_administer_certificates(request.user)


class KeepersItem(MenuItem):
    def is_shown(self, request):
        return may_keep_certificates(request.user)


@hooks.register("register_admin_urls")
def register_certificates_urls():
    return [path("certificates/", include((urlpatterns, "certificates_admin")))]


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    menu = Menu(
        items=[
            AdministratorsItem(
                "Cohorts",
                reverse("certificates_admin:index"),
                name="certificates-cohorts",
                icon_name="group",
                order=100,
            ),
            KeepersItem(
                "Find a certificate",
                reverse("certificates_admin:held"),
                name="certificates-held",
                icon_name="search",
                order=200,
            ),
            AdministratorsItem(
                "Templates",
                reverse("certificates_admin:templates"),
                name="certificates-templates",
                icon_name="doc-full-inverse",
                order=300,
            ),
        ]
    )
    return SubmenuMenuItem("Certificates", menu, icon_name="doc-full", order=218)
