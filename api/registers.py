"""Sessions, their registers and attendance marks (issue 15 §3): what a facilitator's phone
app needs. A register is read and written whole, as on the site: ``PUT
/api/v1/sessions/{id}/register/`` with every mark to record goes through the site's own
``register_save`` (its checks, its row lock, its history of changes, its re-evaluation of
completion through the outbox) — all or nothing — and, with an ``Idempotency-Key``, a retry
replays the first answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404 too
from rest_framework.response import Response

from programmes.models import Attendance, Session
from programmes.permissions import register_sessions
from programmes.selectors import register_entries
from programmes.services import register_save

from . import serializers
from .filters import AttendanceFilter, SessionFilter, StrictFilterBackend
from .idempotency import HEADER, run_once
from .views import ScopedViewSet


def _register(session: Session, result=None) -> dict:
    rows = [
        {
            "enrolment": enrolment.pk,
            "person": enrolment.person.get_full_name() or str(enrolment.person),
            "professional_group": enrolment.professional_group,
            "expected": enrolment.seated_before(session.ends_at),
            "mark": mark.mark if mark else "",
            "note": mark.note if mark else "",
            "source": mark.source if mark else "",
        }
        for enrolment, mark in register_entries(session)
    ]
    body = {"session": session.pk, "rows": rows}
    if result is not None:
        body |= {
            "created": result.created,
            "changed": result.changed,
            "unchanged": result.unchanged,
        }
    return body


class SessionViewSet(ScopedViewSet):
    """Sessions you may see: your cohorts' (administrators, facilitators), the sessions you
    facilitate, and those of cohorts where you hold a place."""

    model = Session
    serializer_class = serializers.SessionSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = SessionFilter

    def _register_session(self, pk) -> Session:
        # The register is for those who take it (as on the site): anyone else, a 404.
        return get_object_or_404(
            register_sessions(self.request.user).select_related("cohort"), pk=pk
        )

    @extend_schema(responses=serializers.RegisterOutput, summary="The session's register")
    @action(detail=True, methods=["get"], url_path="register", url_name="register")
    def register(self, request, pk=None):
        return Response(_register(self._register_session(pk)))

    @extend_schema(
        request=serializers.RegisterInput,
        responses=serializers.RegisterOutput,
        summary="Record the session's register: every mark given, all or nothing",
        parameters=[
            OpenApiParameter(
                HEADER,
                str,
                OpenApiParameter.HEADER,
                description="A key of your choosing (a UUID): the same request again with it "
                "replays the first answer and writes nothing.",
            )
        ],
    )
    @register.mapping.put
    def register_put(self, request, pk=None):
        session = self._register_session(pk)
        data = serializers.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        marks = {m["enrolment"]: (m["mark"], m["note"]) for m in data.validated_data["marks"]}

        def perform():
            try:
                result = register_save(session=session, marks=marks, by=request.user)
            except DjangoValidationError as error:
                if hasattr(error, "error_dict"):
                    raise exceptions.ValidationError({"marks": error.message_dict}) from None
                raise exceptions.ValidationError({"non_field_errors": error.messages}) from None
            return Response(_register(session, result))

        return run_once(
            request,
            perform,
            # Stored: the counts; a retry reads the register afresh (no names kept).
            keep=lambda body: {k: v for k, v in body.items() if k != "rows"},
            replay=lambda stored: stored | {"rows": _register(session)["rows"]},
        )


class AttendanceViewSet(ScopedViewSet):
    """Attendance marks you may see: your own, and those of the registers you take."""

    model = Attendance
    serializer_class = serializers.AttendanceSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = AttendanceFilter
