"""The end of a cohort: an enrolment completed, or not completed. The completion rules (the
attendance work) will decide which; these are the transitions they call."""

from django.db import transaction
from django.utils import timezone

from people.models import User

from ..models import Enrolment
from .enrolments import Action, Status, _locked_enrolment, _move, _require


def enrolment_complete(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    _require(by, target=enrolment)
    with transaction.atomic():
        _cohort, enrolment = _locked_enrolment(enrolment)
        return _move(
            enrolment,
            action=Action.COMPLETE,
            to=Status.COMPLETED,
            by=by,
            reason=reason,
            now=timezone.now(),
        )


def enrolment_mark_not_completed(
    *, enrolment: Enrolment, by: User | None, reason: str = ""
) -> Enrolment:
    _require(by, target=enrolment)
    with transaction.atomic():
        _cohort, enrolment = _locked_enrolment(enrolment)
        return _move(
            enrolment,
            action=Action.MARK_NOT_COMPLETED,
            to=Status.NOT_COMPLETED,
            by=by,
            reason=reason,
            now=timezone.now(),
        )
