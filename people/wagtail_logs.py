"""Wagtail's history of changes, scoped by row like everything else.

Wagtail shows its log entries (the site history report, its CSV/XLSX export, each object's
history) to anyone holding *any* permission on the model, whatever the row: a trust's
administrator saw the titles and editors of another trust's role history there. For every
model with a visibility rule in people.permissions, a non-superuser now sees only the entries
of rows that rule lets them see. Installed at start-up (people.apps).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast


def scope_model_log_entries() -> None:
    from wagtail.models.audit_log import ModelLogEntryManager

    if getattr(ModelLogEntryManager.viewable_by_user, "_tandem_scoped", False):
        return
    unscoped = ModelLogEntryManager.viewable_by_user

    def viewable_by_user(self, user):
        from . import permissions

        queryset = unscoped(self, user)
        if user.is_superuser:
            return queryset
        for model in permissions.scoped_models():
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            ids = (
                permissions.visible(user, model)
                .annotate(_log_object_id=Cast("pk", CharField()))
                .values("_log_object_id")
            )
            queryset = queryset.exclude(Q(content_type=content_type) & ~Q(object_id__in=ids))
        return queryset

    viewable_by_user._tandem_scoped = True
    ModelLogEntryManager.viewable_by_user = viewable_by_user
