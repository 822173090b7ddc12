from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views

admin_urlpatterns = [
    path("", views.AuditEventIndexView.as_view(), name="index"),
    path("results/", views.AuditEventIndexView.as_view(results_only=True), name="index_results"),
    path("export/", views.audit_log_export, name="export"),
]


@hooks.register("register_admin_urls")
def register_audit_log_urls():
    return [path("audit-log/", include((admin_urlpatterns, "audit_log")))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_audit_log_menu_item():
    return SuperuserMenuItem(
        "Audit log", reverse("audit_log:index"), icon_name="list-ul", order=900
    )


@hooks.register("record_personal_data_event")
def record_personal_data_event(
    *, request, action, actor=None, target=None, subject=None, detail=None
):
    """What people announces (people.events.announce) goes in the log. The actor is the one
    announced, or else the request's user."""
    import audit

    if actor is None and request is not None:
        actor = request.user
    audit.record(
        action=audit.Action(action),
        actor=actor,
        request=request,
        target=target,
        subject=subject,
        detail=detail,
    )
