"""Filters on the fields people filter on (django-filter): trust, cohort, status, dates.
Unknown filter values are a 400 with the reason, not an empty list."""

import django_filters

from programmes.models import Cohort, CohortStatus


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
