"""Factories of outcomes (self-assessment, follow-up surveys), written directly for tests of
reads; tests of the rules go through outcomes.services."""

import factory
from django.utils import timezone

from outcomes import links
from outcomes.dimensions import Dimension, Stage
from outcomes.models import SelfAssessment, SelfAssessmentRating, SurveyInvitation, SurveyKind
from tests.factories import EnrolmentFactory


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    stage = Stage.BEFORE


def rate(enrolment, stage, levels: dict | int) -> SelfAssessment:
    """A whole self-assessment: ``levels`` per dimension key, or one level for all nine."""
    assessment = SelfAssessmentFactory(enrolment=enrolment, stage=stage)
    for key in Dimension.values:
        level = levels if isinstance(levels, int) else levels[key]
        SelfAssessmentRating.objects.create(assessment=assessment, dimension=key, level=level)
    return assessment


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    enrolment = factory.SubFactory(EnrolmentFactory, status="completed")
    kind = SurveyKind.COMPLETION
    due_at = factory.LazyFunction(timezone.now)
    nonce = factory.LazyFunction(links.new_nonce)
