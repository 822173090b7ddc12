"""Who may do what to content, and the review every change goes through.

- Editors: add and change pages under the site's home page, but not publish them.
- Content reviewers: add, change and publish; they are the group of the one task of the
  "Content review" workflow, assigned to the home page, so every page on the site needs a
  reviewer's approval before an editor's change goes live.
- Both may add and change topics (reviewers may also delete them), images and documents.

Wagtail's own migrations already gave Editors add/change on the tree root and assigned a
"Moderators approval" workflow there; the nearest workflow to a page wins, so "Content
review" on the home page governs the whole site.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS, REVIEWERS = "Editors", "Content reviewers"
WORKFLOW_NAME = "Content review"
TASK_NAME = "Content reviewers approval"

PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    REVIEWERS: ["add_page", "change_page", "publish_page"],
}
COLLECTION_PERMISSIONS = {
    REVIEWERS: [
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "change_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
    ],
}
MODEL_PERMISSIONS = {
    EDITORS: ["add_topic", "change_topic", "view_topic"],
    REVIEWERS: ["add_topic", "change_topic", "delete_topic", "view_topic"],
}


def default_home_page(apps):
    site = apps.get_model("wagtailcore", "Site").objects.filter(is_default_site=True).first()
    return site.root_page if site else None


def set_up(apps, schema_editor):
    # Model permissions are normally created after all migrations (post_migrate); the topic
    # permissions are needed now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (EDITORS, REVIEWERS)}

    home = default_home_page(apps)
    if home is not None:
        for name, codenames in PAGE_PERMISSIONS.items():
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=groups[name],
                    page=home,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore",
                        content_type__model="page",
                        codename=codename,
                    ),
                )

    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for name, triples in COLLECTION_PERMISSIONS.items():
            for app_label, model, codename in triples:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name],
                    collection=root_collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename=codename,
                    ),
                )

    for name, codenames in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="cms", content_type__model="topic", codename__in=codenames
            )
        )

    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME,
            active=True,
            content_type=ContentType.objects.get_or_create(
                app_label="wagtailcore", model="groupapprovaltask"
            )[0],
        )
    task.groups.set([groups[REVIEWERS]])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if home is not None:
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


def tear_down(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK_NAME).delete()
    home = default_home_page(apps)
    if home is not None:
        apps.get_model("wagtailcore", "GroupPagePermission").objects.filter(
            page=home, group__name__in=list(PAGE_PERMISSIONS)
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_seed_topics_and_leadership_dimensions"),
        ("people", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(set_up, tear_down)]
