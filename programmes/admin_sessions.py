"""A cohort's sessions in the Wagtail admin — the timetable, scheduling, rescheduling and
cancelling — and an enrolment's completion: its rule results and the administrator's
override. Every write is a programmes.services call; a cohort, session or enrolment the user
may not change is a 404, by GET or POST, before anything else happens.

Times are entered as a date and two wall-clock times in Europe/London (what a person reads
off a room booking), made aware here, so a session at 09:30 is at 09:30 in summer and winter.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.permissions import changeable

from . import services
from .admin_enrolments import _refuse, cohort_or_404, enrolment_or_404
from .models import EnrolmentStatus, Session, SessionKind
from .services.completion import evaluate


def sessions_url(cohort_id: int) -> str:
    return reverse("cohorts:sessions", args=[cohort_id])


def session_or_404(request, session_id, *, view: str) -> Session:
    session = (
        changeable(request.user, Session)
        .select_related("cohort__programme", "cohort__host_trust")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        _refuse(request, Session, session_id, view)
    return session


def _module_choices(cohort):
    """The live modules of the cohort's programme page (the M2M's own model: programmes
    does not import cms)."""
    modules = Session._meta.get_field("modules").related_model.objects.live()
    page = cohort.programme.page
    return modules.child_of(page).order_by("path") if page else modules.none()


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SessionKind.choices)
    date = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    starts = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(
        max_length=300, required=False, help_text="Room, building and site, if in person."
    )
    online_url = forms.URLField(
        label="Online link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The video call, if online.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    facilitators = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see and take this session's register. Only people with the "
        "facilitator role are listed.",
    )
    modules = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="Reason for the change (optional)",
        required=False,
        max_length=500,
        help_text="If the date or times change, every participant is emailed; this goes in it.",
    )

    def __init__(self, *args, cohort, by, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["facilitators"].queryset = services.facilitator_candidates(by)
        self.fields["modules"].queryset = _module_choices(cohort)
        if not editing:
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        date, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if date and starts and ends:
            data["starts_at"] = self._aware(date, starts, "starts")
            data["ends_at"] = self._aware(date, ends, "ends")
            if "starts" in self.errors or "ends" in self.errors:
                return data
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", "The session must end after it starts.")
            elif not (self.cohort.starts_on <= date <= self.cohort.ends_on):
                self.add_error(
                    "date",
                    f"Choose a date within the cohort: {self.cohort.starts_on:%-d %B %Y} to "
                    f"{self.cohort.ends_on:%-d %B %Y}.",
                )
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", "Give the place it meets, the online link, or both.")
        return data

    def _aware(self, date, time, field: str):
        """The UK time ``date`` ``time``. A time the clocks skip (01:00 to 01:59 on the last
        Sunday of March) does not exist: refused rather than silently moved an hour on."""
        local = timezone.make_aware(datetime.datetime.combine(date, time))
        # Through UTC and back: astimezone to the same zone would hand back the same clock.
        round_trip = timezone.localtime(local.astimezone(datetime.UTC))
        if round_trip.time().replace(second=0, microsecond=0) != time.replace(
            second=0, microsecond=0
        ):
            self.add_error(
                field,
                f"{time:%H:%M} does not exist in the UK on {date:%-d %B %Y}: the clocks go "
                "forward an hour at 01:00. Choose another time.",
            )
        return local

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"],
            "online_url": data["online_url"],
            "description": data["description"],
        }

    @staticmethod
    def initial_for(session: Session) -> dict:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "kind": session.kind,
            "date": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "place": session.place,
            "online_url": session.online_url,
            "description": session.description,
            "facilitators": list(session.facilitators.all()),
            "modules": list(session.modules.all()),
        }


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class CohortSessionsView(WagtailAdminTemplateMixin, TemplateView):
    """/admin/cohorts/<cohort id>/sessions/: the timetable, with links to each register."""

    template_name = "programmes/admin/cohort_sessions.html"
    page_title = "Sessions"
    header_icon = "date"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = cohort_or_404(request, kwargs["cohort_id"], view="cohort sessions")

    def get_page_subtitle(self):
        return str(self.cohort)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": "Cohorts"},
            {"url": reverse("cohorts:edit", args=[self.cohort.pk]), "label": str(self.cohort)},
            {"url": "", "label": "Sessions", "sublabel": str(self.cohort)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            cohort=self.cohort,
            sessions=self.cohort.sessions.prefetch_related("facilitators").order_by(
                "starts_at", "pk"
            ),
            now=timezone.now(),
            add_url=reverse("cohorts:session_add", args=[self.cohort.pk]),
        )
        return context


class _SessionFormView(WagtailAdminTemplateMixin, FormView):
    form_class = SessionForm
    template_name = "programmes/admin/session_form.html"
    header_icon = "date"
    editing = False

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "cohort": self.cohort,
            "by": self.request.user,
            "editing": self.editing,
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": "Cohorts"},
            {"url": sessions_url(self.cohort.pk), "label": f"{self.cohort}: sessions"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": sessions_url(self.cohort.pk)}

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SessionCreateView(_SessionFormView):
    page_title = "Add a session"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = cohort_or_404(request, kwargs["cohort_id"], view="add session")

    def form_valid(self, form):
        try:
            session = services.session_create(
                cohort=self.cohort,
                by=self.request.user,
                facilitators=form.cleaned_data["facilitators"],
                modules=form.cleaned_data["modules"],
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"“{session.title}” was added.")
        return redirect(sessions_url(self.cohort.pk))


class SessionEditView(_SessionFormView):
    page_title = "Change a session"
    editing = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = session_or_404(request, kwargs["session_id"], view="edit session")
        self.cohort = self.session.cohort

    def get_initial(self):
        return SessionForm.initial_for(self.session)

    def get_page_subtitle(self):
        return self.session.title

    def form_valid(self, form):
        before = (self.session.starts_at, self.session.ends_at)
        # Facilitators the form could not list (another trust's, added by a superuser) had no
        # box to untick: they stay.
        listed = form.fields["facilitators"].queryset
        unlisted = self.session.facilitators.exclude(pk__in=listed.values("pk"))
        try:
            session = services.session_update(
                session=self.session,
                by=self.request.user,
                facilitators=[*form.cleaned_data["facilitators"], *unlisted],
                modules=form.cleaned_data["modules"],
                reason=form.cleaned_data.get("reason", ""),
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        moved = (session.starts_at, session.ends_at) != before
        messages.success(
            self.request,
            f"“{session.title}” was changed."
            + (" Its participants are being emailed the new time." if moved else ""),
        )
        return redirect(sessions_url(self.cohort.pk))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        help_text="Every participant is emailed; this goes in the email.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter the reason, so participants know why."},
    )


class SessionCancelView(WagtailAdminTemplateMixin, FormView):
    form_class = CancelForm
    template_name = "programmes/admin/session_cancel.html"
    page_title = "Cancel a session"
    header_icon = "warning"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = session_or_404(request, kwargs["session_id"], view="cancel session")

    def get_page_subtitle(self):
        return self.session.title

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "session": self.session,
            "back": sessions_url(self.session.cohort_id),
        }

    def form_valid(self, form):
        services.session_cancel(
            session=self.session, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            self.request, f"“{self.session.title}” was cancelled; its participants are told."
        )
        return redirect(sessions_url(self.session.cohort_id))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- completion ------------------------------------------------------------------------------


class OverrideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("completed", "Completed"), ("not_completed", "Did not complete")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why are you deciding this?",
        help_text="Kept with the enrolment's history and its rule results.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Enter the reason for deciding against the rules."},
    )

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        if status == EnrolmentStatus.NOT_COMPLETED:
            self.fields["outcome"].choices = [("completed", "Completed")]


class EnrolmentCompletionView(WagtailAdminTemplateMixin, FormView):
    """/admin/cohorts/enrolments/<id>/completion/: the completion rules as they stand for this
    person, and the override."""

    form_class = OverrideForm
    template_name = "programmes/admin/enrolment_completion.html"
    page_title = "Completion"
    header_icon = "tick"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.enrolment = enrolment_or_404(request, kwargs["enrolment_id"], view="completion")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "status": self.enrolment.status}

    def get_page_subtitle(self):
        return str(self.enrolment.person)

    def get_context_data(self, **kwargs):
        [evaluation] = evaluate(self.enrolment.cohort, [self.enrolment])
        result = getattr(self.enrolment, "completion_result", None)
        return {
            **super().get_context_data(**kwargs),
            "enrolment": self.enrolment,
            "evaluation": evaluation,
            "result": result,
            "may_override": self.enrolment.status
            in (EnrolmentStatus.ENROLLED, EnrolmentStatus.NOT_COMPLETED),
            "back": reverse("cohorts:enrolments", args=[self.enrolment.cohort_id]),
        }

    def form_valid(self, form):
        try:
            services.completion_override(
                enrolment=self.enrolment,
                completed=form.cleaned_data["outcome"] == "completed",
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except (services.EnrolmentError, PermissionDenied) as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{self.enrolment.person}'s outcome was recorded.")
        return redirect(reverse("cohorts:enrolments", args=[self.enrolment.cohort_id]))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
