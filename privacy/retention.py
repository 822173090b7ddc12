"""Retention policies: what Tandem deletes or erases once it has been kept long enough.

Each policy is registered from its app's ``retention_policies.py`` (found at start-up by
``autodiscover_modules("retention_policies")``, see privacy.apps). The daily beat task
(privacy.tasks.apply_retention) and ``manage.py retention [--dry-run]`` run them all, in
registration order, through retention_run().

To add one — say the accounts app's expired invitation tokens::

    # accounts/retention_policies.py
    from datetime import timedelta

    from privacy.retention import RetentionPolicy, register_policy, retention_days

    from .models import Invitation


    @register_policy
    class ExpiredInvitations(RetentionPolicy):
        name = "invitation_tokens"
        description = "Invitations expired or accepted more than N days ago"
        setting = "invitation_token_days"   # a key of settings.RETENTION

        def due(self, now):
            cutoff = now - timedelta(days=retention_days(self.setting))
            return Invitation.objects.filter(expires_at__lt=cutoff)

        def apply(self, now) -> int:
            count, _ = self.due(now).delete()
            return count

and add ``"invitation_token_days": env.int("RETENTION_INVITATION_TOKEN_DAYS", default=...)``
to RETENTION in config/settings/base.py. A policy's ``count`` must not change anything (it is
what --dry-run shows); ``apply`` does the work and returns how many rows it removed or
erased. Each run of a policy is recorded as one ``retention_purged`` audit event.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

import audit


def retention_days(key: str) -> int:
    """A period from settings.RETENTION, refusing missing or non-positive values."""
    try:
        days = settings.RETENTION[key]
    except KeyError:
        raise ImproperlyConfigured(f"settings.RETENTION has no {key!r}.") from None
    if not isinstance(days, int) or days <= 0:
        raise ImproperlyConfigured(
            f"settings.RETENTION[{key!r}] must be a positive number of days."
        )
    return days


class RetentionPolicy:
    name: str = ""
    description: str = ""
    setting: str = ""  # the key of settings.RETENTION that holds its period, in days

    def due(self, now) -> QuerySet:
        """What the policy would remove now. Must not change anything."""
        raise NotImplementedError

    def count(self, now) -> int:
        return self.due(now).count()

    def apply(self, now) -> int:
        """Remove what is due; return how many rows were removed or erased."""
        raise NotImplementedError


_policies: dict[str, RetentionPolicy] = {}


def register_policy(policy_class: type[RetentionPolicy]) -> type[RetentionPolicy]:
    """Class decorator: register one instance of the policy."""
    policy = policy_class()
    if not policy.name:
        raise ImproperlyConfigured(f"{policy_class.__name__} needs a name.")
    if policy.name in _policies:
        raise ImproperlyConfigured(f"Retention policy {policy.name!r} is registered twice.")
    _policies[policy.name] = policy
    return policy_class


def policies() -> list[RetentionPolicy]:
    return list(_policies.values())


# Whose accounts are still in use whatever their last sign-in, as other apps know it: the
# programmes app's people with an enrolment under way (a waitlisted person may not sign in for
# months). privacy imports no feature app, so each says so here; the inactive-accounts policy
# spares them.
AccountsInUse = Callable[[], QuerySet]
_accounts_in_use: list[AccountsInUse] = []


def register_accounts_in_use(people_ids: AccountsInUse) -> AccountsInUse:
    """`people_ids()` returns a queryset of person ids (``values("person_id")`` or similar)
    whose accounts the inactive-accounts policy must keep."""
    if people_ids not in _accounts_in_use:
        _accounts_in_use.append(people_ids)
    return people_ids


def accounts_in_use() -> list[QuerySet]:
    return [people_ids() for people_ids in _accounts_in_use]


@dataclass(frozen=True)
class PolicyResult:
    name: str
    description: str
    days: int
    count: int
    dry_run: bool


def retention_run(*, dry_run: bool, now=None, only: list[str] | None = None) -> list[PolicyResult]:
    """Run every registered policy (or those named in `only`).

    A dry run counts and changes nothing, not even the audit log. A real run records one
    ``retention_purged`` event per policy, after the policy has done its work.
    """
    now = now or timezone.now()
    unknown = set(only or ()) - set(_policies)
    if unknown:
        raise ValueError(f"Unknown retention policies: {', '.join(sorted(unknown))}")
    results = []
    for policy in policies():
        if only and policy.name not in only:
            continue
        days = retention_days(policy.setting)
        count = policy.count(now) if dry_run else policy.apply(now)
        if not dry_run:
            audit.record(
                action=audit.Action.RETENTION_PURGED,
                actor=None,
                detail={"policy": policy.name, "days": days, "count": count},
            )
        results.append(PolicyResult(policy.name, policy.description, days, count, dry_run))
    return results
