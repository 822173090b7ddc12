"""Personal API tokens: made on the account page (shown once, stored as a digest, with a
scope and an expiry), revoked there; a revoked, expired, made-up or read-only token is
refused with a reason; staff need two-factor authentication to make one."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken
from audit.models import AuditEvent
from people.access import AccessRole
from tests.audit.helpers import sign_in
from tests.factories import UserFactory, give_totp

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db
PAGE = "/accounts/api-tokens/"


@pytest.fixture
def facilitator(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])


def test_the_account_page_makes_a_token_shown_once_and_stores_only_its_digest(
    client, administrator
):
    sign_in(client, administrator)
    assert "API tokens" in client.get("/accounts/profile/").content.decode()
    expires = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(PAGE, {"name": "HR feed", "scope": "write", "expires_on": expires})
    assert response.status_code == 302  # then shown once, on the page it leads to
    response = client.get(response.url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(owner=administrator)
    body = response.content.decode()
    start = body.index('id="new-token">') + len('id="new-token">')
    token = body[start : body.index("</code>", start)]
    assert token.startswith(f"tdm_{row.prefix}_")
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.filter(pk=row.pk).values().get())
    assert (row.name, row.scope) == ("HR feed", "write")
    # Shown once: the list afterwards names it by its prefix only.
    again = client.get(PAGE).content.decode()
    assert token not in again and f"tdm_{row.prefix}…" in again
    assert AuditEvent.objects.filter(action="created", actor_email=administrator.email).exists()
    assert api_client(token).get("/api/v1/programmes/").status_code == 200


def test_bad_input_on_the_form_is_a_clear_error_and_makes_nothing(client, administrator):
    sign_in(client, administrator)
    today = timezone.localdate()
    for data, message in (
        ({"name": "", "scope": "read", "expires_on": today + datetime.timedelta(days=5)},
         "Say what the token is for"),
        ({"name": "X", "scope": "admin", "expires_on": today + datetime.timedelta(days=5)},
         "Select a valid choice"),
        ({"name": "X", "scope": "read", "expires_on": today}, "after today"),
        ({"name": "X", "scope": "read", "expires_on": today + datetime.timedelta(days=400)},
         "at most 366 days"),
        ({"name": "X", "scope": "read", "expires_on": "31/02/2027"}, "Enter a real date"),
    ):  # fmt: skip
        response = client.post(PAGE, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not ApiToken.objects.exists()


def test_staff_need_two_factor_to_make_a_token_and_participants_may_not(
    client, administrator, participant
):
    with pytest.raises(PermissionDenied, match="two-factor"):
        services.api_token_create(
            owner=administrator, name="X", scope="read",
            expires_on=timezone.localdate() + datetime.timedelta(days=3),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        token_for(participant)
    sign_in(client, participant)
    assert client.get(PAGE).status_code == 403
    assert "API tokens" not in client.get("/accounts/profile/").content.decode()


def test_a_facilitator_makes_one_without_two_factor(facilitator):
    token = token_for(facilitator)
    assert api_client(token).get("/api/v1/cohorts/").status_code == 200


def test_revoked_expired_and_made_up_tokens_are_refused_with_a_reason(client, administrator):
    token = token_for(administrator, days=10)
    api = api_client(token)
    assert api.get("/api/v1/programmes/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
        expired = api.get("/api/v1/programmes/")
    assert expired.status_code == 401
    assert expired["Content-Type"] == "application/problem+json"
    assert "expired" in expired.json()["detail"]
    assert expired["WWW-Authenticate"].startswith("Bearer")
    for bad in (token[:-2] + "xx", "tdm_nothing", "not-a-token", token.replace("tdm_", "abc_")):
        response = api_client(bad).get("/api/v1/programmes/")
        assert response.status_code == 401, bad
        assert "not valid" in response.json()["detail"]
    sign_in(client, administrator)
    row = ApiToken.objects.get(owner=administrator)
    assert client.post(f"{PAGE}{row.pk}/revoke/").status_code == 302
    refused = api.get("/api/v1/programmes/")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert services.api_token_revoke(api_token=row, by=administrator) is False  # once only


def test_no_one_revokes_another_persons_token(client, administrator, other_trust_lead):
    token_for(other_trust_lead)
    theirs = ApiToken.objects.get(owner=other_trust_lead)
    sign_in(client, administrator)
    assert client.post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(api_token=theirs, by=administrator)


def test_a_closed_account_or_a_lost_role_takes_its_tokens_access_with_it(administrator):
    token = token_for(administrator)
    api = api_client(token)
    assert api.get("/api/v1/programmes/").status_code == 200
    administrator.is_active = False
    administrator.save()
    assert api.get("/api/v1/programmes/").status_code == 401


def test_the_token_is_a_personal_data_source_and_erasure_deletes_it(administrator):
    from api.personal_data import erase_tokens, export_tokens

    token_for(administrator, name="HR feed")
    [exported] = export_tokens(administrator)
    assert exported["name"] == "HR feed" and exported["starts_with"].startswith("tdm_")
    assert not any("digest" in key for key in exported)
    erase_tokens(administrator, by=None, reason="test")
    assert not ApiToken.objects.exists()


def test_an_expiry_in_the_past_cannot_be_stored(administrator):
    give_totp(administrator)
    with pytest.raises(ValidationError):
        services.api_token_create(
            owner=administrator, name="X", scope="read",
            expires_on=timezone.localdate() - datetime.timedelta(days=1),
        )  # fmt: skip


def test_every_model_that_points_at_a_person_is_declared():
    from django.apps import apps
    from django.conf import settings
    from django.db.models import ForeignKey

    from api.personal_data import PERSON_LINKED_MODELS
    from privacy import registry

    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    linked = {
        model
        for model in apps.get_app_config("api").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model is person_model
    }
    assert linked == set(PERSON_LINKED_MODELS)
    assert set(PERSON_LINKED_MODELS.values()) <= {s.name for s in registry.sources()}


def test_the_forms_errors_link_to_their_fields_and_the_title_says_so(client, administrator):
    sign_in(client, administrator)
    page = client.post(PAGE, {"name": "", "scope": "", "expires_on": ""}).content.decode()
    assert "<title>Error: API tokens" in page
    assert 'href="#id_scope"' in page and 'id="id_scope"' in page  # the radios' fieldset
    assert 'href="#id_name"' in page


def test_a_token_is_shown_once_and_a_reload_makes_no_second(client, administrator):
    sign_in(client, administrator)
    expires = timezone.localdate() + datetime.timedelta(days=30)
    shown = client.post(PAGE, {"name": "Feed", "scope": "read", "expires_on": expires},
                        follow=True).content.decode()  # fmt: skip
    assert 'id="new-token"' in shown
    assert 'id="new-token"' not in client.get(PAGE).content.decode()  # once only
    assert ApiToken.objects.filter(owner=administrator).count() == 1


def test_a_password_reset_revokes_every_token_of_its_owner(client, facilitator, administrator):
    """A reset says the password may be in other hands; so may a token made with it."""
    first, second = token_for(facilitator, name="Phone"), token_for(facilitator, name="Laptop")
    others = token_for(administrator)
    client.post("/accounts/password/reset/", {"email": facilitator.email})
    path = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    form = client.get(path, follow=True).redirect_chain[-1][0]
    new = "Another-long-pass-2026"
    assert client.post(form, {"password1": new, "password2": new}).status_code == 302
    for token in (first, second):
        refused = api_client(token).get("/api/v1/cohorts/")
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert api_client(others).get("/api/v1/programmes/").status_code == 200  # only theirs
    event = AuditEvent.objects.get(subject=facilitator, detail__reason="password reset")
    assert event.detail["api_revoked"] == 2
    # A reset with nothing left to revoke writes no second event.
    assert services.api_tokens_revoke_all(owner=facilitator, reason="password reset") == 0
    assert AuditEvent.objects.filter(detail__reason="password reset").count() == 1


def test_one_address_sending_made_up_tokens_is_slowed_down(settings, administrator):
    settings.API_FAILED_TOKEN_LIMIT = 3
    good = token_for(administrator)
    # The limit's window is a fixed minute (core.ratelimit): the clock stands still so the
    # attempts cannot fall either side of a window's end.
    with time_machine.travel(timezone.now(), tick=False):
        for attempt in range(3):
            made_up = api_client(f"tdm_guess{attempt:03d}_{'x' * 40}")
            assert made_up.get("/api/v1/programmes/").status_code == 401
        slowed = api_client("tdm_guess999_" + "y" * 40).get("/api/v1/programmes/")
        assert slowed.status_code == 429
        assert slowed["Content-Type"] == "application/problem+json"
        assert 0 < int(slowed["Retry-After"]) <= 60 and "wait" in slowed.json()["detail"]
        # A real token from the same address still works: only made-up ones are held back.
        assert api_client(good).get("/api/v1/programmes/").status_code == 200
        # Another address is not held back for this one's guesses.
        elsewhere = Client(
            HTTP_AUTHORIZATION="Bearer tdm_other_" + "z" * 40, REMOTE_ADDR="10.0.0.9"
        )
        assert elsewhere.get("/api/v1/programmes/").status_code == 401
