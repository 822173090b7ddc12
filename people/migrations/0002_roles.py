"""Create one group per Tandem role, with the model permissions each role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")

# (app_label, model, codename) triples per group name. Object-level scoping by trust is not a
# permission: people.permissions applies it to every queryset these roles see.
ROLE_PERMISSIONS = {
    "Participants": [],
    "Editors": [ADMIN_ACCESS],
    "Content reviewers": [ADMIN_ACCESS],
    "Programme administrators": [
        ADMIN_ACCESS,
        ("people", "user", "add_user"),
        ("people", "user", "change_user"),
        ("people", "user", "view_user"),
        ("people", "trust", "view_trust"),
        ("people", "boardsnapshot", "view_boardsnapshot"),
        ("people", "roleappointment", "add_roleappointment"),
        ("people", "roleappointment", "change_roleappointment"),
        ("people", "roleappointment", "view_roleappointment"),
    ],
    "Facilitators": [],
    "Trust reporting leads": [
        ADMIN_ACCESS,
        ("people", "user", "view_user"),
        ("people", "trust", "view_trust"),
        ("people", "boardsnapshot", "add_boardsnapshot"),
        ("people", "boardsnapshot", "change_boardsnapshot"),
        ("people", "boardsnapshot", "view_boardsnapshot"),
        ("people", "roleappointment", "view_roleappointment"),
    ],
    "Regional leads": [
        ADMIN_ACCESS,
        ("people", "trust", "view_trust"),
        ("people", "boardsnapshot", "view_boardsnapshot"),
    ],
}


def create_roles(apps, schema_editor):
    # Model permissions are normally made after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    for name, triples in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in triples:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, content_type__model=model, codename=codename
                )
            )


def remove_roles(apps, schema_editor):
    # "Editors" belongs to Wagtail too, so it stays.
    names = [name for name in ROLE_PERMISSIONS if name != "Editors"]
    apps.get_model("auth.Group").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
