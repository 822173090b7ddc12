"""Importing role history from an HR extract, in the Wagtail admin (people.role_import):
choose the trust, upload, read the check's report of every row, then confirm. For the
programme administrators of a trust (their trust's people only) and superusers; everyone
else is refused (403).

As with the enrolment import (programmes.import_views), the checked cells are held in the
cache for IMPORT_HOLD_SECONDS under a key bound to the administrator and a random token the
confirm form carries; the import checks every row again before it writes anything.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import role_import
from .models import RoleCategory

IMPORT_HOLD_SECONDS = 30 * 60


class RoleImportForm(forms.Form):
    trust = forms.ModelChoiceField(
        label="Trust",
        queryset=None,
        empty_label=None,
        help_text="The trust whose HR extract this is. People are found among its staff only.",
    )
    file = forms.FileField(
        label="HR extract",
        help_text="A .csv or .xlsx file whose first row names the columns. At most 2 MB and "
        f"{role_import.MAX_ROWS} roles.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].queryset = role_import.importing_trusts(user)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > role_import.MAX_FILE_BYTES:  # before the file is opened
            raise forms.ValidationError(
                "The file is larger than 2 MB. Split it into smaller files."
            )
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return uploaded


def _hold_key(user, token: str) -> str:
    return f"people:role-import:{user.pk}:{token}"


def _summary_message(check) -> str:
    counts = check.summary
    return (
        f"Role history imported for {check.trust.name}: {counts['new']} new "
        f"role{'s' if counts['new'] != 1 else ''}, {counts['end_set']} end "
        f"date{'s' if counts['end_set'] != 1 else ''} changed, {counts['unchanged']} unchanged."
    )


def roles_import(request):
    """GET: the form. POST action=check: the report of every row. POST action=import with a
    check's token: check again and import, in one transaction, or say what stops it."""
    if not role_import.may_import_roles(request.user):
        raise PermissionDenied
    form = RoleImportForm(user=request.user)
    check, token, expired = None, "", False
    if request.method == "POST" and request.POST.get("action") == "import":
        token = request.POST.get("token", "")
        held = cache.get(_hold_key(request.user, token)) if token else None
        trust = None
        if held is not None:
            trust = role_import.importing_trusts(request.user).filter(pk=held["trust"]).first()
        if trust is None:
            expired = True
        else:
            check = role_import.role_import_apply(
                by=request.user, trust=trust, cells=held["cells"], request=request
            )
            if check.imported:
                cache.delete(_hold_key(request.user, token))
                messages.success(request, _summary_message(check))
                return redirect("people_role_import:import")
            token = ""  # something changed since the check: upload the corrected file
    elif request.method == "POST":
        form = RoleImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            trust = form.cleaned_data["trust"]
            check = role_import.role_import_check(
                by=request.user, trust=trust, uploaded=form.cleaned_data["file"]
            )
            if check.ok and check.changes:
                token = secrets.token_urlsafe(16)
                cache.set(
                    _hold_key(request.user, token),
                    {"trust": trust.pk, "cells": check.cells()},
                    IMPORT_HOLD_SECONDS,
                )
    refused = bool(form.errors or expired or (check and not check.ok))
    return TemplateResponse(
        request,
        "people/admin/role_import.html",
        {
            "form": form,
            "check": check,
            "token": token,
            "expired": expired,
            "categories": RoleCategory.choices,
            "max_rows": role_import.MAX_ROWS,
            "header_title": "Import role history",
        },
        status=400 if refused else 200,
    )
