"""Reads of Tandem coffee: who takes part in a round, what the window remembers, what a
person sees on their page, and the counts reports read (``meetups_by_trust``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum

from people.models import CLINICAL_GROUPS, ProfessionalGroup, User

from .models import (
    CoffeeCarryOver,
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    SharedSpace,
)
from .periods import period_start
from .rounds import Pair, met_pairs

# --- a round's inputs ------------------------------------------------------------------------


def taking_part(trust_id: int):
    """The people of a trust who take part in its next round: active, opted in now, and of a
    professional group (matching is across the two groups). Opted-out or deactivated
    people never appear."""
    return User.objects.filter(
        trust_id=trust_id,
        is_active=True,
        coffee_opt_in__opted_in=True,
    ).exclude(professional_group="")


@dataclass
class RoundInputs:
    clinicians: list[int]
    managers: list[int]
    recent: set[Pair]
    carried: set[int]
    spaces: list[int]


def round_inputs(scheme: CoffeeScheme, period_start_: datetime.date) -> RoundInputs:
    """Five queries: who takes part, the window's rounds, their members, the carry-overs of
    the round before, the trust's active spaces."""
    clinicians, managers = [], []
    for pk, group in taking_part(scheme.trust_id).values_list("pk", "professional_group"):
        if group in CLINICAL_GROUPS:
            clinicians.append(pk)
        elif group == ProfessionalGroup.MANAGEMENT:
            managers.append(pk)
    earlier = list(
        CoffeeRound.objects.filter(trust_id=scheme.trust_id, period_start__lt=period_start_)
        .order_by("-period_start")
        .values_list("pk", flat=True)[: max(scheme.repeat_window_rounds, 1)]
    )
    window = earlier[: scheme.repeat_window_rounds]
    groups: dict[int, list[int]] = defaultdict(list)
    if window:
        for match_id, person_id in CoffeeMatchMember.objects.filter(
            round_id__in=window
        ).values_list("match_id", "person_id"):
            groups[match_id].append(person_id)
    carried = (
        set(CoffeeCarryOver.objects.filter(round_id=earlier[0]).values_list("person_id", flat=True))
        if earlier
        else set()
    )
    spaces = list(
        SharedSpace.objects.filter(trust_id=scheme.trust_id, active=True).values_list(
            "pk", flat=True
        )
    )
    return RoundInputs(
        clinicians=clinicians,
        managers=managers,
        recent=met_pairs(groups.values()),
        carried=carried,
        spaces=spaces,
    )


def current_period_start(scheme: CoffeeScheme, today: datetime.date) -> datetime.date:
    return period_start(scheme.frequency, today)


def rounds_due(today: datetime.date) -> list[tuple[int, datetime.date]]:
    """(scheme id, period start) of every active scheme whose current period has no round
    yet. Two queries, whatever the number of trusts."""
    schemes = list(
        CoffeeScheme.objects.filter(active=True).values_list("pk", "trust_id", "frequency")
    )
    wanted = {(trust_id, period_start(frequency, today)): pk for pk, trust_id, frequency in schemes}
    if not wanted:
        return []
    existing = set(
        CoffeeRound.objects.filter(
            trust_id__in={trust_id for trust_id, _ in wanted},
            period_start__in={start for _, start in wanted},
        ).values_list("trust_id", "period_start")
    )
    return sorted(
        (pk, start) for (trust_id, start), pk in wanted.items() if (trust_id, start) not in existing
    )


# --- a person's page -------------------------------------------------------------------------


def opt_in_of(person) -> CoffeeOptIn | None:
    return CoffeeOptIn.objects.filter(person=person).first()


@dataclass
class MyMatch:
    round: CoffeeRound
    match: CoffeeMatch | None  # None: carried over
    member: CoffeeMatchMember | None
    partners: list[User]
    carry_over: CoffeeCarryOver | None = None

    @property
    def is_trio(self) -> bool:
        return self.match is not None and self.match.kind == "trio"


def my_rounds(person, *, limit: int = 12) -> list[MyMatch]:
    """The person's matches and carry-overs, newest round first. Three queries: their
    memberships (with match, round and space), their partners, their carry-overs."""
    partners = Prefetch(
        "match__members",
        queryset=CoffeeMatchMember.objects.select_related("person").order_by("pk"),
        to_attr="all_members",
    )
    members = list(
        CoffeeMatchMember.objects.filter(person=person)
        .select_related("match__round", "match__space")
        .prefetch_related(partners)
        .order_by("-round__period_start")[:limit]
    )
    rows = [
        MyMatch(
            round=m.match.round,
            match=m.match,
            member=m,
            partners=[o.person for o in m.match.all_members if o.person_id != person.pk],
        )
        for m in members
    ]
    for carry in (
        CoffeeCarryOver.objects.filter(person=person)
        .select_related("round")
        .order_by("-round__period_start")[:limit]
    ):
        rows.append(
            MyMatch(round=carry.round, match=None, member=None, partners=[], carry_over=carry)
        )
    rows.sort(key=lambda row: row.round.period_start, reverse=True)
    return rows[:limit]


# --- for reports and the admin ---------------------------------------------------------------


@dataclass(frozen=True)
class Meetups:
    trust_id: int
    rounds: int
    matches: int  # matches made (pairs and trios)
    met: int  # of which at least one member said "we met"
    people: int  # places in those rounds: everyone matched or carried over, once per round


def meetups_by_trust(
    *,
    trust_ids=None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> dict[int, Meetups]:
    """Tandem coffee meet-ups per trust: rounds run, matches made, matches that met — for the
    trust reporting issue. ``since``/``until`` bound the rounds' period starts (inclusive,
    exclusive). Two queries, whatever the number of trusts; a trust with no round is absent.
    Counts survive a member's erasure (the match keeps its kind and when it met)."""
    rounds = CoffeeRound.objects.all()
    if trust_ids is not None:
        rounds = rounds.filter(trust_id__in=trust_ids)
    if since is not None:
        rounds = rounds.filter(period_start__gte=since)
    if until is not None:
        rounds = rounds.filter(period_start__lt=until)
    per_trust = {
        row["trust_id"]: row
        for row in rounds.values("trust_id")
        .annotate(rounds=Count("pk"), people=Sum("people_count"))
        .order_by()
    }
    counted = {}
    for row in (
        CoffeeMatch.objects.filter(round__in=rounds)
        .values("round__trust_id")
        .annotate(matches=Count("pk"), met=Count("pk", filter=Q(met_at__isnull=False)))
        .order_by()
    ):
        counted[row["round__trust_id"]] = row
    return {
        trust_id: Meetups(
            trust_id=trust_id,
            rounds=row["rounds"],
            matches=counted.get(trust_id, {}).get("matches", 0),
            met=counted.get(trust_id, {}).get("met", 0),
            people=row["people"] or 0,
        )
        for trust_id, row in per_trust.items()
    }


def rounds_with_counts(trust_id: int, *, limit: int = 24):
    """A trust's rounds, newest first, each with its "we met" count: one query."""
    return (
        CoffeeRound.objects.filter(trust_id=trust_id)
        .annotate(met_count=Count("matches", filter=Q(matches__met_at__isnull=False)))
        .order_by("-period_start")[:limit]
    )
