"""My learning (a cms page) shows the person's self-assessment without cms importing
outcomes: the template loads this tag."""

from django import template

from ..chart import profile_chart
from ..selectors import profiles_for

register = template.Library()


@register.simple_tag
def my_self_assessments(user, enrolments=None):
    """The person's before/after profiles with their charts: one query (their ratings) given
    My learning's enrolments (items with an ``enrolment``), two without."""
    if enrolments is not None:
        enrolments = [getattr(item, "enrolment", item) for item in enrolments]
    return [
        {"profile": p, "chart": profile_chart(p)} for p in profiles_for(user, enrolments=enrolments)
    ]
