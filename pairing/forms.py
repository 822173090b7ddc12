"""The pair's forms. They check the shape of what is typed; pairing.services decides whether
it may be saved (dates, hours a day, who confirms), and its refusal is shown on the form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from .models import (
    INTERESTS,
    MAX_HOURS_A_DAY,
    MeetingFrequency,
    ProjectStatus,
    ShadowingSetting,
)

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _in_the_past(value, what: str):
    if value > timezone.localdate():
        raise forms.ValidationError(
            f"The date is in the future: log the {what} once it has happened."
        )
    return value


class AgreementForm(forms.Form):
    goals = forms.CharField(
        label="What we want to learn from each other",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For example: how the clinic's budget is set; what a consultant's week is like.",
    )
    meeting_frequency = forms.ChoiceField(
        label="How often we meet", choices=MeetingFrequency.choices
    )


class VisitForm(forms.Form):
    who = forms.ChoiceField(
        label="Who shadowed whom",
        widget=forms.RadioSelect,
        choices=[("me", "I shadowed my partner"), ("partner", "My partner shadowed me")],
    )
    visited_on = forms.DateField(label="Date of the visit", widget=DATE_INPUT)
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.5"),
        max_value=MAX_HOURS_A_DAY,
        decimal_places=1,
        help_text="To the nearest half hour, for example 2.5. At most 24.",
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    setting = forms.ChoiceField(label="Where", choices=ShadowingSetting.choices)
    setting_other = forms.CharField(label="Where, if other", required=False, max_length=200)
    reflection = forms.CharField(
        label="What was learned",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the two of you and your facilitators can read this.",
    )

    def clean_visited_on(self):
        return _in_the_past(self.cleaned_data["visited_on"], "visit")

    def clean(self):
        data = super().clean()
        if (
            data.get("setting") == ShadowingSetting.OTHER
            and not data.get("setting_other", "").strip()
        ):
            self.add_error("setting_other", "Say where the visit took place.")
        return data


class QueryForm(forms.Form):
    reason = forms.CharField(
        label="What is not right", max_length=300, help_text="For example: it was 2 hours, not 4."
    )


class MeetingForm(forms.Form):
    met_on = forms.DateField(label="Date of the meeting", widget=DATE_INPUT)
    notes = forms.CharField(
        label="What you talked about",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label="Agreed actions",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_met_on(self):
        return _in_the_past(self.cleaned_data["met_on"], "meeting")

    def clean(self):
        data = super().clean()
        if not data.get("notes", "").strip() and not data.get("actions", "").strip():
            raise forms.ValidationError("Write what you talked about or what you agreed to do.")
        return data


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=200)
    problem = forms.CharField(
        label="The problem",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    aims = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How you will know it made a difference.",
    )
    status = forms.ChoiceField(choices=ProjectStatus.choices)
    final_summary = forms.CharField(
        label="Final summary for the executive team",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    presented_on = forms.DateField(
        label="Date presented to the executive team", required=False, widget=DATE_INPUT
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == ProjectStatus.PRESENTED:
            if not data.get("presented_on"):
                self.add_error("presented_on", "Say when you presented the project.")
            if not data.get("final_summary", "").strip():
                self.add_error("final_summary", "Add the summary you presented.")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InterestsForm(forms.Form):
    interests = forms.MultipleChoiceField(
        label="What would you like to learn about from the other profession?",
        choices=INTERESTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="We use this to suggest a partner who shares your interests.",
    )
