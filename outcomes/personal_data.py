"""What outcomes holds about a person, for subject access and erasure (privacy.registry).

Erasure deletes their self-assessments and survey rows: the answers are theirs, and the
aggregates the reports show are counted afresh from what remains.
"""

from privacy.registry import register_source

from .models import SelfAssessment, SelfAssessmentRating, SurveyInvitation

PERSON_LINKED_MODELS = {
    SelfAssessment: "self_assessments",
    SelfAssessmentRating: "self_assessments",
    SurveyInvitation: "follow_up_surveys",
}


def export_self_assessments(person) -> list[dict]:
    return [
        {
            "programme": rating.assessment.enrolment.cohort.programme.title,
            "cohort": rating.assessment.enrolment.cohort.name,
            "stage": rating.assessment.get_stage_display(),
            "answered_at": rating.assessment.answered_at,
            "dimension": rating.get_dimension_display(),
            "level": rating.get_level_display(),
        }
        for rating in SelfAssessmentRating.objects.filter(assessment__enrolment__person=person)
        .select_related("assessment__enrolment__cohort__programme")
        .order_by("assessment__answered_at", "assessment_id", "dimension")
    ]


def export_surveys(person) -> list[dict]:
    return [
        {
            "programme": row.enrolment.cohort.programme.title,
            "cohort": row.enrolment.cohort.name,
            "survey": row.get_kind_display(),
            "sent_at": row.sent_at,
            "reminder_sent_at": row.reminder_sent_at,
            "answered_at": row.answered_at,
            "relationship": row.get_relationship_display() if row.relationship else "",
            "outlook": row.get_outlook_display() if row.outlook else "",
            "current_role": row.current_role_title,
        }
        for row in SurveyInvitation.objects.filter(enrolment__person=person)
        .select_related("enrolment__cohort__programme")
        .order_by("due_at", "pk")
    ]


def erase_self_assessments(person, *, by, reason) -> None:
    SelfAssessment.objects.filter(enrolment__person=person).delete()


def erase_surveys(person, *, by, reason) -> None:
    SurveyInvitation.objects.filter(enrolment__person=person).delete()


register_source(
    "self_assessments",
    label="Your leadership self-assessments",
    exporter=export_self_assessments,
    eraser=erase_self_assessments,
)
register_source(
    "follow_up_surveys",
    label="Your follow-up survey answers",
    exporter=export_surveys,
    eraser=erase_surveys,
)
