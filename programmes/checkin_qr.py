"""A session's check-in link and its QR code, for the screen at the door.

The QR code encodes the full link, ``<BASE_URL>/learn/check-in/?code=XXXXXX``, so a phone's
camera opens the check-in page with the code already typed; the person still presses "Check
in" (a GET never checks anyone in). The link is built on settings.BASE_URL (as emailed links
are, accounts.emails.public_url), not on the host the facilitator's request came in on: a
phone in the room must reach the public address.

The SVG is drawn inline as one ``<path>`` (segno's ``svg_inline``: no XML declaration, no
namespace, one path of runs of dark modules) with no width or height, only a viewBox, so CSS
sizes it to the screen; it carries ``role="img"`` and a label naming the typed code, for
anyone who cannot scan it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.emails import public_url

from .models import Session


def checkin_address() -> str:
    """The check-in page's address to read off a screen and type: no scheme, no code."""
    url = public_url(reverse("programmes:checkin"))
    return url.split("://", 1)[-1]


def checkin_url(session: Session) -> str:
    """The absolute link the QR code encodes."""
    query = urlencode({"code": session.checkin_code})
    return public_url(f"{reverse('programmes:checkin')}?{query}")


def checkin_qr_svg(session: Session) -> SafeString:
    """The QR code of ``session``'s check-in link as inline SVG markup."""
    # Error correction M (15%): a screen across a room, glare, a finger on a phone's corner.
    # Scale 1 with a viewBox in modules keeps the path short; the 4-module quiet zone is the
    # standard's and is part of the drawing (the white background comes from CSS).
    qr = segno.make(checkin_url(session), error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="checkin-qr", lineclass=None)
    label = format_html(
        ' role="img" aria-label="QR code to check in to {}. Or type the code {}."',
        session.title,
        session.checkin_code_display,
    )
    # segno's markup begins "<svg " and holds only numbers and the path: the label (escaped
    # by format_html) is the one piece of text put into it.
    if not svg.startswith("<svg "):
        raise ValueError(f"segno's SVG changed shape: {svg[:40]!r}")
    return mark_safe(f"<svg{label} {svg[5:]}")  # noqa: S308 - segno's output, our escaped label
