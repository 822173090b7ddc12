"""Importing participants and enrolments from a file, in the Wagtail admin: upload, read the
check's report, then confirm. For the programme administrators of a trust (into the cohorts
their trust hosts) and superusers; everyone else is refused (403).

Between the check and the confirmation the rows the administrator saw are kept in the cache
for IMPORT_HOLD_SECONDS, under a key bound to them and a random token the confirm form
carries, so they need not upload the file again. What is kept is the file's cells only, and
the import checks every row again before writing anything: a stale check can never write
more than the rules allow now. After the import (or a new upload) the cells are dropped.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from . import services
from .models import CohortStatus
from .permissions import importable_cohorts, may_import_enrolments
from .services.import_file import COLUMNS, MAX_FILE_BYTES, MAX_ROWS

IMPORT_HOLD_SECONDS = 30 * 60
# The cohorts listed on the page as the ids to use: those not ended or cancelled, at most.
LISTED_COHORTS = 200


class EnrolmentImportForm(forms.Form):
    file = forms.FileField(
        label="File of participants",
        help_text=f"A .csv or .xlsx file whose first row names the columns {', '.join(COLUMNS)}. "
        f"At most 2 MB and {MAX_ROWS} people.",
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_FILE_BYTES:  # before the file is opened
            raise forms.ValidationError(
                "The file is larger than 2 MB. Split it into smaller files."
            )
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return uploaded


def _hold_key(user, token: str) -> str:
    return f"programmes:enrolment-import:{user.pk}:{token}"


def _listed_cohorts(user):
    today = timezone.localdate()
    return (
        importable_cohorts(user)
        .exclude(status=CohortStatus.CANCELLED)
        .filter(ends_on__gte=today)
        .select_related("programme", "host_trust")
        .order_by("starts_on", "pk")[:LISTED_COHORTS]
    )


def _summary_message(check) -> str:
    counts = check.summary
    parts = [f"{counts['rows']} enrolments imported"]
    if counts["new_accounts"]:
        parts.append(f"{counts['new_accounts']} new accounts, whose invitations are being sent")
    outcomes = [
        (counts["enrolled"], "enrolled"),
        (counts["waitlisted"], "on the waiting list"),
        (counts["pending_approval"], "waiting for sponsor approval"),
    ]
    parts.append(", ".join(f"{number} {label}" for number, label in outcomes if number))
    return "; ".join(parts) + "."


def enrolments_import(request):
    """GET: the upload form and the cohorts one may import into. POST action=check: the
    report of every row. POST action=import with the token of a check: check again and
    import, in one transaction, or say what stops it."""
    if not may_import_enrolments(request.user):
        raise PermissionDenied
    form = EnrolmentImportForm()
    check, token, expired = None, "", False
    action = request.POST.get("action")
    if request.method == "POST" and action == "import":
        token = request.POST.get("token", "")
        held = cache.get(_hold_key(request.user, token)) if token else None
        if held is None:
            expired = True
        else:
            check = services.enrolments_import(by=request.user, rows=held)
            if check.imported:
                cache.delete(_hold_key(request.user, token))
                messages.success(request, _summary_message(check))
                return redirect("programmes_import:import")
            if not check.ok:
                token = ""  # something changed since the check: upload the corrected file
    elif request.method == "POST":
        form = EnrolmentImportForm(request.POST, request.FILES)
        if form.is_valid():
            check = services.enrolments_import_check(
                by=request.user, uploaded=form.cleaned_data["file"]
            )
            if check.ok:
                token = secrets.token_urlsafe(16)
                cache.set(_hold_key(request.user, token), check.cells(), IMPORT_HOLD_SECONDS)
    refused = bool(form.errors or expired or (check and not check.ok))
    return TemplateResponse(
        request,
        "programmes/admin/import.html",
        {
            "form": form,
            "check": check,
            "token": token,
            "expired": expired,
            "cohorts": _listed_cohorts(request.user),
            "listed_cohorts": LISTED_COHORTS,
            "columns": COLUMNS,
            "header_title": "Import participants",
        },
        status=400 if refused else 200,
    )
