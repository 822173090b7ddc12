"""Anonymous visitors get cached pages; publishing makes them stale at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from cms import page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return Page.objects.get(depth=2).specific


def get(client, path="/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


def test_second_anonymous_visit_is_served_from_the_cache(
    client, home, django_capture_on_commit_callbacks
):
    first, first_queries = get(client)
    assert first.status_code == 200
    assert first["X-Tandem-Page-Cache"] == "miss"
    second, second_queries = get(client)
    assert second["X-Tandem-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second_queries < first_queries
    # Security headers are still added fresh to a cached response.
    assert "frame-ancestors 'none'" in second["Content-Security-Policy"]


def test_publishing_makes_cached_pages_stale(client, home, django_capture_on_commit_callbacks):
    get(client)
    assert get(client)[0]["X-Tandem-Page-Cache"] == "hit"
    home.title = "Tandem, renewed"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    response, _ = get(client)
    assert response["X-Tandem-Page-Cache"] == "miss"
    assert "Tandem, renewed" in response.content.decode()


def test_invalidate_is_the_hook_for_cohort_changes(
    client, home, django_capture_on_commit_callbacks
):
    get(client)
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate()
    assert get(client)[0]["X-Tandem-Page-Cache"] == "miss"


def test_signed_in_people_are_never_served_a_cached_page(client, home, participant):
    get(client)
    client.force_login(participant)
    response, _ = get(client)
    assert "X-Tandem-Page-Cache" not in response
    assert participant.get_full_name() in response.content.decode()


def test_restricted_pages_are_not_cached(client, home):
    PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)
    response, _ = get(client)
    assert response.status_code == 302
    assert "X-Tandem-Page-Cache" not in response


def test_caching_can_be_turned_off(client, home, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client)
    assert "X-Tandem-Page-Cache" not in get(client)[0]


def test_restricting_a_cached_page_stops_serving_it(
    client, home, django_capture_on_commit_callbacks
):
    get(client)
    assert get(client)[0]["X-Tandem-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)
    response, _ = get(client)
    assert response.status_code == 302
