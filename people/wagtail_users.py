"""Wagtail's own Users admin, for superusers only.

Wagtail lists and edits every account there for anyone holding the people.*_user model
permissions, and its forms can grant superuser status, groups and passwords. Programme
administrators hold those permissions for Tandem's trust-scoped People admin
(people.wagtail_hooks), so Wagtail's unscoped screens are closed to everyone but superusers.
"""

from django.core.exceptions import PermissionDenied
from wagtail.users.views import users as wagtail_users


class SuperusersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IndexView(SuperusersOnly, wagtail_users.IndexView):
    pass


class CreateView(SuperusersOnly, wagtail_users.CreateView):
    pass


class EditView(SuperusersOnly, wagtail_users.EditView):
    pass


class DeleteView(SuperusersOnly, wagtail_users.DeleteView):
    pass


class HistoryView(SuperusersOnly, wagtail_users.HistoryView):
    pass


class TandemUserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
