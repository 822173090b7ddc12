"""Certificate templates in the admin: list, add, change, and preview a sample certificate —
for the programme administrators of the template's trust (superusers: every trust).

A template another trust's administrators manage is a 404 by GET or POST, audited when it
exists. Saving goes through certificates.admin_services.certificate_template_save (which
bumps the version). The preview renders a PDF from sample data with the template's
signatory and signature, inline, and creates no certificate.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from people.models import Trust
from people.permissions import administered_trust_ids
from programmes.models import Programme

from . import codes
from .admin_selectors import administered_templates
from .admin_services import certificate_template_save
from .admin_views import _Base, _private, _scoped_or_404
from .forms import CertificateTemplateForm
from .models import CertificateTemplate
from .rendering import CertificateData, render_pdf
from .services import CertificateRefused
from .signatures import UnreadableSignature, read_signature

SAMPLE_NAME = "Siân Llywelyn-ap-Gruffydd"  # long, hyphenated, with a diacritic
SAMPLE_PROGRAMME = "Leading Together"


def template_or_404(request, template_id, *, view: str) -> CertificateTemplate:
    queryset = administered_templates(request.user).select_related("trust")
    return _scoped_or_404(request, queryset, CertificateTemplate, template_id, view=view)


def _trusts(user) -> list[Trust]:
    if user.is_superuser:
        return list(Trust.objects.order_by("name"))
    return list(Trust.objects.filter(pk__in=administered_trust_ids(user)).order_by("name"))


class _TemplatesBase(_Base):
    def extra_breadcrumbs(self):
        return [
            {"url": reverse("certificates_admin:templates"), "label": "Templates"},
            *self.more_breadcrumbs(),
        ]

    def more_breadcrumbs(self):
        return []


class TemplateListView(_TemplatesBase):
    template_name = "certificates/admin/templates.html"
    page_title = "Certificate templates"

    def extra_breadcrumbs(self):
        return [{"url": "", "label": "Templates"}]

    def get_context_data(self, **kwargs):
        templates = list(administered_templates(self.request.user).select_related("trust"))
        used_by: dict[str, list[str]] = {}
        for key, title in Programme.objects.filter(
            certificate_template__in=[t.key for t in templates]
        ).values_list("certificate_template", "title"):
            used_by.setdefault(key, []).append(title)
        rows = [(template, used_by.get(template.key, [])) for template in templates]
        return super().get_context_data(
            rows=rows, may_add=bool(_trusts(self.request.user)), **kwargs
        )


class TemplateFormView(_TemplatesBase):
    """Add or change a template (its signature upload checked by content)."""

    template_name = "certificates/admin/template_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.template = None
        if "template_id" in kwargs:
            self.template = template_or_404(request, kwargs["template_id"], view="template edit")
        self.trusts = _trusts(request.user)
        if self.template is None and not self.trusts:
            raise Http404

    def get_page_title(self):
        return f"Change {self.template.name}" if self.template else "Add a certificate template"

    def more_breadcrumbs(self):
        return [{"url": "", "label": self.template.name if self.template else "Add"}]

    def form(self, data=None, files=None):
        return CertificateTemplateForm(data, files, template=self.template, trusts=self.trusts)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(template=self.template, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = certificate_template_save(
                    template=self.template or CertificateTemplate(),
                    by=request.user,
                    **form.service_arguments(),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            except CertificateRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request, f"{saved.name} is saved (version {saved.version}). Preview it."
                )
                return redirect("certificates_admin:template_edit", saved.pk)
        return self.render_to_response(self.get_context_data(form=form))


def sample_data(template: CertificateTemplate, signature: bytes, mime: str) -> CertificateData:
    """Sample data for the preview: a long name with a diacritic, a programme that uses this
    template (or one the trust hosts), today's date."""
    programme = (
        Programme.objects.filter(certificate_template=template.key).order_by("title").first()
        or Programme.objects.filter(cohorts__host_trust=template.trust_id).order_by("title").first()
    )
    today = timezone.localdate()
    code = codes.grouped(codes.new_code())
    return CertificateData(
        participant_name=SAMPLE_NAME,
        programme_title=programme.title if programme else SAMPLE_PROGRAMME,
        cohort_starts_on=today - datetime.timedelta(days=182),
        cohort_ends_on=today,
        cpd_hours=programme.cpd_hours if programme else None,
        issuing_trust_name=template.trust.name,
        issued_on=today,
        code=code,
        verify_url=mail.public_url(codes.verify_path(code)),
        signatory_name=template.signatory_name,
        signatory_title=template.signatory_title,
        signature_image=signature,
        signature_mime=mime,
    )


def template_preview(request, template_id):
    """A sample certificate with this template, as a PDF shown in the browser. Nothing is
    saved: no certificate, no file."""
    template = template_or_404(request, template_id, view="template preview")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        signature, mime = read_signature(template)
    except UnreadableSignature as error:
        messages.error(request, str(error))
        return redirect("certificates_admin:template_edit", template.pk)
    pdf = render_pdf(sample_data(template, signature, mime))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{template.key}.pdf"'
    return _private(response)
