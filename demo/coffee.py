"""The demo's Tandem coffee: at each demo trust a monthly scheme, four shared spaces, most of
its people opted in, three past rounds (with some "we met") and this month's round.

- At the first trust every manager and fewer clinicians take part, so every clinician —
  the demo participant among them — is matched, and the managers left over make trios; at
  the other trusts four people in five take part, so some are carried over.
- Rounds are made by coffee.services.coffee_round_create itself (the real matcher, no
  repeats within three rounds, the carried-over first), without emails: they are written as
  already sent. About two matches in three of each past round said "we met".

Schemes, spaces and opt-ins are found by trust, name and person; a round by trust and
period, so a rerun adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from coffee import services
from coffee.models import (
    CoffeeCarryOver,
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    SharedSpace,
)
from coffee.periods import period_start
from people.models import CLINICAL_GROUPS, ProfessionalGroup

from .programmes import PARTICIPANT_EMAIL
from .run import SeedRun, step_rng
from .trusts import FIRST_TRUST

SPACES = (
    ("Level 3 staff kitchen", "Tower block, third floor, opposite the lifts"),
    ("Outpatients shared office", "Outpatients, corridor B, the office with the long table"),
    ("Education centre coffee point", "Education centre foyer, by the library door"),
    ("Courtyard café", "Ground floor, between the main entrance and the pharmacy"),
)
PAST_ROUNDS = 3


def _months_back(first: datetime.date, months: int) -> datetime.date:
    month = first.month - 1 - months
    return datetime.date(first.year + month // 12, month % 12 + 1, 1)


def _opt_in(run: SeedRun, trust, rng) -> None:
    people = sorted(
        (p for p in run.people.values() if p.trust_id == trust.pk and p.professional_group),
        key=lambda p: p.email,
    )
    managers = [p for p in people if p.professional_group == ProfessionalGroup.MANAGEMENT]
    clinicians = [p for p in people if p.professional_group in CLINICAL_GROUPS]
    if trust.ods_code == FIRST_TRUST:
        chosen = [*managers, *[c for c in clinicians if c.email == PARTICIPANT_EMAIL]]
        others = [c for c in clinicians if c.email != PARTICIPANT_EMAIL]
        chosen += rng.sample(others, min(len(others), max(len(managers) - 2, 0)))
    else:
        chosen = [p for p in people if rng.random() < 0.8]
    changed = timezone.now() - datetime.timedelta(days=150)
    for person in chosen:
        run.get_or_create(
            CoffeeOptIn, person=person, defaults={"opted_in": True, "changed_at": changed}
        )


def _round(run: SeedRun, scheme: CoffeeScheme, start: datetime.date, rng) -> None:
    if CoffeeRound.objects.filter(trust_id=scheme.trust_id, period_start=start).exists():
        return
    ran_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9, 7)))
    round_ = services.coffee_round_create(
        scheme_id=scheme.pk, period_start=start, now=ran_at, notify=False
    )
    # Written as sent, the day it ran (no email goes out for the demo's rounds).
    CoffeeRound.objects.filter(pk=round_.pk).update(emails_queued_at=ran_at)
    CoffeeMatchMember.objects.filter(round=round_).update(notified_at=ran_at)
    CoffeeCarryOver.objects.filter(round=round_).update(notified_at=ran_at)
    run.created["coffee rounds"] += 1
    run.created["coffee matches"] += round_.pairs_count + round_.trios_count
    if start >= period_start("monthly", timezone.localdate()):
        return  # this month's: nobody has met yet
    for match in CoffeeMatch.objects.filter(round=round_).order_by("pk"):
        if rng.random() < 0.65:
            member = match.members.order_by("pk").first()
            met = ran_at + datetime.timedelta(days=rng.randint(3, 20))
            services.coffee_met_mark(member=member, now=met)


def seed_coffee(run: SeedRun) -> None:
    this_month = period_start("monthly", timezone.localdate())
    for ods_code in sorted(run.trusts):
        trust = run.trusts[ods_code]
        scheme, _ = run.get_or_create(CoffeeScheme, trust=trust, defaults={"frequency": "monthly"})
        for name, where in SPACES:
            run.get_or_create(SharedSpace, trust=trust, name=name, defaults={"where": where})
        # One generator per trust and purpose, so a rerun (which makes no rounds) chooses the
        # same people as the first run.
        _opt_in(run, trust, step_rng(f"coffee:{ods_code}:opt-in"))
        met = step_rng(f"coffee:{ods_code}:met")
        for back in range(PAST_ROUNDS, -1, -1):
            _round(run, scheme, _months_back(this_month, back), met)
