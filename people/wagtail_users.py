"""Wagtail's own Users and Groups admin: superusers only, every view of it, bulk actions too.

Wagtail's screens for accounts can grant superuser status and roles, set passwords and change
email addresses, and list every account of every trust. An outside probe took over accounts
through views we had not wrapped (the copy view, the usage view, bulk actions). So the class
of hole is closed three ways, none of which depends on listing Wagtail's views one by one:

1. A permission policy registered for the user model (people.wagtail_hooks) answers "no" to
   everyone but active superusers, so every Wagtail view, bulk action, search area and menu
   item that asks Wagtail's policy registry about users refuses the rest. Tandem's scoped
   People admin has its own policy (people.admin_views.PeoplePermissionPolicy).
2. Every URL of the Users and Groups viewsets is wrapped by ``superusers_only`` (whatever view
   a future Wagtail adds), and the copy view is switched off.
3. Programme administrators and reporting leads hold none of Django's ``people.*_user``
   permissions any more (migration people 0004), so nothing that checks them lets them in.

What superusers change here is audited: roles, superuser status, activation, email and
password changes (people.services.privileges_announce), and every change to what a group
grants (its members all gain or lose it).
"""

import functools

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import URLPattern
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.users import forms as wagtail_user_forms
from wagtail.users.views import bulk_actions
from wagtail.users.views import groups as wagtail_groups
from wagtail.users.views import users as wagtail_users

from . import events, services
from .access import REGION_SCOPED_ROLES, TRUST_SCOPED_ROLES, AccessRole


def is_active_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


class SuperusersOnlyPolicy(BasePermissionPolicy):
    """Every action on the model is an active superuser's, and nobody else's."""

    def user_has_permission(self, user, action):
        return is_active_superuser(user)

    def user_has_any_permission(self, user, actions):
        return is_active_superuser(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return is_active_superuser(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return is_active_superuser(user)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return queryset if is_active_superuser(user) else queryset.none()

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)


def superusers_only(view):
    """Wrap a view so that only active superusers reach it; others get 403, audited."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_active_superuser(request.user):
            events.announce(
                "refused",
                actor=request.user,
                request=request,
                detail={"view": getattr(view, "__name__", "Wagtail users admin")},
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class SuperusersOnlyViewSetMixin:
    def get_urlpatterns(self):
        return [
            URLPattern(p.pattern, superusers_only(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in super().get_urlpatterns()
        ]


class AuditedCreateView(wagtail_users.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        services.privileges_announce(
            person=instance,
            before=None,
            by=self.request.user,
            request=self.request,
            via="Wagtail users admin",
        )
        return instance


class AuditedEditView(wagtail_users.EditView):
    def save_instance(self):
        # The form has already written the new values onto self.object: read the old ones
        # from the database, inside the view's transaction.
        before = services.privileges_of(get_user_model().objects.get(pk=self.object.pk))
        instance = super().save_instance()
        services.privileges_announce(
            person=instance,
            before=before,
            by=self.request.user,
            request=self.request,
            via="Wagtail users admin",
        )
        return instance


class AuditedDeleteView(wagtail_users.DeleteView):
    def delete_action(self):
        services.person_delete(person=self.object, by=self.request.user, request=self.request)


class WithoutAccessRoleGroups:
    """Wagtail's user forms offer every group. Access roles' groups follow the person's
    access grants (people.services), so they are granted under People and trusts → Access
    roles, with their trust or region, and left out here; memberships of them are kept when
    the form saves."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.exclude(name__in=AccessRole.values)
            self.fields["groups"].help_text = (
                "Access roles (administrator, editor, reviewer, leads) are granted under "
                "People and trusts → Access roles."
            )

    def _save_m2m(self):
        kept = (
            list(self.instance.groups.filter(name__in=AccessRole.values))
            if self.instance.pk
            else []
        )
        super()._save_m2m()
        self.instance.groups.add(*kept)


class UserCreationForm(WithoutAccessRoleGroups, wagtail_user_forms.UserCreationForm):
    pass


class UserEditForm(WithoutAccessRoleGroups, wagtail_user_forms.UserEditForm):
    pass


class TandemUserViewSet(SuperusersOnlyViewSetMixin, wagtail_users.UserViewSet):
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    delete_view_class = AuditedDeleteView
    # Wagtail's copy view saved the form onto the *original* account (the takeover the probe
    # found); copying accounts is never needed.
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm


# --- groups: a group's permissions are every member's, so changing them is audited --------


def group_permissions(group: Group) -> frozenset[str]:
    """Everything a group grants, as labels: model permissions ("people.change_user"), and
    page and collection permissions with the page or collection they apply to."""
    if group.pk is None:
        return frozenset()
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    labels = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    labels |= {
        f"{codename} on page {page_id}"
        for page_id, codename in GroupPagePermission.objects.filter(group=group).values_list(
            "page_id", "permission__codename"
        )
    }
    labels |= {
        f"{codename} on collection {collection_id}"
        for collection_id, codename in GroupCollectionPermission.objects.filter(
            group=group
        ).values_list("collection_id", "permission__codename")
    }
    return frozenset(labels)


class AuditedGroupFormMixin:
    """Wagtail saves a group's form and then its permission panels (process_form): both, and
    the record of what changed, in one transaction."""

    def process_form(self):
        with transaction.atomic():
            before = group_permissions(self.object)
            existed = self.object.pk is not None
            response = super().process_form()
            group = self.object
            if group.pk is None or not 300 <= response.status_code < 400:
                return response  # the form was refused: nothing changed
            after = group_permissions(group)
            if not existed or before != after:
                events.announce(
                    "access_changed",
                    actor=self.request.user,
                    request=self.request,
                    target=group,
                    detail={
                        "group": group.name,
                        "created": not existed,
                        "permissions_added": sorted(after - before),
                        "permissions_removed": sorted(before - after),
                        "members": group.user_set.count(),
                        "via": "Wagtail groups admin",
                    },
                )
        return response


class AuditedGroupCreateView(AuditedGroupFormMixin, wagtail_groups.CreateView):
    pass


class AuditedGroupEditView(AuditedGroupFormMixin, wagtail_groups.EditView):
    pass


class AuditedGroupDeleteView(wagtail_groups.DeleteView):
    def delete_action(self):
        with transaction.atomic():
            events.announce(
                "access_changed",
                actor=self.request.user,
                request=self.request,
                target=self.object,
                detail={
                    "group": self.object.name,
                    "deleted": True,
                    "permissions_removed": sorted(group_permissions(self.object)),
                    "members": self.object.user_set.count(),
                    "via": "Wagtail groups admin",
                },
            )
            super().delete_action()


class TandemGroupViewSet(SuperusersOnlyViewSetMixin, wagtail_groups.GroupViewSet):
    add_view_class = AuditedGroupCreateView
    edit_view_class = AuditedGroupEditView
    delete_view_class = AuditedGroupDeleteView
    copy_view_enabled = False


# --- bulk actions on users -----------------------------------------------------------------
# Registered after Wagtail's (people.wagtail_hooks, order=100), so these replace them under the
# same names. Each person is changed through people.services, so sessions end on
# deactivation (Wagtail's own action used a bulk UPDATE that skipped that) and it is audited.


class SuperusersOnlyBulkActionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not is_active_superuser(request.user):
            events.announce(
                "refused",
                actor=request.user,
                request=request,
                detail={"view": f"bulk {self.action_type} of users"},
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, obj):
        return is_active_superuser(self.request.user)

    def get_execution_context(self):
        return {**super().get_execution_context(), "by": self.request.user, "request": self.request}


class SetActiveStateBulkAction(
    SuperusersOnlyBulkActionMixin, bulk_actions.SetActiveStateBulkAction
):
    @classmethod
    def execute_action(cls, objects, mark_as_active=False, by=None, request=None, **kwargs):
        changed = 0
        for person in objects:
            if person.pk == by.pk:
                continue  # Wagtail lists one's own account as "cannot be changed"
            changed += services.person_set_active(
                person=person, active=mark_as_active, by=by, request=request, via="bulk action"
            )
        return changed, 0


class UnscopedRoleForm(forms.Form):
    """The roles a bulk action can give: those needing no trust or region. A programme
    administrator, reporting lead or regional lead is granted *for* a trust or region, which
    a bulk action has no way to ask (it was a 500), so those are granted one by one."""

    role = forms.ModelChoiceField(
        queryset=Group.objects.exclude(name__in=TRUST_SCOPED_ROLES | REGION_SCOPED_ROLES),
        help_text=(
            "Programme administrators, trust reporting leads and regional leads are granted "
            "for a trust or a region, under People and trusts → Access roles."
        ),
        error_messages={
            "invalid_choice": (
                "This role is granted for a trust or a region: grant it under People and "
                "trusts → Access roles."
            )
        },
    )


class AssignRoleBulkAction(SuperusersOnlyBulkActionMixin, bulk_actions.AssignRoleBulkAction):
    form_class = UnscopedRoleForm

    @classmethod
    def execute_action(cls, objects, role=None, by=None, request=None, **kwargs):
        if role is None:
            return 0, 0
        for person in objects:
            services.access_role_add(
                person=person, role=role, by=by, request=request, via="bulk action"
            )
        return len(objects), 0


class DeleteBulkAction(SuperusersOnlyBulkActionMixin, bulk_actions.DeleteBulkAction):
    @classmethod
    def execute_action(cls, objects, by=None, request=None, **kwargs):
        deleted = 0
        for person in objects:
            if person.pk == by.pk:
                continue
            services.person_delete(person=person, by=by, request=request)
            deleted += 1
        return deleted, 0


USER_BULK_ACTIONS = (SetActiveStateBulkAction, AssignRoleBulkAction, DeleteBulkAction)
