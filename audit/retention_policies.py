"""The audit log's retention: events older than RETENTION["audit_log_days"] are purged.

The purge is the only way audit events are ever deleted (see audit.models).
"""

from datetime import timedelta

from privacy.retention import RetentionPolicy, register_policy, retention_days

from .models import AuditEvent
from .services import purge_events_before


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
