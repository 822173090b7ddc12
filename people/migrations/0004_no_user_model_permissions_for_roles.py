"""Programme administrators and trust reporting leads no longer hold Django's people.*_user
permissions. Wagtail's own Users admin honoured them everywhere, unscoped: a trust's
administrator could copy, bulk-deactivate or promote any account (people.wagtail_users).
Tandem's People admin grants its actions by role instead (people.permissions)."""

from django.db import migrations

ROLES = ["Programme administrators", "Trust reporting leads"]
CODENAMES = ["add_user", "change_user", "view_user", "delete_user"]


def remove(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="people", content_type__model="user", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


def restore(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    grants = {
        "Programme administrators": ["add_user", "change_user", "view_user"],
        "Trust reporting leads": ["view_user"],
    }
    for name, codenames in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="people",
                    content_type__model="user",
                    codename__in=codenames,
                )
            )


class Migration(migrations.Migration):
    dependencies = [("people", "0003_trustemaildomain")]

    operations = [migrations.RunPython(remove, restore)]
