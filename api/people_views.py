"""Enrolments and role history over the API (issue 15 §3).

- ``/api/v1/enrolments/``: read, scoped as on the site; ``POST …/{id}/transitions/`` moves one
  through the site's own services (withdraw, approve, decline, promote, complete, mark not
  completed) — the same state machine, seat rules, history and emails.
- ``/api/v1/role-appointments/``: read; ``POST …/import/`` is the HR feed — the rows of an HR
  extract as JSON, checked by the role import's own rules (people.role_import: people found
  only in the trust named, which you must administer; bad rows named and nothing written;
  the same rows again change nothing). ``"dry_run": true`` says what would happen."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404 too
from rest_framework.response import Response

from people import role_import
from people.models import RoleAppointment
from programmes import services as programmes
from programmes.models import Enrolment
from programmes.services.errors import (
    AlreadyEnrolled,
    EnrolmentClosed,
    EnrolmentError,
    IllegalTransition,
    NoPlaceAvailable,
    NotAllowed,
)

from . import serializers as api_serializers
from .filters import EnrolmentFilter, RoleAppointmentFilter, StrictFilterBackend
from .idempotency import run_once
from .views import ScopedViewSet

CONFLICTS = (IllegalTransition, NoPlaceAvailable, EnrolmentClosed, AlreadyEnrolled)
TRANSITIONS = {
    "withdraw": programmes.enrolment_withdraw,
    "approve": programmes.enrolment_approve,
    "decline": programmes.enrolment_decline,
    "promote": programmes.enrolment_promote,
    "complete": programmes.enrolment_complete,
    "mark_not_completed": programmes.enrolment_mark_not_completed,
}


class TransitionInput(api_serializers.StrictSerializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EnrolmentViewSet(ScopedViewSet):
    """Enrolments you may see: your own; your trust's cohorts' (administrators); your cohorts'
    (facilitators). Never their goals or sponsor: those stay on the site."""

    model = Enrolment
    serializer_class = api_serializers.EnrolmentSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return super().get_queryset().select_related("trust")

    @extend_schema(
        request=TransitionInput,
        responses=api_serializers.EnrolmentSerializer,
        summary="Move the enrolment on (the site's own services and state machine)",
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request, pk=None):
        enrolment = get_object_or_404(self.get_queryset(), pk=pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        service = TRANSITIONS[data.validated_data["action"]]

        def perform():
            try:
                service(enrolment=enrolment, by=request.user, reason=data.validated_data["reason"])
            except NotAllowed as refusal:
                raise exceptions.PermissionDenied(str(refusal)) from None
            except CONFLICTS as refusal:  # where the enrolment (or its cohort) is now
                raise Conflict(str(refusal)) from None
            except EnrolmentError as refusal:  # what the request lacks (a reason, say)
                raise exceptions.ValidationError({"non_field_errors": [str(refusal)]}) from None
            enrolment.refresh_from_db()
            return Response(api_serializers.EnrolmentSerializer(enrolment).data)

        return run_once(request, perform)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The enrolment cannot move that way from where it is now."


class RoleRowInput(api_serializers.StrictSerializer):
    staff_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    title = serializers.CharField(max_length=1000, allow_blank=True)
    category = serializers.CharField(max_length=100, allow_blank=True)
    start = serializers.CharField(max_length=40, allow_blank=True)
    end = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class RoleImportInput(api_serializers.StrictSerializer):
    trust = serializers.CharField(help_text="The ODS code of the trust the extract is for.")
    dry_run = serializers.BooleanField(default=False)
    rows = RoleRowInput(many=True, allow_empty=False, max_length=role_import.MAX_ROWS)


class RoleImportRow(serializers.Serializer):
    row = serializers.IntegerField(help_text="Its place in rows, from 1.")
    outcome = serializers.CharField(allow_blank=True)
    errors = serializers.ListField(child=serializers.CharField())


class RoleImportOutput(serializers.Serializer):
    imported = serializers.BooleanField()
    new = serializers.IntegerField()
    end_set = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = RoleImportRow(many=True)


def _import_body(check) -> dict:
    return {
        "imported": check.imported,
        **check.summary,
        "rows": [
            {
                "row": row.number,
                "outcome": row.outcome if not row.errors else "",
                "errors": row.errors,
            }
            for row in check.rows
        ],
    }


class RoleAppointmentViewSet(ScopedViewSet):
    """Role history you may see: your own, and your trust's people's (administrators and
    reporting leads of that trust) — by the person's trust, as on the site."""

    model = RoleAppointment
    serializer_class = api_serializers.RoleAppointmentSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = RoleAppointmentFilter

    def get_queryset(self):
        return super().get_queryset().select_related("trust", "person")

    @extend_schema(
        request=RoleImportInput,
        # A refusal is a problem (documented for every operation) carrying the same report.
        responses={200: RoleImportOutput},
        summary="The HR feed: import role history rows (all or nothing)",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        data = RoleImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Only a trust you may import for; any other code is the same 404, existing or not.
        trust = (
            role_import.importing_trusts(request.user)
            .filter(ods_code=data.validated_data["trust"])
            .first()
        )
        if trust is None:
            raise exceptions.NotFound("No trust with that ODS code that you import roles for.")
        cells = [
            {"number": index, "staff_number": "", "email": "", "end": "", **row}
            for index, row in enumerate(data.validated_data["rows"], start=1)
        ]

        def perform():
            if data.validated_data["dry_run"]:
                check = role_import.role_import_check_cells(
                    by=request.user, trust=trust, cells=cells
                )
            else:
                check = role_import.role_import_apply(
                    by=request.user, trust=trust, cells=cells, request=request._request
                )
            if not check.ok or (not data.validated_data["dry_run"] and not check.imported):
                raise RowsRefused(_import_body(check))
            return Response(_import_body(check))

        return run_once(request, perform)


class RowsRefused(exceptions.APIException):
    """Rows refused, nothing written: the whole report goes in the problem, so a client sees
    every row's outcome or errors (api.problems adds ``report``)."""

    status_code = 400

    def __init__(self, report: dict):
        super().__init__("Some rows were refused, so nothing was written: see rows for each.")
        self.report = report
