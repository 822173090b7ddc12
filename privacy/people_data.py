"""What the people app holds about a person, for subject access and erasure.

It lives here, not in people/, because people (the foundation every app imports) imports no
feature app: privacy imports people instead. Loaded by privacy/personal_data.py. The account's
own fields (name, email, registration...) are pseudonymised by privacy.services.person_erase
itself; the erasers here handle the rest.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from people.models import RoleAppointment, User

from .registry import register_source


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_profile(person) -> list[dict]:
    # Everything on the account except the password hash, and the internal flags
    # (is_staff, is_superuser) that say nothing about the person.
    trust = person.trust
    return [
        {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "trust": trust.name if trust else "",
            "trust_ods_code": trust.ods_code if trust else "",
            "professional_group": person.get_professional_group_display(),
            "job_title": person.job_title,
            "band_or_grade": person.band,
            "directorate_or_specialty": person.directorate,
            "professional_register": person.get_registration_body_display(),
            "registration_number": person.registration_number,
            "sponsor_name": person.sponsor_name,
            "sponsor_email": person.sponsor_email,
            "staff_number": person.staff_number,
            "account_active": person.is_active,
            "joined_at": _local(person.date_joined),
            "last_signed_in_at": _local(person.last_login),
        }
    ]


def export_role_history(person) -> list[dict]:
    appointments = RoleAppointment.objects.filter(person=person).select_related("trust")
    return [
        {
            "title": appointment.title,
            "category": appointment.get_category_display(),
            "trust": appointment.trust.name if appointment.trust else "",
            "starts_on": appointment.starts_on,
            "ends_on": appointment.ends_on,
            "source": appointment.get_source_display(),
            "recorded_at": _local(appointment.recorded_at),
        }
        for appointment in appointments.order_by("starts_on", "id")
    ]


def export_roles(person) -> list[dict]:
    return [
        {"role": name} for name in person.groups.order_by("name").values_list("name", flat=True)
    ]


def erase_admin_traces(person, *, by, reason) -> None:
    """Wagtail's copies: the admin profile (avatar, preferences) and the names Wagtail's own
    history recorded for this person's record."""
    for profile in UserProfile.objects.filter(user=person):
        if profile.avatar:
            name, storage = profile.avatar.name, profile.avatar.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        profile.delete()
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
    ).update(label="Erased person")
    # Wagtail's history of their role records holds the free-text titles too.
    appointment_ids = [str(pk) for pk in person.role_appointments.values_list("pk", flat=True)]
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RoleAppointment),
        object_id__in=appointment_ids,
    ).update(label="Erased role")


def erase_role_titles(person, *, by, reason) -> None:
    """Role titles are free text ("Clinical lead for the Rowan ward") that can identify
    someone: each becomes its category's label. Dates, categories and trusts are kept, so
    leadership moves are counted as before."""
    appointments = list(RoleAppointment.objects.filter(person=person).order_by("starts_on", "id"))
    titles, used = {}, set()
    for appointment in appointments:
        label = appointment.get_category_display()
        title, n = label, 1
        # (person, title, starts_on) is unique: two roles of one category starting the same
        # day get numbered labels.
        while (title, appointment.starts_on) in used:
            n += 1
            title = f"{label} ({n})"
        used.add((title, appointment.starts_on))
        titles[appointment.pk] = title
    changed = [a.pk for a in appointments if a.title != titles[a.pk]]
    # Two passes, through a placeholder unique to each row, so no rename can collide with a
    # title another row is about to give up.
    for pk in changed:
        RoleAppointment.objects.filter(pk=pk).update(title=f"(erasing {pk})")
    for pk in changed:
        RoleAppointment.objects.filter(pk=pk).update(title=titles[pk])


register_source("profile", label="Your profile", exporter=export_profile, eraser=erase_admin_traces)
register_source(
    "role_history",
    label="Your role history",
    exporter=export_role_history,
    eraser=erase_role_titles,
)
register_source("roles", label="Your roles in Tandem", exporter=export_roles, eraser=None)
