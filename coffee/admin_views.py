"""Tandem coffee in the Wagtail admin (/admin/coffee/), for a trust's programme
administrators (their own trusts) and superusers (every trust): the scheme's settings, the
shared spaces (add, change, deactivate) and the rounds with their counts.

Every trust and space is fetched through people.permissions (``assignable_trusts``,
``changeable``): another trust's id is a 404, audited, by GET or POST, before anything else
happens. Writes go through coffee.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.admin_views import record_event
from people.models import Trust
from people.permissions import assignable_trusts, changeable

from . import selectors, services
from .models import CoffeeScheme, Frequency, SharedSpace
from .permissions import may_run_coffee


def _refuse(request, model, pk, view: str):
    """404, audited when the record exists (someone probing another trust's settings)."""
    try:
        existing = model.objects.filter(pk=pk).first()
    except (ValueError, TypeError):
        existing = None
    if existing is not None:
        record_event(request, "refused", target=existing, detail={"view": view})
    raise Http404


def _require(request) -> None:
    if not may_run_coffee(request.user):
        raise PermissionDenied


def trust_or_404(request, trust_id, *, view: str) -> Trust:
    _require(request)
    trust = assignable_trusts(request.user, CoffeeScheme).filter(pk=trust_id).first()
    if trust is None:
        _refuse(request, Trust, trust_id, view)
    return trust


def space_or_404(request, space_id, *, view: str) -> SharedSpace:
    _require(request)
    space = (
        changeable(request.user, SharedSpace).select_related("trust").filter(pk=space_id).first()
    )
    if space is None:
        _refuse(request, SharedSpace, space_id, view)
    return space


def trust_url(trust_id: int) -> str:
    return reverse("coffee_admin:trust", args=[trust_id])


class SchemeForm(forms.Form):
    active = forms.BooleanField(
        label="Run Tandem coffee rounds",
        required=False,
        help_text="Rounds run only while this is on. Past rounds are kept either way.",
    )
    frequency = forms.ChoiceField(
        label="How often rounds run",
        choices=Frequency.choices,
        help_text=CoffeeScheme._meta.get_field("frequency").help_text,
    )
    repeat_window_rounds = forms.IntegerField(
        label="Rounds before a repeat",
        min_value=0,
        max_value=24,
        help_text=CoffeeScheme._meta.get_field("repeat_window_rounds").help_text,
    )


class SpaceForm(forms.ModelForm):
    class Meta:
        model = SharedSpace
        fields = ["name", "where"]


class CoffeeIndexView(WagtailAdminTemplateMixin, TemplateView):
    """/admin/coffee/: the trusts one runs Tandem coffee for (one's own; all for superusers)."""

    template_name = "coffee/admin/index.html"
    page_title = "Tandem coffee"
    header_icon = "comment"

    def dispatch(self, request, *args, **kwargs):
        _require(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        trusts = list(assignable_trusts(self.request.user, CoffeeScheme).order_by("name"))
        schemes = {
            s.trust_id: s for s in CoffeeScheme.objects.filter(trust_id__in=[t.pk for t in trusts])
        }
        meetups = selectors.meetups_by_trust(trust_ids=[t.pk for t in trusts])
        return {
            **super().get_context_data(**kwargs),
            "rows": [(t, schemes.get(t.pk), meetups.get(t.pk)) for t in trusts],
        }


class TrustCoffeeView(WagtailAdminTemplateMixin, FormView):
    """/admin/coffee/trusts/<trust_id>/: the scheme's settings (a form), the shared spaces
    and the rounds. Queries: the grants, the trust, the scheme, the spaces, the rounds (with
    their "we met" counts annotated), whatever the number of rounds."""

    template_name = "coffee/admin/trust.html"
    form_class = SchemeForm
    header_icon = "comment"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.trust = trust_or_404(request, kwargs["trust_id"], view="coffee settings")
        self.scheme = CoffeeScheme.objects.filter(trust=self.trust).first()

    def get_page_title(self):
        return f"Tandem coffee: {self.trust.name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("coffee_admin:index"), "label": "Tandem coffee"},
            {"url": "", "label": self.trust.name},
        ]

    def get_initial(self):
        if self.scheme is None:
            return {"active": False, "frequency": Frequency.MONTHLY, "repeat_window_rounds": 3}
        return {
            "active": self.scheme.active,
            "frequency": self.scheme.frequency,
            "repeat_window_rounds": self.scheme.repeat_window_rounds,
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "trust": self.trust,
            "scheme": self.scheme,
            "spaces": SharedSpace.objects.filter(trust=self.trust).order_by("-active", "name"),
            "rounds": selectors.rounds_with_counts(self.trust.pk),
            "add_space_url": reverse("coffee_admin:space_add", args=[self.trust.pk]),
        }

    def form_valid(self, form):
        try:
            services.coffee_scheme_save(trust=self.trust, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, "The Tandem coffee settings were saved.")
        return redirect(trust_url(self.trust.pk))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _SpaceFormView(WagtailAdminTemplateMixin, FormView):
    form_class = SpaceForm
    template_name = "coffee/admin/space_form.html"
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("coffee_admin:index"), "label": "Tandem coffee"},
            {"url": trust_url(self.trust.pk), "label": self.trust.name},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": trust_url(self.trust.pk)}

    def form_valid(self, form):
        space = form.save(commit=False)
        space.trust = self.trust
        try:
            services.shared_space_save(space=space)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, f"“{space.name}” was saved.")
        return redirect(trust_url(self.trust.pk))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SpaceCreateView(_SpaceFormView):
    page_title = "Add a shared space"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.trust = trust_or_404(request, kwargs["trust_id"], view="add shared space")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": SharedSpace(trust=self.trust)}


class SpaceEditView(_SpaceFormView):
    page_title = "Change a shared space"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.space = space_or_404(request, kwargs["space_id"], view="edit shared space")
        self.trust = self.space.trust

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.space}


class SpaceActiveView(View):
    """POST: deactivate (or reactivate) a shared space. Deactivated spaces are not suggested
    to new matches; past matches keep naming them."""

    active = False
    http_method_names = ["post"]

    def post(self, request, space_id):
        space = space_or_404(request, space_id, view="shared space active")
        services.shared_space_set_active(space=space, active=self.active)
        state = "suggested again" if self.active else "no longer suggested"
        messages.success(request, f"“{space.name}” is {state}.")
        return redirect(trust_url(space.trust_id))
