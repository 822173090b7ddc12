"""Writes to programmes, cohorts and enrolments: keyword-only functions, one transaction each.
Views, admin actions, imports, tasks and the sponsor's link all call these, through this
package: ``from programmes import services; services.enrolment_create(...)``.

- ``enrolments``: the enrolment state machine, seats under the cohort's row lock, the waiting
  list (read its docstring first: every other module builds on it);
- ``pairs``: applying together with a colleague of the other profession;
- ``sponsors``: the sponsor's answer from their signed link (programmes.sponsors), and a new
  request sent from My learning;
- ``sessions``: scheduling, rescheduling and cancelling a cohort's sessions (participants
  told through the outbox), and their facilitators;
- ``attendance``: a session's register in one transaction, and self check-in;
- ``completion``: the programme's completion rules, and an enrolment completed or not
  completed by them or by an administrator's override;
- ``errors``: the refusals every service raises, and the state machine's check;
- ``cohorts``: creating and changing cohorts (capacity under the same row lock, freed places
  to the waiting list), their facilitators, and programme records;
- ``imports``: participants and their enrolments from a CSV or XLSX file, checked row by row,
  then written in one transaction (an administrator's, through enrolment_create).
"""

from .attendance import CheckIn, CheckInRefused, RegisterResult, checkin, register_save
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
from .completion import (
    CompletionRun,
    completion_evaluate,
    completion_override,
    enrolment_complete,
    enrolment_mark_not_completed,
    register_module_progress,
    register_shadowing_hours,
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
    clean_sponsor,
    cohort_release_reserved_seats,
    cohort_seats,
    enrolment_approve,
    enrolment_create,
    enrolment_decline,
    enrolment_promote,
    enrolment_withdraw,
    enrolments_withdraw_for_erasure,
    partner_of,
    remember_sponsor,
)
from .imports import ImportCheck, ImportRow, enrolments_import, enrolments_import_check
from .pairs import PairRefused, pair_accept, pair_cancel, pair_decline, pair_invite
from .sessions import (
    SESSION_FIELDS,
    session_cancel,
    session_create,
    session_facilitator_add,
    session_facilitator_remove,
    session_update,
)
from .sponsors import (
    SponsorLinkRefused,
    sponsor_approve,
    sponsor_decline,
    sponsor_request_resend,
)

__all__ = [
    "COHORT_FIELDS",
    "PROGRAMME_FIELDS",
    "SESSION_FIELDS",
    "AlreadyEnrolled",
    "CheckIn",
    "CheckInRefused",
    "CohortChange",
    "CompletionRun",
    "EnrolmentClosed",
    "EnrolmentError",
    "FillResult",
    "IllegalTransition",
    "ImportCheck",
    "ImportRow",
    "NoPlaceAvailable",
    "NotAllowed",
    "PairRefused",
    "ProfileIncomplete",
    "RegisterResult",
    "SponsorLinkRefused",
    "Withdrawal",
    "check_transition",
    "checkin",
    "clean_sponsor",
    "cohort_cancel",
    "cohort_create",
    "cohort_facilitator_add",
    "cohort_facilitator_remove",
    "cohort_release_reserved_seats",
    "cohort_seats",
    "cohort_update",
    "completion_evaluate",
    "completion_override",
    "enrolment_approve",
    "enrolment_complete",
    "enrolment_create",
    "enrolment_decline",
    "enrolment_mark_not_completed",
    "enrolment_promote",
    "enrolment_withdraw",
    "enrolments_import",
    "enrolments_import_check",
    "enrolments_withdraw_for_erasure",
    "facilitator_candidates",
    "pair_accept",
    "pair_cancel",
    "pair_decline",
    "pair_invite",
    "partner_of",
    "programme_save",
    "register_module_progress",
    "register_save",
    "register_shadowing_hours",
    "remember_sponsor",
    "session_cancel",
    "session_create",
    "session_facilitator_add",
    "session_facilitator_remove",
    "session_update",
    "sponsor_approve",
    "sponsor_decline",
    "sponsor_request_resend",
]
