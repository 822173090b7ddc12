"""The emails of enrolment: which change sends which email, to whom, with what.

**Never lost, never doubled.** ``enqueue_for(event)`` is called by the enrolment services for
every change they record (programmes.services.enrolments._record), inside their transaction:
the task goes through the outbox (outbox.services), so it is published only once the change
commits, never for a change rolled back, and a broker outage delays it rather than losing it.
The task (programmes.tasks.send_enrolment_emails) takes the EnrolmentEvent's id, locks its
row, and sends only if ``notified_at`` is empty, setting it before the lock is released: a
second delivery sends nothing. (As for invitations, only a crash between the mail server
accepting a message and the commit can send it once more.)

**Which change sends which email** is the one table ``NOTICES``: (action, status after) ->
the kinds of email. Each kind is a function registered with ``@kind("name")`` that returns
who it goes to and the templates' context, or None to send nothing (the person's account was
erased meanwhile, the application is no longer waiting for the sponsor...). Its templates are
``programmes/email/<name>_subject.txt``, ``_message.txt`` and ``_message.html``, extending the
site's email layouts (accounts.emails). To add one — a pair invitation, say — add its row to
NOTICES (with the action it follows), a ``@kind`` function, and its three templates;
tests/programmes/test_emails.py checks that every kind in the table has all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail

from . import sponsors
from .models import Enrolment, EnrolmentAction, EnrolmentEvent, EnrolmentStatus

A, S = EnrolmentAction, EnrolmentStatus

# (action, status after) -> the emails it sends. Changes not listed send none (completion
# will be the certificate's email, sent by certificates).
NOTICES: dict[tuple[str, str], tuple[str, ...]] = {
    (A.APPLY, S.ENROLLED): ("enrolled",),
    (A.APPLY, S.WAITLISTED): ("waitlisted",),
    (A.APPLY, S.PENDING_APPROVAL): ("approval_requested",),
    (A.APPROVE, S.ENROLLED): ("approved",),
    (A.APPROVE, S.WAITLISTED): ("approved",),  # approved, and on the waiting list
    (A.DECLINE, S.WITHDRAWN): ("declined",),
    (A.PROMOTE, S.ENROLLED): ("promoted",),
    (A.WITHDRAW, S.WITHDRAWN): ("withdrawn",),
}

TEMPLATE_DIR = "programmes/email"


def kinds_for(event: EnrolmentEvent) -> tuple[str, ...]:
    return NOTICES.get((event.action, event.to_status), ())


def enqueue_for(event: EnrolmentEvent) -> None:
    """Queue the emails of a change just recorded, in the caller's transaction."""
    if kinds_for(event):
        from .tasks import send_enrolment_emails  # the tasks module imports the services

        send_enrolment_emails.delay(event.pk)


# --- the kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    to: str
    context: dict


Kind = Callable[[EnrolmentEvent], Outgoing | None]
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Callable[[Kind], Kind]:
    def register(function: Kind) -> Kind:
        if name in KINDS:
            raise ValueError(f"An email kind named {name!r} is already registered.")
        KINDS[name] = function
        return function

    return register


def send_for(event: EnrolmentEvent) -> list[str]:
    """Send the event's emails now; returns the kinds sent. The task calls this under the
    event's row lock; nothing else should."""
    sent = []
    for name in kinds_for(event):
        outgoing = KINDS[name](event)
        if outgoing is None:
            continue
        mail.send(f"{TEMPLATE_DIR}/{name}", to=outgoing.to, context=outgoing.context)
        sent.append(name)
    return sent


def _links(enrolment) -> dict:
    """The links every enrolment email may give, absolute at BASE_URL."""
    page = enrolment.cohort.programme.page
    page_url = page.get_url() if page is not None and page.live else None
    return {
        "my_learning_url": mail.public_url(reverse("cms:my_learning")),
        "programme_url": mail.public_url(page_url) if page_url else "",
    }


def _to_participant(event: EnrolmentEvent, **context) -> Outgoing | None:
    """An email to the participant, unless their account is gone or inactive (an erased
    person's withdrawal must not be mailed to their pseudonymised address)."""
    enrolment = event.enrolment
    person = enrolment.person
    if not person.is_active or not person.email:
        return None
    return Outgoing(
        to=person.email,
        context={
            "user": person,
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "programme": enrolment.cohort.programme,
            "event": event,
            **_links(enrolment),
            **context,
        },
    )


def _waitlist_place(enrolment) -> int | None:
    from .selectors import waitlist_position

    return waitlist_position(enrolment)


@kind("enrolled")
def _enrolled(event):
    return _to_participant(event)


@kind("waitlisted")
def _waitlisted(event):
    place = _waitlist_place(event.enrolment)
    if place is None:
        return None  # promoted or withdrawn meanwhile: that change has its own email
    return _to_participant(event, place=place)


@kind("promoted")
def _promoted(event):
    return _to_participant(event)


@kind("approved")
def _approved(event):
    waitlisted = event.to_status == S.WAITLISTED
    place = _waitlist_place(event.enrolment) if waitlisted else None
    # One of a pair approved first waits (holding no place) for the partner's sponsor:
    # the two are placed together (programmes.services.pairs).
    partner = None
    if waitlisted and event.enrolment.pair_id:
        partner = (
            Enrolment.objects.filter(pair_id=event.enrolment.pair_id, status=S.PENDING_APPROVAL)
            .exclude(pk=event.enrolment_id)
            .select_related("person")
            .first()
        )
    # From the link, or (later) by an administrator for them: the email says which.
    by_sponsor = event.by_id is None
    return _to_participant(
        event,
        waitlisted=waitlisted,
        place=place,
        by_sponsor=by_sponsor,
        waiting_for=partner.person if partner is not None else None,
    )


@kind("declined")
def _declined(event):
    by_sponsor = event.by_id is None  # from the link; else an administrator declined
    if by_sponsor:
        reason = event.reason.partition(sponsors.DECLINE_REASON_LABEL)[2]
    else:
        reason = event.reason
    return _to_participant(event, by_sponsor=by_sponsor, reason=reason.strip())


@kind("withdrawn")
def _withdrawn(event):
    enrolment = event.enrolment
    by_themselves = event.by_id is not None and event.by_id == enrolment.person_id
    # An administrator's reason is said; the person knows their own, and Tandem's own
    # withdrawals (erasure) are never mailed.
    reason = event.reason if not by_themselves else ""
    return _to_participant(event, by_themselves=by_themselves, reason=reason)


@kind("approval_requested")
def _approval_requested(event):
    """To the sponsor, with the link. The link's nonce is issued here, under the enrolment's
    lock, if the application has none yet; sent only while the application still waits."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("person__trust", "cohort__programme", "cohort__host_trust")
        .get(pk=event.enrolment_id)
    )
    if enrolment.status != S.PENDING_APPROVAL or not enrolment.sponsor_email:
        return None
    if enrolment.sponsor_requested_at is not None:
        return None  # a request sent again from My learning went first: no second email
    return approval_request(enrolment)


def approval_request(enrolment) -> Outgoing:
    """The sponsor's email for ``enrolment`` (locked by the caller), with a link for its
    current nonce (issued if it has none); records that the link was sent."""
    if not enrolment.sponsor_nonce:
        enrolment.sponsor_nonce = sponsors.new_nonce()
    now = timezone.now()
    enrolment.sponsor_requested_at = now
    enrolment.save(update_fields=["sponsor_nonce", "sponsor_requested_at"])
    return Outgoing(
        to=enrolment.sponsor_email,
        context={
            "enrolment": enrolment,
            "person": enrolment.person,
            "cohort": enrolment.cohort,
            "programme": enrolment.cohort.programme,
            "sponsor_name": enrolment.sponsor_name,
            "link": sponsors.link(enrolment),
            "expires_on": now + sponsors.valid_for(),
            "valid_days": settings.SPONSOR_LINK_VALID_DAYS,
            **_links(enrolment),
        },
    )


def send_approval_request(enrolment) -> None:
    """Send the sponsor's email now (programmes.tasks.send_sponsor_request, under the
    enrolment's lock)."""
    outgoing = approval_request(enrolment)
    mail.send(f"{TEMPLATE_DIR}/approval_requested", to=outgoing.to, context=outgoing.context)
