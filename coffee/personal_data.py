"""What Tandem coffee holds about a person, for subject access and erasure (found by
privacy's autodiscovery: privacy.registry).

Exported: their choice (in or out, since when), each match — the round, the space
suggested, whether it was a trio, when they were emailed and said "we met" — naming the
colleagues they were matched with (name and job title: what the email told them), and each
round they were carried over from.

Erased: the opt-in row and every membership and carry-over are deleted. What reports count
stays: each round keeps its counts, and each match its kind and when it met (the trust's
meet-ups, coffee.selectors.meetups_by_trust, do not change).
"""

from django.utils import timezone

from privacy.registry import register_source

from .models import CoffeeCarryOver, CoffeeMatchMember, CoffeeOptIn

# Every model of this app that points at a person, and the source that exports and erases
# it (tests/coffee/test_personal_data.py checks that none is missing).
PERSON_LINKED_MODELS = {
    CoffeeOptIn: "coffee_choice",
    CoffeeMatchMember: "coffee_matches",
    CoffeeCarryOver: "coffee_matches",
}


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_choice(person) -> list[dict]:
    return [
        {"taking_part": row.opted_in, "since": _local(row.changed_at)}
        for row in CoffeeOptIn.objects.filter(person=person)
    ]


def erase_choice(person, *, by, reason) -> None:
    CoffeeOptIn.objects.filter(person=person).delete()


def export_matches(person) -> list[dict]:
    memberships = (
        CoffeeMatchMember.objects.filter(person=person)
        .select_related("match__round__trust", "match__space")
        .prefetch_related("match__members__person")
        .order_by("round__period_start", "pk")
    )
    rows = [
        {
            "round": m.match.round.period_start,
            "trust": m.match.round.trust.name,
            "matched_with": [
                f"{other.person.get_full_name()}, {other.person.job_title}".strip(", ")
                for other in m.match.members.all()
                if other.person_id != person.pk
            ],
            "trio": m.match.kind == "trio",
            "shared_space": m.match.space.name if m.match.space else "",
            "emailed_at": _local(m.notified_at),
            "you_said_you_met_at": _local(m.met_at),
        }
        for m in memberships
    ]
    for carry in (
        CoffeeCarryOver.objects.filter(person=person)
        .select_related("round__trust")
        .order_by("round__period_start", "pk")
    ):
        rows.append(
            {
                "round": carry.round.period_start,
                "trust": carry.round.trust.name,
                "carried_over": carry.get_reason_display(),
                "emailed_at": _local(carry.notified_at),
            }
        )
    return rows


def erase_matches(person, *, by, reason) -> None:
    """Memberships and carry-overs go; the matches and rounds keep their counts."""
    CoffeeMatchMember.objects.filter(person=person).delete()
    CoffeeCarryOver.objects.filter(person=person).delete()


register_source(
    "coffee_choice",
    label="Whether you take part in Tandem coffee",
    exporter=export_choice,
    eraser=erase_choice,
)
register_source(
    "coffee_matches",
    label="Your Tandem coffee matches",
    exporter=export_matches,
    eraser=erase_matches,
)
