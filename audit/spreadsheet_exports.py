"""Wagtail's own spreadsheet exports, defused against formula injection.

Every CSV/XLSX download in Wagtail's admin (the site-history and other reports, every
model and snippet listing's "Download CSV/XLSX", form submissions) is written by
`wagtail.admin.views.mixins.SpreadsheetExportMixin`, whose values pass through
`preprocess_field_value` (and whose headings through `get_heading`). Wagtail writes text
as it is, so a person named `=HYPERLINK("http://evil.example","open")` becomes a live
formula when an administrator opens the CSV in Excel. Rather than patch each report and
listing one by one (and miss the next one Wagtail adds), the mixin itself is wrapped once,
at start-up (audit.apps), with the same `safe_cell` rule as Tandem's own exports.
"""

from functools import wraps

from .csv_export import safe_cell


def _defused(value):
    # Only text can be a formula; numbers, dates and None keep their type, so XLSX cells
    # stay numbers and dates.
    return safe_cell(value) if isinstance(value, str) else value


def defuse_wagtail_spreadsheet_exports() -> None:
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_tandem_defused", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    get_heading = SpreadsheetExportMixin.get_heading

    @wraps(preprocess_field_value)
    def defused_preprocess_field_value(self, field, value, export_format):
        return _defused(preprocess_field_value(self, field, value, export_format))

    @wraps(get_heading)
    def defused_get_heading(self, queryset, field):
        # Form submission headings are field labels an editor typed.
        return _defused(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = defused_preprocess_field_value
    SpreadsheetExportMixin.get_heading = defused_get_heading
    SpreadsheetExportMixin._tandem_defused = True
