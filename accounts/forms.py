from django import forms
from django.contrib.auth import password_validation

from people.models import (
    PROFILE_FIELDS,
    REGISTRATION_BODY_FOR_GROUP,
    SPONSOR_FIELDS,
    ProfessionalGroup,
    Trust,
    User,
)

from .services import MAX_INVITEE_FILE_BYTES, SignupRefused, signup_trust


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    trust = forms.ModelChoiceField(
        queryset=Trust.objects.open().filter(email_domains__isnull=False).distinct(),
        required=False,
        empty_label="My email address tells you",
        help_text="Only needed if your email address is used by several trusts, such as nhs.net.",
    )

    field_order = ["first_name", "last_name", "email", "trust", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email") or self.data.get("email", "")
        if email:
            try:
                cleaned["resolved_trust"] = signup_trust(email=email, chosen=cleaned.get("trust"))
            except SignupRefused as refusal:
                field = (
                    "trust"
                    if cleaned.get("trust") or "choose yours" in refusal.message
                    else "email"
                )
                self.add_error(field, refusal.message)
        return cleaned

    def signup(self, request, user):
        """allauth calls this after saving; the adapter has already set trust and names."""


def profile_step_fields(user) -> list[str]:
    """What the profile step asks: what the person must still give
    (people.User.missing_profile_fields) and, for those who take part in programmes, the
    empty fields that go with it (band, directorate, and the register when the group is still
    to choose or is clinical). Never a field they have filled in, and nothing at all once the
    profile is complete."""
    missing = user.missing_profile_fields
    if not missing:
        return []
    asked = set(missing)
    if user.takes_part_in_programmes:
        asked |= {name for name in ("band", "directorate") if not getattr(user, name)}
        if "professional_group" in missing or user.is_clinical:
            asked |= {
                name
                for name in ("registration_body", "registration_number")
                if not getattr(user, name)
            }
    return [name for name in PROFILE_FIELDS if name in asked]


class ProfileForm(forms.ModelForm):
    """Profile completion on first sign-in (only `fields`, what is missing), and later edits
    of the whole profile by the person themselves."""

    class Meta:
        model = User
        fields = [*PROFILE_FIELDS, *SPONSOR_FIELDS]
        help_texts = {
            "professional_group": "Clinicians are medical, nursing and midwifery, allied health, "
            "healthcare science and pharmacy staff.",
        }

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        required = ["first_name", "last_name"]
        if self.instance.takes_part_in_programmes:
            required += ["professional_group", "job_title"]
        for name in required:
            self.fields[name].required = True
        if fields is None and not self.instance.takes_part_in_programmes:
            fields = PROFILE_FIELDS  # a sponsor approves places on programmes: not for staff
        if fields is not None:
            for name in set(self.fields) - set(fields):
                del self.fields[name]

    def clean_sponsor_email(self):
        email = self.cleaned_data.get("sponsor_email", "").strip().lower()
        if email and email == self.instance.email.lower():
            raise forms.ValidationError(
                "Your sponsor's email address cannot be your own: give your line manager's or "
                "supervising consultant's."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if "sponsor_name" in self.fields:
            name, email = cleaned.get("sponsor_name", "").strip(), cleaned.get("sponsor_email")
            if email and not name:
                self.add_error("sponsor_name", "Enter your sponsor's full name.")
            elif name and not email and "sponsor_email" not in self.errors:
                self.add_error("sponsor_email", "Enter your sponsor's email address.")
        group = cleaned.get("professional_group", self.instance.professional_group)
        if (
            "registration_number" in self.fields
            and group in REGISTRATION_BODY_FOR_GROUP
            and not cleaned.get("registration_number")
        ):
            body = REGISTRATION_BODY_FOR_GROUP[ProfessionalGroup(group)]
            self.add_error(
                "registration_number", f"Clinicians give their registration number ({body.label})."
            )
        return cleaned


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are not the same.")
        elif p1:
            candidate = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    trust = forms.ModelChoiceField(queryset=Trust.objects.none())

    def __init__(self, *args, trusts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].queryset = trusts
        if trusts.count() == 1:
            self.fields["trust"].initial = trusts.first()


class InviteeUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A .csv or .xlsx file whose first row names the columns email, first_name and "
        "last_name. At most 2 MB.",
    )
    trust = forms.ModelChoiceField(queryset=Trust.objects.none())

    MAX_BYTES = MAX_INVITEE_FILE_BYTES  # checked before the file is opened

    def __init__(self, *args, trusts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].queryset = trusts
        if trusts.count() == 1:
            self.fields["trust"].initial = trusts.first()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > self.MAX_BYTES:
            raise forms.ValidationError(
                "The file is larger than 2 MB. Split it into smaller files."
            )
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return uploaded
