"""core.widgets.LongSelect writes the HTML Django's Select would, without a template per
option: the same attributes, the chosen option selected, groups, everything escaped."""

from django import forms
from django.test.html import parse_html

from core.widgets import LongSelect

CHOICES = [
    ("", "All cohorts"),
    (1, "Leading Together: Spring 2026"),
    (22, 'Clinicians & managers: "<b>autumn</b>"'),
]
GROUPED = [
    ("", "Any"),
    ("Leading Together", [(1, "Spring"), (2, "Autumn <i>")]),
    ("Coffee & more", [(3, "Winter")]),
]


def _both(choices, value, attrs):
    django = forms.Select(choices=choices).render("cohort", value, attrs)
    ours = LongSelect(choices=choices).render("cohort", value, attrs)
    return parse_html(django), parse_html(ours), ours


def test_the_same_html_as_djangos_select_with_the_chosen_option_selected():
    attrs = {"id": "id_cohort", "aria-describedby": "id_cohort_helptext", "required": True}
    for value in (None, "", 22, "1"):
        django, ours, _ = _both(CHOICES, value, attrs)
        assert ours == django, value


def test_groups_and_escaping():
    django, ours, html = _both(GROUPED, 2, {"id": "id_cohort"})
    assert ours == django
    assert "<i>" not in html and "&lt;i&gt;" in html
    _, _, html = _both(CHOICES, None, {})
    assert "<b>" not in html and "&quot;&lt;b&gt;" in html


def test_every_date_input_writes_an_iso_value_the_browser_can_show():
    """A type="date" input shows nothing for the locale's 03/03/2027, so a date already held
    (a project's presentation day, a role's start) looked blank and was lost on saving."""
    import datetime

    from api.forms import TokenForm
    from pairing.forms import DATE_INPUT as PAIRING_DATE
    from people.role_forms import DATE_INPUT as ROLE_DATE
    from programmes.admin_sessions import SessionForm
    from reports.forms import DateInput

    day = datetime.date(2027, 3, 3)
    widgets = [
        PAIRING_DATE,
        ROLE_DATE,
        DateInput(),
        SessionForm.base_fields["date"].widget,
        TokenForm.base_fields["expires_on"].widget,
    ]
    for widget in widgets:
        assert 'value="2027-03-03"' in widget.render("day", day), widget
