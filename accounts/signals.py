from django.db.models.signals import post_save
from django.dispatch import receiver

from people.models import User

from .services import sessions_end_for


@receiver(post_save, sender=User, dispatch_uid="end_sessions_of_deactivated_people")
def end_sessions_when_deactivated(sender, instance, **kwargs):
    # However someone is deactivated (Wagtail's user admin, erasure, a script), they are
    # signed out everywhere at once rather than at their session's expiry.
    if not instance.is_active:
        sessions_end_for(instance)
