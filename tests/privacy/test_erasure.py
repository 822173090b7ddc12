"""Erasing a person on request: pseudonymised, free text gone, aggregates unchanged."""

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from audit.models import AuditAction, AuditEvent
from people.access import AccessRole
from people.models import RoleAppointment, RoleCategory, User
from privacy.models import SubjectAccessRequest, SubjectAccessStatus
from privacy.services import person_erase
from tests.audit.helpers import sign_in
from tests.factories import (
    ClinicianFactory,
    RoleAppointmentFactory,
    SubjectAccessRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def erase_url(person):
    return reverse("privacy_erase_person", args=[person.pk])


def aggregates():
    """What reports count: people by trust and professional group (and band), and
    leadership moves by category, trust and start date."""
    people = Counter(
        {
            (row["trust_id"], row["professional_group"], row["band"]): row["n"]
            for row in User.objects.values("trust_id", "professional_group", "band").annotate(
                n=Count("id")
            )
        }
    )
    moves = Counter(
        RoleAppointment.objects.values_list("person_id", "category", "trust_id", "starts_on")
    )
    participants = Group.objects.get(name=AccessRole.PARTICIPANT).user_set.count()
    return people, moves, participants


def test_erasure_pseudonymises_the_person_and_keeps_the_figures(
    superuser, participant, administrator, trust_a, trust_b
):
    ClinicianFactory.create_batch(2, trust=trust_a)
    UserFactory(trust=trust_b)
    RoleAppointmentFactory(
        person=participant,
        title="Ward manager, Rowan ward",
        category=RoleCategory.CLINICAL,
        starts_on=date(2019, 3, 4),
    )
    RoleAppointmentFactory(
        person=participant,
        title="Matron for surgery",
        category=RoleCategory.CLINICAL_LEADERSHIP,
        starts_on=date(2025, 6, 1),
    )
    before = aggregates()

    assert person_erase(person=participant, by=superuser, reason="Her emailed request") is True

    participant.refresh_from_db()
    assert participant.email == f"erased-{participant.pk}@erased.invalid"
    assert participant.get_full_name() == "Erased person"
    assert participant.job_title == participant.directorate == ""
    assert participant.registration_body == participant.registration_number == ""
    assert not participant.has_usable_password()
    assert not participant.is_active
    assert participant.last_login is None
    titles = sorted(participant.role_appointments.values_list("title", flat=True))
    assert titles == ["Clinical", "Clinical leadership"]
    assert aggregates() == before

    event = AuditEvent.objects.get(action=AuditAction.ERASED)
    assert event.actor == superuser
    assert event.subject_id == participant.pk
    assert event.detail["reason"] == "Her emailed request"
    assert event.detail["repeat"] is False
    assert {"profile", "role_history", "subject_access_requests"} <= set(event.detail["erasers"])


def test_erasing_twice_is_harmless(superuser, participant):
    RoleAppointmentFactory(person=participant)
    person_erase(person=participant, by=superuser, reason="Request")
    participant.refresh_from_db()
    first = (participant.email, list(participant.role_appointments.values_list("title")))
    assert person_erase(person=participant, by=superuser, reason="Request again") is False
    participant.refresh_from_db()
    assert (participant.email, list(participant.role_appointments.values_list("title"))) == first
    repeat = AuditEvent.objects.filter(action=AuditAction.ERASED).order_by("id").last()
    assert repeat.detail["repeat"] is True


def test_same_day_roles_of_one_category_stay_distinct(superuser, participant):
    for title in ("Consultant surgeon", "Honorary senior lecturer"):
        RoleAppointmentFactory(
            person=participant, title=title, category="clinical", starts_on=date(2020, 1, 1)
        )
    person_erase(person=participant, by=superuser, reason="Request")
    titles = sorted(participant.role_appointments.values_list("title", flat=True))
    assert titles == ["Clinical", "Clinical (2)"]


def test_a_reason_is_required(superuser, participant):
    with pytest.raises(ValueError):
        person_erase(person=participant, by=superuser, reason="   ")
    participant.refresh_from_db()
    assert participant.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.ERASED).exists()


def test_erasure_signs_the_person_out_everywhere(client, superuser, participant):
    sign_in(client, participant)
    assert client.get("/account/my-data/").status_code == 200
    person_erase(person=participant, by=superuser, reason="Request")
    response = client.get("/account/my-data/")
    assert response.status_code == 302  # back to sign-in: the session is gone
    assert "/accounts/login/" in response["Location"]


def test_sessions_are_ended_with_djangos_plain_database_store(client, settings, participant):
    from django.contrib.sessions.models import Session

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    sign_in(client, participant)
    other = ClinicianFactory(trust=participant.trust)
    other_client = client.__class__()
    other_client.force_login(other)
    assert Session.objects.count() == 2
    person_erase(person=participant, by=None, reason="Request")
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert remaining == [str(other.pk)]


def test_their_archives_and_wagtail_traces_go(
    participant, superuser, django_capture_on_commit_callbacks
):
    sar = SubjectAccessRequestFactory(person=participant, status=SubjectAccessStatus.READY)
    sar.file.save("data.zip", ContentFile(b"PK"), save=True)
    name = sar.file.name
    UserProfile.get_for_user(participant)
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(participant.pk),
        label=str(participant),
        action="wagtail.edit",
        timestamp="2026-01-01T00:00:00Z",
    )
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=participant, by=superuser, reason="Request")
    assert not SubjectAccessRequest.objects.filter(person=participant).exists()
    assert not default_storage.exists(name)
    assert not UserProfile.objects.filter(user=participant).exists()
    assert ModelLogEntry.objects.get(object_id=str(participant.pk)).label == "Erased person"


def test_registered_erasers_run_inside_the_same_transaction(superuser, participant, extra_source):
    def broken(person, *, by, reason):
        raise RuntimeError("eraser bug")

    extra_source(lambda person: [], eraser=broken)
    with pytest.raises(RuntimeError):
        person_erase(person=participant, by=superuser, reason="Request")
    participant.refresh_from_db()
    assert participant.is_active  # nothing half-done
    assert "erased" not in participant.email


# --- the admin action -------------------------------------------------------------------------


def test_a_superuser_erases_through_the_admin_form(client, superuser, participant):
    sign_in(client, superuser)
    edit_page = client.get(reverse("people:edit", args=[participant.pk])).content.decode()
    assert erase_url(participant) in edit_page  # "Erase this person" is offered
    form = client.get(erase_url(participant))
    assert form.status_code == 200
    assert "This cannot be undone" in form.content.decode()
    response = client.post(erase_url(participant), {"reason": "Request of 3 March 2026"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.get_full_name() == "Erased person"
    event = AuditEvent.objects.get(action=AuditAction.ERASED)
    assert event.ip_address == "127.0.0.1"


def test_erasing_without_a_reason_shows_an_error_and_changes_nothing(
    client, superuser, participant
):
    sign_in(client, superuser)
    response = client.post(erase_url(participant), {"reason": "  "})
    assert response.status_code == 200
    assert "Enter the reason for erasing this person." in response.content.decode()
    participant.refresh_from_db()
    assert participant.is_active
    assert participant.email == "participant@northshire.nhs.uk"


def test_a_programme_administrator_erases_someone_of_their_own_trust(
    client, administrator, participant
):
    sign_in(client, administrator)
    response = client.post(erase_url(participant), {"reason": "Request"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert not participant.is_active


def test_a_programme_administrator_cannot_erase_someone_of_another_trust(
    client, administrator, trust_b
):
    stranger = ClinicianFactory(trust=trust_b, email="stranger@southvale.nhs.uk")
    sign_in(client, administrator)
    assert client.get(erase_url(stranger)).status_code == 404
    assert client.post(erase_url(stranger), {"reason": "Because"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    assert stranger.email == "stranger@southvale.nhs.uk"
    refusals = AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=administrator)
    assert refusals.count() == 2
    assert all(event.subject == stranger for event in refusals)


def test_a_programme_administrator_cannot_erase_a_staff_colleague(client, administrator, trust_a):
    colleague = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    sign_in(client, administrator)
    edit_page = client.get(reverse("people:edit", args=[colleague.pk])).content.decode()
    assert erase_url(colleague) not in edit_page
    assert client.post(erase_url(colleague), {"reason": "Request"}).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active


def test_a_reporting_lead_sees_the_trusts_people_but_cannot_erase_them(
    client, trust_a, participant
):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    sign_in(client, lead)
    inspect_page = client.get(reverse("people:inspect", args=[participant.pk]))
    assert inspect_page.status_code == 200
    assert erase_url(participant) not in inspect_page.content.decode()
    assert client.post(erase_url(participant), {"reason": "Request"}).status_code == 404
    participant.refresh_from_db()
    assert participant.is_active


def test_a_participant_cannot_erase_anyone(client, participant, trust_a):
    colleague = ClinicianFactory(trust=trust_a)
    sign_in(client, participant)
    response = client.post(erase_url(colleague), {"reason": "Request"})
    assert response.status_code == 403  # not allowed into the admin at all
    colleague.refresh_from_db()
    assert colleague.is_active


@pytest.mark.django_db
def test_erasure_removes_the_old_address_from_accounts_records(participant, superuser):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from accounts.models import Invitation
    from privacy.services import person_erase
    from tests.factories import InvitationFactory, give_totp

    old_email = participant.email
    give_totp(participant)
    InvitationFactory(email=old_email, trust=participant.trust, accepted_by=participant)
    person_erase(person=participant, by=superuser, reason="Subject's request")
    assert not EmailAddress.objects.filter(email__iexact=old_email).exists()
    assert not Authenticator.objects.filter(user=participant).exists()
    assert not Invitation.objects.filter(email__iexact=old_email).exists()


@pytest.mark.django_db
def test_erasure_deletes_reflections_and_keeps_completions(participant, superuser):
    from cms.models import ModuleProgress, ModuleReflection
    from privacy.services import person_erase
    from tests.factories import ModulePageFactory

    module = ModulePageFactory()
    ModuleProgress.objects.create(person=participant, module=module)
    ModuleReflection.objects.create(person=participant, module=module, text="My ward's budget")
    person_erase(person=participant, by=superuser, reason="Subject's request")
    assert not ModuleReflection.objects.filter(person=participant).exists()
    assert ModuleProgress.objects.filter(person=participant).count() == 1
