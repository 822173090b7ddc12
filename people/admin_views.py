"""Wagtail admin views for people and trusts, scoped through people.permissions."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.permission_policies.base import BasePermissionPolicy

from . import boards, events, services
from .access import sees_others
from .models import AccessGrant, BoardSnapshot, RoleAppointment, RoleSource, User
from .permissions import (
    assignable_trusts,
    changeable,
    may_change,
    people_admin_actions,
    people_visible_to,
    scope_queryset,
)


def _subject_of(obj):
    """Whose personal data `obj` is: the person, for people and their role history; None for
    records that hold no one's personal data (trusts, boards), which are not audited."""
    if isinstance(obj, User):
        return obj
    if isinstance(obj, RoleAppointment | AccessGrant):
        return obj.person
    return None


# people imports no feature app, so what happens to personal data in these views is announced
# (people.events, which the audit app records), and other apps add buttons through a Wagtail
# hook: the privacy app's "Erase this person" (privacy/wagtail_hooks.py).
PERSON_HEADER_BUTTONS_HOOK = "person_admin_header_buttons"


def record_event(request, action: str, *, target=None, subject=None, detail=None) -> None:
    events.announce(
        action, actor=request.user, request=request, target=target, subject=subject, detail=detail
    )


def _audit(admin_view, action, obj, **detail):
    subject = _subject_of(obj)
    if subject is not None:
        record_event(admin_view.request, action, target=obj, subject=subject, detail=detail or None)


# Related rows each listing shows per line, fetched in the same query (no N+1).
LIST_SELECT_RELATED = {
    "user": ["trust"],
    "roleappointment": ["person", "trust"],
    "boardsnapshot": ["trust"],
    "trustemaildomain": ["trust"],
    "trust": ["region"],
    "accessgrant": ["person", "trust", "region", "granted_by"],
}


class PeoplePermissionPolicy(BasePermissionPolicy):
    """What Tandem's People admin lets each role do (people.permissions.people_admin_actions),
    and to whom (people.permissions.people_visible_to). Wagtail's own Users admin answers to
    a superusers-only policy instead (people.wagtail_users); this one is given to the People
    viewset's views and menu item explicitly."""

    def user_has_permission(self, user, action):
        return action in people_admin_actions(user)

    def user_has_any_permission(self, user, actions):
        return bool(set(actions) & people_admin_actions(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = set(actions) & people_admin_actions(user)
        if "view" in actions and people_visible_to(user).filter(pk=instance.pk).exists():
            return True
        # Changing needs the change rule (the trusts one administers, not all one may see),
        # and a privileged colleague is a superuser's to change (see _privileged_for).
        return (
            bool(actions & CHANGING_ACTIONS)
            and may_change(user, instance)
            and not _privileged_for(user, instance)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not set(actions) & people_admin_actions(user):
            return User.objects.none()
        return people_visible_to(user)

    def users_with_any_permission(self, actions):
        # Used by Wagtail for notifications and choosers; people are never notified through
        # this policy, so the safe answer is the superusers, who hold every action.
        return User.objects.filter(is_active=True, is_superuser=True)


PEOPLE_POLICY = PeoplePermissionPolicy(User)
CHANGING_ACTIONS = frozenset({"add", "change", "delete"})


def _value_or_none(item, accessor):
    current = item
    for bit in accessor.split("."):
        if current is None:
            return None
        current = getattr(current, bit)
        if callable(current):
            current = current()
    return current


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        queryset = scope_queryset(self.request.user, super().get_base_queryset())
        return queryset.select_related(*LIST_SELECT_RELATED.get(self.model._meta.model_name, []))

    def to_row_dict(self, item):
        # A dotted path through an empty relation (a person with no trust) is a blank cell,
        # not an error halfway through a download.
        return {field: _value_or_none(item, field) for field in self.list_export}

    def render_to_response(self, context, **response_kwargs):
        # Wagtail offers ?export=csv|xlsx on every listing: a spreadsheet of people's data
        # leaving the admin is audited before it is built.
        if self.is_export and self.model in (User, RoleAppointment):
            record_event(
                self.request,
                "exported",
                detail={
                    "export": str(self.model._meta.verbose_name_plural),
                    "format": self.request.GET.get("export"),
                    "rows": context["object_list"].count(),
                },
            )
        return super().render_to_response(context, **response_kwargs)


def _privileged_for(editor, obj) -> bool:
    """A trust's administrator may see colleagues who hold staff roles, but not change or
    delete them: changing an email address and resetting the password would take over the
    account. Superusers may."""
    return (
        isinstance(obj, User)
        and not editor.is_superuser
        and obj.pk != editor.pk
        and sees_others(obj)
    )


class ScopedObjectMixin:
    """Refuse (404) any object outside the requesting user's scope, whatever the view."""

    # Views that change the object also refuse privileged people to non-superusers.
    changes_object = False

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        user = self.request.user
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        if self.changes_object:
            # What one may see through any role is not what one may change (changeable).
            refused = not changeable(user, rows).exists() or _privileged_for(user, obj)
        else:
            refused = not scope_queryset(user, rows).exists()
        if refused:
            # Refusals are audited whatever the record, with whose data it was if anyone's.
            record_event(
                self.request,
                "refused",
                target=obj,
                subject=_subject_of(obj),
                detail={"view": type(self).__name__},
            )
            raise Http404
        return obj


class ScopedCreateView(generic.CreateView):
    def save_instance(self):
        # Called inside CreateView.form_valid's transaction: the record and its audit event
        # are saved together or not at all.
        instance = super().save_instance()
        _audit(self, "created", instance)
        return instance


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    changes_object = True

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _audit(self, "viewed", self.object, view="edit")
        return response

    def save_instance(self):
        # Inside EditView.form_valid's transaction, as above. Field names only: the audit
        # log never copies the personal data itself.
        instance = super().save_instance()
        _audit(self, "changed", instance, fields=sorted(self.form.changed_data))
        return instance


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    changes_object = True

    def delete_action(self):
        with transaction.atomic():
            _audit(self, "deleted", self.object)
            super().delete_action()


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _audit(self, "viewed", self.object, view="inspect")
        return response


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


class PersonHeaderButtonsMixin:
    """Adds other apps' actions on a person (e.g. privacy's "Erase this person") to the
    person's header menu, through the PERSON_HEADER_BUTTONS_HOOK hook."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for make_buttons in hooks.get_hooks(PERSON_HEADER_BUTTONS_HOOK):
            buttons.extend(make_buttons(self.request, self.object))
        return buttons


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ServiceFormMixin:
    """For views whose save goes through a people.services function: what the service refuses
    (a ValidationError) is shown on the form like the form's own errors, never a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _add_service_errors(form, error)
            # Wagtail sets this only when its own validation fails, and its form_invalid
            # reads it: without it a refusal by the service was a 500.
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class PersonCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        person = self.form.save(commit=False)
        services.person_save(person=person, by=self.request.user, request=self.request)
        self.form.save_m2m()
        return person


class PersonEditView(ServiceFormMixin, PersonHeaderButtonsMixin, ScopedEditView):
    def save_instance(self):
        person = self.form.save(commit=False)
        services.person_save(
            person=person,
            by=self.request.user,
            request=self.request,
            changed=self.form.changed_data,
        )
        self.form.save_m2m()
        return person


class PersonInspectView(PersonHeaderButtonsMixin, ScopedInspectView):
    pass


class RoleAppointmentCreateView(ServiceFormMixin, generic.CreateView):
    """An administrator records a role: the source is "administrator" and they are its
    recorder (not choices on the form), the trust and professional group come from the
    person (people.services.role_appointment_create)."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.role_appointment_create(
            person=data["person"],
            title=data["title"],
            category=data["category"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            source=RoleSource.ADMINISTRATOR,
            recorded_by=self.request.user,
            request=self.request,
        )


class BoardSnapshotCreateView(ServiceFormMixin, generic.CreateView):
    """A reporting lead or administrator adds a snapshot of their trust's board; what does
    not fit (a second snapshot on that date, numbers that do not add up) is shown on the
    form (people.boards.board_snapshot_save)."""

    def save_instance(self):
        return boards.board_snapshot_save(snapshot=self.form.instance, by=self.request.user)


class BoardSnapshotEditView(ServiceFormMixin, ScopedEditView):
    """Correcting a snapshot: another trust's is a 404 (ScopedObjectMixin, by the change
    rule), and the save goes through the same service."""

    def save_instance(self):
        return boards.board_snapshot_save(snapshot=self.form.instance, by=self.request.user)


class RoleAppointmentIndexView(ScopedIndexView):
    """Role history, narrowed to one person by ?person=<id> (a person's "Role history"
    button). Within what the user may see: another trust's person gives an empty list."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        person = self.request.GET.get("person", "")
        return queryset.filter(person_id=int(person)) if person.isdigit() else queryset


class RoleAppointmentEditView(ServiceFormMixin, ScopedEditView):
    """An administrator corrects a role, or ends it by giving its end date, through
    people.services.role_appointment_correct (which audits the fields that changed). Whose
    role it is is not a correction: the form leaves the person out (RoleAppointmentViewSet)."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.role_appointment_correct(
            appointment=self.object,
            by=self.request.user,
            request=self.request,
            **{name: data[name] for name in services.ROLE_CORRECTABLE_FIELDS if name in data},
        )


# --- access grants ---------------------------------------------------------------------------


class AccessGrantIndexView(ScopedIndexView):
    def get_edit_url(self, instance):
        # A grant is not edited: it is revoked and granted anew. Rows open its details.
        return reverse(self.inspect_url_name, args=[quote(instance.pk)])


class AccessGrantCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.access_grant_create(
            person=data["person"],
            role=data["role"],
            trust=data.get("trust"),
            region=data.get("region"),
            by=self.request.user,
            request=self.request,
            via="access roles admin",
        )


class AccessGrantEditView(ScopedObjectMixin, generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        obj = self.get_object()
        messages.info(request, "To change an access role, revoke it and grant it again.")
        return redirect(reverse(self.inspect_url_name, args=[quote(obj.pk)]))


class AccessGrantDeleteView(ScopedObjectMixin, generic.DeleteView):
    changes_object = True

    def delete_action(self):
        services.access_grant_revoke(
            grant=self.object, by=self.request.user, request=self.request, via="access roles admin"
        )


class ScopedChoicesForm(WagtailAdminModelForm):
    """Limits the trust, person and role choices to what the editing user may see and grant,
    so a trust's administrator cannot move someone into, record a role for, or grant access
    in another trust. The services check the same again on save."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self._meta.model is BoardSnapshot:
            # Blank only in snapshots from before the split was asked for: new entries and
            # corrections give all four (BoardSnapshot.clean derives the totals from them).
            for name in BoardSnapshot.SPLIT:
                self.fields[name].required = True
        if for_user is None:
            return
        if "trust" in self.fields:
            # The trusts one may put a row in, not every trust one may see (a reporting
            # lead's trusts, a region's): people.permissions.assignable_trusts.
            self.fields["trust"].queryset = assignable_trusts(for_user, self._meta.model)
            # A grant's trust is its scope, needed only by trust-scoped roles.
            if not for_user.is_superuser and self._meta.model is not AccessGrant:
                self.fields["trust"].required = True
        if "person" in self.fields:
            # Whose role history one may record, or whom one may grant a role: the people
            # one may change, not everyone one may see.
            self.fields["person"].queryset = changeable(for_user, User)
        if self._meta.model is AccessGrant and not for_user.is_superuser:
            # A trust's administrator grants only roles that have no trust or region.
            self.fields["role"].choices = [
                (value, label)
                for value, label in self.fields["role"].choices
                if value in services.GRANTABLE_BY_TRUST_ADMINISTRATORS
            ]
            for scope in ("trust", "region"):
                self.fields.pop(scope, None)
