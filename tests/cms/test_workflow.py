"""Editorial workflow: editors write, content reviewers approve and publish, through the
"Content review" workflow on the home page (migration cms.0005); scheduled publishing runs
from Celery beat."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import ModulePage, Topic
from cms.tasks import publish_scheduled_pages
from people.access import AccessRole
from tests.factories import ModulePageFactory

pytestmark = pytest.mark.django_db


def module_form(module, **changes):
    data = {
        "title": module.title,
        "slug": module.slug,
        "summary": module.summary,
        "estimated_minutes": str(module.estimated_minutes),
        "learning_outcomes": streamfield([("outcome", "Explain a variance")]),
        "body": streamfield([("rich_text", rich_text("<p>Pay is most of a ward budget.</p>"))]),
        "related_module_links": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(changes)
    data = nested_form_data(data)
    data["topics"] = [str(Topic.objects.get(slug="budgets-and-finance").pk)]
    return data


def edit(client, module, action, **changes):
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[module.pk]),
        {**module_form(module, **changes), action: action},
    )


@pytest.fixture
def module(modules):
    return modules[0]


# --- Permissions and the workflow, as the migrations set them up ---------------------------


def test_editors_may_add_and_change_but_never_publish(home):
    editors = Group.objects.get(name=AccessRole.EDITOR)
    on_home = set(
        GroupPagePermission.objects.filter(group=editors, page=home).values_list(
            "permission__codename", flat=True
        )
    )
    assert on_home == {"add_page", "change_page"}
    assert not GroupPagePermission.objects.filter(
        group=editors, permission__codename="publish_page"
    ).exists()


def test_reviewers_may_add_change_and_publish(home):
    reviewers = Group.objects.get(name=AccessRole.CONTENT_REVIEWER)
    on_home = set(
        GroupPagePermission.objects.filter(group=reviewers, page=home).values_list(
            "permission__codename", flat=True
        )
    )
    assert on_home == {"add_page", "change_page", "publish_page"}


def test_content_review_is_the_workflow_of_every_page(home, module):
    workflow = Workflow.objects.get(name="Content review")
    [task] = workflow.tasks.specific()
    assert list(task.groups.values_list("name", flat=True)) == [AccessRole.CONTENT_REVIEWER]
    assert home.get_workflow() == workflow
    assert module.get_workflow() == workflow


def test_editors_and_reviewers_can_manage_topics(editor, reviewer):
    assert editor.has_perms(["cms.add_topic", "cms.change_topic"])
    assert not editor.has_perm("cms.delete_topic")
    assert reviewer.has_perms(["cms.add_topic", "cms.change_topic", "cms.delete_topic"])


def test_an_editor_cannot_publish(module, editor):
    assert module.permissions_for_user(editor).can_edit()
    assert not module.permissions_for_user(editor).can_publish()


# --- The journey: an editor's change goes live only when a reviewer approves ----------------


def test_an_editor_cannot_publish_alone_and_a_reviewers_approval_publishes(
    client, module, editor, reviewer, mailoutbox
):
    client.force_login(editor)

    # "Publish" is not the editor's to use: the change is saved as a draft, the page unchanged.
    edit(client, module, "action-publish", title="Budgets, revised")
    module.refresh_from_db()
    assert module.title == "Budgets"
    assert module.has_unpublished_changes
    assert module.get_latest_revision_as_object().title == "Budgets, revised"

    # The editor submits it for review: the workflow's one task waits for a content reviewer.
    response = edit(client, module, "action-submit", title="Budgets, revised")
    assert response.status_code == 302
    module.refresh_from_db()
    state = module.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert state.current_task_state.task.name == "Content reviewers approval"
    assert module.live and module.title == "Budgets"  # still the old version on the site
    assert [m.to for m in mailoutbox] == [[reviewer.email]]  # the reviewers are told

    # The editor cannot approve their own change...
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "approve", task_state.pk])
    client.post(url, {"comment": ""})
    module.refresh_from_db()
    assert module.title == "Budgets"

    # ...a reviewer can, and approving the last task publishes it.
    client.force_login(reviewer)
    response = client.post(url, {"comment": "Clear and accurate."})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.title == "Budgets, revised"
    assert not module.has_unpublished_changes
    assert module.current_workflow_state is None
    assert client.get(module.url).status_code == 200


def test_a_reviewer_can_ask_for_changes(client, module, editor, reviewer):
    client.force_login(editor)
    edit(client, module, "action-submit", title="Budgets, rushed")
    module.refresh_from_db()
    task_state = module.current_workflow_state.current_task_state

    client.force_login(reviewer)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "reject", task_state.pk]),
        {"comment": "Please check the figures."},
    )
    module.refresh_from_db()
    assert module.title == "Budgets"
    assert module.workflow_states.get().status == "needs_changes"


def test_submitting_with_a_required_field_empty_gets_a_validation_message(client, module, editor):
    client.force_login(editor)
    response = edit(client, module, "action-submit", summary="")
    assert response.status_code == 200
    assert response.context["form"].errors["summary"] == ["This field is required."]
    module.refresh_from_db()
    assert module.current_workflow_state is None


def test_a_reviewer_can_publish_directly(client, module, reviewer):
    client.force_login(reviewer)
    edit(client, module, "action-publish", title="Budgets, corrected")
    module.refresh_from_db()
    assert module.title == "Budgets, corrected"


# --- Scheduled publishing -------------------------------------------------------------------


def test_beat_runs_publish_scheduled_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["cms-publish-scheduled"]
    assert entry["task"] == "cms.tasks.publish_scheduled_pages"
    assert entry["schedule"] == 60.0


def test_the_task_publishes_pages_whose_time_has_come(programme):
    module = ModulePageFactory(parent=programme, title="Coming soon", live=False)
    revision = module.save_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save()
    later = ModulePageFactory(parent=programme, title="Next month", live=False)
    later_revision = later.save_revision()
    later_revision.approved_go_live_at = timezone.now() + datetime.timedelta(days=30)
    later_revision.save()

    publish_scheduled_pages.delay()  # eager in tests

    assert ModulePage.objects.get(pk=module.pk).live
    assert not ModulePage.objects.get(pk=later.pk).live
    publish_scheduled_pages.delay()  # running again changes nothing
    assert not ModulePage.objects.get(pk=later.pk).live
