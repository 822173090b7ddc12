"""factory-boy factories for every model. Each test builds only what it needs."""

import datetime
import os

import factory
from django.utils import timezone

from people.access import REGION_SCOPED_ROLES, TRUST_SCOPED_ROLES, AccessRole
from people.models import (
    BoardSnapshot,
    ProfessionalGroup,
    Region,
    RegistrationBody,
    RoleAppointment,
    RoleCategory,
    RoleSource,
    Trust,
    User,
)

DEFAULT_PASSWORD = "correct-horse-battery"

# Faker's en_GB surnames include O'Neill and O'Sullivan now and then, which HTML writes as
# O&#x27;Neill: a test that looks for a name unescaped in a page then fails only sometimes.
# TANDEM_TEST_APOSTROPHES=1 gives every factory surname an apostrophe, so one run finds them all.
if os.environ.get("TANDEM_TEST_APOSTROPHES") == "1":
    _faker = factory.Faker._get_faker("en_GB")
    _last_name = factory.LazyFunction(lambda: "O'" + _faker.last_name())
else:
    _last_name = factory.Faker("last_name", locale="en_GB")


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
    # One region for every test trust unless a test says otherwise (regional leads see it).
    region = factory.LazyFunction(lambda: Region.objects.get(code="Y63"))


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
    last_name = _last_name
    trust = factory.SubFactory(TrustFactory)
    professional_group = ProfessionalGroup.MANAGEMENT
    job_title = "Service manager"
    band = "Band 8a"
    directorate = "Surgery"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Access roles, granted through the service as seed data is: a trust-scoped role
        for the person's own trust, a regional lead's for their trust's region."""
        if not (create and extracted):
            return
        from people.services import access_grant_create

        for role in map(AccessRole, extracted):
            scope = {}
            if role in TRUST_SCOPED_ROLES:
                if self.trust is None:
                    raise ValueError(f"A {role.label} is granted for a trust: give the person one.")
                scope = {"trust": self.trust}
            elif role in REGION_SCOPED_ROLES:
                region = self.trust.region if self.trust else None
                scope = {"region": region or Region.objects.get(code="Y63")}
            access_grant_create(person=self, role=role, by=None, **scope)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """allauth refuses sign-in until the address is verified; people in tests usually
        have done that. Pass verified_email=False for someone who has not."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


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
    professional_group = factory.SelfAttribute("person.professional_group")
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


class TrustEmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.TrustEmailDomain"
        django_get_or_create = ("trust", "domain")

    trust = factory.SubFactory(TrustFactory)
    domain = factory.Sequence(lambda n: f"trust{n}.nhs.uk")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Invitation"

    email = factory.Sequence(lambda n: f"invitee{n}@northshire.nhs.uk")
    first_name = "Mary"
    last_name = "Seacole"
    trust = factory.SubFactory(TrustFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user, secret=TEST_TOTP_SECRET):
    """Give a user an authenticator app with a known secret; returns a function for codes."""
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

    TOTP.activate(user, secret)

    def current_code():
        import time

        return format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    return current_code


# --- audit and privacy ---------------------------------------------------------------------


class AuditEventFactory(factory.django.DjangoModelFactory):
    """An audit event as audit.record would write it (tests of the log's listing and
    retention; tests of recording call audit.record itself)."""

    class Meta:
        model = "audit.AuditEvent"

    action = "viewed"
    actor = factory.SubFactory(UserFactory)
    actor_email = factory.SelfAttribute("actor.email")
    actor_label = factory.LazyAttribute(lambda o: o.actor.get_full_name() or o.actor.email)
    subject = factory.SubFactory(ClinicianFactory)
    subject_label = factory.LazyAttribute(lambda o: o.subject.get_full_name())
    trust = factory.SelfAttribute("subject.trust")
    ip_address = "192.0.2.10"
    detail = factory.LazyFunction(dict)


class SubjectAccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "privacy.SubjectAccessRequest"

    person = factory.SubFactory(ClinicianFactory)


# --------------------------------------------------------------------------------------------
# CMS: topics, pages and learners' progress. Page factories put each page into the tree with
# add_child under `parent=`, by default under a sensible parent of the right type (the site's
# home page, or the one programme index / resource library, made if missing).


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cms.Topic"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


def _home_page():
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page.specific


def _outcomes(*texts):
    return [{"type": "outcome", "value": text} for text in texts]


def _paragraph(html):
    return [{"type": "rich_text", "value": html}]


class _PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))

    @classmethod
    def default_parent(cls):
        return _home_page()

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        # Many-to-many values are held on the unsaved page (modelcluster) and saved with it.
        relations = {
            name: kwargs.pop(name) for name in ("topics", "leadership_dimensions") if name in kwargs
        }
        page = model_class(*args, **kwargs)
        for name, values in relations.items():
            setattr(page, name, values)
        (parent or cls.default_parent()).add_child(instance=page)
        return page


class ProgrammeIndexPageFactory(_PageFactory):
    class Meta:
        model = "cms.ProgrammeIndexPage"

    title = "Programmes"
    slug = "programmes"
    show_in_menus = True


class ResourceIndexPageFactory(_PageFactory):
    class Meta:
        model = "cms.ResourceIndexPage"

    title = "Resource library"
    slug = "resources"
    show_in_menus = True


class ProgrammePageFactory(_PageFactory):
    class Meta:
        model = "cms.ProgrammePage"

    title = factory.Sequence(lambda n: f"Leading together {n}")
    summary = "Clinicians and managers learn to run services together."
    for_clinicians = "Doctors, nurses and allied health professionals taking on leadership."
    for_managers = "Operational and general managers who work alongside clinical teams."
    learning_outcomes = factory.LazyFunction(lambda: _outcomes("Read a budget statement"))
    format = "Six half-day workshops with online modules"
    duration = "Six months"
    cpd_hours = 18

    @classmethod
    def default_parent(cls):
        from cms.models import ProgrammeIndexPage

        return ProgrammeIndexPage.objects.first() or ProgrammeIndexPageFactory()


class ModulePageFactory(_PageFactory):
    class Meta:
        model = "cms.ModulePage"

    title = factory.Sequence(lambda n: f"Module {n}")
    summary = "What a budget statement tells you, and what it does not."
    estimated_minutes = 45
    learning_outcomes = factory.LazyFunction(lambda: _outcomes("Explain a variance"))
    body = factory.LazyFunction(lambda: _paragraph("<p>Pay is most of a ward budget.</p>"))
    topics = factory.LazyFunction(
        lambda: [TopicFactory(slug="budgets-and-finance", name="Budgets and finance")]
    )

    @classmethod
    def default_parent(cls):
        return ProgrammePageFactory()


class ResourcePageFactory(_PageFactory):
    class Meta:
        model = "cms.ResourcePage"

    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = "A template for reviewing a monthly budget statement together."
    resource_type = "template"
    body = factory.LazyFunction(lambda: _paragraph("<p>Use it with your finance partner.</p>"))
    topics = factory.LazyFunction(
        lambda: [TopicFactory(slug="budgets-and-finance", name="Budgets and finance")]
    )

    @classmethod
    def default_parent(cls):
        from cms.models import ResourceIndexPage

        return ResourceIndexPage.objects.first() or ResourceIndexPageFactory()


class ModuleProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cms.ModuleProgress"

    person = factory.SubFactory(ClinicianFactory)
    module = factory.SubFactory(ModulePageFactory)


class ModuleReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cms.ModuleReflection"

    person = factory.SubFactory(ClinicianFactory)
    module = factory.SubFactory(ModulePageFactory)
    text = "I had not realised how much of the overspend was agency cover."


class ModuleRelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cms.ModuleRelatedLink"

    page = factory.SubFactory(ModulePageFactory)
    related_module = factory.SubFactory(ModulePageFactory)


# --------------------------------------------------------------------------------------------
# Programmes: programmes, cohorts and enrolments. A cohort is published and open for
# enrolment now by default; pass times to make it past or future.


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Programme"
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Leading together {n}")
    slug = factory.Sequence(lambda n: f"leading-together-{n}")
    cpd_hours = 18


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Cohort"

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    host_trust = factory.SubFactory(TrustFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=180))
    enrolment_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    enrolment_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    capacity = 20
    reserved_for_clinicians = 0
    reserved_for_managers = 0
    status = "published"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An enrolment written directly, for tests of reads and permissions; tests of the rules
    enrol through programmes.services instead."""

    class Meta:
        model = "programmes.Enrolment"

    person = factory.SubFactory(ClinicianFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = "enrolled"
    trust = factory.SelfAttribute("person.trust")
    professional_group = factory.SelfAttribute("person.professional_group")
    goals = "Understand how the directorate budget is set."
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == "waitlisted" else None
    )
    # Seated long before any session a test makes (pass seated_at to test a late joiner).
    seated_at = factory.LazyAttribute(
        lambda o: (
            timezone.now() - datetime.timedelta(days=365)
            if o.status in ("enrolled", "completed", "not_completed")
            else None
        )
    )


class CohortFacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.CohortFacilitator"

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(ClinicianFactory, roles=[AccessRole.FACILITATOR])


def _next_london_morning(days: int = 7) -> datetime.datetime:
    """09:30 Europe/London, ``days`` from today: wall-clock time, whatever the season."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Session"

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}: reading a directorate budget")
    kind = "workshop"
    starts_at = factory.LazyFunction(_next_london_morning)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    place = "Education Centre, Seminar Room 2"


class SessionFacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.SessionFacilitator"

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(ClinicianFactory, roles=[AccessRole.FACILITATOR])


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A mark written directly, for tests of reads; tests of the register and check-in go
    through programmes.services."""

    class Meta:
        model = "programmes.Attendance"

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort")
    )
    mark = "present"
    source = "register"


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate written directly, pending and with no file: what it certifies copied
    from its enrolment as certificates.services.certificate_issue copies it. Pass
    ``status="valid"`` (the factory then gives it a stored PDF and its SHA-256), or a revoked
    or superseded status with the fields the database asks of them."""

    class Meta:
        model = "certificates.Certificate"

    enrolment = factory.SubFactory(EnrolmentFactory, status="completed")
    participant_name = factory.LazyAttribute(lambda o: o.enrolment.person.get_full_name())
    programme_title = factory.LazyAttribute(lambda o: o.enrolment.cohort.programme.title)
    cohort_name = factory.LazyAttribute(lambda o: o.enrolment.cohort.name)
    cohort_starts_on = factory.LazyAttribute(lambda o: o.enrolment.cohort.starts_on)
    cohort_ends_on = factory.LazyAttribute(lambda o: o.enrolment.cohort.ends_on)
    cpd_hours = factory.LazyAttribute(lambda o: o.enrolment.cohort.programme.cpd_hours)
    issuing_trust_name = factory.LazyAttribute(lambda o: o.enrolment.cohort.host_trust.name)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A valid certificate has its file and hash (a database constraint): store a small
        # PDF-looking file for it unless the test brings its own.
        if kwargs.get("status") == "valid" and not kwargs.get("pdf"):
            import hashlib
            import os

            from django.core.files.base import ContentFile

            from certificates.models import certificate_storage

            content = kwargs.pop("pdf_content", None) or (
                b"%PDF-1.7 test certificate " + os.urandom(16)
            )
            kwargs["pdf"] = certificate_storage().save("test/certificate.pdf", ContentFile(content))
            kwargs["sha256"] = hashlib.sha256(content).hexdigest()
        kwargs.pop("pdf_content", None)
        return super()._create(model_class, *args, **kwargs)
