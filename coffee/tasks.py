"""Background work of Tandem coffee.

Beat sends ``coffee_rounds_due`` every hour. It finds each active scheme whose current
period (coffee.periods) has no round and queues ``coffee_round_run`` for it, through the
outbox. That task makes the round (coffee.services.coffee_round_create: under the scheme's
row lock, refused if the round exists), which queues ``send_coffee_round_emails``; that one,
under the round's row lock and once (``emails_queued_at``), queues one email task per member
(``send_coffee_match``) and per person carried over (``send_coffee_carry_over``), each sent
once under its own row's lock (``notified_at``).

Exactly once per period, whatever happens: beat restarting (and so sending the due check
twice), the due check queuing a round twice, the task delivered twice, two workers at once —
the second run finds the round under the lock and does nothing; the unique constraint on
(trust, period_start) is the backstop. A task that waited past its period does nothing
either: the next due check queues the current one.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims
from people.models import User

from . import selectors, services
from .models import CoffeeCarryOver, CoffeeMatchMember, CoffeeRound
from .periods import next_period_start, period_word


@shared_task
def coffee_rounds_due() -> int:
    """Queue a round for every active scheme whose current period has none. Returns how
    many were queued."""
    due = selectors.rounds_due(timezone.localdate())
    with transaction.atomic():
        for scheme_id, start in due:
            coffee_round_run.delay(scheme_id, start.isoformat())
    return len(due)


@shared_task
def coffee_round_run(scheme_id: int, period_start_iso: str) -> str:
    """Make one trust's round for one period, once (coffee.services.coffee_round_create)."""
    try:
        round_ = services.coffee_round_create(
            scheme_id=scheme_id,
            period_start=datetime.date.fromisoformat(period_start_iso),
            today=timezone.localdate(),
        )
    except claims.NotClaimed as skipped:
        return skipped.reason
    return (
        f"{round_.pairs_count} pairs, {round_.trios_count} trios, "
        f"{round_.carried_over_count} carried over"
    )


def _refuse_if_queued(round_: CoffeeRound) -> str | None:
    return "already queued" if round_.emails_queued_at else None


@shared_task
def send_coffee_round_emails(round_id: int) -> str:
    """Queue one email per member and per person carried over, in one transaction (through
    the outbox), once: the round's row is locked and ``emails_queued_at`` set under it."""
    try:
        with claims.row_locked(
            CoffeeRound.objects.all(), round_id, refuse=_refuse_if_queued
        ) as round_:
            members = list(
                CoffeeMatchMember.objects.filter(round=round_)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            carried = list(
                CoffeeCarryOver.objects.filter(round=round_)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for member_id in members:
                send_coffee_match.delay(member_id)
            for carry_over_id in carried:
                send_coffee_carry_over.delay(carry_over_id)
            round_.emails_queued_at = timezone.now()
            round_.save(update_fields=["emails_queued_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return f"queued {len(members) + len(carried)}"


def _refuse_if_notified(row) -> str | None:
    return "already sent" if row.notified_at else None


def _can_receive(person) -> bool:
    return bool(person.is_active and person.email)


def _links() -> dict:
    return {"coffee_link": mail.public_url(reverse("coffee:home"))}


@shared_task
def send_coffee_match(member_id: int) -> str:
    """Email one member who they are matched with, where, and how to say "we met". Once:
    the member's row is locked and ``notified_at`` checked and set under it."""
    try:
        with claims.row_locked(
            CoffeeMatchMember.objects.select_related(
                "person", "match__space", "match__round__trust"
            ),
            member_id,
            refuse=_refuse_if_notified,
        ) as member:
            person, match = member.person, member.match
            sent = _can_receive(person)
            if sent:
                partners = list(
                    User.objects.filter(coffee_memberships__match=match)
                    .exclude(pk=person.pk)
                    .order_by("last_name", "first_name")
                )
                mail.send(
                    "coffee/email/match",
                    to=person.email,
                    context={
                        "user": person,
                        "person": person,
                        "match": match,
                        "round": match.round,
                        "trust": match.round.trust,
                        "partners": partners,
                        "space": match.space,
                        "when": period_word(match.round.frequency),
                        **_links(),
                    },
                )
            member.notified_at = timezone.now()
            member.save(update_fields=["notified_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if sent else "nothing to send"


@shared_task
def send_coffee_carry_over(carry_over_id: int) -> str:
    """Tell someone plainly that no match was made for them this round, and that they go
    first in the next. Once, under the carry-over's row lock (``notified_at``)."""
    try:
        with claims.row_locked(
            CoffeeCarryOver.objects.select_related("person", "round__trust"),
            carry_over_id,
            refuse=_refuse_if_notified,
        ) as carry:
            person, round_ = carry.person, carry.round
            sent = _can_receive(person)
            if sent:
                mail.send(
                    "coffee/email/carried_over",
                    to=person.email,
                    context={
                        "user": person,
                        "person": person,
                        "round": round_,
                        "trust": round_.trust,
                        "carry_over": carry,
                        "when": period_word(round_.frequency),
                        "next_round": next_period_start(round_.frequency, round_.period_start),
                        **_links(),
                    },
                )
            carry.notified_at = timezone.now()
            carry.save(update_fields=["notified_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if sent else "nothing to send"
