"""An invitation to an account an administrator made (the participant import's new people):
it sets that account's password, and never takes over any other account at the address."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Invitation
from people.models import User
from people.services import person_save
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "A-long-enough-pass-2026"


def made_by_administrator(administrator, email="new@northshire.nhs.uk"):
    person = User(
        email=email,
        first_name="Mary",
        last_name="Seacole",
        trust=administrator.trust,
        professional_group="management",
        job_title="Service manager",
    )
    return person_save(person=person, by=administrator)


def accept(invitation, password=PASSWORD):
    return services.invitation_accept(
        invitation=invitation, first_name="Mary", last_name="Seacole", password=password
    )


def test_the_invitation_gives_the_account_its_password(
    administrator, django_capture_on_commit_callbacks
):
    person = made_by_administrator(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.account_invitation_create(person=person, invited_by=administrator)
    assert mail.outbox[0].to == [person.email]
    assert (invitation.trust, invitation.first_name) == (administrator.trust, "Mary")

    user = accept(invitation)

    assert user.pk == person.pk
    assert user.check_password(PASSWORD)
    assert user.emailaddress_set.get().verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    with pytest.raises(services.InvitationInvalid):
        accept(invitation)  # single use, as ever


@pytest.mark.parametrize("how", ["has a password", "signed in before", "another trust"])
def test_an_invitation_never_takes_over_another_account(administrator, trust_b, how):
    person = made_by_administrator(administrator)
    if how == "has a password":
        person.set_password("their-own-password-1")
        person.save()
    elif how == "signed in before":
        User.objects.filter(pk=person.pk).update(last_login="2026-01-01T00:00:00Z")
    invitation = InvitationFactory(
        email=person.email, trust=trust_b if how == "another trust" else administrator.trust
    )
    before = User.objects.filter(pk=person.pk).values_list("password", flat=True).get()
    with pytest.raises(services.InvitationInvalid):
        accept(invitation)
    assert User.objects.filter(pk=person.pk).values_list("password", flat=True).get() == before
    assert Invitation.objects.get().accepted_at is None


def test_only_an_account_no_one_can_sign_in_to_is_invited(administrator, participant):
    with pytest.raises(ValidationError, match="can already sign in"):
        services.account_invitation_create(person=participant, invited_by=administrator)
    person = made_by_administrator(administrator)
    services.account_invitation_create(person=person, invited_by=administrator)
    with pytest.raises(ValidationError, match="invitation waiting"):
        services.account_invitation_create(person=person, invited_by=administrator)
    assert Invitation.objects.count() == 1


def test_an_ordinary_invitation_still_creates_the_account(administrator):
    invitation = InvitationFactory(email="fresh@northshire.nhs.uk", trust=administrator.trust)
    user = accept(invitation)
    assert user.trust == administrator.trust
    assert User.objects.filter(email="fresh@northshire.nhs.uk").count() == 1
