"""The certificates admin's forms: a template (with its signature upload), a revocation's
reason, and the confirmation a re-issue of a revoked certificate needs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from people.models import Trust

from . import signatures
from .models import Certificate, CertificateTemplate


class CertificateTemplateForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        help_text="For you: how this template is listed, e.g. “Leading Together”.",
        error_messages={"required": "Enter a name for the template."},
    )
    key = forms.SlugField(
        max_length=100,
        help_text="How a programme names this template (its “certificate template” field): "
        "lower-case letters, numbers and hyphens. It cannot change once the template is made.",
        error_messages={
            "required": "Enter a key, e.g. leading-together.",
            "invalid": "Use only letters, numbers, hyphens and underscores in the key.",
        },
    )
    signatory_name = forms.CharField(
        max_length=200,
        label="Signatory's name",
        error_messages={"required": "Enter the name of the person who signs the certificates."},
    )
    signatory_title = forms.CharField(
        max_length=200, required=False, label="Signatory's title", help_text="e.g. Chief Nurse"
    )
    signature_image = forms.FileField(
        required=False,
        label="Signature image",
        help_text="A PNG or JPEG of the signature, at most 1 MB and at most "
        f"{signatures.MAX_WIDTH} by {signatures.MAX_HEIGHT} pixels. A transparent PNG prints "
        "best. It is kept with the certificates, never at a public address.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, template: CertificateTemplate | None, trusts, **kwargs):
        self.template = template
        initial = kwargs.pop("initial", None) or {}
        if template is not None:
            initial |= {
                "name": template.name,
                "key": template.key,
                "signatory_name": template.signatory_name,
                "signatory_title": template.signatory_title,
                "signature_image": template.signature_image or None,
            }
        super().__init__(*args, initial=initial, **kwargs)
        if template is not None:
            self.fields["key"].disabled = True
        elif len(trusts) > 1:
            self.fields["trust"] = forms.ModelChoiceField(
                queryset=Trust.objects.filter(pk__in=[t.pk for t in trusts]).order_by("name"),
                help_text="Whose programme administrators manage this template.",
            )
        self.trusts = trusts

    def clean_key(self):
        key = self.cleaned_data["key"]
        if self.template is not None:
            return self.template.key
        if CertificateTemplate.objects.filter(key=key).exists():
            raise ValidationError("Another template already has that key: choose another.")
        return key

    def clean_signature_image(self):
        upload = self.cleaned_data.get("signature_image")
        # A new upload is checked by its content; the file kept from before (a FieldFile)
        # and "Clear" (False) pass as they are.
        if isinstance(upload, UploadedFile):
            signatures.validate_upload(upload)
        return upload

    def service_arguments(self) -> dict:
        """What certificate_template_save takes from this form."""
        data = self.cleaned_data
        arguments = {
            "name": data["name"],
            "signatory_name": data["signatory_name"],
            "signatory_title": data["signatory_title"],
        }
        if self.template is None:
            arguments["key"] = data["key"]
            arguments["trust"] = data.get("trust") or self.trusts[0]
        upload = data.get("signature_image")
        if upload is False:
            arguments["signature"] = False  # "Clear" was ticked
        elif isinstance(upload, UploadedFile):
            arguments["signature"] = upload
        return arguments


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=Certificate._meta.get_field("revoked_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why it is revoked",
        help_text="Kept on the certificate's record. Anyone checking the certificate is "
        "told it was revoked, and when.",
        error_messages={"required": "Give a reason for revoking the certificate."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give a reason for revoking the certificate.")
        return reason


class ReissueForm(forms.Form):
    confirm_revoked = forms.BooleanField(
        required=False,
        label="I know this certificate was revoked, and I mean to give the holder a valid "
        "certificate again",
    )

    def __init__(self, *args, certificate: Certificate, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        if certificate.status != "revoked":
            del self.fields["confirm_revoked"]

    def clean(self):
        data = super().clean()
        if self.certificate.status == "revoked" and not data.get("confirm_revoked"):
            self.add_error(
                "confirm_revoked",
                "This certificate was revoked: tick the box to confirm you mean to re-issue it.",
            )
        return data
