"""Making a token for a test persona, and calling the API with it."""

import datetime

from django.test import Client
from django.utils import timezone

from accounts.middleware import has_totp, needs_two_factor
from api.services import api_token_create
from tests.factories import give_totp


def token_for(person, *, scope="read", days=30, name="Test token") -> str:
    if needs_two_factor(person) and not has_totp(person):
        give_totp(person)  # staff need it
    _, token = api_token_create(
        owner=person,
        name=name,
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )
    return token


def api_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
