"""Tandem coffee in subject access and erasure: every model pointing at a person declared,
the export the person's own, erasure keeping the trust's meet-up counts."""

import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey

from coffee import selectors, services
from coffee.models import CoffeeCarryOver, CoffeeMatch, CoffeeMatchMember, CoffeeOptIn
from coffee.personal_data import PERSON_LINKED_MODELS, export_choice, export_matches
from privacy import registry
from privacy.exports import build_archive
from privacy.services import person_erase
from tests.factories import UserFactory

from .factories import CoffeeRoundFactory, SharedSpaceFactory, match_of

pytestmark = pytest.mark.django_db


def test_every_model_that_points_at_a_person_is_declared():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    linked = {
        model
        for model in apps.get_app_config("coffee").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model is person_model
    }
    assert set(PERSON_LINKED_MODELS) == linked
    names = {source.name for source in registry.sources()}
    assert set(PERSON_LINKED_MODELS.values()) <= names
    # Each has an eraser: there is something of theirs to remove from each.
    erasers = {s.name for s in registry.sources() if s.eraser is not None}
    assert set(PERSON_LINKED_MODELS.values()) <= erasers


@pytest.fixture
def history(trust_a, participant):
    services.coffee_opt_set(person=participant, opted_in=True)
    kitchen = SharedSpaceFactory(trust=trust_a, name="Level 3 staff kitchen")
    manager = UserFactory(trust=trust_a, first_name="Harriet", last_name="Okafor")
    january = CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 1, 1))
    february = CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 2, 1))
    match = match_of(january, participant, manager, space=kitchen)
    services.coffee_met_mark(member=match.members.get(person=participant))
    CoffeeCarryOver.objects.create(round=february, person=participant, reason="uneven")
    return match, manager


def test_the_export_is_the_persons_own(participant, history):
    _match, manager = history
    [choice] = export_choice(participant)
    assert choice["taking_part"] is True
    matched, carried = export_matches(participant)
    assert matched["matched_with"] == ["Harriet Okafor, Service manager"]
    assert matched["shared_space"] == "Level 3 staff kitchen"
    assert matched["you_said_you_met_at"] is not None
    assert carried["carried_over"].startswith("More people of your group")
    # The manager's export has the match but not the participant's carry-over.
    assert len(export_matches(manager)) == 1
    assert build_archive(participant)  # the archive builds with these sources in it


def test_erasure_deletes_the_memberships_and_keeps_the_counts(
    participant, trust_a, superuser, history
):
    match, manager = history
    before = selectors.meetups_by_trust()

    person_erase(person=participant, by=superuser, reason="Asked to be forgotten.")

    assert not CoffeeOptIn.objects.filter(person=participant).exists()
    assert not CoffeeMatchMember.objects.filter(person=participant).exists()
    assert not CoffeeCarryOver.objects.filter(person=participant).exists()
    assert CoffeeMatchMember.objects.filter(person=manager).exists()  # theirs stays
    assert CoffeeMatch.objects.get(pk=match.pk).met_at is not None
    assert selectors.meetups_by_trust() == before
    assert before[trust_a.pk].matches == 1 and before[trust_a.pk].met == 1

    # Erasing twice is harmless.
    person_erase(person=participant, by=superuser, reason="Again.")
    assert selectors.meetups_by_trust() == before


def test_meetups_by_trust_in_two_queries(trust_a, trust_b, django_assert_num_queries):
    for trust in (trust_a, trust_b):
        for month in (1, 2, 3):
            round_ = CoffeeRoundFactory(
                trust=trust, period_start=datetime.date(2026, month, 1), people_count=4
            )
            met = datetime.datetime(2026, month, 9, tzinfo=datetime.UTC)
            match_of(round_, UserFactory(trust=trust), UserFactory(trust=trust), met_at=met)
            match_of(round_, UserFactory(trust=trust), UserFactory(trust=trust))
    with django_assert_num_queries(2):  # the rounds per trust, the matches per trust
        counts = selectors.meetups_by_trust(since=datetime.date(2026, 2, 1))
    assert counts[trust_a.pk] == selectors.Meetups(
        trust_id=trust_a.pk, rounds=2, matches=4, met=2, people=8
    )
    assert selectors.meetups_by_trust(trust_ids=[trust_b.pk]).keys() == {trust_b.pk}
