"""Writing and purging audit events. Nothing else writes to AuditEvent."""

import ipaddress
import logging
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from .models import AuditAction, AuditEvent

logger = logging.getLogger("tandem.audit")

# Detail keys that could carry a secret or a regulated identifier. Matched as substrings of the
# lower-cased key, so "new_password", "reset_token" and "registration_number" are all caught.
# Refusing (rather than scrubbing) makes a careless caller fail in its tests, not in the log.
FORBIDDEN_DETAIL_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "registration",
    "recovery_code",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "session_key",
    "otp",
)

# Events worth a line in the application log as well (who, what, when, from where): the
# security-relevant ones. Views of records go to the audit table only, at DEBUG in the log.
LOGGED_AT_INFO = frozenset(
    {
        AuditAction.SIGNED_IN,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGNED_OUT,
        AuditAction.REFUSED,
        AuditAction.ACCESS_CHANGED,
        AuditAction.EXPORTED,
        AuditAction.ERASED,
        AuditAction.DELETED,
        AuditAction.SUBJECT_ACCESS_REQUESTED,
        AuditAction.SUBJECT_ACCESS_DOWNLOADED,
        AuditAction.RETENTION_PURGED,
    }
)

USER_AGENT_MAX = 500
LABEL_MAX = 200


class SensitiveDetailError(ValueError):
    """A detail dict carried a key that may hold a password, token or registration number."""


def _check_detail(detail, path: str = "detail") -> None:
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            lowered = str(key).lower()
            if any(part in lowered for part in FORBIDDEN_DETAIL_KEY_PARTS):
                raise SensitiveDetailError(
                    f"{path}[{key!r}] may hold a password, token or registration number; "
                    "audit events never store those."
                )
            _check_detail(value, f"{path}[{key!r}]")
    elif isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            _check_detail(value, f"{path}[{index}]")


def client_ip(request) -> str | None:
    """The client's address from the configured request header.

    REMOTE_ADDR by default. Behind our one trusted proxy set CLIENT_IP_HEADER to e.g.
    HTTP_X_FORWARDED_FOR: the proxy appends the address it saw, so the last entry is the
    only one we can trust (a client can forge the ones before it).
    """
    raw = request.META.get(settings.AUDIT_CLIENT_IP_HEADER, "") or ""
    candidate = raw.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _person_label(person) -> str:
    return (person.get_full_name() or person.email)[:LABEL_MAX]


def record(
    *,
    action: str,
    actor,
    request=None,
    target=None,
    subject=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event in the caller's transaction.

    actor: the user who acted; None (or an anonymous user) for the system or an anonymous
        visitor. Their email and name are copied into the row.
    request: where the IP address and user agent come from, if there is one.
    target: the model instance acted on, if any.
    subject: the person whose personal data it was; defaults to `target` when that is a user.
    detail: a small JSON-able dict. Keys that may hold passwords, tokens or registration
        numbers raise SensitiveDetailError.

    Any failure raises: the caller's transaction then rolls back, so the operation being
    audited does not happen without its record.
    """
    action = AuditAction(action)
    detail = dict(detail or {})
    _check_detail(detail)

    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if subject is None and isinstance(target, get_user_model()):
        subject = target

    if actor is not None:
        actor_email, actor_label = actor.email, _person_label(actor)
    else:
        actor_email, actor_label = "", ("anonymous" if request is not None else "system")

    trust_id = None
    if subject is not None:
        trust_id = subject.trust_id
    elif actor is not None:
        trust_id = actor.trust_id

    event = AuditEvent(
        action=action,
        actor=actor,
        actor_email=actor_email,
        actor_label=actor_label,
        subject=subject,
        subject_label=_person_label(subject) if subject is not None else "",
        trust_id=trust_id,
        detail=detail,
    )
    if request is not None:
        event.ip_address = client_ip(request)
        event.user_agent = (request.META.get("HTTP_USER_AGENT", "") or "")[:USER_AGENT_MAX]
    if target is not None:
        event.target_content_type = ContentType.objects.get_for_model(type(target))
        event.target_object_id = str(target.pk)
        event.target_label = str(target)[:LABEL_MAX]
    event.save()

    logger.log(
        logging.INFO if action in LOGGED_AT_INFO else logging.DEBUG,
        "audit %s actor=%s target=%s subject=%s ip=%s",
        action.value,
        actor_email or actor_label,
        f"{event.target_content_type.model}:{event.target_object_id}" if target else "-",
        subject.pk if subject is not None else "-",
        event.ip_address or "-",
    )
    return event


def purge_events_before(cutoff: datetime, *, batch_size: int = 5000) -> int:
    """Delete audit events older than `cutoff`, in batches. The only way audit events go.

    Each batch is its own transaction that sets ``tandem.audit_purge`` locally, the one
    condition under which PostgreSQL's trigger lets a DELETE through, and switches it off
    again straight after its DELETE: if this runs inside an outer transaction (a savepoint
    does not end a SET LOCAL), nothing later in it can ride on the setting.
    """
    postgres = connection.vendor == "postgresql"
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                AuditEvent.objects.filter(created_at__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return total
            if postgres:
                _set_purge(True)
            total += AuditEvent.objects.filter(id__in=ids)._purge()
            if postgres:
                _set_purge(False)


def _set_purge(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('tandem.audit_purge', %s, true)", ["on" if on else "off"])
