"""Template helpers for the email layouts (templates/email/), which also frame Wagtail's
workflow notifications: Wagtail renders those with a context of its own, without the
`base_url` accounts.emails gives every other email."""

from django import template
from django.conf import settings

from accounts.emails import public_url as _public_url

register = template.Library()


@register.simple_tag(takes_context=True)
def email_base_url(context) -> str:
    """The address links start with: the context's `base_url` (settings.BASE_URL, from
    accounts.emails), or for Wagtail's notifications WAGTAILADMIN_BASE_URL, the address its
    own templates put before admin links (it follows BASE_URL unless set apart)."""
    return context.get("base_url") or settings.WAGTAILADMIN_BASE_URL


@register.filter
def public_url(url) -> str:
    """A page's full_url (which Wagtail builds from its Site record, `localhost:80` unless an
    administrator changed it) on settings.BASE_URL."""
    return _public_url(str(url)) if url else ""
