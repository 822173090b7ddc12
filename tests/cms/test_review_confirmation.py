"""A content reviewer is told what their approval did (cms.review_confirmation): Wagtail's
dashboard approves without a word. And the dashboard offers its page search only to people
who can search pages (templates/wagtailadmin/home.html)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(modules):
    return modules[0]  # "Budgets"


def submit(module, editor, **changes):
    for name, value in changes.items():
        setattr(module, name, value)
    module.save_revision(user=editor)
    module.get_workflow().start(module, editor)
    return module.current_workflow_state.current_task_state


def approve_from_the_dashboard(client, module, task_state):
    url = reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "approve", task_state.pk])
    # As the dashboard's "Approve" button posts it (workflow-action.js): back to the dashboard.
    response = client.post(url, {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approving_says_the_page_is_published(client, module, editor, reviewer):
    task_state = submit(module, editor, title="Budgets, revised")
    client.force_login(reviewer)
    assert approve_from_the_dashboard(client, module, task_state) == [
        "You approved 'Budgets, revised'. It is now published."
    ]
    module.refresh_from_db()
    assert module.title == "Budgets, revised"


def test_approving_a_scheduled_change_says_when_it_goes_live(client, module, editor, reviewer):
    go_live = timezone.localtime() + timedelta(days=30)
    task_state = submit(module, editor, go_live_at=go_live)
    client.force_login(reviewer)
    when = go_live.strftime("%-d %B %Y at %H:%M")
    assert approve_from_the_dashboard(client, module, task_state) == [
        f"You approved 'Budgets'. It will go live on {when}."
    ]


def test_the_dashboard_search_is_offered_only_to_those_who_can_search_pages(
    client, editor, administrator
):
    client.force_login(editor)
    assert 'role="search"' in client.get("/admin/").content.decode()

    give_totp(administrator)
    client.force_login(administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'role="search"' not in response.content.decode()
    assert "Search all pages" not in response.content.decode()
