"""Retention: configurable periods, a daily task and `manage.py retention [--dry-run]`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from people.access import AccessRole
from people.models import User
from privacy import retention, tasks
from privacy.models import SubjectAccessRequest, SubjectAccessStatus
from tests.factories import (
    AuditEventFactory,
    ClinicianFactory,
    SubjectAccessRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def due_and_not(trust_a):
    """One thing each policy should remove, and one beside it that it must keep."""
    now = timezone.now()
    audit_days = settings.RETENTION["audit_log_days"]
    inactive_days = settings.RETENTION["inactive_account_days"]
    long_gone = now - (inactive_days + 1) * DAY
    things = {
        "old_event": AuditEventFactory(created_at=now - (audit_days + 1) * DAY),
        "recent_event": AuditEventFactory(created_at=now - (audit_days - 1) * DAY),
        "expired_sar": SubjectAccessRequestFactory(
            status=SubjectAccessStatus.READY, expires_at=now - DAY
        ),
        "fresh_sar": SubjectAccessRequestFactory(
            status=SubjectAccessStatus.READY, expires_at=now + DAY
        ),
        "old_failed_sar": SubjectAccessRequestFactory(
            status=SubjectAccessStatus.FAILED, created_at=now - 31 * DAY
        ),
        "inactive": ClinicianFactory(
            trust=trust_a, last_login=long_gone, roles=[AccessRole.PARTICIPANT]
        ),
        "never_signed_in": ClinicianFactory(trust=trust_a, date_joined=long_gone),
        "active": ClinicianFactory(trust=trust_a, last_login=now - 10 * DAY),
        "inactive_admin": UserFactory(
            trust=trust_a, last_login=long_gone, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
        ),
        "inactive_facilitator": UserFactory(
            trust=trust_a, last_login=long_gone, roles=[AccessRole.FACILITATOR]
        ),
        "inactive_superuser": UserFactory(last_login=long_gone, is_superuser=True, is_staff=True),
    }
    things["expired_sar"].file.save("old.zip", ContentFile(b"PK"), save=True)
    return things


def snapshot():
    return (
        AuditEvent.objects.count(),
        SubjectAccessRequest.objects.count(),
        sorted(User.objects.values_list("email", "is_active")),
    )


def test_a_dry_run_counts_per_policy_and_changes_nothing(due_and_not):
    before = snapshot()
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    output = out.getvalue()
    assert "audit_log: would remove 1 " in output
    assert "subject_access_archives: would remove 2 " in output
    assert "inactive_accounts: would remove 2 " in output
    assert "Dry run: nothing was changed." in output
    assert snapshot() == before  # not even an audit event


def test_a_run_applies_every_policy_and_audits_each_once(
    due_and_not, django_capture_on_commit_callbacks
):
    name = due_and_not["expired_sar"].file.name
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=out)
    assert "audit_log: removed 1 " in out.getvalue()

    assert not AuditEvent.objects.filter(pk=due_and_not["old_event"].pk).exists()
    assert AuditEvent.objects.filter(pk=due_and_not["recent_event"].pk).exists()

    remaining = set(SubjectAccessRequest.objects.values_list("pk", flat=True))
    assert remaining == {due_and_not["fresh_sar"].pk}
    assert not default_storage.exists(name)

    for key in ("inactive", "never_signed_in"):
        person = User.objects.get(pk=due_and_not[key].pk)
        assert person.email.endswith("@erased.invalid"), key
    for key in ("active", "inactive_admin", "inactive_facilitator", "inactive_superuser"):
        person = User.objects.get(pk=due_and_not[key].pk)
        assert person.email == due_and_not[key].email, key

    erased = AuditEvent.objects.filter(action=AuditAction.ERASED)
    assert erased.count() == 2
    assert {e.detail["reason"] for e in erased} == {"retention: inactive"}
    assert all(e.actor is None and e.actor_label == "system" for e in erased)

    summaries = {
        e.detail["policy"]: e.detail["count"]
        for e in AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED)
    }
    assert summaries == {
        "audit_log": 1,
        "subject_access_archives": 2,
        "inactive_accounts": 2,
        "invitation_tokens": 0,
    }


def test_running_again_finds_nothing_more(due_and_not):
    tasks.apply_retention.delay().get()
    assert tasks.apply_retention.delay().get() == {
        "audit_log": 0,
        "subject_access_archives": 0,
        "inactive_accounts": 0,
        "invitation_tokens": 0,
    }


def test_periods_come_from_settings(settings, due_and_not):
    settings.RETENTION = {**settings.RETENTION, "audit_log_days": 100_000}
    results = {r.name: r.count for r in retention.retention_run(dry_run=True)}
    assert results["audit_log"] == 0


def test_a_bad_period_is_refused(settings):
    settings.RETENTION = {**settings.RETENTION, "audit_log_days": 0}
    with pytest.raises(ImproperlyConfigured):
        retention.retention_run(dry_run=True)


def test_one_policy_can_be_run_alone_and_unknown_ones_are_refused(due_and_not):
    out = StringIO()
    call_command("retention", "--dry-run", "--policy", "audit_log", stdout=out)
    assert "audit_log" in out.getvalue()
    assert "inactive_accounts" not in out.getvalue()
    with pytest.raises(Exception, match="Unknown retention policies: nope"):
        call_command("retention", "--dry-run", "--policy", "nope")


def test_other_apps_can_register_policies(monkeypatch, db):
    monkeypatch.setattr(retention, "_policies", dict(retention._policies))

    @retention.register_policy
    class Invitations(retention.RetentionPolicy):
        name = "example_tokens"
        description = "Test policy"
        setting = "audit_log_days"

        def due(self, now):
            return User.objects.none()

        def apply(self, now):
            return 0

    assert "example_tokens" in [p.name for p in retention.policies()]
    with pytest.raises(ImproperlyConfigured):
        retention.register_policy(Invitations)  # twice


def test_beat_runs_retention_daily_and_resumes_stalled_requests():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.apply_retention" in tasks_scheduled
    assert "privacy.tasks.resume_stalled_subject_access" in tasks_scheduled


def test_spent_invitations_are_purged_and_pending_ones_kept(db, trust_a, settings):
    import datetime

    from django.utils import timezone

    from accounts.models import Invitation
    from tests.factories import InvitationFactory

    days = settings.RETENTION["invitation_token_days"]
    long_ago = timezone.now() - datetime.timedelta(days=days + 1)
    spent = InvitationFactory(trust=trust_a, expires_at=long_ago)
    pending = InvitationFactory(trust=trust_a)
    summaries = tasks.apply_retention.delay().get()
    assert summaries["invitation_tokens"] == 1
    assert list(Invitation.objects.all()) == [pending]
    assert not Invitation.objects.filter(pk=spent.pk).exists()
