import datetime

from django import forms
from django.utils import timezone

from .models import Scope
from .services import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?",
        max_length=100,
        help_text="For example, HR feed or Register app on my phone.",
        error_messages={
            "required": "Say what the token is for, so you know which one to revoke later.",
            "max_length": "Keep the name under 100 characters.",
        },
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read only is enough for reports. A register app needs read and write.",
        error_messages={"required": "Choose read only, or read and write."},
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=f"At most {MAX_DAYS} days from today. It stops working at the end of that day.",
        error_messages={
            "required": "Choose the date it expires.",
            "invalid": "Enter a real date, for example 28 February 2027.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(
            days=DEFAULT_DAYS
        )
