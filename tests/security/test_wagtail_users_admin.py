"""Issue 7, items 1 and 2: Wagtail's own Users and Groups admin and its bulk actions were a
way to take over any account. Each reproduction from the probe, as a trust A programme
administrator with 2FA, must now be refused and change nothing; superusers keep the tools,
and what they change is audited."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from people.access import AccessRole
from people.models import User
from tests.factories import ClinicianFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db

TAKEOVER = {
    "email": "attacker@evil.example",
    "first_name": "Mallory",
    "last_name": "Attacker",
    "password1": "attacker-password-1",
    "password2": "attacker-password-1",
    "is_superuser": "on",
    "is_active": "on",
}


@pytest.fixture
def victim(trust_b):
    return ClinicianFactory(email="victim@southvale.nhs.uk", trust=trust_b, last_name="Victimson")


@pytest.fixture
def signed_in_admin(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.fixture
def signed_in_root(client, superuser):
    give_totp(superuser)
    client.force_login(superuser)
    return client


def refused(response) -> bool:
    """403, 404, or Wagtail's answer to PermissionDenied inside the admin: back to the
    dashboard with "Sorry, you do not have permission"."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] == "/admin/"


def account_state(person):
    person = User.objects.get(pk=person.pk)
    return (
        person.email,
        person.password,
        person.is_superuser,
        person.is_active,
        sorted(person.groups.values_list("name", flat=True)),
    )


def test_programme_administrators_hold_no_user_model_permissions(administrator, other_trust_lead):
    for person in (administrator, other_trust_lead):
        for codename in ("add_user", "change_user", "view_user", "delete_user"):
            assert not person.has_perm(f"people.{codename}")


@pytest.mark.parametrize("target", ["victim", "superuser"])
def test_copy_view_cannot_take_over_an_account(signed_in_admin, request, target):
    person = request.getfixturevalue(target)
    before = account_state(person)
    path = f"/admin/users/copy/{person.pk}/"
    response = signed_in_admin.get(path)
    assert refused(response)
    assert person.email not in response.content.decode()
    groups = [str(g.pk) for g in Group.objects.all()]
    response = signed_in_admin.post(path, {**TAKEOVER, "groups": groups})
    assert refused(response)
    assert account_state(person) == before
    assert not User.objects.filter(email=TAKEOVER["email"]).exists()


@pytest.mark.parametrize("view", ["edit", "history", "usage", "delete"])
def test_every_wagtail_user_view_refuses_a_programme_administrator(
    signed_in_admin, victim, superuser, view
):
    before = {p.pk: account_state(p) for p in (victim, superuser)}
    for person in (victim, superuser):
        path = reverse(f"wagtailusers_users:{view}", args=[person.pk])
        response = signed_in_admin.get(path)
        assert refused(response), path
        assert "Victimson" not in response.content.decode()
        assert refused(signed_in_admin.post(path, {**TAKEOVER}))
    assert {p.pk: account_state(p) for p in (victim, superuser)} == before


def test_refusals_of_wagtails_users_admin_are_audited(signed_in_admin, administrator, victim):
    signed_in_admin.get(reverse("wagtailusers_users:edit", args=[victim.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=administrator).exists()


def test_wagtail_groups_admin_refuses_a_programme_administrator(signed_in_admin):
    group = Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR)
    for path in ("/admin/groups/", f"/admin/groups/edit/{group.pk}/"):
        assert refused(signed_in_admin.get(path))
    response = signed_in_admin.post(
        f"/admin/groups/edit/{group.pk}/",
        {"name": "Programme administrators", "is_superuser": "on"},
    )
    assert refused(response)


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("set_active_state", {"mark_as_active": "False"}),
        ("delete", {}),
    ],
)
def test_bulk_user_actions_refuse_a_programme_administrator(
    signed_in_admin, victim, superuser, action, body
):
    before = {p.pk: account_state(p) for p in (victim, superuser)}
    url = f"/admin/bulk/people/user/{action}/?id={victim.pk}&id={superuser.pk}"
    assert refused(signed_in_admin.get(url))
    assert refused(signed_in_admin.post(url, body))
    assert {p.pk: account_state(p) for p in (victim, superuser)} == before


def test_bulk_assign_role_cannot_promote_anyone_or_oneself(signed_in_admin, administrator, victim):
    reviewer = Group.objects.get(name=AccessRole.CONTENT_REVIEWER)
    programme_admin = Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR)
    for person, group in ((victim, programme_admin), (administrator, reviewer)):
        url = f"/admin/bulk/people/user/assign_role/?id={person.pk}"
        assert refused(signed_in_admin.post(url, {"role": group.pk}))
    assert not victim.groups.filter(pk=programme_admin.pk).exists()
    assert not administrator.groups.filter(pk=reviewer.pk).exists()


def test_the_scoped_people_admin_still_works_for_its_trust(signed_in_admin, participant, victim):
    listing = signed_in_admin.get("/admin/people/").content.decode()
    assert participant.email in listing
    assert victim.email not in listing
    assert signed_in_admin.get(f"/admin/people/edit/{participant.pk}/").status_code == 200
    assert signed_in_admin.get(f"/admin/people/edit/{victim.pk}/").status_code == 404
    menu = signed_in_admin.get("/admin/").content.decode()
    assert "/admin/people/" in menu


# --- superusers keep Wagtail's tools, audited ------------------------------------------------


def test_superuser_edit_that_grants_superuser_status_is_audited(signed_in_root, superuser, victim):
    path = reverse("wagtailusers_users:edit", args=[victim.pk])
    form = {
        "email": "new.address@southvale.nhs.uk",
        "first_name": victim.first_name,
        "last_name": victim.last_name,
        "password1": "brand-new-password-9",
        "password2": "brand-new-password-9",
        "is_superuser": "on",
        "is_active": "on",
        # Access roles are granted with their scope elsewhere; other groups are offered here.
        "groups": [Group.objects.create(name="Newsletter editors").pk],
    }
    response = signed_in_root.post(path, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    victim.refresh_from_db()
    assert victim.is_superuser and victim.email == "new.address@southvale.nhs.uk"
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGED, subject_id=victim.pk)
    assert event.actor_id == superuser.pk
    assert event.detail["superuser"] == "granted"
    assert event.detail["roles_added"] == ["Newsletter editors"]
    assert sorted(event.detail["changed"]) == ["email", "password"]


def test_superuser_bulk_deactivation_ends_sessions_and_is_audited(
    signed_in_root, superuser, victim
):
    victim_client = Client()
    victim_client.force_login(victim)
    assert victim_client.get("/learn/").status_code == 200

    url = f"/admin/bulk/people/user/set_active_state/?id={victim.pk}&id={superuser.pk}"
    response = signed_in_root.post(url, {"mark_as_active": "False"})
    assert response.status_code == 302
    victim.refresh_from_db()
    superuser.refresh_from_db()
    assert not victim.is_active
    assert superuser.is_active  # never oneself
    assert victim_client.get("/learn/").status_code == 302  # signed out everywhere
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGED, subject_id=victim.pk)
    assert event.detail["active"] == "deactivated"


def test_superuser_bulk_role_assignment_is_audited(signed_in_root, victim):
    editors = Group.objects.get(name=AccessRole.EDITOR)
    url = f"/admin/bulk/people/user/assign_role/?id={victim.pk}"
    assert signed_in_root.post(url, {"role": editors.pk}).status_code == 302
    assert victim.groups.filter(pk=editors.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGED, subject_id=victim.pk)
    assert event.detail["roles_added"] == [AccessRole.EDITOR]


def test_a_staff_colleague_is_not_a_target_for_a_trust_administrator(signed_in_admin, trust_a):
    colleague = UserFactory(trust=trust_a, roles=[AccessRole.EDITOR])
    before = account_state(colleague)
    response = signed_in_admin.post(
        f"/admin/people/edit/{colleague.pk}/",
        {"email": "attacker@evil.example", "trust": trust_a.pk, "professional_group": "management"},
    )
    assert response.status_code == 404
    assert account_state(colleague) == before
