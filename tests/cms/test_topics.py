"""Topics: a managed taxonomy. The first six are seeded by migration; editors add more as
snippets in the admin."""

import pytest
from django.urls import reverse

from cms.models import LeadershipDimension, Topic

pytestmark = pytest.mark.django_db


def test_the_six_topics_and_nine_dimensions_are_seeded():
    assert set(Topic.objects.values_list("slug", flat=True)) >= {
        "budgets-and-finance",
        "staff-management",
        "business-planning",
        "organisational-change",
        "quality-improvement",
        "working-across-professions",
    }
    assert list(LeadershipDimension.objects.values_list("name", flat=True)) == [
        "Inspiring shared purpose",
        "Leading with care",
        "Evaluating information",
        "Connecting our service",
        "Sharing the vision",
        "Engaging the team",
        "Holding to account",
        "Developing capability",
        "Influencing for results",
    ]


def test_an_editor_adds_a_topic_and_its_slug_is_made_from_the_name(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_cms_topic:add"),
        {"name": "Patient safety", "slug": "", "description": "Learning from incidents."},
    )
    assert response.status_code == 302
    assert Topic.objects.get(name="Patient safety").slug == "patient-safety"


def test_a_duplicate_topic_is_refused_with_a_message(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_cms_topic:add"),
        {"name": "Budgets and finance", "slug": "money"},
    )
    assert response.status_code == 200
    assert "A topic with this name already exists." in response.content.decode()
    assert Topic.objects.filter(name="Budgets and finance").count() == 1


def test_leadership_dimensions_are_not_editable_in_the_admin(client, editor):
    from wagtail.snippets.models import get_snippet_models

    assert LeadershipDimension not in get_snippet_models()
    assert Topic in get_snippet_models()
