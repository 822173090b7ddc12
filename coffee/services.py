"""Every write of Tandem coffee: keyword-only, one transaction each.

- coffee_opt_set: a person opts in or out (the row is kept either way).
- coffee_scheme_save, shared_space_save, shared_space_set_active: a trust's settings.
- coffee_round_create: one trust's round for one period — who takes part, the matching
  (coffee.rounds), the matches, members and carry-overs, and the email fan-out queued —
  in one transaction, under the scheme's row lock, once per period.
- coffee_met_mark: a member says "we met".
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from outbox import claims

from . import selectors
from .models import (
    CoffeeCarryOver,
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    MatchKind,
    SharedSpace,
)
from .periods import period_start as period_start_of
from .rounds import match_round, round_random, spaces_for


class CoffeeError(Exception):
    """A request the scheme cannot take, said in words the person can act on."""


# --- a person's choice -----------------------------------------------------------------------


def coffee_opt_set(*, person, opted_in: bool) -> CoffeeOptIn:
    """Opt ``person`` in or out. Only people of a trust take part (rounds are per trust).
    Opting out keeps the row, so "opted out" is remembered rather than forgotten."""
    if person.trust_id is None:
        raise CoffeeError(
            "Tandem coffee matches people within a trust, and your account has no trust."
        )
    now = timezone.now()
    with transaction.atomic():
        row, created = CoffeeOptIn.objects.select_for_update().get_or_create(
            person=person, defaults={"opted_in": opted_in, "changed_at": now}
        )
        if not created and row.opted_in != opted_in:
            row.opted_in = opted_in
            row.changed_at = now
            row.save(update_fields=["opted_in", "changed_at"])
    return row


# --- a trust's settings ----------------------------------------------------------------------


def coffee_scheme_save(
    *, trust, active: bool, frequency: str, repeat_window_rounds: int
) -> CoffeeScheme:
    with transaction.atomic():
        scheme = CoffeeScheme.objects.select_for_update().filter(trust=trust).first()
        scheme = scheme or CoffeeScheme(trust=trust)
        scheme.active = active
        scheme.frequency = frequency
        scheme.repeat_window_rounds = repeat_window_rounds
        scheme.full_clean()
        scheme.save()
    return scheme


def shared_space_save(*, space: SharedSpace) -> SharedSpace:
    """Create or edit a shared space (its trust is set by the caller, from what the acting
    user may change)."""
    space.full_clean()
    space.save()
    return space


def shared_space_set_active(*, space: SharedSpace, active: bool) -> SharedSpace:
    """Spaces are deactivated, not deleted: past matches name them."""
    SharedSpace.objects.filter(pk=space.pk).update(active=active)
    space.active = active
    return space


# --- a round ---------------------------------------------------------------------------------


def _refuse_round(period_start: datetime.date, *, today: datetime.date | None):
    def refuse(scheme: CoffeeScheme) -> str | None:
        if not scheme.active:
            return "scheme off"
        if today is not None and period_start != period_start_of(scheme.frequency, today):
            return "period over"  # a task that waited past its period: the next run is due
        if CoffeeRound.objects.filter(trust_id=scheme.trust_id, period_start=period_start).exists():
            return "already run"
        return None

    return refuse


def coffee_round_create(
    *,
    scheme_id: int,
    period_start: datetime.date,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> CoffeeRound:
    """Make the trust's round for ``period_start``, once.

    Under the scheme's row lock (outbox.claims.row_locked), refused with NotClaimed when the
    scheme is off, the round exists already, or — given ``today`` (the task passes it) —
    ``period_start`` is no longer the scheme's current period. The unique constraint on
    (trust, period_start) is the backstop. In one transaction: the round, its matches,
    members and carry-overs (bulk inserts), and one outbox row for the email fan-out
    (coffee.tasks.send_coffee_round_emails). Queries: the lock, the refusal's check, the
    five reads of selectors.round_inputs, then one insert per table (batched) and the
    outbox row — the same number for 10 people or 5,000. ``notify=False`` (the demo's past
    rounds) queues no email.
    """
    from .tasks import send_coffee_round_emails  # the tasks module imports this one

    now = now or timezone.now()
    with claims.row_locked(
        CoffeeScheme.objects.all(), scheme_id, refuse=_refuse_round(period_start, today=today)
    ) as scheme:
        inputs = selectors.round_inputs(scheme, period_start)
        rng = round_random(scheme.trust_id, period_start)
        matching = match_round(
            clinicians=inputs.clinicians,
            managers=inputs.managers,
            recent=inputs.recent,
            carried=inputs.carried,
            rng=rng,
        )
        round_ = CoffeeRound.objects.create(
            trust_id=scheme.trust_id,
            period_start=period_start,
            frequency=scheme.frequency,
            ran_at=now,
            people_count=len(inputs.clinicians) + len(inputs.managers),
            pairs_count=len(matching.pairs),
            trios_count=len(matching.trios),
            carried_over_count=len(matching.carried_over),
        )
        spaces = spaces_for(len(matching.groups), inputs.spaces, rng)
        matches = CoffeeMatch.objects.bulk_create(
            CoffeeMatch(
                round=round_,
                space_id=space,
                kind=MatchKind.TRIO if len(group) == 3 else MatchKind.PAIR,
            )
            for group, space in zip(matching.groups, spaces, strict=True)
        )
        CoffeeMatchMember.objects.bulk_create(
            CoffeeMatchMember(match=match, round=round_, person_id=person)
            for match, group in zip(matches, matching.groups, strict=True)
            for person in group
        )
        CoffeeCarryOver.objects.bulk_create(
            CoffeeCarryOver(round=round_, person_id=person, reason=reason)
            for person, reason in matching.carried_over.items()
        )
        if notify and (matching.groups or matching.carried_over):
            send_coffee_round_emails.delay(round_.pk)  # through the outbox, once this commits
    return round_


# --- "we met" --------------------------------------------------------------------------------


def coffee_met_mark(*, member: CoffeeMatchMember, now: datetime.datetime | None = None) -> bool:
    """Record that ``member``'s match met, as they say. Returns False if they had said so
    already (saying it twice changes nothing). The match keeps when it was first said."""
    now = now or timezone.now()
    with transaction.atomic():
        marked = CoffeeMatchMember.objects.filter(pk=member.pk, met_at__isnull=True).update(
            met_at=now
        )
        CoffeeMatch.objects.filter(pk=member.match_id, met_at__isnull=True).update(met_at=now)
    if marked:
        member.met_at = now
    return bool(marked)


def validation_message(error: ValidationError) -> str:
    return " ".join(error.messages)
