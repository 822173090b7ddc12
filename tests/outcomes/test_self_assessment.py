"""The self-assessment: one per enrolment per stage, nine ratings, shown on My learning as
a chart with its table."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cms.models import LeadershipDimension
from outcomes import services
from outcomes.dimensions import Dimension, Stage
from outcomes.models import SelfAssessment, SelfAssessmentRating
from programmes.models import Enrolment
from tests.factories import EnrolmentFactory
from tests.factories_outcomes import SelfAssessmentFactory, rate

pytestmark = pytest.mark.django_db

ALL_STRONG = dict.fromkeys(Dimension.values, 3)


def test_the_nine_dimensions_are_the_cmss():
    """outcomes may not import cms: its list must be the same nine, in the same order."""
    assert list(LeadershipDimension.objects.values_list("slug", "name")) == Dimension.choices


def test_one_self_assessment_per_enrolment_per_stage_in_the_database():
    enrolment = EnrolmentFactory()
    SelfAssessmentFactory(enrolment=enrolment, stage=Stage.BEFORE)
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessmentFactory(enrolment=enrolment, stage=Stage.BEFORE)
    SelfAssessmentFactory(enrolment=enrolment, stage=Stage.AFTER)  # the other stage is fine


def test_a_rating_outside_the_four_levels_is_refused_by_the_database():
    assessment = SelfAssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessmentRating.objects.create(
            assessment=assessment, dimension="leading-with-care", level=5
        )


def test_the_service_records_nine_ratings_once():
    enrolment = EnrolmentFactory(status="enrolled")
    services.self_assessment_create(enrolment=enrolment, stage="before", ratings=ALL_STRONG)
    assert SelfAssessmentRating.objects.filter(assessment__enrolment=enrolment).count() == 9
    with pytest.raises(services.OutcomeError, match="already"):
        services.self_assessment_create(enrolment=enrolment, stage="before", ratings=ALL_STRONG)
    assert SelfAssessment.objects.count() == 1


def test_the_service_refuses_half_an_assessment_and_the_wrong_stage():
    enrolment = EnrolmentFactory(status="enrolled")
    with pytest.raises(services.OutcomeError, match="nine"):
        services.self_assessment_create(
            enrolment=enrolment, stage="before", ratings={"leading-with-care": 2}
        )
    with pytest.raises(services.OutcomeError, match="completed"):
        services.self_assessment_create(enrolment=enrolment, stage="after", ratings=ALL_STRONG)
    assert SelfAssessment.objects.count() == 0


def test_the_participant_rates_themselves_before_from_my_learning(client):
    enrolment = EnrolmentFactory(status="enrolled")
    client.force_login(enrolment.person)
    page = client.get(reverse("cms:my_learning")).content.decode()
    url = reverse("outcomes:self_assessment_before", args=[enrolment.pk])
    assert url in page
    assert client.get(url).status_code == 200
    bad = client.post(url, {"leading-with-care": "2"})
    assert (
        bad.status_code == 400
        and "Choose a level for inspiring shared purpose" in bad.content.decode()
    )
    assert SelfAssessment.objects.count() == 0
    done = client.post(url, dict.fromkeys(Dimension.values, "2"))
    assert done.status_code == 302
    assert SelfAssessment.objects.get().stage == "before"
    # Once only: the page sends them back.
    assert client.get(url).status_code == 302


def test_someone_elses_enrolment_is_a_404(client):
    enrolment = EnrolmentFactory(status="enrolled")
    other = EnrolmentFactory(status="enrolled")
    client.force_login(other.person)
    url = reverse("outcomes:self_assessment_before", args=[enrolment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, dict.fromkeys(Dimension.values, "2")).status_code == 404
    assert SelfAssessment.objects.count() == 0


def test_my_learning_shows_the_before_and_after_as_a_chart_and_a_table(
    client, django_assert_max_num_queries
):
    enrolment = EnrolmentFactory(status="completed")
    levels = dict.fromkeys(Dimension.values, 1) | {"engaging-the-team": 2}
    rate(enrolment, "before", levels)
    rate(enrolment, "after", {**dict.fromkeys(Dimension.values, 3), "engaging-the-team": 4})
    client.force_login(enrolment.person)
    page = client.get(reverse("cms:my_learning")).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    # 18 bars: nine before, nine after; an "after" bar at exemplary is the full plot width.
    assert svg.count('class="chart__bar chart__bar--before"') == 9
    assert svg.count('class="chart__bar chart__bar--after"') == 9
    assert re.search(r'chart__bar--after" x="210" y="\d+" width="360"', svg)
    assert re.search(r'chart__bar--before" x="210" y="\d+" width="90"', svg)
    table = page[page.index('<table class="table">') :]
    row = re.search(r"<th scope=\"row\">Engaging the team</th><td>(\w+)</td><td>(\w+)</td>", table)
    assert row.groups() == ("Proficient", "Exemplary")
    assert "<script" not in svg and "style=" not in svg  # CSP: nothing inline


def test_the_profile_costs_two_queries(django_assert_num_queries):
    from outcomes.selectors import profiles_for

    enrolment = EnrolmentFactory(status="completed")
    rate(enrolment, "before", 2)
    EnrolmentFactory(person=enrolment.person, status="enrolled")
    # 1: the person's enrolments with cohort and programme; 2: every rating of theirs.
    with django_assert_num_queries(2):
        profiles = profiles_for(enrolment.person)
    assert len(profiles) == 2


def test_given_my_learnings_enrolments_the_profile_costs_one_query(django_assert_num_queries):
    from outcomes.selectors import profiles_for

    enrolment = EnrolmentFactory(status="completed")
    rate(enrolment, "after", 4)
    enrolments = list(
        Enrolment.objects.filter(person=enrolment.person).select_related("cohort__programme")
    )
    with django_assert_num_queries(1):  # the ratings
        [profile] = profiles_for(enrolment.person, enrolments=enrolments)
    assert profile.after == dict.fromkeys(Dimension.values, 4) and profile.may_rate_after is False
