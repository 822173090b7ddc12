"""Writes to programmes, cohorts and enrolments: keyword-only functions, one transaction each.
Views, admin actions, imports, tasks and the sponsor's link all call these, through this
package: ``from programmes import services; services.enrolment_create(...)``.

- ``enrolments``: the enrolment state machine, seats under the cohort's row lock, the waiting
  list (read its docstring first: every other module builds on it).
- ``cohorts``: creating and changing cohorts (capacity under the same row lock, freed places
  to the waiting list), their facilitators, and programme records.
"""

from .cohorts import (
    COHORT_FIELDS,
    PROGRAMME_FIELDS,
    CohortChange,
    cohort_cancel,
    cohort_create,
    cohort_facilitator_add,
    cohort_facilitator_remove,
    cohort_update,
    facilitator_candidates,
    programme_save,
)
from .enrolments import (
    AlreadyEnrolled,
    EnrolmentClosed,
    EnrolmentError,
    FillResult,
    IllegalTransition,
    NoPlaceAvailable,
    NotAllowed,
    ProfileIncomplete,
    Withdrawal,
    check_transition,
    cohort_release_reserved_seats,
    cohort_seats,
    enrolment_approve,
    enrolment_complete,
    enrolment_create,
    enrolment_decline,
    enrolment_mark_not_completed,
    enrolment_promote,
    enrolment_withdraw,
    enrolments_withdraw_for_erasure,
)

__all__ = [
    "COHORT_FIELDS",
    "PROGRAMME_FIELDS",
    "AlreadyEnrolled",
    "CohortChange",
    "EnrolmentClosed",
    "EnrolmentError",
    "FillResult",
    "IllegalTransition",
    "NoPlaceAvailable",
    "NotAllowed",
    "ProfileIncomplete",
    "Withdrawal",
    "check_transition",
    "cohort_cancel",
    "cohort_create",
    "cohort_facilitator_add",
    "cohort_facilitator_remove",
    "cohort_release_reserved_seats",
    "cohort_seats",
    "cohort_update",
    "enrolment_approve",
    "enrolment_complete",
    "enrolment_create",
    "enrolment_decline",
    "enrolment_mark_not_completed",
    "enrolment_promote",
    "enrolment_withdraw",
    "enrolments_withdraw_for_erasure",
    "facilitator_candidates",
    "programme_save",
]
