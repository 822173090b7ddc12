"""Issue 8 §1: access roles scoped to what a person runs — grants for a trust or a region, the
registry other apps fill, one predicate for staff access — and §2: writes through services."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.models import AuditAction, AuditEvent
from people import permissions, services
from people.access import AccessRole, has_staff_access, sees_others
from people.models import AccessGrant, Region, RoleAppointment, RoleSource, User
from people.permissions import (
    get_visible_or_404,
    people_visible_to,
    register_people_reach,
    trusts_visible_to,
    visible,
)
from tests.factories import ClinicianFactory, TrustFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def london():
    return Region.objects.get(code="Y56")


def test_the_seven_nhs_england_regions_are_seeded():
    assert Region.objects.count() == 7
    assert set(Region.objects.values_list("code", flat=True)) == {
        "Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63",
    }  # fmt: skip


# --- scopes -----------------------------------------------------------------------------------


def test_an_administrator_grant_for_another_trust_reaches_that_trust_not_their_own(
    trust_a, trust_b
):
    """Scope comes from the grant, not from where the person works."""
    shared_service = UserFactory(trust=trust_a)
    services.access_grant_create(
        person=shared_service, role=AccessRole.PROGRAMME_ADMINISTRATOR, trust=trust_b, by=None
    )
    ours, theirs = ClinicianFactory(trust=trust_a), ClinicianFactory(trust=trust_b)
    seen = set(people_visible_to(shared_service))
    assert theirs in seen and shared_service in seen
    assert ours not in seen


def test_a_regional_lead_sees_their_regions_trusts_and_no_people(trust_a, london):
    elsewhere = TrustFactory(region=london)
    lead = UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD])
    assert trust_a in trusts_visible_to(lead)
    assert elsewhere not in trusts_visible_to(lead)
    ClinicianFactory(trust=trust_a)
    assert list(people_visible_to(lead)) == [lead]


def test_a_national_lead_sees_every_trust_and_no_people(trust_a, trust_b):
    lead = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    assert set(trusts_visible_to(lead)) >= {trust_a, trust_b}
    ClinicianFactory(trust=trust_a)
    assert list(people_visible_to(lead)) == [lead]
    assert has_staff_access(lead)


def test_a_facilitator_sees_nobody_by_trust(trust_a):
    facilitator = UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    ClinicianFactory(trust=trust_a)
    assert list(people_visible_to(facilitator)) == [facilitator]


def test_another_app_widens_reach_through_the_registry(trust_a, trust_b, monkeypatch):
    """What the programmes app will do for cohort facilitators and host-trust
    administrators: people of another trust become visible, and only those."""
    facilitator = UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    in_my_cohort, not_in_it = ClinicianFactory(trust=trust_b), ClinicianFactory(trust=trust_b)
    monkeypatch.setattr(permissions, "_people_reach", [])

    def cohort_members(user):
        if user.has_role(AccessRole.FACILITATOR):
            return User.objects.filter(pk=in_my_cohort.pk).values("pk")
        return None

    register_people_reach(cohort_members)
    assert set(people_visible_to(facilitator)) == {facilitator, in_my_cohort}
    assert not_in_it not in visible(facilitator, User)
    assert get_visible_or_404(facilitator, User, pk=in_my_cohort.pk) == in_my_cohort
    with pytest.raises(Http404):
        get_visible_or_404(facilitator, User, pk=not_in_it.pk)


def test_a_model_without_a_rule_is_an_error_not_everything(participant):
    with pytest.raises(LookupError):
        visible(participant, Permission)


@pytest.mark.parametrize("junk", ["abc", "²", str(10**25), "-1"])
def test_a_malformed_id_is_404_not_a_crash(participant, junk):
    with pytest.raises(Http404):
        get_visible_or_404(participant, User, pk=junk)


# --- grants: invariants and who may grant -----------------------------------------------------


def test_a_grants_scope_must_fit_its_role(trust_a, london):
    person = UserFactory(trust=trust_a)
    for role, scope in (
        (AccessRole.PROGRAMME_ADMINISTRATOR, {}),
        (AccessRole.PROGRAMME_ADMINISTRATOR, {"region": london}),
        (AccessRole.REGIONAL_LEAD, {"trust": trust_a}),
        (AccessRole.EDITOR, {"trust": trust_a}),
    ):
        with pytest.raises(ValidationError):
            services.access_grant_create(person=person, role=role, by=None, **scope)
    assert not AccessGrant.objects.filter(person=person).exists()
    assert not person.groups.exists()  # nothing half-written


def test_the_same_grant_twice_is_refused(trust_a):
    person = UserFactory(trust=trust_a)
    services.access_grant_create(person=person, role=AccessRole.EDITOR, by=None)
    with pytest.raises(ValidationError, match="already holds this role"):
        services.access_grant_create(person=person, role=AccessRole.EDITOR, by=None)


def test_the_roles_group_follows_its_grants(trust_a, trust_b):
    person = UserFactory(trust=trust_a)
    role = AccessRole.PROGRAMME_ADMINISTRATOR
    first = services.access_grant_create(person=person, role=role, trust=trust_a, by=None)
    second = services.access_grant_create(person=person, role=role, trust=trust_b, by=None)
    assert person.groups.filter(name=role).exists()
    services.access_grant_revoke(grant=first, by=None)
    assert person.groups.filter(name=role).exists()  # still held for trust B
    services.access_grant_revoke(grant=second, by=None)
    assert not person.groups.filter(name=role).exists()
    assert not has_staff_access(User.objects.get(pk=person.pk))


def test_a_trust_administrator_grants_facilitator_to_their_people_only(
    administrator, participant, trust_b
):
    grant = services.access_grant_create(
        person=participant, role=AccessRole.FACILITATOR, by=administrator
    )
    assert grant.granted_by == administrator
    stranger = ClinicianFactory(trust=trust_b)
    with pytest.raises(PermissionDenied):
        services.access_grant_create(person=stranger, role=AccessRole.FACILITATOR, by=administrator)
    for role, scope in (
        (AccessRole.EDITOR, {}),
        (AccessRole.PROGRAMME_ADMINISTRATOR, {"trust": participant.trust}),
    ):
        with pytest.raises(PermissionDenied):
            services.access_grant_create(person=participant, role=role, by=administrator, **scope)
    with pytest.raises(PermissionDenied):  # nor to themselves
        services.access_grant_create(
            person=administrator, role=AccessRole.FACILITATOR, by=administrator
        )
    services.access_grant_revoke(grant=grant, by=administrator)
    assert not participant.access_grants.filter(role=AccessRole.FACILITATOR).exists()


def test_a_staff_colleague_is_a_superusers_to_change(administrator, trust_a, superuser):
    colleague = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    with pytest.raises(PermissionDenied):
        services.access_grant_create(
            person=colleague, role=AccessRole.FACILITATOR, by=administrator
        )
    services.access_grant_create(person=colleague, role=AccessRole.FACILITATOR, by=superuser)


def test_granting_is_audited_with_its_scope(superuser, participant, trust_a):
    services.access_grant_create(
        person=participant, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust_a, by=superuser
    )
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGED, actor=superuser)
    assert event.subject_id == participant.pk
    assert event.detail["roles_added"] == [
        AccessRole.TRUST_REPORTING_LEAD,
        f"{AccessRole.TRUST_REPORTING_LEAD} of {trust_a.ods_code}",
    ]


# --- the access roles admin -------------------------------------------------------------------


def test_an_administrator_grants_facilitator_in_the_admin(client, administrator, participant):
    give_totp(administrator)
    client.force_login(administrator)
    form = client.get("/admin/accessgrant/new/").content.decode()
    assert "Facilitator" in form and "Content reviewer" not in form
    response = client.post(
        "/admin/accessgrant/new/", {"person": participant.pk, "role": AccessRole.FACILITATOR}
    )
    assert response.status_code == 302
    assert participant.access_grants.filter(role=AccessRole.FACILITATOR).exists()
    # A role they may not grant is a form error, not a 500 and not a grant.
    response = client.post(
        "/admin/accessgrant/new/", {"person": participant.pk, "role": AccessRole.EDITOR}
    )
    assert response.status_code == 200
    assert not participant.access_grants.filter(role=AccessRole.EDITOR).exists()


# --- the one staff predicate ------------------------------------------------------------------


def test_staff_predicate_and_its_queryset_agree(trust_a):
    direct = UserFactory(trust=trust_a)
    direct.user_permissions.add(Permission.objects.get(codename="access_admin"))
    people = [
        UserFactory(trust=trust_a),
        UserFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT]),
        UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR]),
        UserFactory(trust=trust_a, roles=[AccessRole.EDITOR]),
        UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD]),
        UserFactory(trust=trust_a, is_staff=True),
        UserFactory(trust=None, is_superuser=True),
        direct,
    ]
    staff = set(User.objects.with_staff_access())
    others = set(User.objects.seeing_others())
    for person in people:
        person = User.objects.get(pk=person.pk)
        assert (person in staff) == has_staff_access(person), person
        assert (person in others) == sees_others(person), person
    assert direct in staff


def test_retention_spares_an_account_given_admin_access_directly(trust_a, settings):
    from privacy.retention import retention_run

    long_ago = datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC)
    direct = UserFactory(trust=trust_a, last_login=long_ago, date_joined=long_ago)
    direct.user_permissions.add(Permission.objects.get(codename="access_admin"))
    dormant = UserFactory(trust=trust_a, last_login=long_ago, date_joined=long_ago)
    retention_run(dry_run=False)
    direct.refresh_from_db()
    dormant.refresh_from_db()
    assert direct.is_active and not dormant.is_active


# --- §2: writes through services --------------------------------------------------------------


def test_the_model_refuses_an_active_clinician_without_a_registration_number(trust_a):
    person = ClinicianFactory.build(trust=trust_a, registration_body="", registration_number="")
    with pytest.raises(ValidationError, match="registration number"):
        person.full_clean(exclude=["password"])


def test_the_admin_person_form_refuses_a_clinician_without_a_registration_number(
    client, administrator, participant
):
    give_totp(administrator)
    client.force_login(administrator)
    response = client.post(
        f"/admin/people/edit/{participant.pk}/",
        {
            "email": participant.email,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "trust": participant.trust_id,
            "professional_group": "nursing_midwifery",
            "job_title": "Ward sister",
        },
    )
    assert response.status_code == 200
    assert "registration number" in response.content.decode()
    participant.refresh_from_db()
    assert participant.professional_group == "medical"


def test_a_role_recorded_in_the_admin_is_the_administrators_with_the_persons_facts(
    client, administrator, participant
):
    give_totp(administrator)
    client.force_login(administrator)
    form = client.get("/admin/roleappointment/new/").content.decode()
    assert 'name="source"' not in form and 'name="recorded_by"' not in form
    response = client.post(
        "/admin/roleappointment/new/",
        {
            "person": participant.pk,
            "title": "Clinical director for surgery",
            "category": "clinical_leadership",
            "starts_on": "2026-04-01",
            "source": RoleSource.HR_IMPORT,  # ignored: not the administrator's to pick
        },
    )
    assert response.status_code == 302
    role = RoleAppointment.objects.get(title="Clinical director for surgery")
    assert role.source == RoleSource.ADMINISTRATOR
    assert role.recorded_by == administrator
    assert (role.trust_id, role.professional_group) == (participant.trust_id, "medical")


def test_a_role_group_only_exists_once_per_role():
    names = list(Group.objects.values_list("name", flat=True))
    assert sorted(set(names)) == sorted(names)
    assert set(AccessRole.values) <= set(names)
