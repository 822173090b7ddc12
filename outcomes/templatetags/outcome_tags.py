"""My learning (a cms page) shows the person's self-assessment without cms importing
outcomes: the template loads this tag."""

from django import template

from ..chart import profile_chart
from ..selectors import profiles_for

register = template.Library()


@register.simple_tag
def my_self_assessments(user):
    """The person's before/after profiles with their charts (2 queries)."""
    return [{"profile": p, "chart": profile_chart(p)} for p in profiles_for(user)]
