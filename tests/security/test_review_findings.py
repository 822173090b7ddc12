"""What a hostile review of issues 7 and 8 found, each as it was reproduced: one role's power
mixed with another role's scope, the lockout cleared by the attacker's own sign-in (in
tests/accounts/test_authentication.py), Wagtail's history showing another trust's rows, and
three 500s."""

import pytest
from django.contrib.auth.models import Group, Permission

from audit.models import AuditAction, AuditEvent
from people.access import AccessRole
from people.models import BoardSnapshot, Region, RoleAppointment, User
from people.services import access_grant_create
from tests.factories import (
    BoardSnapshotFactory,
    ClinicianFactory,
    RoleAppointmentFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


def signed_in(client, person):
    give_totp(person)
    client.force_login(person)
    return client


def person_form(person, trust, **changes):
    return {
        "email": person.email,
        "trust": trust.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "professional_group": person.professional_group,
        "job_title": person.job_title,
        "registration_body": person.registration_body,
        "registration_number": person.registration_number,
        **changes,
    }


@pytest.fixture
def two_roles(trust_a, trust_b):
    """Programme administrator of trust A, and reporting lead (view only) of trust B."""
    person = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    access_grant_create(person=person, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust_b, by=None)
    return person


def test_two_roles_see_trust_b_but_change_nothing_of_it(client, two_roles, trust_b):
    theirs = ClinicianFactory(email="b.participant@southvale.nhs.uk", trust=trust_b)
    role = RoleAppointmentFactory(person=theirs, title="Clinical lead")
    signed_in(client, two_roles)
    assert client.get(f"/admin/people/inspect/{theirs.pk}/").status_code == 200  # may see
    response = client.post(
        f"/admin/people/edit/{theirs.pk}/",
        person_form(theirs, trust_b, email="mallory@evil.example"),
    )
    assert response.status_code == 404
    response = client.post(
        f"/admin/roleappointment/edit/{role.pk}/",
        {"person": theirs.pk, "title": "Tampered", "category": role.category},
    )
    assert response.status_code == 404
    assert client.post(f"/admin/privacy/erase/{theirs.pk}/", {"reason": "x"}).status_code in (
        403,
        404,
    )
    theirs.refresh_from_db()
    role.refresh_from_db()
    assert (theirs.email, theirs.is_active, role.title) == (
        "b.participant@southvale.nhs.uk",
        True,
        "Clinical lead",
    )


def test_an_administrator_cannot_move_their_people_into_a_trust_they_do_not_administer(
    client, trust_a, trust_b
):
    # Works for trust B, administers trust A: trust B is theirs to see, not to fill.
    shared_service = UserFactory(trust=trust_b)
    access_grant_create(
        person=shared_service, role=AccessRole.PROGRAMME_ADMINISTRATOR, trust=trust_a, by=None
    )
    ours = ClinicianFactory(trust=trust_a)
    signed_in(client, shared_service)
    response = client.post(f"/admin/people/edit/{ours.pk}/", person_form(ours, trust_b))
    assert response.status_code == 200  # the form refuses the choice
    ours.refresh_from_db()
    assert ours.trust == trust_a


def test_a_reporting_lead_who_is_also_a_regional_lead_changes_only_their_trusts_boards(
    client, trust_a, trust_b
):
    region = Region.objects.get(code="Y61")
    trust_b.region = region
    trust_b.save()
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    access_grant_create(person=lead, role=AccessRole.REGIONAL_LEAD, region=region, by=None)
    board = BoardSnapshotFactory(trust=trust_b, members=12, clinician_members=4)
    signed_in(client, lead)
    response = client.post(
        f"/admin/boardsnapshot/edit/{board.pk}/",
        {"trust": trust_b.pk, "recorded_on": "2024-01-01", "members": 99, "clinician_members": 1},
    )
    assert response.status_code == 404
    response = client.post(
        "/admin/boardsnapshot/new/",
        {"trust": trust_b.pk, "recorded_on": "2024-02-01", "members": 9, "clinician_members": 1},
    )
    assert response.status_code == 200  # trust B is not a choice
    assert BoardSnapshot.objects.filter(trust=trust_b).count() == 1
    assert BoardSnapshot.objects.get(pk=board.pk).members == 12


def test_site_history_shows_no_other_trusts_rows(client, administrator, trust_b):
    theirs = ClinicianFactory(trust=trust_b)
    secret = RoleAppointmentFactory(person=theirs, title="SecretB medical director")
    admin_b = UserFactory(trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    signed_in(client, admin_b)
    client.post(
        f"/admin/roleappointment/edit/{secret.pk}/",
        {
            "person": theirs.pk,
            "title": "SecretB medical director",
            "category": secret.category,
            "starts_on": secret.starts_on.isoformat(),
        },
    )
    assert client.get("/admin/reports/site-history/").content.decode().count("SecretB") >= 1
    client.logout()
    signed_in(client, administrator)
    for path in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        assert "SecretB" not in client.get(path).content.decode(), path
    export = client.get("/admin/reports/site-history/", {"export": "csv"})
    assert "SecretB" not in b"".join(export.streaming_content).decode()


def test_adding_a_person_in_the_admin_works(client, administrator, trust_a):
    signed_in(client, administrator)
    response = client.post(
        "/admin/people/new/",
        {
            "email": "new.starter@northshire.nhs.uk",
            "trust": trust_a.pk,
            "first_name": "New",
            "last_name": "Starter",
            "professional_group": "management",
            "job_title": "Service manager",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.starter@northshire.nhs.uk")
    assert person.trust == trust_a and not person.has_usable_password()


def test_a_grant_held_already_is_a_form_error(client, administrator, participant):
    signed_in(client, administrator)
    response = client.post(
        "/admin/accessgrant/new/", {"person": participant.pk, "role": AccessRole.PARTICIPANT}
    )
    assert response.status_code == 200
    assert "already holds this role" in response.content.decode()


def test_bulk_assigning_a_scoped_role_is_a_form_error(client, superuser, participant):
    signed_in(client, superuser)
    group = Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR)
    response = client.post(
        f"/admin/bulk/people/user/assign_role/?id={participant.pk}", {"role": group.pk}
    )
    assert response.status_code == 200
    assert "Access roles" in response.content.decode()
    assert not participant.access_grants.filter(role=AccessRole.PROGRAMME_ADMINISTRATOR).exists()


def test_changing_a_groups_permissions_is_audited(client, superuser):
    signed_in(client, superuser)
    group = Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR)
    page = client.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    assert page  # the edit page renders for a superuser
    from tests.security.matrix import FormReader

    reader = FormReader()
    reader.feed(page)
    body = {k: v if len(v) > 1 else v[0] for k, v in reader.data.items()}
    change_user = Permission.objects.get(codename="change_user")
    body["permissions"] = [*reader.data.get("permissions", []), str(change_user.pk)]
    response = client.post(f"/admin/groups/edit/{group.pk}/", body)
    assert response.status_code == 302, response.content.decode()[:500]
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGED, actor=superuser)
    assert "people.change_user" in event.detail["permissions_added"]
    assert event.detail["group"] == AccessRole.PROGRAMME_ADMINISTRATOR


def test_ones_own_trusts_history_stays_visible(client, trust_a):
    """The scoping keeps one's own trust's history visible."""
    admin = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    ours = ClinicianFactory(trust=trust_a)
    role = RoleAppointmentFactory(person=ours, title="Our clinical lead")
    signed_in(client, admin)
    client.post(
        f"/admin/roleappointment/edit/{role.pk}/",
        {
            "person": ours.pk,
            "title": "Our clinical lead",
            "category": role.category,
            "starts_on": role.starts_on.isoformat(),
        },
    )
    assert RoleAppointment.objects.get(pk=role.pk).title == "Our clinical lead"
    assert "Our clinical lead" in client.get("/admin/reports/site-history/").content.decode()


def test_the_services_refuse_what_the_forms_hide(two_roles, trust_a, trust_b):
    """The admin's forms offer only what one may change; the services check it again, so
    an import, a task or a future API cannot skip the rule."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from people.services import person_save, role_appointment_create

    theirs = ClinicianFactory(trust=trust_b)
    theirs.job_title = "Tampered"
    with pytest.raises(PermissionDenied):
        person_save(person=theirs, by=two_roles, changed=["job_title"])
    newcomer = User(email="newcomer@southvale.nhs.uk", trust=trust_b, first_name="N")
    with pytest.raises(ValidationError, match="trust you administer"):
        person_save(person=newcomer, by=two_roles)
    with pytest.raises(PermissionDenied):
        role_appointment_create(
            person=theirs,
            title="Medical director",
            category="clinical_leadership",
            starts_on="2025-01-01",
            source="administrator",
            recorded_by=two_roles,
        )
    assert not User.objects.filter(email="newcomer@southvale.nhs.uk").exists()
    assert User.objects.get(pk=theirs.pk).job_title != "Tampered"
    assert not RoleAppointment.objects.filter(person=theirs).exists()


def test_changeable_is_what_one_administers_within_what_one_sees(two_roles, trust_a, trust_b):
    from people.permissions import assignable_trusts, changeable, visible

    ours, theirs = ClinicianFactory(trust=trust_a), ClinicianFactory(trust=trust_b)
    assert {ours, theirs} <= set(visible(two_roles, User))
    assert ours in changeable(two_roles, User) and theirs not in changeable(two_roles, User)
    assert list(assignable_trusts(two_roles, User)) == [trust_a]
    # A reporting lead records board composition for the trust they report on.
    assert set(assignable_trusts(two_roles, BoardSnapshot)) == {trust_a, trust_b}
