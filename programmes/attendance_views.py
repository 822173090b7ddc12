"""Attendance pages under /learn/: a cohort's attendance matrix for its staff (with CSV and
XLSX exports), and a participant's own attendance in one of their cohorts.

Who sees what is programmes.permissions': the matrix and its exports are for the host trust's
administrators and the cohort's facilitators (``attendance_report_cohorts``); everyone else —
the cohort's own participants, another trust's staff — gets the same 404 as for a cohort that
does not exist, and the refusal of an existing one is audited. A participant's page is their
own enrolment's only. Reads come from programmes.attendance_report.
"""

from __future__ import annotations

from collections import OrderedDict

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from wagtail.admin.views.mixins import SpreadsheetExportMixin

import audit
from people.permissions import visible

from .attendance_report import AttendanceMatrix, Row, cohort_attendance, enrolment_attendance
from .models import Cohort, Enrolment
from .permissions import attendance_report_cohorts


def _private(response):
    # People's attendance: never stored by a shared cache, always fetched afresh.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _cohort_or_404(request, cohort_id: int, *, view: str) -> Cohort:
    cohort = (
        attendance_report_cohorts(request.user)
        .select_related("programme", "host_trust")
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        existing = Cohort.objects.filter(pk=cohort_id).first()
        if existing is not None:  # someone probing a cohort that is not theirs to see
            audit.record(
                action=audit.Action.REFUSED,
                actor=request.user,
                request=request,
                target=existing,
                detail={"view": view},
            )
        raise Http404("No such cohort.")
    return cohort


@login_required
@require_GET
def cohort_attendance_page(request, cohort_id: int):
    cohort = _cohort_or_404(request, cohort_id, view="cohort attendance")
    matrix = cohort_attendance(cohort)
    return _private(
        render(request, "programmes/cohort_attendance.html", {"cohort": cohort, "matrix": matrix})
    )


# --- exports ----------------------------------------------------------------------------------


class AttendanceSpreadsheet(SpreadsheetExportMixin):
    """The matrix as a spreadsheet, written by the same Wagtail mixin as the cohort's
    enrolment export (programmes.admin_enrolments), so it is formula-safe the same way: the
    mixin's cells and headings are defused at start-up (audit.spreadsheet_exports), and
    XLSX cells openpyxl takes for formulas are written as text. One row per person; the
    rows are the matrix's, already built, so writing them makes no query."""

    FIXED = OrderedDict(
        name="Name", email="Email", professional_group="Professional group", trust="Trust"
    )
    TOTALS = OrderedDict(attended="Sessions attended", expected="Sessions expected", rate="Rate %")

    def __init__(self, matrix: AttendanceMatrix):
        self.matrix = matrix
        self.session_keys = [f"session_{column.session.pk}" for column in matrix.columns]
        self.list_export = [*self.FIXED, *self.session_keys, *self.TOTALS]
        self.export_headings = {
            **self.FIXED,
            **{
                key: column.heading
                for key, column in zip(self.session_keys, matrix.columns, strict=True)
            },
            **self.TOTALS,
        }

    def get_filename(self) -> str:
        cohort = self.matrix.cohort
        return f"attendance-{cohort.pk}-{slugify(cohort.name)[:50]}"

    def to_row_dict(self, item: Row) -> OrderedDict:
        enrolment = item.enrolment
        row = OrderedDict(
            name=item.name,
            email=enrolment.person.email,
            professional_group=enrolment.get_professional_group_display(),
            trust=enrolment.trust.name if enrolment.trust else "",
        )
        for key, cell in zip(self.session_keys, item.cells, strict=True):
            row[key] = cell.label
        row.update(attended=item.attended, expected=item.expected, rate=item.rate)
        return row


def _export(request, cohort_id: int, export_format: str):
    cohort = _cohort_or_404(request, cohort_id, view=f"cohort attendance {export_format}")
    matrix = cohort_attendance(cohort)
    # People's data leaving the site is audited before the file is built, as the cohort's
    # enrolment export is.
    audit.record(
        action=audit.Action.EXPORTED,
        actor=request.user,
        request=request,
        target=cohort,
        detail={
            "export": "cohort attendance",
            "format": export_format,
            "rows": len(matrix.rows),
            "sessions": len(matrix.columns),
        },
    )
    response = AttendanceSpreadsheet(matrix).as_spreadsheet(matrix.rows, export_format)
    return _private(response)


@login_required
@require_GET
def cohort_attendance_csv(request, cohort_id: int):
    return _export(request, cohort_id, SpreadsheetExportMixin.FORMAT_CSV)


@login_required
@require_GET
def cohort_attendance_xlsx(request, cohort_id: int):
    return _export(request, cohort_id, SpreadsheetExportMixin.FORMAT_XLSX)


# --- the participant's own ------------------------------------------------------------------


@login_required
@require_GET
def my_attendance(request, enrolment_id: int):
    """The sessions of one of the person's own cohorts, each with their own mark; 404 for
    anyone else's enrolment, staff included (they have the cohort's page)."""
    enrolment = (
        visible(request.user, Enrolment)
        .filter(pk=enrolment_id, person_id=request.user.pk)
        .select_related("cohort__programme", "cohort__host_trust")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    columns, row = enrolment_attendance(enrolment)
    return _private(
        render(
            request,
            "programmes/my_attendance.html",
            {
                "enrolment": enrolment,
                "cohort": enrolment.cohort,
                "sessions": list(zip(columns, row.cells, strict=True)),
                "row": row,
                "minimum": enrolment.cohort.programme.min_attendance_percent,
                "excused_counts": enrolment.cohort.programme.excused_counts_as_attended,
            },
        )
    )
