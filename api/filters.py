"""Filters on the fields people filter on (django-filter): trust, cohort, status, dates.
Unknown filter values are a 400 with the reason, not an empty list."""

import django_filters

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


class CohortFilter(django_filters.FilterSet):
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
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Starting at or after (ISO 8601)."
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lte", help_text="Starting at or before (ISO 8601)."
    )
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)

    class Meta:
        model = Session
        fields = ["cohort", "status", "starts_after", "starts_before"]


class AttendanceFilter(django_filters.FilterSet):
    cohort = django_filters.NumberFilter(field_name="session__cohort_id")
    mark = django_filters.ChoiceFilter(choices=Mark.choices)
    marked_after = django_filters.IsoDateTimeFilter(field_name="marked_at", lookup_expr="gte")
    marked_before = django_filters.IsoDateTimeFilter(field_name="marked_at", lookup_expr="lte")

    class Meta:
        model = Attendance
        fields = ["session", "enrolment", "cohort", "mark", "marked_after", "marked_before"]


class EnrolmentFilter(django_filters.FilterSet):
    trust = django_filters.CharFilter(
        field_name="trust__ods_code", help_text="The trust they enrolled for (ODS code)."
    )
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    professional_group = django_filters.ChoiceFilter(choices=ProfessionalGroup.choices)

    class Meta:
        model = Enrolment
        fields = ["cohort", "person", "trust", "status", "professional_group"]


class RoleAppointmentFilter(django_filters.FilterSet):
    trust = django_filters.CharFilter(field_name="trust__ods_code")
    category = django_filters.ChoiceFilter(choices=RoleCategory.choices)
    current = django_filters.BooleanFilter(method="_current", help_text="Held today.")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = RoleAppointment
        fields = ["person", "trust", "category", "current", "starts_after", "starts_before"]

    def _current(self, queryset, name, value):
        held = RoleAppointment.objects.current().values("pk")
        return queryset.filter(pk__in=held) if value else queryset.exclude(pk__in=held)


class PairingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PairingStatus.choices)

    class Meta:
        model = Pairing
        fields = ["cohort", "scheme", "status"]


class ShadowingVisitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = ShadowingVisit
        fields = ["pairing", "status", "visited_after", "visited_before"]


class CertificateFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices)
    cohort = django_filters.NumberFilter(field_name="enrolment__cohort_id")
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["enrolment", "cohort", "status", "issued_after", "issued_before"]
