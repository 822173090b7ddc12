"""NHS England's seven regions; the National leads role; an access grant for every existing
role membership (scoped to the person's own trust, which is how roles were scoped until now);
and the trust and professional group each role appointment was recorded with."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# NHS England's regions and their ODS codes.
REGIONS = [
    ("Y56", "London"),
    ("Y58", "South West"),
    ("Y59", "South East"),
    ("Y60", "Midlands"),
    ("Y61", "East of England"),
    ("Y62", "North West"),
    ("Y63", "North East and Yorkshire"),
]

TRUST_SCOPED = {"Programme administrators", "Trust reporting leads"}
REGION_SCOPED = {"Regional leads"}
UNSCOPED = {"Participants", "Editors", "Content reviewers", "Facilitators", "National leads"}

NATIONAL_LEAD_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("people", "trust", "view_trust"),
    ("people", "boardsnapshot", "view_boardsnapshot"),
]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Region = apps.get_model("people", "Region")
    for code, name in REGIONS:
        Region.objects.get_or_create(code=code, defaults={"name": name})

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    national, _ = Group.objects.get_or_create(name="National leads")
    for app_label, model, codename in NATIONAL_LEAD_PERMISSIONS:
        national.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
        )

    User = apps.get_model("people", "User")
    AccessGrant = apps.get_model("people", "AccessGrant")
    Membership = User.groups.through
    for membership in Membership.objects.select_related("user", "group", "user__trust"):
        role, person = membership.group.name, membership.user
        if role in UNSCOPED:
            AccessGrant.objects.get_or_create(person=person, role=role, trust=None, region=None)
        elif role in TRUST_SCOPED and person.trust_id:
            AccessGrant.objects.get_or_create(person=person, role=role, trust_id=person.trust_id)
        elif role in REGION_SCOPED and person.trust_id and person.trust.region_id:
            AccessGrant.objects.get_or_create(
                person=person, role=role, region_id=person.trust.region_id
            )
        # A scoped role with no scope to give it grants nothing: such a person saw nobody
        # before either (roles were scoped by their own trust).

    RoleAppointment = apps.get_model("people", "RoleAppointment")
    for appointment in RoleAppointment.objects.select_related("person").filter(
        professional_group=""
    ):
        appointment.professional_group = appointment.person.professional_group
        if appointment.trust_id is None:
            appointment.trust_id = appointment.person.trust_id
        appointment.save(update_fields=["professional_group", "trust"])


def backwards(apps, schema_editor):
    apps.get_model("people", "AccessGrant").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0005_regions_access_grants_role_facts")]

    operations = [migrations.RunPython(forwards, backwards)]
