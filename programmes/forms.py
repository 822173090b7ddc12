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

    def __init__(self, *args, needs_sponsor: bool, partner_for=None, **kwargs):
        """``partner_for``: the person enrolling, when they may name a colleague to apply with
        as a pair (not when answering someone else's pair invitation)."""
        super().__init__(*args, **kwargs)
        self.needs_sponsor = needs_sponsor
        self.offers_pair = partner_for is not None
        if self.offers_pair:
            other = "manager" if partner_for.is_clinical else "clinician"
            self.fields["partner_email"] = forms.EmailField(
                label=f"Apply together with a {other} colleague (optional)",
                required=False,
                max_length=254,
                help_text="Their work email address. We invite them to join you as a pair; "
                "when they accept, you are enrolled together, or join the waiting list "
                "together. Leave it empty to apply on your own.",
                error_messages={"invalid": "Enter an email address like name@nhs.net."},
            )
            self.fields["partner_message"] = forms.CharField(
                label="A note to your colleague (optional)",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
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
    def pair_fields(self):
        return [self["partner_email"], self["partner_message"]] if self.offers_pair else []

    def answers(self) -> dict:
        """The enrolment answers, as programmes.services.pairs keeps them."""
        data = self.cleaned_data
        names = ["goals", "baseline_relationship", "baseline_outlook", "current_role"]
        if self.needs_sponsor:
            names += ["sponsor_name", "sponsor_email"]
        return {name: data.get(name) for name in names}

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


class PairAnswerForm(forms.Form):
    """Declining a pair invitation: the reason is optional, and goes to the inviter."""

    reason = forms.CharField(
        label="Why are you declining? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We send this to your colleague.",
    )
