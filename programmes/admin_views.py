"""The Wagtail admin for programmes and cohorts, for the host trust's programme administrators
and superusers (the enrolments of a cohort are in programmes.admin_enrolments).

Scoped as the People admin is (people.admin_views): every listing, form choice and object
lookup goes through people.permissions, and a cohort outside what the user may change is a
404, whatever the view. A programme administrator runs the cohorts their trust hosts; the
cohort admin shows nothing else, not even a cohort they are themselves enrolled in (that is
their "My learning"). Facilitators have no admin access (accounts.AdminAccessMiddleware):
they see their cohorts' participants on the site, when those pages come. Every write goes
through programmes.services.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy

from people.admin_views import ScopedObjectMixin, ServiceFormMixin
from people.models import Trust, User
from people.permissions import administered_trust_ids, assignable_trusts, changeable

from . import services
from .models import SEATED, Cohort, CohortStatus, EnrolmentStatus, Programme

CHANGING = frozenset({"add", "change"})
WAITLISTED = EnrolmentStatus.WAITLISTED


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def runs_cohorts(user) -> bool:
    """Superusers and programme administrators (of any trust) use the cohort admin."""
    return _active(user) and (user.is_superuser or bool(administered_trust_ids(user)))


def administered_cohorts(user):
    """The cohorts ``user`` runs in the admin: what they may change (people.permissions)."""
    return changeable(user, Cohort) if _active(user) else Cohort.objects.none()


# --- permission policies: by role and trust, not by Django model permissions -----------------


class CohortPermissionPolicy(BasePermissionPolicy):
    """Superusers, and a programme administrator for the cohorts their trust hosts, add,
    change and view cohorts. Nobody deletes one: a cohort is cancelled (its enrolments are
    history that reports count)."""

    def _actions(self, user) -> frozenset[str]:
        return CHANGING | {"view"} if runs_cohorts(user) else frozenset()

    def user_has_permission(self, user, action):
        return action in self._actions(user)

    def user_has_any_permission(self, user, actions):
        return bool(set(actions) & self._actions(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not set(actions) & self._actions(user):
            return False
        return user.is_superuser or administered_cohorts(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not set(actions) & self._actions(user):
            return Cohort.objects.none()
        return administered_cohorts(user)

    def users_with_any_permission(self, actions):
        return User.objects.filter(is_active=True, is_superuser=True)


class ProgrammePermissionPolicy(BasePermissionPolicy):
    """Programme records are superusers' to create and change; the programme administrators
    who run their cohorts may look at them."""

    def _actions(self, user) -> frozenset[str]:
        if not _active(user):
            return frozenset()
        if user.is_superuser:
            return CHANGING | {"view"}
        return frozenset({"view"}) if administered_trust_ids(user) else frozenset()

    def user_has_permission(self, user, action):
        return action in self._actions(user)

    def user_has_any_permission(self, user, actions):
        return bool(set(actions) & self._actions(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)

    def instances_user_has_any_permission_for(self, user, actions):
        return (
            Programme.objects.all()
            if self.user_has_any_permission(user, actions)
            else (Programme.objects.none())
        )

    def users_with_any_permission(self, actions):
        return User.objects.filter(is_active=True, is_superuser=True)


COHORT_POLICY = CohortPermissionPolicy(Cohort)
PROGRAMME_POLICY = ProgrammePermissionPolicy(Programme)


# --- programmes ----------------------------------------------------------------------------


class ProgrammeCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        programme = services.programme_save(
            programme=self.form.instance,
            by=self.request.user,
            required_modules=self.form.cleaned_data.get("required_modules"),
        )
        log(instance=programme, action="wagtail.create", user=self.request.user)
        return programme


class ProgrammeEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        programme = services.programme_save(
            programme=self.form.instance,
            by=self.request.user,
            required_modules=self.form.cleaned_data.get("required_modules"),
        )
        log(instance=programme, action="wagtail.edit", user=self.request.user)
        return programme


# --- cohorts: the listing --------------------------------------------------------------------


def _host_trust_choices(request):
    """The host trusts one may filter by: those one administers (all for superusers)."""
    if request is None:
        return Trust.objects.none()
    return assignable_trusts(request.user, Cohort).order_by("name")


class CohortFilterSet(WagtailFilterSet):
    programme = django_filters.ModelChoiceFilter(
        queryset=Programme.objects.all(), empty_label="All programmes"
    )
    status = django_filters.ChoiceFilter(choices=CohortStatus.choices, empty_label="Any status")
    host_trust = django_filters.ModelChoiceFilter(
        queryset=_host_trust_choices, label="Host trust", empty_label="All trusts"
    )

    class Meta:
        model = Cohort
        fields = ["programme", "status", "host_trust"]


class EnrolmentsLinkColumn(Column):
    cell_template_name = "programmes/admin/enrolments_link_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = reverse("cohorts:enrolments", args=[instance.pk])
        return context


class SessionsLinkColumn(Column):
    cell_template_name = "programmes/admin/sessions_link_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = reverse("cohorts:sessions", args=[instance.pk])
        return context


class PlacesColumn(Column):
    def get_value(self, instance):
        return f"{instance.seated} of {instance.capacity}"


class CohortIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Seated and waiting counts are annotated: one query for the page of rows, whatever
        # the number of cohorts or enrolments.
        return (
            administered_cohorts(self.request.user)
            .select_related("programme", "host_trust")
            .annotate(
                seated=Count("enrolments", filter=Q(enrolments__status__in=SEATED)),
                waiting=Count(
                    "enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)
                ),
            )
        )

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            Button(
                "Enrolments",
                url=reverse("cohorts:enrolments", args=[instance.pk]),
                icon_name="group",
                priority=5,
            )
        )
        return buttons


# --- cohorts: one cohort ---------------------------------------------------------------------


class CohortForm(WagtailAdminModelForm):
    """The host trust is limited to the trusts one administers and the facilitators to the
    people one may see who hold the facilitator role; the services check both again."""

    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see the cohort's participants. Only people who hold the facilitator "
        "role are listed (grant it under People and trusts → Access roles).",
    )

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["host_trust"].queryset = assignable_trusts(for_user, Cohort).order_by("name")
        current = (
            User.objects.filter(facilitator_links__cohort=self.instance)
            if self.instance.pk
            else User.objects.none()
        )
        # Who facilitates now stays listed (and ticked) even if the editor could not add
        # them, so saving the form does not drop them unseen.
        self.fields["facilitators"].queryset = (
            User.objects.filter(
                Q(pk__in=services.facilitator_candidates(for_user).values("pk"))
                | Q(pk__in=current.values("pk"))
            )
            .select_related("trust")
            .order_by("last_name", "first_name", "pk")
        )
        if self.instance.pk:
            self.initial["facilitators"] = list(current.values_list("pk", flat=True))

    def cohort_fields(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in services.COHORT_FIELDS
        }


def _report_promotions(request, promoted) -> None:
    if promoted:
        names = ", ".join(str(enrolment.person) for enrolment in promoted)
        count = len(promoted)
        messages.info(
            request,
            f"{count} {'person was' if count == 1 else 'people were'} promoted from the "
            f"waiting list, in order: {names}.",
        )


class CohortCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        cohort = services.cohort_create(
            by=self.request.user,
            facilitators=self.form.cleaned_data.get("facilitators") or [],
            **self.form.cohort_fields(),
        )
        log(instance=cohort, action="wagtail.create", user=self.request.user)
        return cohort


class CohortObjectMixin(ScopedObjectMixin):
    # What one runs is what one may change, for looking as for changing (see the module's
    # docstring): people.permissions.changeable, or 404.
    changes_object = True


class CohortEditView(ServiceFormMixin, CohortObjectMixin, generic.EditView):
    def save_instance(self):
        change = services.cohort_update(
            cohort=self.object,
            by=self.request.user,
            facilitators=self.form.cleaned_data.get("facilitators") or [],
            **self.form.cohort_fields(),
        )
        log(instance=change.cohort, action="wagtail.edit", user=self.request.user)
        _report_promotions(self.request, change.promoted)
        return change.cohort

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, _enrolments_button(self.object)]


def _enrolments_button(cohort) -> Button:
    return Button(
        "Enrolments",
        url=reverse("cohorts:enrolments", args=[quote(cohort.pk)]),
        icon_name="group",
        priority=5,
    )


class CohortInspectView(CohortObjectMixin, generic.InspectView):
    def get_field_label(self, field_name, field):
        if field_name == "places":
            return "Places"
        return super().get_field_label(field_name, field)

    def get_places_display_value(self):
        seats = services.cohort_seats(self.object)
        return (
            f"{seats.taken} of {self.object.capacity} taken; {seats.left_for_clinicians} left "
            f"for clinicians, {seats.left_for_managers} for managers"
        )

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, _enrolments_button(self.object)]


class CohortHistoryView(CohortObjectMixin, history.HistoryView):
    pass


class CohortUsageView(CohortObjectMixin, usage.UsageView):
    pass
