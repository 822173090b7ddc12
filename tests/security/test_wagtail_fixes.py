"""What the refusal matrix found in Wagtail's own admin: requests a browser never sends that
answered 500, and an account page that changed one's email address without verifying it."""

import pytest

from cms.models import ModuleProgress, ModuleReflection
from people.access import AccessRole
from tests.factories import (
    ModulePageFactory,
    ModuleProgressFactory,
    ModuleReflectionFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = UserFactory(trust=None, roles=[AccessRole.EDITOR])
    give_totp(editor)
    client.force_login(editor)
    return client


def test_a_page_edit_post_missing_its_streamfield_counts_is_400_and_saves_nothing(editor_client):
    module = ModulePageFactory(title="Budgets")
    response = editor_client.post(f"/admin/pages/{module.pk}/edit/", {"title": "Hijacked"})
    assert response.status_code == 400
    module.refresh_from_db()
    assert module.title == "Budgets"


def test_the_external_link_chooser_without_a_url_is_a_form_error(editor_client):
    response = editor_client.post("/admin/choose-external-link/", {"link_text": "x"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_the_topic_chooser_can_create_a_topic(editor_client):
    response = editor_client.post(
        "/admin/snippets/choose/cms/topic/create/", {"name": "Patient flow", "slug": ""}
    )
    assert response.status_code == 200
    from cms.models import Topic

    assert Topic.objects.filter(name="Patient flow").exists()


def test_wagtails_account_page_does_not_change_ones_email(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    before = administrator.email
    page = client.get("/admin/account/").content.decode()
    assert 'name="name_email-email"' not in page
    client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Ann",
            "name_email-last_name": "Other",
            "name_email-email": "attacker@evil.example",
        },
    )
    administrator.refresh_from_db()
    assert administrator.email == before


def test_deleting_a_module_keeps_peoples_progress_and_reflections(participant):
    module = ModulePageFactory(title="Business cases")
    ModuleProgressFactory(person=participant, module=module)
    ModuleReflectionFactory(person=participant, module=module, text="Worth rereading.")
    module.delete()
    reflection = ModuleReflection.objects.get(person=participant)
    assert (reflection.module, reflection.module_title, reflection.text) == (
        None,
        "Business cases",
        "Worth rereading.",
    )
    assert ModuleProgress.objects.get(person=participant).module_title == "Business cases"
