"""The forms that record a role (people.services.role_appointment_create and _end). They check
the shape of what is typed; the services (and the model) decide whether it may be saved, and
their refusal is shown on the same form."""

from django import forms
from django.core.exceptions import ValidationError

from .models import RoleCategory

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATE_ERRORS = {"invalid": "Enter a real date, for example 1 April 2025."}


class RoleForm(forms.Form):
    title = forms.CharField(
        label="Job title", max_length=200, help_text="For example: Clinical director for surgery."
    )
    category = forms.ChoiceField(
        label="Kind of role",
        choices=RoleCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the kinds of role listed."},
    )
    starts_on = forms.DateField(label="Start date", widget=DATE_INPUT, error_messages=DATE_ERRORS)
    ends_on = forms.DateField(
        label="End date",
        required=False,
        widget=DATE_INPUT,
        error_messages=DATE_ERRORS,
        help_text="Leave blank if you still hold this role.",
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        return data


class RoleEndForm(forms.Form):
    ends_on = forms.DateField(label="End date", widget=DATE_INPUT, error_messages=DATE_ERRORS)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
