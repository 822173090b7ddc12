"""On PostgreSQL the audit table refuses changes from any client, not only through Django."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

import audit
from audit.models import AuditEvent
from audit.services import purge_events_before
from tests.factories import AuditEventFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def run_sql(sql, params=()):
    # Each statement in its own savepoint, so a refused one does not poison the test's
    # transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_raw_update_is_refused(require_postgres):
    event = AuditEventFactory()
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("UPDATE audit_auditevent SET action = 'deleted' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        # Not even clearing the actor together with another column.
        run_sql(
            "UPDATE audit_auditevent SET actor_id = NULL, actor_email = '' WHERE id = %s",
            [event.pk],
        )
    event.refresh_from_db()
    assert event.action == "viewed"
    assert event.actor_email


def test_raw_delete_is_refused(require_postgres):
    event = AuditEventFactory()
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_delete_is_allowed_with_the_purge_setting(require_postgres):
    event = AuditEventFactory()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tandem.audit_purge = 'on'")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        assert cursor.rowcount == 1
        cursor.execute("SET LOCAL tandem.audit_purge = 'off'")


def test_the_purge_leaves_no_permission_behind(require_postgres):
    AuditEventFactory(created_at=timezone.now() - timedelta(days=3000))
    assert purge_events_before(timezone.now() - timedelta(days=2190)) == 1
    # Even within the same outer transaction (the test's), the next delete is refused.
    other = AuditEventFactory()
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("DELETE FROM audit_auditevent WHERE id = %s", [other.pk])


def test_the_retention_purge_deletes_only_old_events(require_postgres):
    old = AuditEventFactory(created_at=timezone.now() - timedelta(days=3000))
    recent = AuditEventFactory()
    assert purge_events_before(timezone.now() - timedelta(days=2190)) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_deleting_an_actor_clears_only_the_foreign_key(require_postgres, participant):
    actor = UserFactory(email="leaver@northshire.nhs.uk")
    event = audit.record(action="viewed", actor=actor, target=participant)
    actor.delete()  # Django's SET NULL: the one UPDATE the trigger allows
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.actor_email == "leaver@northshire.nhs.uk"
