"""Pairing in subject access and erasure: every person-linked model declared; the export is
the person's own; erasure ends their pairing, keeps the hours and counts, removes what they
wrote and their name."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey
from django.utils import timezone

from pairing.models import (
    DoNotPair,
    ImprovementProject,
    Pairing,
    PairingProfile,
    PairMeeting,
    ProjectComment,
    SchemeMember,
    ShadowingVisit,
)
from pairing.personal_data import (
    ACTOR_FIELDS,
    PERSON_LINKED_MODELS,
    export_improvement_projects,
    export_pairings,
    export_shadowing_visits,
)
from privacy import registry
from privacy.services import person_erase
from tests.factories import UserFactory

from .factories import PairingFactory, PairingSchemeFactory, ShadowingVisitFactory

pytestmark = pytest.mark.django_db


def test_every_model_that_points_at_a_person_is_declared():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    models = list(apps.get_app_config("pairing").get_models())
    pointing = {
        model
        for model in models
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey)
        and field.related_model is person_model
        and (model, field.name) not in ACTOR_FIELDS
    }
    # Through a pairing or a project: what the pair recorded.
    through = {
        model
        for model in models
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey)  # a OneToOneField is one too
        and field.related_model in (Pairing, ImprovementProject)
    }
    assert pointing | through == set(PERSON_LINKED_MODELS)
    names = {source.name for source in registry.sources()}
    assert set(PERSON_LINKED_MODELS.values()) <= names


def test_the_export_is_the_persons_own():
    mine = PairingFactory()
    ShadowingVisitFactory(pairing=mine, reflection="What I learned on the ward")
    ImprovementProject.objects.create(pairing=mine, title="Our project")
    other = PairingFactory(cohort=mine.cohort)
    ShadowingVisitFactory(pairing=other, reflection="Somebody else's reflection")
    ImprovementProject.objects.create(pairing=other, title="Their project")
    person = mine.manager
    pairings = export_pairings(person)
    assert [row["partner"] for row in pairings] == [mine.clinician.get_full_name()]
    visits = export_shadowing_visits(person)
    assert [v["what_was_learned"] for v in visits] == ["What I learned on the ward"]
    assert visits[0]["who_shadowed"] == "you"
    assert [p["title"] for p in export_improvement_projects(person)] == ["Our project"]


def test_erasure_ends_the_pairing_keeps_the_hours_and_removes_what_they_wrote(trust_a):
    pairing = PairingFactory(cohort__host_trust=trust_a)
    person, partner = pairing.manager, pairing.clinician
    visit = ShadowingVisitFactory(
        pairing=pairing, status="confirmed", confirmed_at=timezone.now(), confirmed_by=partner
    )
    PairMeeting.objects.create(
        pairing=pairing, met_on=timezone.localdate(), notes="Mine", logged_by=person
    )
    PairMeeting.objects.create(
        pairing=pairing, met_on=timezone.localdate(), notes="Partner's", logged_by=partner
    )
    project = ImprovementProject.objects.create(pairing=pairing, title="Kept", updated_by=person)
    ProjectComment.objects.create(project=project, author=person, body="My comment")
    scheme = PairingSchemeFactory(trust=trust_a)
    SchemeMember.objects.create(scheme=scheme, person=person)
    PairingProfile.objects.create(person=person, interests=["budgets"])
    low, high = sorted([person, UserFactory(trust=trust_a)], key=lambda p: p.pk)
    DoNotPair.objects.create(person_a=low, person_b=high)
    admin = UserFactory(trust=trust_a, is_superuser=True)

    person_erase(person=person, by=admin, reason="Asked to be forgotten")

    pairing.refresh_from_db()
    visit.refresh_from_db()
    assert pairing.status == "ended" and pairing.manager is None and pairing.clinician == partner
    assert visit.hours == Decimal("3.5") and visit.reflection == "" and visit.shadower is None
    assert sorted(PairMeeting.objects.values_list("notes", flat=True)) == ["", "Partner's"]
    assert ImprovementProject.objects.get().title == "Kept"
    assert not ProjectComment.objects.exists()
    assert not SchemeMember.objects.exists() and not PairingProfile.objects.exists()
    assert not DoNotPair.objects.exists()
    assert Pairing.objects.count() == 1 and ShadowingVisit.objects.count() == 1
