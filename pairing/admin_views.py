"""Pairing in the Wagtail admin, for a trust's programme administrators (superusers: every
trust): the cohorts and schemes they run, each one's pairs (hours, status, who has gone
quiet — never what the pairs wrote), pairing two people by hand, confirming the pairs who
applied together, ending a pair, do-not-pair rules, the matcher's suggestions to adjust and
confirm, and the schemes themselves.

A cohort or scheme the user does not run is a 404 by GET or POST, audited when it exists.
Every write is a pairing.services call; its refusal is shown in its own words.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.admin_views import record_event
from people.models import Trust, User
from people.permissions import administered_trust_ids, visible
from programmes.models import Cohort, CohortStatus
from programmes.services import facilitator_candidates

from . import services
from .models import INTEREST_LABELS, DoNotPair, Pairing, PairingScheme, PairingStatus
from .permissions import schemes_administered_by
from .selectors import pair_rows


def _refuse(request, model, pk, view: str):
    existing = model.objects.filter(pk=pk).first()
    if existing is not None:
        record_event(request, "refused", target=existing, detail={"view": view})
    raise Http404


def administered_cohorts(user):
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(host_trust_id__in=administered_trust_ids(user))


def group_or_404(request, kwargs, *, view: str):
    """The cohort or scheme the URL names, if the user runs it."""
    if "cohort_id" in kwargs:
        group = (
            administered_cohorts(request.user)
            .select_related("programme", "host_trust")
            .filter(pk=kwargs["cohort_id"])
            .first()
        )
        if group is None:
            _refuse(request, Cohort, kwargs["cohort_id"], view)
        return group
    group = (
        schemes_administered_by(request.user)
        .select_related("trust")
        .filter(pk=kwargs["scheme_id"])
        .first()
    )
    if group is None:
        _refuse(request, PairingScheme, kwargs["scheme_id"], view)
    return group


def group_url(group, name: str = "group") -> str:
    if isinstance(group, Cohort):
        return reverse(f"pairing_admin:cohort_{name}", args=[group.pk])
    return reverse(f"pairing_admin:scheme_{name}", args=[group.pk])


def group_label(group) -> str:
    if isinstance(group, Cohort):
        return f"{group.programme.title}, {group.name}"
    return group.name


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


class _Base(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pairing_admin:index"), "label": "Pairing"},
            *self.extra_breadcrumbs(),
        ]

    def extra_breadcrumbs(self):
        return []


class PairingIndexView(_Base):
    """/admin/pairing/: the cohorts and schemes the user runs, with their pairs counted."""

    template_name = "pairing/admin/index.html"
    page_title = "Pairing"

    def get_context_data(self, **kwargs):
        live = Q(pairings__status__in=(PairingStatus.PROPOSED, PairingStatus.ACTIVE))
        counts = {
            # distinct: a scheme's members are counted in the same query, and the two joins
            # would multiply each other.
            "active": Count(
                "pairings", filter=Q(pairings__status=PairingStatus.ACTIVE), distinct=True
            ),
            "proposed": Count(
                "pairings", filter=Q(pairings__status=PairingStatus.PROPOSED), distinct=True
            ),
            "live": Count("pairings", filter=live, distinct=True),
        }
        cohorts = (
            administered_cohorts(self.request.user)
            .exclude(status__in=[CohortStatus.DRAFT, CohortStatus.CANCELLED])
            .select_related("programme", "host_trust")
            .annotate(**counts)
            .order_by("-starts_on", "pk")
        )
        schemes = (
            schemes_administered_by(self.request.user)
            .select_related("trust")
            .annotate(**counts, members_count=Count("members", distinct=True))
        )
        return super().get_context_data(
            cohorts=cohorts,
            schemes=schemes,
            may_add_scheme=bool(self.request.user.is_superuser)
            or bool(administered_trust_ids(self.request.user)),
            **kwargs,
        )


class PairForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=None)
    manager = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(pk__in=members).order_by("last_name", "first_name")
        self.fields["clinician"].queryset = people.clinicians()
        self.fields["manager"].queryset = people.managers()


class DoNotPairForm(forms.Form):
    first = forms.ModelChoiceField(queryset=None, label="Keep apart")
    second = forms.ModelChoiceField(queryset=None, label="and")
    reason = forms.CharField(
        max_length=300, required=False, label="Why (only administrators see this)"
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(pk__in=members).order_by("last_name", "first_name")
        self.fields["first"].queryset = people
        self.fields["second"].queryset = people


class MemberForm(forms.Form):
    email = forms.EmailField(label="Add a member by email address")


class GroupPairsView(_Base):
    """A cohort's or scheme's pairs, and the administrator's actions on them."""

    template_name = "pairing/admin/group.html"
    page_title = "Pairs"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.group = group_or_404(request, kwargs, view="pairs")

    def get_page_subtitle(self):
        return group_label(self.group)

    def extra_breadcrumbs(self):
        return [{"url": "", "label": group_label(self.group)}]

    def pairings(self):
        return Pairing.objects.in_group(self.group)

    def get_context_data(self, **kwargs):
        members = services.group_member_ids(self.group)
        rows = pair_rows(self.pairings().order_by("status", "-proposed_at"))
        paired = {
            pk
            for row in rows
            if row.pairing.is_live
            for pk in (row.pairing.clinician_id, row.pairing.manager_id)
        }
        unpaired = User.objects.filter(pk__in=members - paired).order_by("last_name", "first_name")
        # Rules between two people taking part here: the ones the matcher and the checks use
        # (a rule with someone elsewhere names a person this page has no business showing).
        rules = DoNotPair.objects.filter(
            person_a_id__in=members, person_b_id__in=members
        ).select_related("person_a", "person_b")
        context = {
            "group": self.group,
            "is_scheme": isinstance(self.group, PairingScheme),
            "rows": rows,
            "unpaired": unpaired,
            "rules": rules,
            "pair_form": kwargs.pop("pair_form", None) or PairForm(members=members - paired),
            "rule_form": kwargs.pop("rule_form", None) or DoNotPairForm(members=members),
            "member_form": kwargs.pop("member_form", None) or MemberForm(),
            "suggest_url": group_url(self.group, "suggest"),
            "action_url": self.request.path,
        }
        context["all_forms"] = [context["pair_form"], context["rule_form"], context["member_form"]]
        context["has_errors"] = any(form.errors for form in context["all_forms"])
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        members = services.group_member_ids(self.group)
        try:
            if action == "pair":
                form = PairForm(request.POST, members=members)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(pair_form=form))
                services.pairing_create(
                    clinician=form.cleaned_data["clinician"],
                    manager=form.cleaned_data["manager"],
                    group=self.group,
                    by=request.user,
                )
                messages.success(request, "Paired. Both are emailed.")
            elif action in ("confirm", "end"):
                pairing_id = request.POST.get("pairing", "")
                pairing = (
                    self.pairings().filter(pk=int(pairing_id)).first()
                    if pairing_id.isdigit()
                    else None
                )
                if pairing is None:
                    raise Http404
                if action == "confirm":
                    services.pairing_confirm(pairing=pairing, by=request.user)
                    messages.success(
                        request, f"{pairing} are now an active pair. Both are emailed."
                    )
                else:
                    services.pairing_end(
                        pairing=pairing, by=request.user, reason=request.POST.get("reason", "")
                    )
                    messages.success(request, f"The pairing of {pairing} has ended.")
            elif action == "keep_apart":
                form = DoNotPairForm(request.POST, members=members)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(rule_form=form))
                services.do_not_pair_add(
                    first=form.cleaned_data["first"],
                    second=form.cleaned_data["second"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, "They will not be paired.")
            elif action == "add_member" and isinstance(self.group, PairingScheme):
                form = MemberForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(member_form=form))
                person = (
                    visible(request.user, User)
                    .filter(email__iexact=form.cleaned_data["email"], trust=self.group.trust)
                    .first()
                )
                if person is None:
                    form.add_error(
                        "email", "Nobody of this trust has that email address on Tandem."
                    )
                    return self.render_to_response(self.get_context_data(member_form=form))
                services.scheme_join(scheme=self.group, person=person, by=request.user)
                messages.success(request, f"{person} is in the scheme.")
            else:
                messages.error(request, "Choose an action.")
        except ValidationError as error:
            messages.error(request, _refusal(error))
        return redirect(request.path)


class SuggestView(_Base):
    """The matcher's suggested pairs for a cohort or scheme. The administrator can change the
    manager of any suggestion, or leave a clinician out, then confirm: every chosen pair is
    made (and both people emailed) or none is."""

    template_name = "pairing/admin/suggest.html"
    page_title = "Suggested pairs"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.group = group_or_404(request, kwargs, view="suggested pairs")

    def get_page_subtitle(self):
        return group_label(self.group)

    def extra_breadcrumbs(self):
        return [
            {"url": group_url(self.group), "label": group_label(self.group)},
            {"url": "", "label": "Suggested pairs"},
        ]

    def get_context_data(self, **kwargs):
        found = services.suggestions_for(self.group)
        people = found.people
        suggestion = found.suggestion
        managers = sorted(
            {p.manager_id for p in suggestion.pairs}
            | {u.person_id for u in suggestion.unmatched if u.side == "manager"},
            key=lambda pk: (people[pk].last_name, people[pk].first_name, pk),
        )
        chosen = kwargs.pop("chosen", None)
        rows = [
            {
                "pair": pair,
                "clinician": people[pair.clinician_id],
                "manager": people[pair.manager_id],
                "choice": (chosen or {}).get(pair.clinician_id, pair.manager_id),
                "shared": [INTEREST_LABELS.get(i, i) for i in pair.shared_interests],
            }
            for pair in suggestion.pairs
        ]
        return super().get_context_data(
            group=self.group,
            rows=rows,
            manager_choices=[people[pk] for pk in managers],
            kept=[(people[c], people[m]) for c, m in suggestion.kept],
            unmatched=[(people[u.person_id], u) for u in suggestion.unmatched],
            back_url=group_url(self.group),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        chosen: dict[int, int | None] = {}
        for key, value in request.POST.items():
            if key.startswith("manager-"):
                try:
                    chosen[int(key.removeprefix("manager-"))] = int(value) if value else None
                except ValueError:
                    messages.error(request, "Choose a manager from the list for each clinician.")
                    return redirect(request.path)
        wanted = [(c, m) for c, m in chosen.items() if m is not None]
        members = services.group_member_ids(self.group)
        people = User.objects.in_bulk([pk for pair in wanted for pk in pair if pk in members])
        try:
            pairs = [(people[c], people[m]) for c, m in wanted]
        except KeyError:
            messages.error(request, "Someone chosen is not taking part here: reload the page.")
            return redirect(request.path)
        if not pairs:
            messages.error(request, "No pairs were chosen.")
            return redirect(request.path)
        try:
            made = services.pairings_create_many(group=self.group, pairs=pairs, by=request.user)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(refusal=_refusal(error), chosen=chosen)
            )
        messages.success(
            request,
            f"{len(made)} pair{'s' if len(made) != 1 else ''} made. Everyone paired is emailed.",
        )
        return redirect(group_url(self.group))


class SchemeForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    starts_on = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    ends_on = forms.DateField(
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), required=False
    )
    is_open = forms.BooleanField(label="Open to join", required=False, initial=True)
    target_shadowing_hours = forms.DecimalField(
        label="Shadowing hours target", min_value=0, max_value=500, decimal_places=1, initial=12
    )
    quiet_after_weeks = forms.IntegerField(
        label="Gone quiet after (weeks)", min_value=1, max_value=52, initial=4
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, by, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = facilitator_candidates(by).order_by(
            "last_name", "first_name"
        )
        trusts = (
            Trust.objects.all()
            if by.is_superuser
            else Trust.objects.filter(pk__in=administered_trust_ids(by))
        )
        if not editing and (by.is_superuser or trusts.count() > 1):
            self.fields["trust"] = forms.ModelChoiceField(queryset=trusts.order_by("name"))


class SchemeFormView(_Base):
    """Add or change a trust-wide pairing scheme."""

    template_name = "pairing/admin/scheme_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scheme = None
        if "scheme_id" in kwargs:
            self.scheme = group_or_404(request, kwargs, view="scheme edit")
        elif not (request.user.is_superuser or administered_trust_ids(request.user)):
            raise Http404

    def get_page_title(self):
        return f"Change {self.scheme.name}" if self.scheme else "Add a pairing scheme"

    def form(self, data=None):
        initial = None
        if self.scheme:
            initial = {name: getattr(self.scheme, name) for name in services.SCHEME_FIELDS}
            initial["facilitators"] = list(
                User.objects.filter(scheme_facilitations__scheme=self.scheme)
            )
        return SchemeForm(
            data, by=self.request.user, editing=self.scheme is not None, initial=initial
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(scheme=self.scheme, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            facilitators = data.pop("facilitators")
            trust = data.pop("trust", None)
            if trust is None and self.scheme is None:
                trust = Trust.objects.get(pk=min(administered_trust_ids(request.user)))
            try:
                scheme = services.scheme_save(
                    by=request.user,
                    scheme=self.scheme,
                    trust=trust,
                    facilitators=facilitators,
                    **data,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, f"{scheme.name} is saved.")
                return redirect(group_url(scheme))
        return self.render_to_response(self.get_context_data(form=form))
