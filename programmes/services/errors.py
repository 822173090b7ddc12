"""The refusals of the programmes services, and the one check of the state machine. Each
error's ``str()`` is a message to show the person, in words they can act on."""

from ..models import TRANSITIONS, EnrolmentAction, EnrolmentStatus

Status = EnrolmentStatus
Action = EnrolmentAction


class EnrolmentError(Exception):
    """Base of every refusal; ``str(error)`` is a message to show the person."""


class IllegalTransition(EnrolmentError):
    pass


class EnrolmentClosed(EnrolmentError):
    pass


class AlreadyEnrolled(EnrolmentError):
    pass


class ProfileIncomplete(EnrolmentError):
    pass


class NoPlaceAvailable(EnrolmentError):
    """A manual promotion when no seat fits the person's group."""


class NotAllowed(EnrolmentError):
    """The acting person may not do this to this enrolment."""


def check_transition(*, action: str, from_status: str | None, to_status: str) -> None:
    """Raise IllegalTransition unless TRANSITIONS allows ``action`` from ``from_status`` to
    ``to_status``."""
    allowed = TRANSITIONS.get(action, {}).get(from_status)
    if allowed is None or to_status not in allowed:
        action_label = Action(action).label.lower() if action in Action.values else action
        before = Status(from_status).label.lower() if from_status else "new"
        raise IllegalTransition(
            f"An enrolment that is {before} cannot be {action_label}"
            + (f" (to {Status(to_status).label.lower()})." if to_status in Status.values else ".")
        )
