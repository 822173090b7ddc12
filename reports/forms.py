"""The dashboard's filters: a GET form, validated like any other — a date that is not one,
or a range that ends before it starts, is an error the person can correct. A cohort outside
the trust's report is not an error but a 404 (reports.permissions): the page does not
confirm that another trust's cohort exists."""

from __future__ import annotations

from django import forms
from django.http import Http404

from core.widgets import LongSelect
from programmes.models import Programme

from .comparison_selectors import ComparisonFilter
from .selectors import ReportFilter


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        # A date input's value must be ISO (2027-03-03): the locale's 03/03/2027 shows blank.
        super().__init__(attrs, format=format)


class ReportFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(),
        required=False,
        empty_label="All programmes",
        error_messages={"invalid_choice": "Choose a programme from the list."},
    )
    # A number, not a ModelChoiceField: a cohort outside the list must be told apart from a
    # mistyped one, and answered with a 404 (clean_cohort).
    cohort = forms.IntegerField(
        required=False,
        widget=LongSelect,  # a large trust has hundreds of cohorts
        error_messages={"invalid": "Choose a cohort from the list."},
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=DateInput,
        help_text="Cohorts running on any day from this date.",
        error_messages={"invalid": "Enter a real date, for example 1 4 2026."},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=DateInput,
        help_text="…to this date.",
        error_messages={"invalid": "Enter a real date, for example 31 3 2027."},
    )

    def __init__(self, data=None, *, cohorts, **kwargs):
        super().__init__(data, **kwargs)
        self.cohorts = cohorts
        # One query each: the trust's cohorts (with their programme) and their programmes.
        listed = list(cohorts.select_related("programme").order_by("-starts_on", "name"))
        self.fields["cohort"].widget.choices = [("", "All cohorts")] + [
            (c.pk, f"{c.programme.title}: {c.name}") for c in listed
        ]
        self._listed = {c.pk: c for c in listed}
        self.fields["programme"].queryset = Programme.objects.filter(
            pk__in={c.programme_id for c in listed}
        )

    def clean_cohort(self):
        pk = self.cleaned_data.get("cohort")
        if pk is None:
            return None
        cohort = self._listed.get(pk)
        if cohort is None:
            raise Http404("No cohort matches the given query.")
        return cohort

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date must be on or after the start date.")
        programme, cohort = data.get("programme"), data.get("cohort")
        if programme and cohort and cohort.programme_id != programme.pk:
            self.add_error("cohort", "That cohort is not of the programme you chose.")
        return data

    def report_filter(self, trust) -> ReportFilter:
        """The trust's filter the form says (none when unbound); call after is_valid()."""
        if not self.is_bound:
            return ReportFilter(trust=trust)
        return ReportFilter(trust=trust, **self.cleaned_data)


class ComparisonFilterForm(ReportFilterForm):
    """The regional and national comparison's filters: the dashboard's, less the cohort (a
    cohort is one trust's, so it would compare nothing). Every programme is offered."""

    def __init__(self, data=None, **kwargs):
        from programmes.models import Cohort

        super().__init__(data, cohorts=Cohort.objects.none(), **kwargs)
        del self.fields["cohort"]
        self.fields["programme"].queryset = Programme.objects.order_by("title")

    def comparison_filter(self) -> ComparisonFilter:
        """The filter the form says (none when unbound); call after is_valid()."""
        if not self.is_bound:
            return ComparisonFilter()
        return ComparisonFilter(**self.cleaned_data)
