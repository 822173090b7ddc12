"""My learning (a cms page) shows the person's certificates without cms importing
certificates: the template loads this tag."""

from django import template

from ..held import certificates_held_by

register = template.Library()


@register.simple_tag
def my_certificates(user):
    """The person's certificates, for My learning's "Your certificates" (1 query)."""
    return certificates_held_by(user)
