"""Factories for Tandem coffee's models, and helpers that put people in a scheme."""

import datetime

import factory
from django.utils import timezone

from coffee.models import (
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    SharedSpace,
)
from tests.factories import ClinicianFactory, TrustFactory, UserFactory


class CoffeeSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoffeeScheme
        django_get_or_create = ("trust",)

    trust = factory.SubFactory(TrustFactory)


class SharedSpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharedSpace

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Level {n} staff kitchen")
    where = "Main building, by the lifts"


class CoffeeOptInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoffeeOptIn

    person = factory.SubFactory(UserFactory)
    opted_in = True
    changed_at = factory.LazyFunction(timezone.now)


class CoffeeRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoffeeRound

    trust = factory.SubFactory(TrustFactory)
    period_start = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(n))
    frequency = "monthly"
    ran_at = factory.LazyFunction(timezone.now)


def match_of(round_, *people, space=None, met_at=None) -> CoffeeMatch:
    """A match of ``people`` in ``round_`` (made directly, not by the matcher)."""
    match = CoffeeMatch.objects.create(
        round=round_, space=space, kind="trio" if len(people) == 3 else "pair", met_at=met_at
    )
    for person in people:
        CoffeeMatchMember.objects.create(match=match, round=round_, person=person)
    return match


def opted_in_people(trust, *, clinicians: int, managers: int) -> tuple[list, list]:
    """``clinicians`` and ``managers`` of ``trust``, each opted in."""
    made_c = [ClinicianFactory(trust=trust) for _ in range(clinicians)]
    made_m = [UserFactory(trust=trust) for _ in range(managers)]
    for person in made_c + made_m:
        CoffeeOptInFactory(person=person)
    return made_c, made_m
