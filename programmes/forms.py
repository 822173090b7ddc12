"""The participant's enrolment form (the baseline survey, goals, and the sponsor when the
cohort needs one) and the withdrawal form. The rules themselves are the services'."""

from django import forms

from .models import Outlook, Relationship


class EnrolForm(forms.Form):
    baseline_relationship = forms.TypedChoiceField(
        label="How would you describe the relationship between clinicians and managers "
        "where you work?",
        choices=Relationship.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would describe the relationship."},
    )
    baseline_outlook = forms.TypedChoiceField(
        label="Over the next five years, do you expect it to",
        choices=Outlook.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you expect it to get better or worse."},
    )
    current_role = forms.CharField(
        label="Your current role",
        max_length=200,
        help_text="For example, 'Consultant anaesthetist and clinical lead for theatres'.",
        error_messages={"required": "Enter your current role."},
    )
    goals = forms.CharField(
        label="What do you want to get from the programme?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few sentences. Your facilitators will read this.",
        error_messages={"required": "Enter what you want to get from the programme."},
    )

    def __init__(self, *args, needs_sponsor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_sponsor = needs_sponsor
        if needs_sponsor:
            self.fields["sponsor_name"] = forms.CharField(
                label="Your sponsor's full name",
                max_length=200,
                help_text="Your line manager, or your supervising consultant if you are a "
                "doctor in training. We keep it on your profile for next time.",
                error_messages={"required": "Enter your sponsor's full name."},
            )
            self.fields["sponsor_email"] = forms.EmailField(
                label="Your sponsor's email address",
                max_length=254,
                help_text="We email your sponsor a link to approve or decline your place: "
                "they do not need an account.",
                error_messages={
                    "required": "Enter your sponsor's email address.",
                    "invalid": "Enter an email address like name@nhs.net.",
                },
            )

    @property
    def radio_fields(self):
        return [self["baseline_relationship"], self["baseline_outlook"]]

    @property
    def text_fields(self):
        names = ["current_role", "goals"]
        return [self[name] for name in names]

    @property
    def sponsor_fields(self):
        return [self["sponsor_name"], self["sponsor_email"]] if self.needs_sponsor else []


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This helps the programme team. You do not have to say.",
    )
