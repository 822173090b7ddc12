"""Filters on the fields people filter on (django-filter): trust, cohort, status, dates.
Unknown filter values are a 400 with the reason, not an empty list.

Ids are plain numbers (IdFilter), not django-filter's default choice of a model: that checks
the id against every row, so another trust's real id (an empty list) and one that exists
nowhere (a 400) could be told apart. Times are bounded to what the database can hold."""

import datetime

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from certificates.models import Certificate, CertificateStatus
from pairing.models import Pairing, PairingStatus, ShadowingVisit, VisitStatus
from people.models import ProfessionalGroup, RoleAppointment, RoleCategory
from programmes.models import (
    Attendance,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Session,
    SessionStatus,
)

# The largest id a bigint column holds: a bigger number matches nothing, so it is refused.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("help_text", "An id.")
        super().__init__(*args, **kwargs)


class BoundedDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment PostgreSQL and SQLite can both hold: a UTC offset under 16 hours
    and a year from 1900 to 2200 (Python allows up to 24 hours and years 1 to 9999)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) >= datetime.timedelta(hours=16):
            raise forms.ValidationError("Give a time zone offset under 16 hours, e.g. +01:00.")
        if not 1900 <= moment.year <= 2200:
            raise forms.ValidationError("Give a year from 1900 to 2200.")
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField


class StrictFilterBackend(DjangoFilterBackend):
    """A query parameter the list does not know is a 400 naming it — ``?cohort_id=`` for
    ``?cohort=`` would otherwise quietly list everything."""

    known = {"cursor", "page_size"}

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        allowed = self.known | set(filterset_class.base_filters if filterset_class else ())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {name: [f"Unknown filter: use one of {', '.join(sorted(allowed))}."]
                 for name in unknown}
            )  # fmt: skip
        return super().filter_queryset(request, queryset, view)


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true or false; anything else is a 400 (not, as django-filter's, no filter at all)."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


class CohortFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")
    trust = django_filters.CharFilter(
        field_name="host_trust__ods_code", help_text="The host trust's ODS code, e.g. RXZ."
    )
    status = django_filters.ChoiceFilter(choices=CohortStatus.choices)
    starts_after = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="gte", help_text="Starting on or after this date."
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", help_text="Starting on or before this date."
    )

    class Meta:
        model = Cohort
        fields = ["programme", "trust", "status", "starts_after", "starts_before"]


class SessionFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id")
    starts_after = MomentFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Starting at or after (ISO 8601)."
    )
    starts_before = MomentFilter(
        field_name="starts_at", lookup_expr="lte", help_text="Starting at or before (ISO 8601)."
    )
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)

    class Meta:
        model = Session
        fields = ["cohort", "status", "starts_after", "starts_before"]


class AttendanceFilter(django_filters.FilterSet):
    session = IdFilter(field_name="session_id")
    enrolment = IdFilter(field_name="enrolment_id")
    cohort = IdFilter(field_name="session__cohort_id")
    mark = django_filters.ChoiceFilter(choices=Mark.choices)
    marked_after = MomentFilter(field_name="marked_at", lookup_expr="gte")
    marked_before = MomentFilter(field_name="marked_at", lookup_expr="lte")

    class Meta:
        model = Attendance
        fields = ["session", "enrolment", "cohort", "mark", "marked_after", "marked_before"]


class EnrolmentFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id")
    person = IdFilter(field_name="person_id")
    trust = django_filters.CharFilter(
        field_name="trust__ods_code", help_text="The trust they enrolled for (ODS code)."
    )
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    professional_group = django_filters.ChoiceFilter(choices=ProfessionalGroup.choices)

    class Meta:
        model = Enrolment
        fields = ["cohort", "person", "trust", "status", "professional_group"]


class RoleAppointmentFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    trust = django_filters.CharFilter(field_name="trust__ods_code")
    category = django_filters.ChoiceFilter(choices=RoleCategory.choices)
    current = StrictBooleanFilter(method="_current", help_text="Held today: true or false.")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = RoleAppointment
        fields = ["person", "trust", "category", "current", "starts_after", "starts_before"]

    def _current(self, queryset, name, value):
        held = RoleAppointment.objects.current().values("pk")
        return queryset.filter(pk__in=held) if value else queryset.exclude(pk__in=held)


class PairingFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id")
    scheme = IdFilter(field_name="scheme_id")
    status = django_filters.ChoiceFilter(choices=PairingStatus.choices)

    class Meta:
        model = Pairing
        fields = ["cohort", "scheme", "status"]


class ShadowingVisitFilter(django_filters.FilterSet):
    pairing = IdFilter(field_name="pairing_id")
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = ShadowingVisit
        fields = ["pairing", "status", "visited_after", "visited_before"]


class CertificateFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices)
    enrolment = IdFilter(field_name="enrolment_id")
    cohort = IdFilter(field_name="enrolment__cohort_id")
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["enrolment", "cohort", "status", "issued_after", "issued_before"]
