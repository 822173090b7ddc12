"""Programmes, cohorts and enrolment (PRODUCT.md §3). This app imports people and refers to
CMS pages only by string ("cms.ProgrammePage"): it never imports cms."""

from .cohorts import Cohort, CohortFacilitator, CohortQuerySet, CohortStatus, Programme
from .enrolments import (
    LIVE,
    SEATED,
    TRANSITIONS,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentQuerySet,
    EnrolmentStatus,
    Outlook,
    Relationship,
    is_clinical_group,
)
from .pairs import PairApplication, PairApplicationQuerySet, PairStatus

__all__ = [
    "LIVE",
    "SEATED",
    "TRANSITIONS",
    "Cohort",
    "CohortFacilitator",
    "CohortQuerySet",
    "CohortStatus",
    "Enrolment",
    "EnrolmentAction",
    "EnrolmentEvent",
    "EnrolmentQuerySet",
    "EnrolmentStatus",
    "Outlook",
    "PairApplication",
    "PairApplicationQuerySet",
    "PairStatus",
    "Programme",
    "Relationship",
    "is_clinical_group",
]
