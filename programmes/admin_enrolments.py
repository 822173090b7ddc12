"""A cohort's enrolments in the Wagtail admin: the list (filtered, with the places left and the
waiting list's order), its CSV and XLSX export, each enrolment's history, and the actions an
administrator takes — approve, promote from the waiting list, withdraw with a reason.

Each action is a POST that calls the enrolment service (programmes.services), which checks
the state machine and the seats under the cohort's row lock; a refusal (an EnrolmentError)
is shown on the page in its own words. A cohort or enrolment the user may not change is a
404, by GET or POST, before anything else happens (people.permissions.changeable).
"""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

import audit
from people.admin_views import record_event
from people.models import ProfessionalGroup, Trust
from people.permissions import changeable

from . import services
from .admin_views import administered_cohorts
from .models import TRANSITIONS, Cohort, Enrolment, EnrolmentAction, EnrolmentStatus

PAGE_SIZE = 50


def _refuse(request, model, pk, view: str):
    """404, audited when the record exists (someone probing another trust's cohorts)."""
    existing = model.objects.filter(pk=pk).first()
    if existing is not None:
        record_event(request, "refused", target=existing, detail={"view": view})
    raise Http404


def cohort_or_404(request, cohort_id, *, view: str) -> Cohort:
    cohort = (
        administered_cohorts(request.user)
        .select_related("programme", "host_trust")
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        _refuse(request, Cohort, cohort_id, view)
    return cohort


def enrolment_or_404(request, enrolment_id, *, view: str) -> Enrolment:
    enrolment = (
        changeable(request.user, Enrolment)
        .select_related("person", "trust", "cohort__programme", "cohort__host_trust")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        _refuse(request, Enrolment, enrolment_id, view)
    return enrolment


def waitlist_positions(cohort: Cohort) -> dict[int, int]:
    """Each waitlisted enrolment's place in the cohort's queue (1 = next): one query."""
    queue = Enrolment.objects.filter(cohort=cohort).waitlist().values_list("pk", flat=True)
    return {pk: place for place, pk in enumerate(queue, start=1)}


def _enrolments_url(cohort_id: int) -> str:
    return reverse("cohorts:enrolments", args=[cohort_id])


class EnrolmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *EnrolmentStatus.choices], required=False
    )
    professional_group = forms.ChoiceField(
        label="Professional group",
        choices=[("", "Any group"), *ProfessionalGroup.choices],
        required=False,
    )
    trust = forms.ModelChoiceField(
        queryset=Trust.objects.none(), required=False, empty_label="Any trust"
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        # The trusts of the people in this cohort (people of other trusts may enrol).
        self.fields["trust"].queryset = (
            Trust.objects.filter(enrolments__cohort=cohort).distinct().order_by("name")
        )

    def apply(self, queryset):
        """Filter by what is valid; an invalid value (a hand-edited address) is shown as an
        error on the form and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if status := data.get("status"):
            queryset = queryset.filter(status=status)
        if group := data.get("professional_group"):
            queryset = queryset.filter(professional_group=group)
        if trust := data.get("trust"):
            queryset = queryset.filter(trust=trust)
        return queryset


class CohortEnrolmentsView(SpreadsheetExportMixin, WagtailAdminTemplateMixin, TemplateView):
    """/admin/cohorts/<cohort id>/enrolments/: ?export=csv|xlsx downloads what the filters
    show (all pages), formula-safe (Wagtail's export mixin, defused by audit at start-up)."""

    template_name = "programmes/admin/cohort_enrolments.html"
    page_title = "Enrolments"
    header_icon = "group"
    show_export_buttons = False  # the page shows its download links itself
    list_export = [
        "name",
        "email",
        "trust",
        "professional_group",
        "status",
        "waitlist_position",
        "applied_at",
        "status_changed_at",
        "goals",
    ]
    export_headings = {
        "name": "Name",
        "email": "Email",
        "trust": "Trust",
        "professional_group": "Professional group",
        "status": "Status",
        "waitlist_position": "Waiting list position",
        "applied_at": "Applied at",
        "status_changed_at": "Status changed at",
        "goals": "Goals",
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = cohort_or_404(request, kwargs["cohort_id"], view="cohort enrolments")

    def get_page_subtitle(self):
        return str(self.cohort)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": "Cohorts"},
            {"url": reverse("cohorts:edit", args=[self.cohort.pk]), "label": str(self.cohort)},
            {"url": "", "label": "Enrolments", "sublabel": str(self.cohort)},
        ]

    def get_filename(self):
        return f"enrolments-{self.cohort.pk}-{slugify(self.cohort.name)[:50]}"

    def get_queryset(self):
        queryset = (
            Enrolment.objects.filter(cohort=self.cohort)
            .select_related("person", "trust")
            .order_by("created_at", "pk")
        )
        return self.filter_form.apply(queryset)

    def setup_listing(self):
        self.filter_form = EnrolmentFilterForm(self.request.GET or None, cohort=self.cohort)
        self.positions = waitlist_positions(self.cohort)

    def to_row_dict(self, item):
        person = item.person
        return OrderedDict(
            name=person.get_full_name() or str(person),
            email=person.email,
            trust=item.trust.name if item.trust else "",
            professional_group=item.get_professional_group_display(),
            status=item.get_status_display(),
            waitlist_position=self.positions.get(item.pk),
            applied_at=item.created_at,
            status_changed_at=item.status_changed_at,
            goals=item.goals,
        )

    def get(self, request, *args, **kwargs):
        self.setup_listing()
        if self.is_export:
            queryset = self.get_queryset()
            # People's data leaving the admin is audited before the file is built.
            audit.record(
                action=audit.Action.EXPORTED,
                actor=request.user,
                request=request,
                target=self.cohort,
                detail={
                    "export": "cohort enrolments",
                    "format": request.GET["export"],
                    "rows": queryset.count(),
                    "filters": {k: v for k, v in request.GET.items() if k != "export"},
                },
            )
            return self.as_spreadsheet(queryset, request.GET["export"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.get_queryset(), PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        withdrawable = TRANSITIONS[EnrolmentAction.WITHDRAW]
        context.update(
            cohort=self.cohort,
            seats=services.cohort_seats(self.cohort),
            waiting=len(self.positions),
            filter_form=self.filter_form,
            page=page,
            rows=[
                {
                    "enrolment": enrolment,
                    "position": self.positions.get(enrolment.pk),
                    "may_approve": enrolment.status == EnrolmentStatus.PENDING_APPROVAL,
                    "may_promote": enrolment.status == EnrolmentStatus.WAITLISTED,
                    "may_withdraw": enrolment.status in withdrawable,
                }
                for enrolment in page
            ],
            query=query.urlencode(),
            this_page=self.request.get_full_path(),
            csv_url=self.csv_export_url,
            xlsx_url=self.xlsx_export_url,
        )
        return context


# --- actions ---------------------------------------------------------------------------------


def _promotions_message(promoted) -> str:
    if not promoted:
        return ""
    names = ", ".join(str(enrolment.person) for enrolment in promoted)
    return f" The place went to {names}, from the waiting list."


class EnrolmentActionView(View):
    """POST only (a GET changes nothing and goes back to the list). The service decides; its
    refusal is the error message."""

    verb = ""  # for the audit of a refusal
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        enrolment = enrolment_or_404(request, kwargs["enrolment_id"], view=f"enrolment {self.verb}")
        back = get_valid_next_url_from_request(request) or _enrolments_url(enrolment.cohort_id)
        if request.method != "POST":
            return redirect(back)
        try:
            message = self.perform(enrolment)
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(back)

    def perform(self, enrolment) -> str:
        raise NotImplementedError


class EnrolmentApproveView(EnrolmentActionView):
    verb = "approve"

    def perform(self, enrolment) -> str:
        enrolment = services.enrolment_approve(enrolment=enrolment, by=self.request.user)
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            return (
                f"{enrolment.person} was approved. No place fits them now, so they are on "
                "the waiting list."
            )
        return f"{enrolment.person} was approved and has a place."


class EnrolmentPromoteView(EnrolmentActionView):
    verb = "promote"

    def perform(self, enrolment) -> str:
        enrolment = services.enrolment_promote(enrolment=enrolment, by=self.request.user)
        return f"{enrolment.person} was promoted from the waiting list and has a place."


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Why is this person being withdrawn?",
        help_text="Kept in the enrolment's history. Do not include health or other sensitive "
        "details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter the reason for withdrawing this person."},
    )


class EnrolmentWithdrawView(WagtailAdminTemplateMixin, FormView):
    form_class = WithdrawalForm
    template_name = "programmes/admin/enrolment_withdraw.html"
    page_title = "Withdraw"
    header_icon = "warning"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.enrolment = enrolment_or_404(request, kwargs["enrolment_id"], view="withdraw")
        self.back = get_valid_next_url_from_request(request) or _enrolments_url(
            self.enrolment.cohort_id
        )

    def get_page_subtitle(self):
        return str(self.enrolment.person)

    def get_breadcrumbs_items(self):
        cohort = self.enrolment.cohort
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": "Cohorts"},
            {"url": _enrolments_url(cohort.pk), "label": f"{cohort}: enrolments"},
            {"url": "", "label": "Withdraw", "sublabel": str(self.enrolment.person)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            enrolment=self.enrolment,
            may_withdraw=self.enrolment.status in TRANSITIONS[EnrolmentAction.WITHDRAW],
            back=self.back,
        )
        return context

    def form_valid(self, form):
        try:
            withdrawal = services.enrolment_withdraw(
                enrolment=self.enrolment, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except services.EnrolmentError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.enrolment.person} was withdrawn.{_promotions_message(withdrawal.promoted)}",
        )
        return redirect(self.back)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EnrolmentHistoryView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "programmes/admin/enrolment_history.html"
    page_title = "History"
    header_icon = "history"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.enrolment = enrolment_or_404(request, kwargs["enrolment_id"], view="history")

    def get_page_subtitle(self):
        return str(self.enrolment.person)

    def get_breadcrumbs_items(self):
        cohort = self.enrolment.cohort
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": "Cohorts"},
            {"url": _enrolments_url(cohort.pk), "label": f"{cohort}: enrolments"},
            {"url": "", "label": "History", "sublabel": str(self.enrolment.person)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            enrolment=self.enrolment,
            events=self.enrolment.events.select_related("by").order_by("at", "pk"),
            back=_enrolments_url(self.enrolment.cohort_id),
        )
        return context
