"""Role history services (people.services): record, end and correct a role; what they refuse;
who may; and that each change is audited by field name."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from people.models import RoleAppointment, RoleCategory, RoleSource
from people.services import (
    role_appointment_correct,
    role_appointment_create,
    role_appointment_end,
)
from tests.factories import ClinicianFactory, RoleAppointmentFactory

pytestmark = pytest.mark.django_db

APRIL = datetime.date(2025, 4, 1)


def record(person, **extra):
    values = {
        "title": "Clinical director for surgery",
        "category": RoleCategory.CLINICAL_LEADERSHIP,
        "starts_on": APRIL,
        "source": RoleSource.SELF_REPORT,
        "recorded_by": person,
    }
    return role_appointment_create(person=person, **(values | extra))


def test_a_person_records_their_own_role_with_their_trust_and_group(participant):
    role = record(participant)
    assert role.trust == participant.trust
    assert role.professional_group == participant.professional_group
    assert role.recorded_by == participant
    event = AuditEvent.objects.get(action="created", target_object_id=str(role.pk))
    assert event.subject_id == participant.pk


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"ends_on": datetime.date(2025, 3, 31)}, None, "cannot end before it starts"),
        ({"category": "chief_wizard"}, "category", "not a valid choice"),
        ({"title": "   "}, "title", "cannot be blank"),
    ],
)
def test_bad_roles_are_refused_and_nothing_saved(participant, extra, field, words):
    with pytest.raises(ValidationError) as refusal:
        record(participant, **extra)
    assert words in " ".join(refusal.value.messages)
    if field:
        assert field in refusal.value.message_dict
    assert not RoleAppointment.objects.exists()


def test_a_duplicate_title_and_start_is_refused(participant):
    record(participant)
    with pytest.raises(ValidationError, match="already has this role starting on that date"):
        record(participant, category=RoleCategory.MANAGEMENT)
    assert RoleAppointment.objects.count() == 1


def test_a_role_not_yet_started_cannot_have_an_end(participant):
    later = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="not started yet"):
        record(participant, starts_on=later, ends_on=later + datetime.timedelta(days=60))
    assert record(participant, starts_on=later).ends_on is None  # a future role, still open


def test_ending_a_role(participant):
    role = record(participant)
    ended = role_appointment_end(
        appointment=role, ends_on=datetime.date(2026, 1, 31), by=participant
    )
    assert ended.ends_on == datetime.date(2026, 1, 31)
    role.refresh_from_db()
    assert role.ends_on == datetime.date(2026, 1, 31)
    event = AuditEvent.objects.get(action="changed", target_object_id=str(role.pk))
    assert event.detail == {"fields": ["ends_on"]}


def test_ending_refuses_an_end_before_the_start_an_ended_role_and_a_future_role(participant):
    role = record(participant)
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        role_appointment_end(appointment=role, ends_on=datetime.date(2025, 1, 1), by=participant)
    role_appointment_end(appointment=role, ends_on=datetime.date(2025, 6, 30), by=participant)
    with pytest.raises(ValidationError, match="already ended on 30 June 2025"):
        role_appointment_end(appointment=role, ends_on=datetime.date(2025, 7, 1), by=participant)
    future = record(participant, title="Deputy medical director",
                    starts_on=timezone.localdate() + datetime.timedelta(days=10))  # fmt: skip
    with pytest.raises(ValidationError, match="not started yet"):
        role_appointment_end(
            appointment=future, ends_on=timezone.localdate() + datetime.timedelta(days=90),
            by=participant,
        )  # fmt: skip
    role.refresh_from_db()
    future.refresh_from_db()
    assert (role.ends_on, future.ends_on) == (datetime.date(2025, 6, 30), None)


def test_correcting_a_role_audits_the_fields_that_changed(administrator, participant):
    role = RoleAppointmentFactory(person=participant, starts_on=APRIL)
    corrected = role_appointment_correct(
        appointment=role,
        by=administrator,
        title="Clinical lead for surgery",  # unchanged
        category=RoleCategory.MANAGEMENT,
        starts_on=datetime.date(2025, 5, 1),
        ends_on=None,
    )
    assert (corrected.category, corrected.starts_on) == (
        RoleCategory.MANAGEMENT,
        datetime.date(2025, 5, 1),
    )
    assert corrected.source == RoleSource.SELF_REPORT  # how it came stays as recorded
    event = AuditEvent.objects.get(action="changed", target_object_id=str(role.pk))
    assert event.detail == {"fields": ["category", "starts_on"]}
    assert event.actor_id == administrator.pk


def test_a_correction_into_a_duplicate_is_refused(participant):
    first = RoleAppointmentFactory(person=participant, title="Ward manager", starts_on=APRIL)
    second = RoleAppointmentFactory(person=participant, title="Matron", starts_on=APRIL)
    with pytest.raises(ValidationError, match="already has this role"):
        role_appointment_correct(appointment=second, by=participant, title="Ward manager")
    second.refresh_from_db()
    assert second.title == "Matron"
    assert first.title == "Ward manager"


def test_another_trusts_administrator_may_not_record_end_or_correct(
    participant, other_trust_lead, trust_b
):
    from people.access import AccessRole
    from tests.factories import UserFactory

    their_admin = UserFactory(trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    role = RoleAppointmentFactory(person=participant)
    for someone in (their_admin, other_trust_lead, ClinicianFactory(trust=participant.trust)):
        with pytest.raises(PermissionDenied):
            record(participant, recorded_by=someone, title="Anything")
        with pytest.raises(PermissionDenied):
            role_appointment_end(appointment=role, ends_on=datetime.date(2026, 1, 1), by=someone)
        with pytest.raises(PermissionDenied):
            role_appointment_correct(appointment=role, by=someone, title="Changed")
    role.refresh_from_db()
    assert (role.title, role.ends_on) == ("Clinical lead for surgery", None)
    assert RoleAppointment.objects.count() == 1


def test_the_trusts_administrator_may(administrator, participant):
    role = record(participant, recorded_by=administrator, source=RoleSource.ADMINISTRATOR)
    role_appointment_end(appointment=role, ends_on=datetime.date(2025, 12, 31), by=administrator)
    role.refresh_from_db()
    assert role.ends_on == datetime.date(2025, 12, 31)
