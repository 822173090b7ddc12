"""A trust's programme administrators see the access roles of their trust's people and grant
or revoke the facilitator and participant roles (people.services.may_grant decides which)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_accessgrant", "view_accessgrant", "delete_accessgrant"]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name="Programme administrators").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="people", codename__in=CODENAMES)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name="Programme administrators").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="people", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0006_seed_regions_and_grants")]

    operations = [migrations.RunPython(forwards, backwards)]
