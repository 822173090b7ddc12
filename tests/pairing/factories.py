"""Factories of pairing: a cohort with a clinician and a manager holding places, paired."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory


class PairingSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.PairingScheme"

    trust = factory.SubFactory("tests.factories.TrustFactory")
    name = factory.Sequence(lambda n: f"Paired learning scheme {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    target_shadowing_hours = Decimal("12")


class PairingFactory(factory.django.DjangoModelFactory):
    """An active pairing in a cohort, both people enrolled in it."""

    class Meta:
        model = "pairing.Pairing"
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    clinician = factory.SubFactory(
        ClinicianFactory, trust=factory.SelfAttribute("..cohort.host_trust")
    )
    manager = factory.SubFactory(UserFactory, trust=factory.SelfAttribute("..cohort.host_trust"))
    status = "active"
    source = "administrator"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    goals = "Learn how the clinic's budget is set, and what a registrar's week is like."

    @factory.post_generation
    def enrolled(self, create, extracted, **kwargs):
        if create and extracted is not False and self.cohort_id:
            for person in (self.clinician, self.manager):
                EnrolmentFactory(person=person, cohort=self.cohort)


class ShadowingVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.ShadowingVisit"

    pairing = factory.SubFactory(PairingFactory)
    shadower = factory.SelfAttribute("pairing.manager")
    logged_by = factory.SelfAttribute("pairing.manager")
    visited_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    hours = Decimal("3.5")
    setting = "ward_round"
    reflection = "How the consultant decides who goes home first."
