"""``{% csp_nonce_attribute %}``: ` nonce="…"` for a ``<script>`` our templates write, in
templates rendered without the request (form widgets, Wagtail panels). See core.csp."""

from django import template

from core.csp import nonce_attribute

register = template.Library()


@register.simple_tag
def csp_nonce_attribute():
    return nonce_attribute()
