"""Every email Tandem sends itself goes through `send`: the invitation, and allauth's account
emails (through accounts.adapter). Wagtail's workflow notifications are sent by Wagtail, from
Tandem's templates under templates/wagtailadmin/notifications/ and with HTML turned on
(WAGTAILADMIN_NOTIFICATION_USE_HTML).

An email is three templates named from one prefix, allauth's convention:
`<prefix>_subject.txt`, `<prefix>_message.txt` (plain text; it extends email/base.txt, which
turns HTML escaping off so that D'Arcy is not sent as D&#x27;Arcy) and `<prefix>_message.html`
(extends email/base.html: the same words, branded, with inline styles only, since mail
programs drop style sheets). Both parts are always sent: some people read mail as text.

Links are absolute at settings.BASE_URL, never the host a request happened to come in on:
an email is read elsewhere, later, and is often built by a Celery worker with no request.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

SITE_NAME = "Tandem"


def public_url(url: str) -> str:
    """`url` (absolute, or a path) on Tandem's public address, settings.BASE_URL, whatever
    host name the request that built it came in on."""
    if not url:
        return url
    scheme, netloc, *_ = urlsplit(settings.BASE_URL)
    return urlunsplit((scheme, netloc, *urlsplit(url)[2:]))


def render(template_prefix: str, *, to: str | list[str], context: dict) -> EmailMultiAlternatives:
    """The email `template_prefix` names, addressed to `to`, with a text and an HTML part."""
    context = {"base_url": settings.BASE_URL, "site_name": SITE_NAME, **context}
    subject = render_to_string(f"{template_prefix}_subject.txt", context)
    # One line, whatever the template's line breaks: a header cannot hold a newline.
    subject = " ".join(subject.split())
    text = render_to_string(f"{template_prefix}_message.txt", context).strip() + "\n"
    html = render_to_string(f"{template_prefix}_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        # Out-of-office replies should not answer an automatic message (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send(template_prefix: str, *, to: str | list[str], context: dict) -> None:
    render(template_prefix, to=to, context=context).send()
