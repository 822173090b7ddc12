"""Wagtail admin views for people and trusts, scoped through people.permissions."""

from django.http import Http404
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage

from .permissions import people_visible_to, scope_queryset, trusts_visible_to


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope_queryset(self.request.user, super().get_base_queryset())


class ScopedObjectMixin:
    """Refuse (404) any object outside the requesting user's scope, whatever the view."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        visible = scope_queryset(self.request.user, type(obj)._default_manager.filter(pk=obj.pk))
        if not visible.exists():
            raise Http404
        return obj


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


class ScopedChoicesForm(WagtailAdminModelForm):
    """Limits the trust and person choices to what the editing user may see, so a trust's
    administrator cannot move someone into, or record a role for, another trust."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None:
            return
        if "trust" in self.fields:
            self.fields["trust"].queryset = trusts_visible_to(for_user)
            if not for_user.is_superuser:
                self.fields["trust"].required = True
        if "person" in self.fields:
            self.fields["person"].queryset = people_visible_to(for_user)
