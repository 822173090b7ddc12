"""The admin's "Erase this person" action: a confirmation form that requires a reason."""

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

import audit

from .permissions import may_erase
from .services import person_erase


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Why is this person being erased?",
        help_text=(
            'For example: "Their request by email of 3 March 2026". This is kept in the '
            "audit log. Do not include health or other sensitive details."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter the reason for erasing this person."},
    )


class ErasePersonView(WagtailAdminTemplateMixin, FormView):
    form_class = ErasureForm
    template_name = "privacy/admin/erase_person.html"
    page_title = "Erase this person"
    header_icon = "warning"

    @cached_property
    def person(self):
        """The person, if the user may erase them; otherwise 404 (not 403, so the refusal
        does not confirm who exists), and the attempt is audited."""
        person = (
            get_user_model().objects.select_related("trust").filter(pk=self.kwargs["pk"]).first()
        )
        if person is None:
            raise Http404
        if not may_erase(self.request.user, person):
            audit.record(
                action=audit.Action.REFUSED,
                actor=self.request.user,
                request=self.request,
                target=person,
                detail={"view": "erase person"},
            )
            raise Http404
        return person

    def dispatch(self, request, *args, **kwargs):
        self.person  # noqa: B018  (refuse before anything else happens)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.person)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("people:index"), "label": "People"},
            {"url": reverse("people:edit", args=[self.person.pk]), "label": str(self.person)},
            {"url": "", "label": "Erase"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.person
        context["cancel_url"] = reverse("people:edit", args=[self.person.pk])
        return context

    def form_valid(self, form):
        first_time = person_erase(
            person=self.person,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            request=self.request,
        )
        if first_time:
            messages.success(self.request, "The person's personal data has been erased.")
        else:
            messages.success(self.request, "This person had already been erased; checked again.")
        return redirect("people:index")
