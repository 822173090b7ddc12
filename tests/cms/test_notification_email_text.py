"""Wagtail's workflow emails (templates/wagtailadmin/notifications/base.txt) are plain text as
typed, and link to Tandem's public address (WAGTAILADMIN_BASE_URL, which follows BASE_URL)."""

import re

import pytest
from django.urls import reverse

from people.access import AccessRole
from tests.cms.test_workflow import edit
from tests.factories import UserFactory, give_totp

pytestmark = pytest.mark.django_db

PUBLIC = "https://tandem.example.nhs.uk"


def test_the_reviewers_email_names_them_and_the_page_as_typed(
    client, settings, modules, editor, mailoutbox
):
    settings.BASE_URL = settings.WAGTAILADMIN_BASE_URL = PUBLIC
    reviewer = UserFactory(
        email="darcy@tandem.example", first_name="D'Arcy & Zoë", roles=[AccessRole.CONTENT_REVIEWER]
    )
    give_totp(reviewer)
    module = modules[0]
    client.force_login(editor)
    response = edit(client, module, "action-submit", title="Budgets & O'Brien's rota")
    assert response.status_code == 302
    [message] = [m for m in mailoutbox if m.to == [reviewer.email]]
    body = message.body
    assert "Hello D'Arcy & Zoë," in body
    assert "Budgets & O'Brien's rota" in body
    assert "&#x27;" not in body and "&amp;" not in body
    links = re.findall(r"https?://\S+", body)
    assert f"{PUBLIC}{reverse('wagtailadmin_pages:edit', args=[module.pk])}" in links
    assert links and all(link.startswith(PUBLIC + "/") for link in links)
