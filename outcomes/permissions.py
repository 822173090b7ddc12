"""Who sees a self-assessment or a survey row (people.permissions): its own participant and
superusers only. Trusts see them only as aggregates (outcomes.selectors), which the reports
scope to the trusts a reporting lead may see."""

from people.permissions import register_scope

from .models import SelfAssessment, SelfAssessmentRating, SurveyInvitation


def _own(path):
    def rule(user, queryset):
        if user is None or not user.is_authenticated or not user.is_active:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(**{path: user.pk})

    return rule


register_scope(SelfAssessment, _own("enrolment__person_id"))
register_scope(SelfAssessmentRating, _own("assessment__enrolment__person_id"))
register_scope(SurveyInvitation, _own("enrolment__person_id"))
