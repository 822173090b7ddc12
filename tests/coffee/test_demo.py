"""The demo's Tandem coffee (demo.coffee): schemes, spaces, opt-ins, three past rounds with
some "we met" and this month's, with the demo participant matched; a rerun adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

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
from coffee.rounds import met_pairs
from demo.programmes import PARTICIPANT_EMAIL

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", "--force", stdout=StringIO())


def counts():
    models = (CoffeeScheme, SharedSpace, CoffeeOptIn, CoffeeRound, CoffeeMatch)
    return {
        **{m.__name__: m.objects.count() for m in models},
        "members": CoffeeMatchMember.objects.count(),
        "carried": CoffeeCarryOver.objects.count(),
        "met": CoffeeMatch.objects.filter(met_at__isnull=False).count(),
    }


def test_the_demo_has_rounds_with_meetups_and_the_participant_matched_this_month():
    seed()
    assert CoffeeScheme.objects.count() == 3
    assert SharedSpace.objects.count() == 12
    this_month = period_start("monthly", timezone.localdate())
    for scheme in CoffeeScheme.objects.all():
        rounds = list(CoffeeRound.objects.filter(trust=scheme.trust).order_by("period_start"))
        assert len(rounds) == 4 and rounds[-1].period_start == this_month
        met = CoffeeMatch.objects.filter(round__in=rounds[:3], met_at__isnull=False).count()
        assert 0 < met < CoffeeMatch.objects.filter(round__in=rounds[:3]).count()
        # No repeats within three rounds, as the real rounds keep.
        groups = [
            [list(m.members.values_list("person_id", flat=True)) for m in r.matches.all()]
            for r in rounds
        ]
        for later in range(1, 4):
            assert not met_pairs(groups[later]) & met_pairs(
                g for earlier in groups[max(0, later - 3) : later] for g in earlier
            )
    assert CoffeeMatchMember.objects.filter(notified_at__isnull=True).count() == 0
    assert CoffeeMatchMember.objects.filter(
        person__email=PARTICIPANT_EMAIL, round__period_start=this_month
    ).exists()
    assert CoffeeMatch.objects.filter(kind="trio").exists()

    before = counts()
    seed()
    assert counts() == before
