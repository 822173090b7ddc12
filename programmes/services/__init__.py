"""Writes to programmes, cohorts and enrolments: keyword-only functions, one transaction each.
Views, admin actions, imports, tasks and the sponsor's link all call these, through this
package: ``from programmes import services; services.enrolment_create(...)``.

- ``enrolments``: the enrolment state machine, seats under the cohort's row lock, the waiting
  list (read its docstring first: every other module builds on it);
- ``pairs``: applying together with a colleague of the other profession;
- ``sponsors``: the sponsor's answer from their signed link (programmes.sponsors), and a new
  request sent from My learning;
- ``completion``: an enrolment completed or not completed;
- ``errors``: the refusals every service raises, and the state machine's check;
- ``cohorts``: creating and changing cohorts (capacity under the same row lock, freed places
  to the waiting list), their facilitators, and programme records;
- ``imports``: participants and their enrolments from a CSV or XLSX file, checked row by row,
  then written in one transaction (an administrator's, through enrolment_create).
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
from .completion import enrolment_complete, enrolment_mark_not_completed
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
from .sponsors import (
    SponsorLinkRefused,
    sponsor_approve,
    sponsor_decline,
    sponsor_request_resend,
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
    "ImportCheck",
    "ImportRow",
    "NoPlaceAvailable",
    "NotAllowed",
    "PairRefused",
    "ProfileIncomplete",
    "SponsorLinkRefused",
    "Withdrawal",
    "check_transition",
    "clean_sponsor",
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
    "remember_sponsor",
    "sponsor_approve",
    "sponsor_decline",
    "sponsor_request_resend",
]
