"""What happens to people's data and access, announced to the apps that keep a record of it.

people imports no feature app, so it cannot call the audit log directly. Instead it announces
each event through a Wagtail hook that the audit app registers (audit/wagtail_hooks.py):

    announce("changed", actor=request.user, request=request, target=person, detail={...})

A listener's failure propagates, so an event that cannot be recorded aborts the operation it
describes (the callers announce inside their transaction). tests/audit checks that the audit
app is listening, so events cannot silently go nowhere.
"""

from wagtail import hooks

PERSONAL_DATA_EVENT_HOOK = "record_personal_data_event"


def announce(action: str, *, actor, request=None, target=None, subject=None, detail=None) -> None:
    """Tell every listener. `actor` is who acted (None for the system), `target` the record
    acted on, `subject` the person whose data it is (defaults to `target` if a person)."""
    for recorder in hooks.get_hooks(PERSONAL_DATA_EVENT_HOOK):
        recorder(
            request=request,
            actor=actor,
            action=action,
            target=target,
            subject=subject,
            detail=detail,
        )


def listeners() -> list:
    return list(hooks.get_hooks(PERSONAL_DATA_EVENT_HOOK))
