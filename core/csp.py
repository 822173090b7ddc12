"""Content-Security-Policy: one strict policy for the public site and the Wagtail admin.

The policy (config.settings.base.CONTENT_SECURITY_POLICY) lets a script run only if it comes
from our origin or carries this response's nonce. Wagtail 8's admin still writes a few inline
``<script>`` elements (wagtail#1288, the roadmap's "Content Security Policy compatibility"),
and each one holds ids or options of the form it belongs to, so no fixed hash can allow them.
Instead, each place Wagtail writes one is made to carry the response's nonce:

- the chooser widgets' initialiser (page, image, document, snippet and task choosers), which
  ``BaseChooser.render`` writes in Python: ``patch_chooser_scripts`` below;
- the date, time and date-time pickers and the inline panels' initialisers, which Wagtail's
  templates write: overridden in core/templates/wagtailadmin/ with ``{% csp_nonce_attribute %}``
  (core.templatetags.tandem_csp).

Neither the widgets nor the panels are rendered with the request in their context, so the
nonce is found through the request this thread (or task) is answering, which ``CSPMiddleware``
below records for the length of the request. A nonce is written only where our code chose to
write a script: content (a page title, a person's name) never gets one, so an injected
``<script>`` stays blocked in the admin as everywhere else.

tests/test_csp.py fails when Wagtail changes any of the templates or the chooser code this
module depends on, so an upgrade cannot silently bring back a blocked script.
"""

import functools
from contextvars import ContextVar

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.utils.html import format_html
from django.utils.safestring import mark_safe

_current_request: ContextVar = ContextVar("tandem_csp_request", default=None)

# What BaseChooser.render (wagtail/admin/widgets/chooser.py) ends its output with.
_CHOOSER_SCRIPT_OPENING = "<script>"


def current_request():
    """The request this thread (or task) is answering, or None outside one. Recorded by
    CSPMiddleware for the nonce; also what a Wagtail signal handler can add a message to
    (cms.review_confirmation), since Wagtail's signals carry no request."""
    return _current_request.get()


def current_nonce() -> str | None:
    """This response's nonce (django-csp makes one on first use and adds it to the header),
    or None outside a request: a management command or an email renders no script."""
    request = current_request()
    if request is None or not hasattr(request, "csp_nonce"):
        return None
    return str(request.csp_nonce)


def nonce_attribute() -> str:
    """` nonce="…"` for a ``<script>`` tag, or "" outside a request."""
    nonce = current_nonce()
    return format_html(' nonce="{}"', nonce) if nonce else ""


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, which also records the request being answered (for
    ``current_nonce``), and lets Wagtail's preview be framed by the editor showing it."""

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            _current_request.reset(token)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # Wagtail's preview views (page and snippet previews in the editor's side panel) mark
        # their response X-Frame-Options: SAMEORIGIN because the editor shows them in an
        # iframe; everything else is DENY. frame-ancestors follows suit, so a preview can be
        # framed by our own pages and nothing is framed by anyone else's. The header is edited
        # rather than rebuilt: Wagtail renders a preview through the middleware as a request
        # of its own, whose header (and nonce) the preview's page already uses.
        if response.get("X-Frame-Options") == "SAMEORIGIN" and HEADER in response:
            response[HEADER] = _with_frame_ancestors_self(response[HEADER])
        return response


def _with_frame_ancestors_self(policy: str) -> str:
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    kept = [d for d in directives if d.split()[0] != "frame-ancestors"]
    return "; ".join([*kept, "frame-ancestors 'self'"])


def patch_chooser_scripts() -> None:
    """Give the initialiser script of every Wagtail chooser widget this response's nonce.

    ``BaseChooser.render`` returns the widget's HTML followed by ``<script>new
    PageChooser(…);</script>``; the last ``<script>`` of its output is that one."""
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser.render, "_tandem_nonce", False):
        return
    original = BaseChooser.render

    @functools.wraps(original)  # keeps Wagtail's as __wrapped__ (tests/test_csp.py pins it)
    def render(self, name, value, attrs=None, renderer=None):
        html = str(original(self, name, value, attrs=attrs, renderer=renderer))
        at = html.rfind(_CHOOSER_SCRIPT_OPENING)
        attribute = nonce_attribute()
        if at == -1 or not attribute:
            return mark_safe(html)  # noqa: S308 - Wagtail's own output, unchanged
        opening = f"<script{attribute}>"
        # Wagtail's output, with only the nonce added to the script Wagtail wrote.
        return mark_safe(html[:at] + opening + html[at + len(_CHOOSER_SCRIPT_OPENING) :])  # noqa: S308

    render._tandem_nonce = True
    BaseChooser.render = render
