"""People and trusts: identifiers validated by format, with errors a person can act on."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from people.models import (
    CLINICAL_GROUPS,
    ProfessionalGroup,
    RegistrationBody,
    RoleAppointment,
    Trust,
    User,
)
from tests.factories import (
    BoardSnapshotFactory,
    ClinicianFactory,
    RoleAppointmentFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["RYJ", "ryj", "R1H", "RX4AB", "7A1"])
def test_valid_ods_codes_are_accepted_and_upper_cased(code):
    trust = Trust(name="Somewhere NHS Trust", ods_code=f" {code} ")
    trust.full_clean()
    assert trust.ods_code == code.strip().upper()


@pytest.mark.parametrize("code", ["RY", "RYJ123", "R-J", "R J", ""])
def test_invalid_ods_code_names_the_field(code):
    trust = Trust(name="Somewhere NHS Trust", ods_code=code)
    with pytest.raises(ValidationError) as error:
        trust.full_clean()
    assert "ods_code" in error.value.message_dict


def test_duplicate_ods_code_is_refused_whatever_the_case():
    TrustFactory(ods_code="RYJ")
    with pytest.raises(ValidationError) as error:
        Trust(name="Another", ods_code="ryj").full_clean()
    assert error.value.message_dict["ods_code"] == ["A trust with this ODS code already exists."]


def test_trust_cannot_close_before_it_opened():
    trust = Trust(
        name="X",
        ods_code="RAA",
        opened_on=datetime.date(2020, 1, 1),
        closed_on=datetime.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError, match="cannot close before it opened"):
        trust.full_clean()


def test_open_trusts_exclude_closed_ones():
    open_trust = TrustFactory()
    TrustFactory(closed_on=datetime.date(2020, 3, 31))
    assert list(Trust.objects.open()) == [open_trust]


def test_board_clinician_share_and_its_invariant():
    snapshot = BoardSnapshotFactory(members=10, clinician_members=4)
    assert snapshot.clinician_share == pytest.approx(0.4)
    with pytest.raises(IntegrityError):
        BoardSnapshotFactory(trust=snapshot.trust, members=5, clinician_members=6)


@pytest.mark.parametrize("group", list(ProfessionalGroup))
def test_clinical_is_derived_from_the_professional_group(group):
    person = UserFactory.build(professional_group=group)
    assert person.is_clinical == (group in CLINICAL_GROUPS)
    assert person.is_clinical == (group != ProfessionalGroup.MANAGEMENT)


def test_clinician_and_manager_querysets():
    clinician = ClinicianFactory()
    manager = UserFactory()
    assert list(User.objects.clinicians()) == [clinician]
    assert list(User.objects.managers()) == [manager]


@pytest.mark.parametrize(
    ("group", "body", "number"),
    [
        (ProfessionalGroup.MEDICAL, RegistrationBody.GMC, "1234567"),
        (ProfessionalGroup.NURSING_MIDWIFERY, RegistrationBody.NMC, "12a3456e"),
        (ProfessionalGroup.ALLIED_HEALTH, RegistrationBody.HCPC, "PA12345"),
        (ProfessionalGroup.HEALTHCARE_SCIENCE, RegistrationBody.HCPC, "CS12345"),
        (ProfessionalGroup.PHARMACY, RegistrationBody.GPHC, "2012345"),
    ],
)
def test_well_formed_registrations_are_accepted(group, body, number):
    person = UserFactory.build(
        trust=TrustFactory(),
        professional_group=group,
        registration_body=body,
        registration_number=number,
    )
    person.full_clean()
    assert person.registration_number == number.upper()


@pytest.mark.parametrize(
    ("group", "body", "number", "field", "message"),
    [
        (
            ProfessionalGroup.MEDICAL,
            RegistrationBody.GMC,
            "123456",
            "registration_number",
            "7 digits",
        ),
        (
            ProfessionalGroup.NURSING_MIDWIFERY,
            RegistrationBody.NMC,
            "1234567",
            "registration_number",
            "NMC PIN",
        ),
        (
            ProfessionalGroup.ALLIED_HEALTH,
            RegistrationBody.HCPC,
            "12345",
            "registration_number",
            "2 or 3 letters",
        ),
        (
            ProfessionalGroup.MEDICAL,
            RegistrationBody.NMC,
            "12A3456E",
            "registration_body",
            "General Medical Council",
        ),
        (
            ProfessionalGroup.MANAGEMENT,
            RegistrationBody.GMC,
            "1234567",
            "registration_body",
            "Only clinicians",
        ),
        (ProfessionalGroup.MEDICAL, "", "1234567", "registration_body", "Choose the register"),
        (
            ProfessionalGroup.MEDICAL,
            RegistrationBody.GMC,
            "",
            "registration_number",
            "Enter your registration",
        ),
    ],
)
def test_bad_registrations_get_an_error_on_the_right_field(group, body, number, field, message):
    person = UserFactory.build(
        trust=TrustFactory(),
        professional_group=group,
        registration_body=body,
        registration_number=number,
    )
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_email_is_the_login_and_is_case_insensitive():
    person = User.objects.create_user("Ada.Lovelace@Northshire.NHS.uk", password="x-long-password")
    assert person.email == "ada.lovelace@northshire.nhs.uk"
    assert User.USERNAME_FIELD == "email"
    duplicate = User(email="ADA.LOVELACE@northshire.nhs.uk")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean(exclude=["password"])
    assert error.value.message_dict["email"] == ["A person with this email address already exists."]


def test_database_refuses_a_case_variant_email_that_skips_validation():
    UserFactory(email="grace@northshire.nhs.uk")
    with pytest.raises(IntegrityError):
        User.objects.create(email="GRACE@northshire.nhs.uk")


def test_invalid_email_is_refused():
    person = UserFactory.build(email="not-an-email", trust=TrustFactory())
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "email" in error.value.message_dict


def test_role_appointments_know_leadership_and_currency():
    leadership = RoleAppointmentFactory(starts_on=datetime.date(2025, 1, 1))
    RoleAppointmentFactory(
        person=leadership.person,
        title="Specialty registrar",
        category="clinical",
        starts_on=datetime.date(2020, 8, 1),
        ends_on=datetime.date(2024, 12, 31),
    )
    assert leadership.is_leadership
    assert list(RoleAppointment.objects.leadership()) == [leadership]
    assert list(RoleAppointment.objects.current(on=datetime.date(2026, 1, 1))) == [leadership]


def test_role_cannot_end_before_it_starts():
    appointment = RoleAppointmentFactory.build(
        person=ClinicianFactory(),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2024, 1, 1),
    )
    appointment.trust = appointment.person.trust
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        appointment.full_clean()
