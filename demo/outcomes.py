"""Demo outcomes (issue 14, parts 3 and 4): self-assessments and follow-up surveys.

- Every completed Leading Together enrolment has a **before** and an **after**
  self-assessment (the nine dimensions), mostly a level or so higher after; the demo
  participant (participant@, Priya Shah) sees theirs as a chart and a table on My learning.
- Each completion has its two **follow-up surveys**: the completion survey, sent when the
  cohort ended and answered by most (their relationship answers a step better than their
  baseline, on the whole), and the 12-month one, scheduled for a year after completion (the
  demo's cohorts ended four months ago, so none is due yet: there are no 12-month answers).
- One **pending invitation**: the demo participant's completion survey is due and unsent, so
  under `make run` beat emails it within 15 minutes and the worker prints its link.

Rows are found by enrolment and stage or kind, so a rerun adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from outcomes import links
from outcomes.dimensions import Dimension, Stage
from outcomes.models import SelfAssessment, SelfAssessmentRating, SurveyInvitation, SurveyKind
from outcomes.services import REMINDER_AFTER, TWELVE_MONTHS
from people.models import RoleCategory
from programmes.models import Enrolment, EnrolmentStatus, Outlook

from .programmes import PARTICIPANT_EMAIL, PROGRAMME_SLUG
from .run import SeedRun


def _levels(index: int, stage: str) -> dict[str, int]:
    before = {key: 1 + (index + number) % 3 for number, key in enumerate(Dimension.values)}
    if stage == Stage.BEFORE:
        return before
    # A step up on most dimensions after the programme; the same on every fourth — but
    # nobody stays at essential, so the reporting lead's dashboard has no handful of
    # "essential" afters for its disclosure control to hide (with the next smallest level).
    return {
        key: min(4, level + (0 if (index + number) % 4 == 0 and level > 1 else 1))
        for number, (key, level) in enumerate(before.items())
    }


def _assessment(run: SeedRun, enrolment, stage: str, index: int, answered_at) -> None:
    assessment, made = run.get_or_create(
        SelfAssessment, enrolment=enrolment, stage=stage, defaults={"answered_at": answered_at}
    )
    if made:
        SelfAssessmentRating.objects.bulk_create(
            SelfAssessmentRating(assessment=assessment, dimension=key, level=level)
            for key, level in _levels(index, stage).items()
        )


def _survey_answers(enrolment, index: int) -> dict:
    baseline = enrolment.baseline_relationship or 3
    return {
        "relationship": max(1, baseline - (1 if index % 3 else 0)),
        "outlook": Outlook.BETTER if index % 4 else Outlook.SAME,
        "current_role_title": enrolment.person.job_title or "",
        "current_role_category": (
            RoleCategory.CLINICAL if enrolment.is_clinical else RoleCategory.MANAGEMENT
        ),
    }


def seed_outcomes(run: SeedRun) -> None:
    completed = list(
        Enrolment.objects.filter(
            cohort__programme__slug=PROGRAMME_SLUG, status=EnrolmentStatus.COMPLETED
        )
        .select_related("person", "cohort")
        .order_by("pk")
    )
    for index, enrolment in enumerate(completed):
        finished = enrolment.status_changed_at
        _assessment(run, enrolment, Stage.BEFORE, index, enrolment.created_at + timedelta(days=2))
        _assessment(run, enrolment, Stage.AFTER, index, finished + timedelta(days=1))
        pending = enrolment.person.email == PARTICIPANT_EMAIL
        answered = not pending and index % 5 != 4  # one in five never answered
        completion = {"due_at": finished, "nonce": links.new_nonce()}
        if not pending:
            # Sent when the cohort ended; the unanswered ones had their reminder too, so
            # beat sends nothing for them.
            completion |= {"queued_at": finished, "sent_at": finished}
            if answered:
                completion |= {"answered_at": finished + timedelta(days=3)}
                completion |= _survey_answers(enrolment, index)
            else:
                completion |= {
                    "reminder_queued_at": finished + REMINDER_AFTER,
                    "reminder_sent_at": finished + REMINDER_AFTER,
                }
        run.get_or_create(
            SurveyInvitation, enrolment=enrolment, kind=SurveyKind.COMPLETION, defaults=completion
        )
        run.get_or_create(
            SurveyInvitation,
            enrolment=enrolment,
            kind=SurveyKind.TWELVE_MONTHS,
            defaults={"due_at": finished + TWELVE_MONTHS, "nonce": links.new_nonce()},
        )
