"""The aggregates the reports call, checked against counts worked out by hand."""

import datetime

import pytest

from outcomes.dimensions import Dimension
from outcomes.selectors import follow_up_counts, relationship_counts, self_assessment_counts
from programmes.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, TrustFactory
from tests.factories_outcomes import SurveyInvitationFactory, rate

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 12)
JUN = datetime.date(2026, 6, 8)


@pytest.fixture
def world():
    north, south = TrustFactory(), TrustFactory()
    leading, other = ProgrammeFactory(), ProgrammeFactory()
    jan = CohortFactory(programme=leading, host_trust=north, starts_on=JAN)
    jun = CohortFactory(programme=leading, host_trust=north, starts_on=JUN)
    elsewhere = CohortFactory(programme=other, host_trust=north, starts_on=JAN)
    # North, January cohort: three completers.
    a = EnrolmentFactory(
        cohort=jan, person__trust=north, status="completed", baseline_relationship=3
    )
    b = EnrolmentFactory(
        cohort=jan, person__trust=north, status="completed", baseline_relationship=3
    )
    c = EnrolmentFactory(
        cohort=jan, person__trust=north, status="completed", baseline_relationship=4
    )
    # North, June cohort, one; another programme, one; South, one (never counted for North).
    d = EnrolmentFactory(
        cohort=jun, person__trust=north, status="completed", baseline_relationship=1
    )
    e = EnrolmentFactory(
        cohort=elsewhere, person__trust=north, status="completed", baseline_relationship=2
    )
    f = EnrolmentFactory(
        cohort=jan, person__trust=south, status="completed", baseline_relationship=2
    )
    # A withdrawn applicant's baseline is not counted (they never held a place).
    EnrolmentFactory(cohort=jan, person__trust=north, status="withdrawn", baseline_relationship=4)
    rate(a, "before", 1)
    rate(a, "after", 3)
    rate(b, "before", 2)
    rate(b, "after", {**dict.fromkeys(Dimension.values, 3), "holding-to-account": 4})
    rate(c, "before", 1)  # no "after" yet
    rate(d, "before", 4)
    rate(e, "before", 2)
    rate(f, "before", 3)
    for enrolment, completion, year in (
        (a, 2, 1),
        (b, 2, 2),
        (c, 3, None),
        (d, 1, None),
        (f, 1, 1),
    ):
        SurveyInvitationFactory(
            enrolment=enrolment,
            kind="completion",
            relationship=completion,
            outlook=1,
            answered_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC),
        )
        if year:
            SurveyInvitationFactory(
                enrolment=enrolment,
                kind="twelve_months",
                relationship=year,
                outlook=2,
                answered_at=datetime.datetime(2027, 7, 1, tzinfo=datetime.UTC),
            )
    # Sent and unanswered: counted nowhere.
    SurveyInvitationFactory(enrolment=e, kind="completion")
    return {"north": north, "south": south, "leading": leading, "jan": jan}


def by_key(rows):
    return {row["dimension"]: row for row in rows}


def test_self_assessment_counts_per_trust(world, django_assert_num_queries):
    with django_assert_num_queries(1):  # one grouped query
        rows = by_key(self_assessment_counts(trust=world["north"]))
    assert list(rows) == Dimension.values
    # Before: a 1, b 2, c 1, d 4, e 2 -> essential 2, proficient 2, strong 0, exemplary 1.
    assert rows["leading-with-care"]["before"] == [2, 2, 0, 1]
    assert rows["leading-with-care"]["before_total"] == 5
    # After: a 3, b 3 (4 on holding to account).
    assert rows["leading-with-care"]["after"] == [0, 0, 2, 0]
    assert rows["holding-to-account"]["after"] == [0, 0, 1, 1]


def test_self_assessment_counts_filtered(world):
    rows = by_key(self_assessment_counts(trust=world["north"], programme=world["leading"]))
    assert rows["sharing-the-vision"]["before"] == [2, 1, 0, 1]  # e's programme left out
    rows = by_key(self_assessment_counts(trust=world["north"], cohort=world["jan"]))
    assert rows["sharing-the-vision"]["before"] == [2, 1, 0, 0]
    rows = by_key(self_assessment_counts(trust=world["north"], date_from=JUN, date_to=JUN))
    assert rows["sharing-the-vision"]["before"] == [0, 0, 0, 1]  # the edge is inclusive
    rows = by_key(self_assessment_counts(trust=world["south"]))
    assert rows["sharing-the-vision"]["before"] == [0, 0, 1, 0]
    assert rows["sharing-the-vision"]["after_total"] == 0


def test_relationship_counts_per_trust(world, django_assert_num_queries):
    with django_assert_num_queries(3):  # the labels, the baselines, the follow-ups
        counts = relationship_counts(trust=world["north"])
    assert counts["labels"][0] == "A strong partnership"
    # Baselines: a 3, b 3, c 4, d 1, e 2 (the withdrawn one left out).
    assert counts["baseline"] == [1, 1, 2, 1]
    # At completion: a 2, b 2, c 3, d 1 (e unanswered).
    assert counts["completion"] == [1, 2, 1, 0]
    # 12 months: a 1, b 2.
    assert counts["twelve_months"] == [1, 1, 0, 0]
    assert (
        counts["baseline_total"],
        counts["completion_total"],
        counts["twelve_months_total"],
    ) == (5, 4, 2)


def test_relationship_counts_filtered_and_empty(world):
    counts = relationship_counts(trust=world["north"], cohort=world["jan"])
    assert counts["baseline"] == [0, 0, 2, 1]
    assert counts["completion"] == [0, 2, 1, 0]
    counts = relationship_counts(trust=world["north"], date_from=datetime.date(2030, 1, 1))
    assert counts["baseline_total"] == counts["completion_total"] == 0  # no division anywhere
    assert counts["twelve_months"] == [0, 0, 0, 0]


def test_paired_counts_only_those_rated_before_and_after(world):
    # a (1 before, 3 after) and b (2 before, 3 after; 4 on holding to account) rated both;
    # c, d and e only before.
    rows = by_key(self_assessment_counts(trust=world["north"], paired=True))
    assert rows["leading-with-care"]["before"] == [1, 1, 0, 0]
    assert rows["leading-with-care"]["after"] == [0, 0, 2, 0]
    assert rows["holding-to-account"]["after"] == [0, 0, 1, 1]
    assert rows["holding-to-account"]["before_total"] == 2


def test_follow_up_counts_has_both_questions_per_survey(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = follow_up_counts(trust=world["north"])
    # At completion: a 2, b 2, c 3, d 1, all "better"; 12 months: a 1, b 2, both "the same".
    assert counts["completion"] == {"relationship": [1, 2, 1, 0], "outlook": [4, 0, 0]}
    assert counts["twelve_months"] == {"relationship": [1, 1, 0, 0], "outlook": [0, 2, 0]}


def test_the_callers_enrolments_in_place_of_the_filters(world):
    jan = Enrolment.objects.filter(trust=world["north"], cohort=world["jan"])
    by_queryset = relationship_counts(enrolments=jan)
    assert by_queryset == relationship_counts(trust=world["north"], cohort=world["jan"])
    assert by_queryset["baseline"] == [0, 0, 2, 1]
    rows = by_key(self_assessment_counts(enrolments=jan))
    assert rows["sharing-the-vision"]["before"] == [2, 1, 0, 0]
    with pytest.raises(TypeError):
        follow_up_counts(enrolments=jan, trust=world["north"])
