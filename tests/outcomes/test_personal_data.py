"""Outcomes in subject access and erasure: every model pointing at a person (through their
enrolment) is declared; the export is the person's own; erasure removes their answers."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey

from outcomes.models import SelfAssessment, SurveyInvitation
from outcomes.personal_data import PERSON_LINKED_MODELS, export_self_assessments, export_surveys
from privacy import registry
from privacy.services import person_erase
from programmes.models import Enrolment
from tests.factories import EnrolmentFactory, UserFactory
from tests.factories_outcomes import SurveyInvitationFactory, rate

pytestmark = pytest.mark.django_db


def test_every_model_that_points_at_a_person_is_declared():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    direct = {
        model
        for model in apps.get_app_config("outcomes").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model in (person_model, Enrolment)
    }
    # The ratings point at a person through their assessment.
    linked = direct | {
        model
        for model in apps.get_app_config("outcomes").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model in direct
    }
    assert linked == set(PERSON_LINKED_MODELS)
    assert set(PERSON_LINKED_MODELS.values()) <= {s.name for s in registry.sources()}


def test_the_export_is_their_own_and_erasure_removes_their_answers():
    mine = EnrolmentFactory(status="completed")
    theirs = EnrolmentFactory(status="completed")
    rate(mine, "before", 2)
    rate(theirs, "before", 3)
    SurveyInvitationFactory(enrolment=mine, relationship=2, outlook=1, answered_at=mine.created_at)
    SurveyInvitationFactory(enrolment=theirs)
    person = mine.person
    rows = export_self_assessments(person)
    assert len(rows) == 9 and {row["level"] for row in rows} == {"Proficient"}
    [survey] = export_surveys(person)
    assert survey["relationship"] == "A partnership with areas of tension"
    person_erase(person=person, by=UserFactory(is_superuser=True), reason="Asked to be forgotten")
    assert not SelfAssessment.objects.filter(enrolment=mine).exists()
    assert not SurveyInvitation.objects.filter(enrolment=mine).exists()
    assert SelfAssessment.objects.filter(enrolment=theirs).exists()
    assert SurveyInvitation.objects.filter(enrolment=theirs).exists()
