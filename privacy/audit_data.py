"""What the audit log holds about a person, for their subject-access archive, and how long it
is kept.

It lives here, not in audit/, because audit sits below privacy (privacy records its events in
the audit log): privacy imports audit, never the other way round. Loaded by
privacy/personal_data.py, like people_data.py and accounts_data.py.

The archive lists events where they acted, or whose data it was. Other people are not named:
when a member of staff acted, the archive says "Tandem staff" (who at Tandem looked is ours to
answer for, and their identity is their personal data, not the requester's). The person's own
address and browser appear only for events they performed, and records of other people they
acted on (a member of staff's own archive) are not named either.

No eraser: the audit log is kept for accountability and removed only by the retention purge
below (RETENTION["audit_log_days"]), the only way audit events are ever deleted (see
audit.models); erasing a person leaves what was done with their data on record.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import purge_events_before

from .registry import register_source
from .retention import RetentionPolicy, register_policy, retention_days


def export_audit_events(person) -> list[dict]:
    events = AuditEvent.objects.filter(Q(subject_id=person.pk) | Q(actor_id=person.pk)).order_by(
        "created_at", "id"
    )
    rows = []
    for event in events.iterator(chunk_size=2000):
        own = event.actor_id == person.pk
        if own:
            by = "you"
        elif event.actor_email:
            by = "Tandem staff"
        else:
            by = "Tandem (automatic)" if event.actor_label == "system" else "someone not signed in"
        rows.append(
            {
                "when": timezone.localtime(event.created_at).isoformat(),
                "what": event.get_action_display(),
                "by": by,
                # A member of staff's own actions touch other people's records: not named.
                "record": event.target_label
                if event.subject_id in (None, person.pk)
                else "another person's record",
                "from_ip_address": event.ip_address if own else "",
                "browser": event.user_agent if own else "",
            }
        )
    return rows


register_source(
    "audit_events",
    label="Activity in Tandem's audit log",
    exporter=export_audit_events,
    eraser=None,
)


@register_policy
class AuditLog(RetentionPolicy):
    name = "audit_log"
    description = "Audit events older than the period"
    setting = "audit_log_days"

    def cutoff(self, now):
        return now - timedelta(days=retention_days(self.setting))

    def due(self, now):
        return AuditEvent.objects.filter(created_at__lt=self.cutoff(now))

    def apply(self, now) -> int:
        return purge_events_before(self.cutoff(now))
