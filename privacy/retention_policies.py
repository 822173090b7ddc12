"""Privacy's retention policies: subject-access archives and inactive accounts.

(The audit log's own policy is in privacy/audit_data.py; see privacy.retention for how
policies are registered and run.)
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from . import services
from .models import SubjectAccessRequest, SubjectAccessStatus
from .retention import RetentionPolicy, accounts_in_use, register_policy, retention_days

INACTIVE_REASON = "retention: inactive"


@register_policy
class SubjectAccessArchives(RetentionPolicy):
    name = "subject_access_archives"
    description = "Subject-access archives past their download period, and failed requests"
    setting = "subject_access_archive_days"

    def due(self, now):
        cutoff = now - timedelta(days=retention_days(self.setting))
        return SubjectAccessRequest.objects.filter(
            Q(expires_at__lte=now) | Q(status=SubjectAccessStatus.FAILED, created_at__lt=cutoff)
        )

    def apply(self, now) -> int:
        count = 0
        for sar in self.due(now).iterator():
            services.sar_delete(sar)
            count += 1
        return count


@register_policy
class InactiveAccounts(RetentionPolicy):
    name = "inactive_accounts"
    description = "Accounts not signed in to for the period (never superusers or staff roles)"
    setting = "inactive_account_days"

    def due(self, now):
        cutoff = now - timedelta(days=retention_days(self.setting))
        people = get_user_model().objects.all()
        for in_use in accounts_in_use():  # e.g. an enrolment under way (programmes)
            people = people.exclude(pk__in=in_use)
        return (
            people.filter(is_superuser=False, is_staff=False)
            .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
            # Anyone who holds staff access or sees others' records, however it was given.
            .exclude(pk__in=get_user_model().objects.seeing_others().values("pk"))
            .exclude(email__endswith=f"@{services.ERASED_EMAIL_DOMAIN}")
        )

    def apply(self, now) -> int:
        # One transaction per person (person_erase's): a failure stops the run loudly and
        # keeps the erasures already done.
        ids = list(self.due(now).values_list("pk", flat=True))
        people = get_user_model().objects.filter(pk__in=ids)
        for person in people.iterator():
            services.person_erase(person=person, by=None, reason=INACTIVE_REASON)
        return len(ids)


@register_policy
class InvitationTokens(RetentionPolicy):
    """Invitations hold an email address and a signed token: once used, revoked or expired
    they serve no purpose beyond the audit trail, which the audit log keeps."""

    name = "invitation_tokens"
    description = "Invitations accepted, revoked or expired more than the period ago"
    setting = "invitation_token_days"

    def due(self, now):
        from accounts.models import Invitation

        cutoff = now - timedelta(days=retention_days(self.setting))
        return Invitation.objects.filter(
            Q(accepted_at__lt=cutoff) | Q(revoked_at__lt=cutoff) | Q(expires_at__lt=cutoff)
        )

    def apply(self, now) -> int:
        count, _ = self.due(now).delete()
        return count
