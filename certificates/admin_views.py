"""Certificates in the Wagtail admin, for the host trust's programme administrators
(superusers: every trust): the cohorts they run, each one's completed enrolments with their
certificates, and the actions on them — issue all (a batch, with its live progress page),
retry a failed render, revoke, re-issue, and the cohort's valid certificates as one ZIP. The
templates are in certificates.admin_templates.

Scoped through people.permissions (certificates.admin_selectors): a cohort, batch or
certificate the user does not run is a 404 by GET or POST, audited when it exists. Every
action is a POST (CSRF-checked) calling certificates.admin_services; its refusal is shown in
its own words.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.services import record as audit
from people.admin_views import record_event
from programmes.models import Cohort, CohortStatus, EnrolmentStatus

from . import admin_services as services
from .admin_selectors import (
    administered_batches,
    administered_certificates,
    administered_cohorts,
    batch_progress,
    cohort_rows,
    may_administer_certificates,
    summary,
)
from .forms import ReissueForm, RevokeForm
from .models import Certificate, CertificateBatch, CertificateStatus
from .permissions import may_keep_certificates
from .services import CertificateRefused

# htmx stops polling when a poll is answered with this status (as the live check-in does).
HTMX_STOP_POLLING = 286
POLL_SECONDS = 3


def _private(response):
    """People's names and certificates: never kept by a shared cache or the browser."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def _id(value) -> int | None:
    return int(value) if str(value).isdigit() and len(str(value)) < 19 else None


def _scoped_or_404(request, queryset, model, pk, *, view: str):
    obj = queryset.filter(pk=pk).first() if _id(pk) is not None else None
    if obj is None:
        existing = model.objects.filter(pk=pk).first() if _id(pk) is not None else None
        if existing is not None:
            record_event(request, "refused", target=existing, detail={"view": view})
        raise Http404
    return obj


def cohort_or_404(request, cohort_id, *, view: str) -> Cohort:
    queryset = administered_cohorts(request.user).select_related("programme", "host_trust")
    return _scoped_or_404(request, queryset, Cohort, cohort_id, view=view)


def certificate_or_404(request, certificate_id, *, view: str) -> Certificate:
    queryset = administered_certificates(request.user).select_related(
        "enrolment__cohort__programme", "enrolment__person", "superseded_by"
    )
    return _scoped_or_404(request, queryset, Certificate, certificate_id, view=view)


def cohort_label(cohort: Cohort) -> str:
    return f"{cohort.programme.title}, {cohort.name}"


def cohort_url(cohort_or_id) -> str:
    pk = getattr(cohort_or_id, "pk", cohort_or_id)
    return reverse("certificates_admin:cohort", args=[pk])


def _back(request, fallback: str) -> str:
    """Where an action returns to: the page it was pressed on, if it is ours."""
    target = request.POST.get("next", "")
    if target.startswith("/admin/certificates/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class _Base(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("certificates_admin:index"), "label": "Certificates"},
            *self.extra_breadcrumbs(),
        ]

    def extra_breadcrumbs(self):
        return []

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


class CertificatesIndexView(_Base):
    """/admin/certificates/: the cohorts one runs, with their certificates counted."""

    template_name = "certificates/admin/index.html"
    page_title = "Certificates"

    def dispatch(self, request, *args, **kwargs):
        # A reporting lead administers no cohort: their part of Certificates is the list of
        # the certificates they keep (certificates.admin_held).
        if not may_administer_certificates(request.user) and may_keep_certificates(request.user):
            return redirect("certificates_admin:held")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        completed = Q(enrolments__status=EnrolmentStatus.COMPLETED)
        cohorts = (
            administered_cohorts(self.request.user)
            .exclude(status__in=[CohortStatus.DRAFT, CohortStatus.CANCELLED])
            .select_related("programme", "host_trust")
            .annotate(
                completed=Count("enrolments", filter=completed, distinct=True),
                valid=Count(
                    "enrolments__certificates",
                    filter=Q(enrolments__certificates__status=CertificateStatus.VALID),
                    distinct=True,
                ),
            )
            .order_by("-starts_on", "pk")
        )
        return super().get_context_data(cohorts=cohorts, **kwargs)


class CohortCertificatesView(_Base):
    """A cohort's completed enrolments, each with its certificate and what can be done."""

    template_name = "certificates/admin/cohort.html"
    page_title = "Certificates"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = cohort_or_404(request, kwargs["cohort_id"], view="cohort certificates")

    def get_page_subtitle(self):
        return cohort_label(self.cohort)

    def extra_breadcrumbs(self):
        return [{"url": "", "label": cohort_label(self.cohort)}]

    def get_context_data(self, **kwargs):
        rows = cohort_rows(self.cohort)
        batches = list(
            CertificateBatch.objects.filter(cohort=self.cohort).select_related("started_by")[:5]
        )
        return super().get_context_data(
            cohort=self.cohort,
            rows=rows,
            counts=summary(rows),
            batches=batches,
            here=self.request.path,
            **kwargs,
        )


class _Action(View):
    """A POST-only action on something the user runs. The object is looked up first, so a
    GET of another trust's is a 404 like its POST, and only then is a GET refused (405)."""

    def dispatch(self, request, *args, **kwargs):
        self.obj = self.lookup(request, **kwargs)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self.post(request, self.obj)

    def lookup(self, request, **kwargs):
        raise NotImplementedError


class IssueCohortView(_Action):
    def lookup(self, request, cohort_id):
        return cohort_or_404(request, cohort_id, view="issue certificates")

    def post(self, request, cohort):
        batch = services.certificates_issue_cohort(cohort=cohort, by=request.user)
        if not batch.total:
            messages.info(
                request,
                "Every completed enrolment already has a certificate: nothing more to issue.",
            )
            return redirect(cohort_url(cohort))
        count = batch.total
        messages.success(
            request,
            f"{count} certificate{'s' if count != 1 else ''} being issued and prepared in the "
            "background: this page shows their progress.",
        )
        return redirect("certificates_admin:batch", batch.pk)


class BatchView(_Base):
    """A bulk issue's progress: n of N ready, the failures with a Retry, refreshed by htmx
    every few seconds while work remains (the fragment below)."""

    template_name = "certificates/admin/batch.html"
    page_title = "Issuing certificates"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        queryset = administered_batches(request.user).select_related(
            "cohort__programme", "started_by"
        )
        self.batch = _scoped_or_404(
            request, queryset, CertificateBatch, kwargs["batch_id"], view="certificate batch"
        )

    def get_page_subtitle(self):
        return cohort_label(self.batch.cohort)

    def extra_breadcrumbs(self):
        return [
            {"url": cohort_url(self.batch.cohort), "label": cohort_label(self.batch.cohort)},
            {"url": "", "label": "Issuing certificates"},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            progress=batch_progress(self.batch),
            poll_seconds=POLL_SECONDS,
            here=self.request.path,
            **kwargs,
        )


def batch_progress_fragment(request, batch_id):
    """The progress part of the batch page alone, for htmx's poll. Once nothing is left to
    make, htmx is told to stop polling."""
    queryset = administered_batches(request.user).select_related("cohort")
    batch = _scoped_or_404(request, queryset, CertificateBatch, batch_id, view="batch progress")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    progress = batch_progress(batch)
    status = HTMX_STOP_POLLING if progress.done and request.headers.get("HX-Request") else 200
    context = {
        "progress": progress,
        "poll_seconds": POLL_SECONDS,
        "here": reverse("certificates_admin:batch", args=[batch.pk]),
    }
    return _private(render(request, "certificates/admin/_progress.html", context, status=status))


class RetryView(_Action):
    def lookup(self, request, certificate_id):
        return certificate_or_404(request, certificate_id, view="retry render")

    def post(self, request, certificate):
        try:
            services.certificate_retry_render(certificate=certificate, by=request.user)
        except CertificateRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"The certificate of {certificate.participant_name} is queued again."
            )
        return redirect(_back(request, cohort_url(certificate.enrolment.cohort_id)))


class _CertificateFormView(_Base):
    """A page with a form about one certificate (revoke, re-issue)."""

    view_name = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.certificate = certificate_or_404(
            request, kwargs["certificate_id"], view=self.view_name
        )
        self.cohort = self.certificate.enrolment.cohort

    def get_page_subtitle(self):
        return self.certificate.participant_name or "A former participant"

    def extra_breadcrumbs(self):
        return [
            {"url": cohort_url(self.cohort), "label": cohort_label(self.cohort)},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            certificate=self.certificate, back_url=cohort_url(self.cohort), **kwargs
        )


class RevokeView(_CertificateFormView):
    template_name = "certificates/admin/revoke.html"
    page_title = "Revoke a certificate"
    view_name = "revoke certificate"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", RevokeForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_revoke(
                    certificate=self.certificate,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except CertificateRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    f"Certificate {self.certificate.printed_code} is revoked. The verification "
                    "page now says so.",
                )
                return redirect(cohort_url(self.cohort))
        return self.render_to_response(self.get_context_data(form=form))


class ReissueView(_CertificateFormView):
    template_name = "certificates/admin/reissue.html"
    page_title = "Re-issue a certificate"
    view_name = "re-issue certificate"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ReissueForm(certificate=self.certificate))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ReissueForm(request.POST, certificate=self.certificate)
        if form.is_valid():
            try:
                new = services.certificate_reissue(
                    certificate=self.certificate,
                    by=request.user,
                    confirm_revoked=form.cleaned_data.get("confirm_revoked", False),
                )
            except CertificateRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    f"Re-issued as {new.printed_code}; it is being prepared. The old "
                    f"certificate, {self.certificate.printed_code}, now points to it.",
                )
                return redirect(cohort_url(self.cohort))
        return self.render_to_response(self.get_context_data(form=form))


class CohortZipView(_Action):
    """The cohort's valid certificates as one ZIP, built in a spooled temporary file (memory
    up to 16 MB, then disk) and streamed from it; files named by participant and code."""

    def lookup(self, request, cohort_id):
        return cohort_or_404(request, cohort_id, view="certificates zip")

    def post(self, request, cohort):
        certificates = list(
            Certificate.objects.filter(
                enrolment__cohort=cohort, status=CertificateStatus.VALID
            ).order_by("participant_name", "pk")
        )
        if not certificates:
            messages.error(request, "This cohort has no valid certificates to download yet.")
            return redirect(cohort_url(cohort))
        spool, missing = services.certificates_zip(certificates)
        audit(
            action="exported",
            actor=request.user,
            request=request,
            target=cohort,
            detail={"certificates_zip": len(certificates) - len(missing)},
        )
        name = f"certificates-{slugify(cohort.programme.title)}-{slugify(cohort.name)}.zip"
        response = FileResponse(spool, as_attachment=True, filename=name)
        response["Content-Type"] = "application/zip"
        return _private(response)
