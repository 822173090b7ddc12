"""factory-boy factories for every model. Each test builds only what it needs."""

import datetime

import factory
from django.contrib.auth.models import Group

from people.models import (
    BoardSnapshot,
    ProfessionalGroup,
    RegistrationBody,
    RoleAppointment,
    RoleCategory,
    RoleSource,
    Trust,
    User,
)
from people.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery"


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("ods_code",)

    name = factory.Sequence(lambda n: f"Northshire {n} NHS Foundation Trust")
    # R + three base-36 digits: well-formed and unique for the first 46,656 trusts.
    ods_code = factory.Sequence(
        lambda n: (
            "R"
            + "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(n // 36**i) % 36] for i in (2, 1, 0))
        )
    )
    opened_on = datetime.date(2001, 4, 1)


class BoardSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardSnapshot

    trust = factory.SubFactory(TrustFactory)
    recorded_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    members = 12
    clinician_members = 4


class UserFactory(factory.django.DjangoModelFactory):
    """A manager by default; use ClinicianFactory for a registered clinician."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@northshire.nhs.uk")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    trust = factory.SubFactory(TrustFactory)
    professional_group = ProfessionalGroup.MANAGEMENT
    job_title = "Service manager"
    band = "Band 8a"
    directorate = "Surgery"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[Role(r) for r in extracted]))


class ClinicianFactory(UserFactory):
    professional_group = ProfessionalGroup.MEDICAL
    job_title = "Specialty registrar"
    band = "ST5"
    registration_body = RegistrationBody.GMC
    registration_number = factory.Sequence(lambda n: f"{7000000 + n:07d}")


class RoleAppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAppointment

    person = factory.SubFactory(ClinicianFactory)
    trust = factory.SelfAttribute("person.trust")
    title = "Clinical lead for surgery"
    category = RoleCategory.CLINICAL_LEADERSHIP
    starts_on = datetime.date(2025, 9, 1)
    source = RoleSource.SELF_REPORT


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "core.WorkerHeartbeat"
        django_get_or_create = ("name",)

    name = "worker"
    hostname = "celery@test"
