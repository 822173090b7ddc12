"""The audit log: who viewed, exported, changed or deleted personal data, when and from where.

Write every event through one function::

    import audit

    audit.record(action=audit.Action.VIEWED, actor=request.user, request=request, target=person)

It writes in the caller's transaction, so an event is kept exactly when the operation it
describes is, and a failure to write raises (and so aborts the operation): an action that
cannot be audited does not happen. See audit.services.record for the details.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import AuditEvent


def record(
    *,
    action: str,
    actor: Any,
    request: Any = None,
    target: Any = None,
    subject: Any = None,
    detail: dict | None = None,
) -> "AuditEvent":
    # Imported on call: this package is imported while Django populates its app registry,
    # before models may be loaded.
    from .services import record as _record

    return _record(
        action=action, actor=actor, request=request, target=target, subject=subject, detail=detail
    )


def __getattr__(name: str):
    # `audit.Action` without importing models at package import time (see above).
    if name == "Action":
        from .models import AuditAction

        return AuditAction
    raise AttributeError(name)
