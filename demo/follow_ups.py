"""Demo 12-month follow-up answers, for the reporting lead's dashboard (its outcome tables:
reports/outcome_tables.py).

demo.outcomes gives every Leading Together completion a 12-month survey a year after it.
For the runs that ended more than a year ago — demo.effect's 2023 and 2024 cohorts at the
first trust, the reporting lead's — that day has passed. This step, just before
demo.outcomes, makes those surveys as they would be by now: sent on their day, and answered
by four in five a few days later (the relationship a little better than at enrolment, on the
whole, and most expecting it to improve); the fifth had the reminder and did not answer. So
the dashboard shows 12-month answers beside the baseline and the completion survey, and beat
finds nothing overdue to email under `make run`.

Rows are found by enrolment and kind; demo.outcomes then finds them made and adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from outcomes import links
from outcomes.models import SurveyInvitation, SurveyKind
from outcomes.services import REMINDER_AFTER, TWELVE_MONTHS
from people.models import RoleCategory
from programmes.models import Enrolment, EnrolmentStatus, Outlook

from .programmes import PROGRAMME_SLUG
from .run import SeedRun


def _answers(enrolment, index: int) -> dict:
    baseline = enrolment.baseline_relationship or 3
    return {
        "relationship": max(1, baseline - (0 if index % 3 == 2 else 1)),
        "outlook": (Outlook.BETTER, Outlook.BETTER, Outlook.SAME, Outlook.WORSE)[index % 4],
        "current_role_title": enrolment.person.job_title or "",
        "current_role_category": (
            RoleCategory.CLINICAL if enrolment.is_clinical else RoleCategory.MANAGEMENT
        ),
    }


def seed_follow_ups(run: SeedRun) -> None:
    now = timezone.now()
    completed = (
        Enrolment.objects.filter(
            cohort__programme__slug=PROGRAMME_SLUG,
            status=EnrolmentStatus.COMPLETED,
            # A year and the reminder's fortnight ago, so every date below is past.
            status_changed_at__lte=now - TWELVE_MONTHS - REMINDER_AFTER,
        )
        .select_related("person")
        .order_by("pk")
    )
    for index, enrolment in enumerate(completed):
        due = enrolment.status_changed_at + TWELVE_MONTHS
        defaults = {"due_at": due, "nonce": links.new_nonce(), "queued_at": due, "sent_at": due}
        if index % 5 == 4:  # one in five never answered, after its reminder
            defaults |= {
                "reminder_queued_at": due + REMINDER_AFTER,
                "reminder_sent_at": due + REMINDER_AFTER,
            }
        else:
            defaults |= {"answered_at": due + timedelta(days=4), **_answers(enrolment, index)}
        run.get_or_create(
            SurveyInvitation,
            enrolment=enrolment,
            kind=SurveyKind.TWELVE_MONTHS,
            defaults=defaults,
        )
