"""Public certificate verification (PRODUCT.md §4: ``/verify/`` and ``/verify/<code>/``).

Anyone — an employer, a regulator — may check a certificate without an account. That is why
these views are not scoped through ``people.permissions``: the certificate's page, whoever's
trust issued it, is public by design, and it shows only what the certificate itself states
(the name printed on it, the programme, the cohort's dates, CPD hours, issue date, issuing
trust, status, the PDF's SHA-256) — never the person's email, registration or enrolment.

- ``/verify/``: the "Check a certificate" form (GET, so it needs no CSRF token and a code in
  the address works). A well-formed code redirects to its page; a malformed one is a form
  error saying what a code looks like.
- ``/verify/<code>/``: any case and hyphenation, redirected to the printed form. Unknown and
  malformed codes get the same 404 page, byte for byte, so it tells a guesser nothing.
  POST is "Check a PDF": the upload is hashed as it streams and never kept
  (certificates.pdf_check).

Guessing is rate-limited per client address: each 404 counts, a certificate found does not
(an employer checking fifty real certificates is not refused), and once an address has used
up the window every lookup from it is refused with 429 until the window ends.

Every response says ``Cache-Control: private, no-store``. The page carries a person's name,
which must disappear when their data is erased, and a status that changes when a certificate
is revoked: a shared cache (a proxy, a CDN) keeping a copy would go on showing both. The site's
own page cache (cms.page_cache) stores only Wagtail pages that Wagtail marked as it served
them, so it never stores these; the header covers every cache outside our control.
"""

from __future__ import annotations

import math

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import client_ip
from core.ratelimit import Limit

from . import codes, pdf_check
from .models import CertificateStatus
from .selectors import certificate_by_code

# Lookups of codes that match no certificate one address may make per window; past it, every
# lookup from that address is refused until the window ends. 30 in 10 minutes is far more than
# a person mistyping makes, and against 140-bit codes any fixed rate is hopeless for a guesser.
VERIFY_MISSES = Limit("verify-miss", attempts=30, window_seconds=10 * 60)
# The longest thing a person could mean as a code: 28 characters, 6 hyphens, spaces around.
TYPED_CODE_MAX = 64
CODE_HINT = (
    "The 28 letters and numbers printed on the certificate, in seven groups of four, "
    "for example K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS."
)
MALFORMED = (
    "A certificate code is 28 letters and numbers in seven groups of four, for example "
    "K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS. Check it against the certificate."
)


def _private(response):
    """See the module's docstring: nothing here may be kept by a shared cache."""
    patch_cache_control(response, private=True, no_store=True)
    return response


class LookupForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=TYPED_CODE_MAX,
        help_text=CODE_HINT,
        error_messages={"required": "Enter the certificate code.", "max_length": MALFORMED},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "verify-code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(MALFORMED)
        return code


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(
        label="The certificate's PDF file",
        help_text="We work out the file's fingerprint and compare it. The file is not kept.",
        error_messages={
            "required": "Choose the PDF file you want to check.",
            "empty": "The file you chose is empty. Choose the certificate's PDF file.",
            "invalid": "Choose the PDF file you want to check.",
        },
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > pdf_check.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {pdf_check.MAX_LABEL}. A certificate's PDF is much "
                "smaller: choose the file you were sent."
            )
        return upload


def _oversized() -> pdf_check.HashedUpload:
    """What the form is given when the upload was too large to read: it says so."""
    return pdf_check.HashedUpload(
        name="upload", size=pdf_check.MAX_BYTES + 1, sha256="", content_type=None
    )


def _who(request) -> str:
    # The project's one reading of the client's address (CLIENT_IP_HEADER; django-axes reads
    # the same setting). Requests whose address cannot be read share one bucket.
    return client_ip(request) or "unknown"


@require_GET
def verify(request):
    if "code" not in request.GET:
        return _private(render(request, "certificates/verify.html", {"form": LookupForm()}))
    form = LookupForm(request.GET)
    if form.is_valid():
        # A redirect, not a lookup: the certificate's own page looks it up (and counts a miss).
        return _private(redirect(_page_url(form.cleaned_data["code"])))
    return _private(render(request, "certificates/verify.html", {"form": form}))


def _page_url(code: str) -> str:
    return reverse("certificates:verify_code", args=[codes.grouped(code)])


def _not_found(request, who: str):
    """The one page for a code that is malformed or matches nothing. It repeats nothing of what
    was asked, so the two cannot be told apart; each counts against the address's limit."""
    VERIFY_MISSES.hit(who)
    response = render(
        request, "certificates/verify_not_found.html", {"form": LookupForm()}, status=404
    )
    return _private(response)


def _too_many(request, retry_after: int):
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(
        request, "certificates/verify_too_many.html", {"minutes": minutes}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return _private(response)


# CSRF is checked by hand (``_check_pdf`` is csrf_protect'ed) because the upload handler must
# be in place before anything reads the request's body, and the CSRF middleware would read it
# first. GET and HEAD are never checked anyway.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def verify_code(request, code: str):
    who = _who(request)
    retry_after = VERIFY_MISSES.exceeded(who)
    if retry_after:
        return _too_many(request, retry_after)
    stored = codes.normalise(code) if len(code) <= TYPED_CODE_MAX else None
    if stored is None:
        return _not_found(request, who)
    if request.method != "POST" and code != codes.grouped(stored):
        # The printed form is the page's one address (what the QR code and the email link
        # to). The redirect looks nothing up, so it tells a guesser nothing.
        return _private(redirect(_page_url(stored), permanent=True))
    certificate = certificate_by_code(stored)
    if certificate is None:
        return _not_found(request, who)
    if request.method == "POST":
        return _check_pdf_upload(request, certificate)
    return _page(request, certificate, PdfCheckForm())


def _check_pdf_upload(request, certificate):
    if pdf_check.declared_too_large(request):
        # Refused without parsing the body (pdf_check.discard_body reads it, up to a point,
        # only so the browser gets the answer). Nothing is changed and the page shows no
        # more than a GET would, so there is no CSRF to check.
        pdf_check.discard_body(request)
        form = PdfCheckForm(data={}, files={"pdf": _oversized()})
        form.is_valid()
        return _page(request, certificate, form, status=413)
    request.upload_handlers = [pdf_check.HashingUploadHandler(request)]
    return _check_pdf(request, certificate)


@csrf_protect
def _check_pdf(request, certificate):
    handler = request.upload_handlers[0]
    files = request.FILES
    if handler.too_large:
        files = {"pdf": _oversized()}
    form = PdfCheckForm(request.POST, files)
    if not form.is_valid():
        return _page(request, certificate, form, status=413 if handler.too_large else 200)
    matches = pdf_check.is_the_issued_file(certificate, form.cleaned_data["pdf"])
    return _page(request, certificate, PdfCheckForm(), check=_check_result(certificate, matches))


def _check_result(certificate, matches: bool) -> dict:
    """What "Check a PDF" says. A file that is not this certificate's is "does not match",
    whatever else it might be: the page never says whether it matches another certificate."""
    if not matches:
        return {
            "matches": False,
            "heading": "This file does not match",
            "text": "The file you chose is not the file issued under this code. A copy that "
            "has been edited, re-saved or printed to PDF does not match either.",
        }
    text = "The file you chose is exactly the file issued under this code."
    if certificate.status == CertificateStatus.REVOKED:
        text += " But this certificate has been revoked: see its status above."
    elif certificate.status == CertificateStatus.SUPERSEDED:
        text += " But this certificate has been replaced by a re-issue: see its status above."
    return {"matches": True, "heading": "This file matches", "text": text}


def _page(request, certificate, form, *, check=None, status=200):
    context = {
        "certificate": certificate,
        "current": getattr(certificate, "current", None),
        "form": form,
        "check": check,
        "Status": CertificateStatus,
    }
    return _private(render(request, "certificates/verify_certificate.html", context, status=status))
