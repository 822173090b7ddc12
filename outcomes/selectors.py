"""Reads of outcomes: a participant's own before/after profile (My learning), and the
aggregates per trust the reports call.

The aggregates count in the database (one grouped query each) and leave disclosure control
to the caller (the reports' one suppression function). Filters, shared by both:

- ``trust``: a Trust or its id — the enrolment's trust (the person's when they enrolled, as
  every report groups), or None for every trust (the caller scopes);
- ``programme`` / ``cohort``: a model or its id;
- ``date_from`` / ``date_to``: the cohort's start date falls in the range (both inclusive),
  so a cohort's before and after, and its surveys, are counted together;
- or ``enrolments``: a queryset of the enrolments to count, in place of all of those. The
  trust dashboard passes its own (reports.selectors.enrolments), so these figures are scoped
  and filtered exactly as the rest of its page (its dates mean "cohorts running then").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from programmes.models import SEATED, Enrolment, EnrolmentStatus, Outlook, Relationship

from .dimensions import Dimension, Level, Stage
from .labels import labels
from .models import Question, SelfAssessment, SelfAssessmentRating, SurveyInvitation, SurveyKind
from .services import STAGE_STATUSES

LEVELS = Level.values  # [1, 2, 3, 4]
RELATIONSHIPS = Relationship.values  # [1, 2, 3, 4]
OUTLOOKS = Outlook.values  # [1, 2, 3]: better, the same, worse


def _pk(value):
    return getattr(value, "pk", value)


def _filtered(
    queryset, prefix: str, *, trust, programme, cohort, date_from, date_to, enrolments=None
):
    if enrolments is not None:
        if any(v is not None for v in (trust, programme, cohort, date_from, date_to)):
            raise TypeError("Pass either the enrolments or the filters, not both.")
        return queryset.filter(**{f"{prefix}pk__in": enrolments.values("pk")})
    filters = {}
    if trust is not None:
        filters[f"{prefix}trust_id"] = _pk(trust)
    if programme is not None:
        filters[f"{prefix}cohort__programme_id"] = _pk(programme)
    if cohort is not None:
        filters[f"{prefix}cohort_id"] = _pk(cohort)
    if date_from is not None:
        filters[f"{prefix}cohort__starts_on__gte"] = date_from
    if date_to is not None:
        filters[f"{prefix}cohort__starts_on__lte"] = date_to
    return queryset.filter(**filters)


# --- the participant's own profile ---------------------------------------------------------


@dataclass
class Profile:
    """One enrolment's self-assessment: the level per dimension before and after (None:
    not rated), and which stage the person may rate now."""

    enrolment: Enrolment
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "key": key,
                "name": name,
                "before": self.before.get(key),
                "after": self.after.get(key),
                "before_label": Level(self.before[key]).label if key in self.before else "",
                "after_label": Level(self.after[key]).label if key in self.after else "",
            }
            for key, name in Dimension.choices
        ]

    @property
    def has_any(self) -> bool:
        return bool(self.before or self.after)

    @property
    def may_rate_before(self) -> bool:
        return not self.before and self.enrolment.status in STAGE_STATUSES[Stage.BEFORE]

    @property
    def may_rate_after(self) -> bool:
        return not self.after and self.enrolment.status in STAGE_STATUSES[Stage.AFTER]


def profiles_for(person, *, enrolments=None) -> list[Profile]:
    """The person's own self-assessment profiles, one per enrolment that has one or may take
    one now. Two queries (the enrolments, and every rating of theirs), or one when the caller
    has the person's enrolments with their cohorts and programmes already (My learning)."""
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(person=person)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .select_related("cohort__programme")
            .order_by("-created_at", "-pk")
        )
    profiles = {
        e.pk: Profile(enrolment=e)
        for e in enrolments
        if e.person_id == person.pk and e.status != EnrolmentStatus.WITHDRAWN
    }
    if not profiles:
        return []
    for enrolment_id, stage, dimension, level in SelfAssessmentRating.objects.filter(
        assessment__enrolment_id__in=profiles
    ).values_list("assessment__enrolment_id", "assessment__stage", "dimension", "level"):
        getattr(profiles[enrolment_id], stage)[dimension] = level
    return [p for p in profiles.values() if p.has_any or p.may_rate_before or p.may_rate_after]


def stage_done(enrolment, stage: str) -> bool:
    return SelfAssessment.objects.filter(enrolment=enrolment, stage=stage).exists()


# --- aggregates for the reports ------------------------------------------------------------


def self_assessment_counts(
    *,
    trust=None,
    programme=None,
    cohort=None,
    date_from=None,
    date_to=None,
    enrolments=None,
    paired: bool = False,
) -> list[dict]:
    """How many rated themselves at each level of each dimension, before and after: one row
    per dimension, in the model's order, with ``before`` and ``after`` as lists of four
    counts (essential, proficient, strong, exemplary) and their totals. One query.

    ``paired``: only the enrolments rated at both stages, so that before and after count
    the same people (otherwise "before" includes everyone still on the programme)."""
    counts = {(key, stage): [0] * len(LEVELS) for key in Dimension.values for stage in Stage}
    ratings = _filtered(
        SelfAssessmentRating.objects.all(),
        "assessment__enrolment__",
        trust=trust,
        programme=programme,
        cohort=cohort,
        date_from=date_from,
        date_to=date_to,
        enrolments=enrolments,
    )
    if paired:
        # Correlated, so each is a probe of the (enrolment, stage) unique index.
        for stage in Stage.values:
            ratings = ratings.filter(
                Exists(
                    SelfAssessment.objects.filter(
                        enrolment_id=OuterRef("assessment__enrolment_id"), stage=stage
                    )
                )
            )
    for dimension, stage, level, n in (
        ratings.values("dimension", "assessment__stage", "level")
        .annotate(n=Count("pk"))
        .values_list("dimension", "assessment__stage", "level", "n")
        .order_by()
    ):
        counts[(dimension, stage)][level - 1] = n
    return [
        {
            "dimension": key,
            "name": name,
            "before": counts[(key, Stage.BEFORE)],
            "after": counts[(key, Stage.AFTER)],
            "before_total": sum(counts[(key, Stage.BEFORE)]),
            "after_total": sum(counts[(key, Stage.AFTER)]),
        }
        for key, name in Dimension.choices
    ]


def follow_up_counts(
    *, trust=None, programme=None, cohort=None, date_from=None, date_to=None, enrolments=None
) -> dict:
    """The answers to the follow-up surveys, per survey: ``{kind: {"relationship": [four
    counts, 1 to 4], "outlook": [three counts: better, the same, worse]}}`` for the
    completion and 12-month surveys, answered ones only. One query (a count per answer)."""
    answered = _filtered(
        SurveyInvitation.objects.filter(answered_at__isnull=False),
        "enrolment__",
        trust=trust,
        programme=programme,
        cohort=cohort,
        date_from=date_from,
        date_to=date_to,
        enrolments=enrolments,
    )
    questions = {"relationship": RELATIONSHIPS, "outlook": OUTLOOKS}
    aggregates = {
        f"{kind}:{question}:{value}": Count("pk", filter=Q(kind=kind, **{question: value}))
        for kind in SurveyKind.values
        for question, values in questions.items()
        for value in values
    }
    row = answered.aggregate(**aggregates)
    return {
        kind: {
            question: [row[f"{kind}:{question}:{value}"] for value in values]
            for question, values in questions.items()
        }
        for kind in SurveyKind.values
    }


def relationship_counts(
    *, trust=None, programme=None, cohort=None, date_from=None, date_to=None, enrolments=None
) -> dict:
    """The paper's relationship question in its four categories, at baseline (answered when
    applying, of the enrolments that held a place), at completion and 12 months after:
    ``{"labels": [four labels], "baseline": [4 counts], "completion": [...],
    "twelve_months": [...]}``, each with a ``<name>_total``. Two queries (and one for the
    labels)."""
    filters = {
        "trust": trust,
        "programme": programme,
        "cohort": cohort,
        "date_from": date_from,
        "date_to": date_to,
        "enrolments": enrolments,
    }
    words = labels()[Question.RELATIONSHIP]
    result = {"labels": [words[value] for value in RELATIONSHIPS]}
    baseline = [0] * len(RELATIONSHIPS)
    for value, n in (
        _filtered(Enrolment.objects.filter(status__in=SEATED), "", **filters)
        .filter(baseline_relationship__isnull=False)
        .values("baseline_relationship")
        .annotate(n=Count("pk"))
        .values_list("baseline_relationship", "n")
        .order_by()
    ):
        baseline[value - 1] = n
    result["baseline"] = baseline
    follow_up = follow_up_counts(**filters)
    result["completion"] = follow_up[SurveyKind.COMPLETION]["relationship"]
    result["twelve_months"] = follow_up[SurveyKind.TWELVE_MONTHS]["relationship"]
    for name in ("baseline", "completion", "twelve_months"):
        result[f"{name}_total"] = sum(result[name])
    return result
