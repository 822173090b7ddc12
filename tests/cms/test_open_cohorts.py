"""A programme page lists its open cohorts from programmes/, live, with the places left per
group, in one query (cms.selectors.open_cohorts_for_programme)."""

import datetime

import pytest
from django.utils import timezone

from cms import selectors
from programmes import cache as cohort_cache
from programmes.selectors import open_cohorts
from tests.cms.test_pages import soup
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(programme):
    return ProgrammeFactory(page=programme, title=programme.title, slug="leading-together")


def days(n):
    return timezone.now() + datetime.timedelta(days=n)


@pytest.fixture
def cohorts(record, programme):
    host = TrustFactory(name="Wyvern Valley Hospitals NHS Foundation Trust")
    mixed = CohortFactory(
        programme=record,
        host_trust=host,
        name="Wyvern Valley, spring",
        capacity=10,
        reserved_for_clinicians=3,
        reserved_for_managers=4,
        starts_on=datetime.date(2027, 3, 1),
    )
    EnrolmentFactory.create_batch(5, cohort=mixed)  # clinicians
    EnrolmentFactory(cohort=mixed, person=UserFactory())
    EnrolmentFactory(cohort=mixed, person=UserFactory(), status="waitlisted")  # holds no place
    EnrolmentFactory(cohort=mixed, person=UserFactory(), status="withdrawn")
    later = CohortFactory(programme=record, name="Later", starts_on=datetime.date(2027, 9, 1))
    # Not listed: a draft, a cancelled one, one not yet open, one closed, another programme's.
    CohortFactory(programme=record, status="draft")
    CohortFactory(programme=record, status="cancelled")
    CohortFactory(programme=record, enrolment_opens_at=days(3), enrolment_closes_at=days(9))
    CohortFactory(programme=record, enrolment_opens_at=days(-9), enrolment_closes_at=days(-1))
    CohortFactory()
    return mixed, later


def test_open_cohorts_lists_those_open_now_with_places_per_group(
    programme, cohorts, django_assert_num_queries
):
    mixed, later = cohorts
    # One query: the cohorts, their host trust joined and the seated counts annotated.
    with django_assert_num_queries(1):
        listings = open_cohorts(programme_page_id=programme.pk)
    assert [listing.cohort for listing in listings] == [mixed, later]
    first = listings[0]
    assert first.places_left == 4  # 10 places, 6 taken (5 clinicians, 1 manager)
    assert first.places_left_for_clinicians == 1  # three of the four are held for managers
    assert first.places_left_for_managers == 4


def test_the_page_hook_maps_them_for_the_template(
    programme, cohorts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):  # the listing
        [first, _later] = selectors.open_cohorts_for_programme(programme)
    # For a page being cached, one more: when the next window opens or closes.
    request = type(
        "Request", (), {"_tandem_page_cache_depends": {}, "_tandem_page_cache_until": None}
    )()
    with django_assert_max_num_queries(2):
        selectors.open_cohorts_for_programme(programme, request=request)
    assert request._tandem_page_cache_until is not None
    mixed, _ = cohorts
    assert first == selectors.OpenCohort(
        name="Wyvern Valley, spring",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=mixed.ends_on,
        host="Wyvern Valley Hospitals NHS Foundation Trust",
        enrol_url=f"/learn/enrol/{mixed.pk}/",
        enrolment_closes_on=timezone.localdate(mixed.enrolment_closes_at),
        places_left=4,
        places_left_for_clinicians=1,
        places_left_for_managers=4,
    )


def test_the_programme_page_shows_them_with_an_enrol_button(client, programme, cohorts):
    mixed, _ = cohorts
    section = soup(client.get(programme.url)).find(id="cohorts")
    assert [h.text for h in section.find_all("h3")] == ["Wyvern Valley, spring", "Later"]
    assert "4 places left" in section.text
    assert section.find("a", class_="button")["href"] == f"/learn/enrol/{mixed.pk}/"


def test_the_listing_changes_by_itself_when_the_next_window_opens_or_closes(programme, cohorts):
    mixed, later = cohorts
    soonest = min(mixed.enrolment_closes_at, later.enrolment_closes_at, days(3))
    assert abs(cohort_cache.cohort_listing_changes_at(programme.pk) - soonest) < datetime.timedelta(
        seconds=5
    )


def test_a_programme_without_cohorts_changes_by_itself_never(programme):
    assert cohort_cache.cohort_listing_changes_at(programme.pk) is None
    assert selectors.open_cohorts_for_programme(programme) == []
