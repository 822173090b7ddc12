"""Suggested pairs for a cohort or scheme: the people and rules read from the database, the
assignment made by the pure matcher (pairing.matching), the administrator's choice confirmed
through pairings_create_many, which checks every rule again.

What the matcher is told: who can be paired (pairing.services.pairings.group_member_ids),
their directorates and stated interests, the pairs it must never make (do-not-pair rules, and
anyone's recorded line manager or supervising consultant), and the live pairs to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from people.models import User

from ..matching import Candidate, Suggestion, suggest_pairs
from ..models import Pairing, PairingProfile
from .pairings import _group_kwargs, group_member_ids, kept_apart, sponsor_emails


@dataclass(frozen=True)
class GroupSuggestion:
    suggestion: Suggestion
    people: dict[int, User]  # everyone the suggestion names, by id


def suggestions_for(group) -> GroupSuggestion:
    """A bounded number of queries whatever the group's size: members, profiles, live
    pairings, do-not-pair rules, sponsors (profile and enrolment)."""
    member_ids = group_member_ids(group)
    people = {p.pk: p for p in User.objects.filter(pk__in=member_ids).order_by("pk")}
    interests = dict(
        PairingProfile.objects.filter(person_id__in=member_ids).values_list(
            "person_id", "interests"
        )
    )
    live = list(
        Pairing.objects.live()
        .filter(**_group_kwargs(group))
        .values_list("clinician_id", "manager_id")
    )
    existing = [(c, m) for c, m in live if c is not None and m is not None]
    paired = {pk for pair in live for pk in pair if pk is not None}
    clinicians, managers = [], []
    for person in people.values():
        candidate = Candidate(
            id=person.pk,
            directorate=person.directorate or "",
            interests=frozenset(interests.get(person.pk, ())),
        )
        (clinicians if person.is_clinical else managers).append(candidate)
    forbidden = set(kept_apart(member_ids))
    forbidden |= {(b, a) for a, b in forbidden}
    email_to_id = {p.email.lower(): p.pk for p in people.values()}
    for person_id, emails in sponsor_emails(group, member_ids).items():
        for email in emails:
            if (sponsor_id := email_to_id.get(email)) is not None:
                forbidden |= {(person_id, sponsor_id), (sponsor_id, person_id)}
    clinician_ids = {c.id for c in clinicians}
    forbidden_pairs = [(a, b) for a, b in forbidden if a in clinician_ids]
    suggestion = suggest_pairs(
        [c for c in clinicians if c.id not in paired],
        [m for m in managers if m.id not in paired],
        forbidden=forbidden_pairs,
        existing=existing,
    )
    named = {pk for pair in suggestion.pairs for pk in (pair.clinician_id, pair.manager_id)}
    named |= {pk for pair in suggestion.kept for pk in pair}
    named |= {u.person_id for u in suggestion.unmatched}
    missing = named - set(people)
    if missing:  # people of kept pairs who left the cohort: still named on the page
        people |= {p.pk: p for p in User.objects.filter(pk__in=missing)}
    return GroupSuggestion(suggestion=suggestion, people=people)
