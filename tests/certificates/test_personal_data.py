"""Certificates in subject access and erasure: exported as the person's own; erasure revokes
them with a neutral reason and leaves no name on the record."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey

from certificates.models import Certificate
from certificates.personal_data import ERASED_REASON, PERSON_LINKED_MODELS, export_certificates
from privacy import registry
from privacy.services import person_erase
from programmes.models import Enrolment
from tests.factories import EnrolmentFactory, UserFactory

from .test_model import certificate

pytestmark = pytest.mark.django_db


def test_every_model_that_points_at_a_person_is_declared():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    linked = {
        model
        for model in apps.get_app_config("certificates").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey)
        and field.related_model in (person_model, Enrolment)
        # Who issued, revoked or bulk-issued it: a staff member's action, not their data.
        and field.name not in {"issued_by", "revoked_by", "started_by"}
    }
    assert linked == set(PERSON_LINKED_MODELS)
    assert set(PERSON_LINKED_MODELS.values()) <= {s.name for s in registry.sources()}


def test_the_export_is_the_persons_own_and_erasure_revokes_with_no_name(trust_a):
    mine = certificate(EnrolmentFactory(status="completed"))
    other = certificate(EnrolmentFactory(status="completed"))
    person = mine.enrolment.person
    assert [row["code"] for row in export_certificates(person)] == [mine.printed_code]

    person_erase(person=person, by=UserFactory(is_superuser=True, trust=trust_a), reason="Asked")

    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, mine.revoked_reason, mine.participant_name) == (
        "revoked",
        ERASED_REASON,
        "",
    )
    assert mine.revoked_at is not None and mine.code
    assert other.status == "pending" and other.participant_name
    assert Certificate.objects.count() == 2
