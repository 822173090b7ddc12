"""The matching of one round, as a pure function: ids in, groups out, no database.

``match_round`` takes the clinicians and the managers taking part, the pairs of people who
met in the last rounds of the window, the people carried over from the round before, and a
seeded ``random.Random`` (``round_random``: the trust and the period, so running the same
round again gives the same matches). It

1. shuffles each side, then puts the people carried over first (in shuffled order);
2. gives each clinician, in that order, the first manager still free whom they have not met
   within the window (so a carried-over clinician chooses first, and a carried-over manager
   is the first offered); a clinician who has met every free manager takes the manager of an
   earlier pair instead, if that pair's clinician can take a free manager they have not met;
3. puts each person left over — the larger side's surplus, or someone every free partner has
   met recently — into an existing pair as a third (a trio: at most one extra per match),
   into the first pair where that makes no repeat;
4. carries over whoever is still left, saying why: their group outnumbered the other, or
   everyone left had met them recently. They go first next round.

Everyone taking part ends in exactly one group or is carried over; a trio is made only for
someone who would otherwise be carried over. Linear in the number of people when the
window's pairs are sparse (each person has met at most a few people in the window), which
they are: a trust of 5,000 is matched in a few tens of milliseconds.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from .models import CarryOverReason

Pair = frozenset[int]


@dataclass
class Matching:
    groups: list[tuple[int, ...]] = field(default_factory=list)  # (clinician, manager[, third])
    carried_over: dict[int, str] = field(default_factory=dict)  # person id: CarryOverReason

    @property
    def pairs(self) -> list[tuple[int, ...]]:
        return [group for group in self.groups if len(group) == 2]

    @property
    def trios(self) -> list[tuple[int, ...]]:
        return [group for group in self.groups if len(group) == 3]

    def people(self) -> list[int]:
        return [person for group in self.groups for person in group] + list(self.carried_over)


def round_random(trust_id: int, period_start: datetime.date) -> random.Random:
    """The same generator for the same trust and period, on every machine and every run
    (a string seed is hashed with SHA-512, not Python's salted hash)."""
    return random.Random(f"tandem-coffee:{trust_id}:{period_start.isoformat()}")  # noqa: S311


def met_pairs(groups: Iterable[Iterable[int]]) -> set[Pair]:
    """Every two people who were in one group together (a trio gives three pairs)."""
    pairs: set[Pair] = set()
    for group in groups:
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return pairs


def _order(ids: Collection[int], carried: Collection[int], rng: random.Random) -> list[int]:
    ordered = sorted(set(ids))
    rng.shuffle(ordered)
    # A stable sort: carried-over people first, each part still in its shuffled order.
    ordered.sort(key=lambda person: person not in carried)
    return ordered


def match_round(
    *,
    clinicians: Collection[int],
    managers: Collection[int],
    recent: Collection[Pair],
    carried: Collection[int],
    rng: random.Random,
) -> Matching:
    recent = recent if isinstance(recent, set | frozenset) else set(recent)
    carried = set(carried)
    if set(clinicians) & set(managers):
        raise ValueError("A person cannot be both a clinician and a manager in one round.")
    clinician_order = _order(clinicians, carried, rng)
    free_managers = _order(managers, carried, rng)

    # Who each person met within the window, for quick "have these two met?" lookups.
    met: dict[int, set[int]] = {}
    for pair in recent:
        if len(pair) != 2:
            continue
        a, b = pair
        met.setdefault(a, set()).add(b)
        met.setdefault(b, set()).add(a)
    no_one: set[int] = set()

    matching = Matching()
    left_over: list[tuple[int, str]] = []
    for clinician in clinician_order:
        if not free_managers:
            left_over.append((clinician, CarryOverReason.UNEVEN))
            continue
        seen = met.get(clinician, no_one)
        index = next((i for i, m in enumerate(free_managers) if m not in seen), None)
        if index is not None:
            matching.groups.append((clinician, free_managers.pop(index)))
        elif not _swap(clinician, matching.groups, free_managers, met):
            left_over.append((clinician, CarryOverReason.MET_RECENTLY))
    left_over.extend((manager, CarryOverReason.UNEVEN) for manager in free_managers)
    # Carried-over people first among those left over too, so they get a trio first.
    left_over.sort(key=lambda item: item[0] not in carried)

    # Trios: each leftover joins the first pair none of whose two has met them recently.
    open_pairs = list(range(len(matching.groups)))
    for person, reason in left_over:
        seen = met.get(person, no_one)
        position = next(
            (
                p
                for p, g in enumerate(open_pairs)
                if not (matching.groups[g][0] in seen or matching.groups[g][1] in seen)
            ),
            None,
        )
        if position is None:
            matching.carried_over[person] = reason
            continue
        group = open_pairs.pop(position)
        matching.groups[group] = (*matching.groups[group], person)
    return matching


def _swap(
    clinician: int,
    groups: list[tuple[int, ...]],
    free_managers: list[int],
    met: dict[int, set[int]],
) -> bool:
    """``clinician`` has met every free manager recently. Take the manager of an earlier
    pair they have not met, and give that pair's clinician a free manager *they* have not met
    instead (one step of an augmenting path). Cheap: a clinician is stuck only when the free
    managers are no more than the few people they met in the window."""
    seen = met.get(clinician, set())
    for position, (other, manager) in enumerate(groups):
        if manager in seen:
            continue
        theirs = met.get(other, set())
        index = next((i for i, m in enumerate(free_managers) if m not in theirs), None)
        if index is not None:
            groups[position] = (other, free_managers.pop(index))
            groups.append((clinician, manager))
            return True
    return False


def spaces_for(count: int, spaces: Sequence[int], rng: random.Random) -> list[int | None]:
    """A shared space for each of ``count`` matches: the spaces shuffled and dealt in turn,
    so each is suggested about as often as the others. None when the trust lists none."""
    if not spaces:
        return [None] * count
    order = sorted(spaces)
    rng.shuffle(order)
    return [order[i % len(order)] for i in range(count)]
