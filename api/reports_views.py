"""Report aggregates over the API (issue 15 §3): a trust's dashboard and the regional and
national comparisons as JSON — the very tables the pages show, built by reports.dashboard and
reports.comparison, so every figure is disclosed (suppressed) exactly as on the site: a
hidden count is its text ("<5", "*") with no value. Who may see which trust or region is
reports.permissions' answer, as for the pages: another trust's id is a 404."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import comparison, dashboard
from reports.disclosure import Figure, threshold
from reports.forms import ComparisonFilterForm, ReportFilterForm
from reports.permissions import (
    comparison_scope,
    refuse_unless_reporter,
    reportable_trust_or_404,
    trust_cohorts,
)

from .base import ApiViewMixin

FILTERS = [
    OpenApiParameter("programme", int, description="A programme's id."),
    OpenApiParameter("since", str, description="A date, 2026-01-31: cohorts running since."),
    OpenApiParameter("until", str, description="A date: cohorts running until."),
]
REPORT = inline_serializer(
    "Report",
    {
        "scope": serializers.CharField(),
        "suppression": serializers.DictField(),
        "tables": serializers.ListField(child=serializers.DictField()),
    },
)


def _cell(cell) -> dict:
    if isinstance(cell, Figure):
        return {"text": cell.text, "value": cell.value if cell.shown else None,
                "hidden": str(cell.hidden) if cell.hidden else None}  # fmt: skip
    value = cell if isinstance(cell, int | float) else None
    return {"text": "" if cell is None else str(cell), "value": value, "hidden": None}


def _table(table) -> dict:
    return {
        "slug": table.slug,
        "title": table.title,
        "label_heading": table.label_heading,
        "columns": table.columns,
        "rows": [
            {"label": row.label, "is_total": row.is_total, "cells": [_cell(c) for c in row.cells]}
            for row in table.rows
        ],
        "notes": table.notes,
    }


def _suppression() -> dict:
    return {
        "threshold": threshold(),
        "explained": f"A count from 1 to {threshold() - 1} is shown as <{threshold()}; '*' is "
        "hidden so that a small count cannot be worked out from the others.",
    }


def _refuse_bad_filters(form) -> None:
    if form.is_bound and not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})


class TrustReportView(ApiViewMixin, APIView):
    """A trust's dashboard: every table, disclosed as on /reports/trusts/{id}/."""

    @extend_schema(
        parameters=[*FILTERS, OpenApiParameter("cohort", int, description="A cohort's id.")],
        responses=REPORT,
        summary="A trust's dashboard tables",
    )
    def get(self, request, trust_id: int):
        refuse_unless_reporter(request.user)
        trust = reportable_trust_or_404(request.user, trust_id)
        form = ReportFilterForm(request.query_params or None, cohorts=trust_cohorts(trust))
        _refuse_bad_filters(form)
        board = dashboard.build(form.report_filter(trust))
        return Response({
            "scope": trust.ods_code,
            "suppression": _suppression(),
            "tables": [_table(table) for table in board.tables.values()],
        })  # fmt: skip


class ComparisonReportView(ApiViewMixin, APIView):
    """The regional (``region_id``) or national comparison, as on /reports/regions/{id}/ and
    /reports/national/."""

    @extend_schema(parameters=FILTERS, responses=REPORT, summary="A comparison of trusts")
    def get(self, request, region_id: int | None = None):
        scope, region, trust_ids = comparison_scope(request.user, region_id)
        form = ComparisonFilterForm(request.query_params or None)
        _refuse_bad_filters(form)
        built = comparison.build(form.comparison_filter())
        region_key = comparison.region_key_of(region) if region else None
        shown = comparison.visible_units(built, region_key=region_key, trust_ids=trust_ids)
        tables = comparison.tables(built, shown)
        return Response({
            "scope": scope,
            "suppression": _suppression(),
            "tables": [_table(table) for table in tables.values()],
        })  # fmt: skip
