"""Enrolments in subject access and erasure: every person-linked model declared, the export
the person's own, erasure keeping what reports count."""

from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey

from privacy import registry
from privacy.services import person_erase
from programmes import services
from programmes.models import (
    Attendance,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Outlook,
    Relationship,
)
from programmes.personal_data import (
    ACTOR_FIELDS,
    PERSON_LINKED_MODELS,
    export_enrolment_history,
    export_enrolments,
)
from tests.factories import ClinicianFactory, CohortFacilitatorFactory, CohortFactory

pytestmark = pytest.mark.django_db
S = EnrolmentStatus


def test_every_model_that_points_at_a_person_is_declared():
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    models = list(apps.get_app_config("programmes").get_models())

    def pointing_at(targets):
        return {
            model
            for model in models
            for field in model._meta.get_fields()
            if isinstance(field, ForeignKey)
            and field.related_model in targets
            # who made a change to someone's record is not the data of the person who made it
            and (model, field.name) not in ACTOR_FIELDS
        }

    direct = pointing_at({person_model})
    # Through the enrolment (its history, marks, results) and through a mark (its changes).
    through = pointing_at({Enrolment}) | pointing_at({Attendance})
    linked = direct | {m for m in through if m is not Enrolment}
    assert set(PERSON_LINKED_MODELS) == linked
    names = {source.name for source in registry.sources()}
    assert set(PERSON_LINKED_MODELS.values()) <= names


def test_the_export_is_the_persons_own(cohort, participant, administrator):
    enrolment = services.enrolment_create(
        person=participant, cohort=cohort, by=participant, goals="Learn to read a budget."
    )
    services.enrolment_withdraw(enrolment=enrolment, by=administrator, reason="Rota clash.")

    [row] = export_enrolments(participant)
    assert row["status"] == "Withdrawn"
    assert row["goals"] == "Learn to read a budget."
    assert row["your_trust_when_you_applied"] == participant.trust.name
    history = export_enrolment_history(participant)
    assert [(r["what"], r["by"]) for r in history] == [
        ("Applied", "you"),
        ("Withdrawn", "Tandem staff"),
    ]
    assert administrator.email not in str(history) and str(administrator) not in str(history)


def figures():
    return Counter(Enrolment.objects.values_list("cohort_id", "trust_id", "professional_group"))


def test_erasure_keeps_the_figures_frees_the_seat_and_deletes_what_was_written(
    trust_a, superuser, administrator
):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    past = CohortFactory(host_trust=trust_a)
    person = ClinicianFactory(trust=trust_a)
    seat = services.enrolment_create(person=person, cohort=cohort, by=person, goals="Budgets.")
    finished = services.enrolment_create(person=person, cohort=past, by=person)
    services.enrolment_complete(enrolment=finished, by=administrator, reason="Met every rule.")
    waiting = services.enrolment_create(
        person=ClinicianFactory(trust=trust_a), cohort=cohort, by=None
    )
    CohortFacilitatorFactory(cohort=past, person=person)
    before = figures()

    person_erase(person=person, by=superuser, reason="Asked to be forgotten.")

    assert figures() == before  # every enrolment is still counted where it was
    seat.refresh_from_db()
    finished.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, finished.status, waiting.status) == (S.WITHDRAWN, S.COMPLETED, S.ENROLLED)
    assert seat.goals == ""
    reasons = set(
        EnrolmentEvent.objects.filter(enrolment__person=person).values_list("reason", flat=True)
    )
    assert reasons == {"", "The person's data was erased."}
    assert not person.facilitator_links.exists()

    # Erasing twice is harmless.
    person_erase(person=person, by=superuser, reason="Again.")
    assert figures() == before


def test_the_baseline_and_sponsor_are_exported_and_the_free_text_erased(
    trust_a, superuser, participant
):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    enrolment = services.enrolment_create(
        person=participant,
        cohort=cohort,
        by=participant,
        baseline_relationship=Relationship.TOLERANCE_WITH_TENSIONS,
        baseline_outlook=Outlook.WORSE,
        current_role="Registrar and rota lead",
        sponsor_name="Dr Ada Lovelace",
        sponsor_email="ada.lovelace@nhs.net",
    )
    [row] = export_enrolments(participant)
    assert row["how_you_saw_the_relationship"] == (
        "A relationship of tolerance with frequent tensions"
    )
    assert row["how_you_expected_it_to_change"] == "Get worse"
    assert row["your_current_role_when_you_applied"] == "Registrar and rota lead"
    assert (row["sponsor_name"], row["sponsor_email"]) == (
        "Dr Ada Lovelace",
        "ada.lovelace@nhs.net",
    )

    person_erase(person=participant, by=superuser, reason="Asked to be forgotten.")

    enrolment.refresh_from_db()
    assert (enrolment.baseline_current_role, enrolment.sponsor_name, enrolment.sponsor_email) == (
        "",
        "",
        "",
    )
    # The scale answers are the programme's measures, kept like the other figures.
    assert (enrolment.baseline_relationship, enrolment.baseline_outlook) == (3, 3)


def test_attendance_is_exported_and_erasure_keeps_the_marks_without_the_notes(administrator):
    from programmes.personal_data import export_attendance
    from tests.factories import EnrolmentFactory, SessionFactory

    enrolment = EnrolmentFactory()
    session = SessionFactory(cohort=enrolment.cohort)
    mark = Attendance.objects.create(
        session=session, enrolment=enrolment, mark="absent", note="Off sick", source="register"
    )
    mark.changes.create(
        from_mark="absent",
        to_mark="excused",
        from_note="",
        to_note="Off sick",
        source="register",
        by=administrator,
    )

    [row] = export_attendance(enrolment.person)
    assert (row["mark"], row["note"]) == ("Absent", "Off sick")
    assert row["changes"][0]["by"] == "Tandem staff"

    person_erase(person=enrolment.person, by=None, reason="Asked to be forgotten")

    mark.refresh_from_db()
    assert (mark.mark, mark.note) == ("absent", "")
    assert mark.changes.get().to_note == ""
