"""/learn/certificates/: the holder's certificates, and downloading one.

The download is the stored file itself, from certificate_storage() through the view (never a
public media address), as an attachment that no cache keeps. Who may have it is declared in
certificates.permissions: the holder (a valid certificate only), the programme
administrators of the host trust and the reporting leads of the holder's trust (any
certificate with a file, named by its status), superusers. Anyone else gets a 404, the same
as for a code that does not exist, so a refusal confirms nothing.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

import audit
from people.permissions import get_visible_or_404

from . import codes
from .emails import attachment_name
from .held import certificates_held_by
from .models import Certificate, CertificateStatus, certificate_storage
from .permissions import may_download

logger = logging.getLogger("tandem.certificates")


@login_required
@require_GET
def mine(request):
    response = render(
        request, "certificates/mine.html", {"held": certificates_held_by(request.user)}
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def download(request, code: str):
    stored = codes.normalise(code)
    if stored is None:
        raise Http404("No such certificate.")
    certificate = get_visible_or_404(
        request.user, Certificate.objects.select_related("enrolment__person"), code=stored
    )
    if not may_download(request.user, certificate):
        raise Http404("No such certificate.")
    try:
        stored_file = certificate_storage().open(certificate.pdf.name, "rb")
    except FileNotFoundError:
        # The record names a file the storage no longer has: ours to fix (re-issue), not the
        # person's; they are told there is nothing to download rather than shown an error.
        logger.error("Certificate %s: its file %s is missing", certificate.pk, certificate.pdf)
        raise Http404("No such certificate.") from None
    if certificate.enrolment.person_id != request.user.pk:
        # Someone's certificate leaving the site for staff records is audited, as exports are.
        audit.record(
            action=audit.Action.EXPORTED,
            actor=request.user,
            request=request,
            target=certificate,
            subject=certificate.enrolment.person,
            detail={"export": "certificate", "status": certificate.status},
        )
    status = "" if certificate.status == CertificateStatus.VALID else certificate.status
    response = FileResponse(
        stored_file,
        as_attachment=True,
        filename=attachment_name(certificate, status=status),
        content_type="application/pdf",
    )
    # A person's certificate: never kept by a shared cache, nor left in the browser's.
    response["Cache-Control"] = "private, no-store"
    return response
