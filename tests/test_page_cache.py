"""Anonymous visitors get cached pages; publishing makes them stale at once; a programme's
cohort listing makes only its own page stale, and no page outlives its next window change."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, PageViewRestriction

from cms import page_cache
from core.cache_versions import CacheVersion
from programmes import cache as cohort_cache
from tests.factories import ProgrammePageFactory

ROOT = Path(__file__).resolve().parent.parent

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
    assert escape(participant.get_full_name()) in response.content.decode()


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


# --- The live part: each programme's cohort listing ------------------------------------------


@pytest.fixture
def programmes():
    return ProgrammePageFactory(title="Programme A"), ProgrammePageFactory(title="Programme B")


def cached(client, page):
    """Visit twice; the second must come from the cache (the test's precondition)."""
    get(client, page.url)
    response, _ = get(client, page.url)
    assert response["X-Tandem-Page-Cache"] == "hit"


def test_a_cohort_change_makes_only_its_own_programme_stale(
    client, programmes, django_capture_on_commit_callbacks
):
    a, b = programmes
    cached(client, a)
    cached(client, b)
    cached(client, a.get_parent())  # the programme index lists no cohorts

    with django_capture_on_commit_callbacks(execute=True):
        cohort_cache.cohort_listing_changed(a.pk)

    assert get(client, a.url)[0]["X-Tandem-Page-Cache"] == "miss"
    assert get(client, a.url)[0]["X-Tandem-Page-Cache"] == "hit"  # stored again, fresh
    assert get(client, b.url)[0]["X-Tandem-Page-Cache"] == "hit"
    assert get(client, a.get_parent().url)[0]["X-Tandem-Page-Cache"] == "hit"


def test_the_bump_waits_for_the_enrolment_to_commit(client, programmes):
    # Rolled back (or not yet committed): nothing is made stale, nothing stale is stored.
    a, _ = programmes
    cached(client, a)
    cohort_cache.cohort_listing_changed(a.pk)  # the test's transaction never commits
    assert get(client, a.url)[0]["X-Tandem-Page-Cache"] == "hit"


def test_a_cached_programme_page_expires_when_a_window_opens_or_closes(
    client, programmes, monkeypatch
):
    a, b = programmes
    changes_at = timezone.now() + datetime.timedelta(seconds=2)
    monkeypatch.setattr(
        cohort_cache,
        "cohort_listing_changes_at",
        lambda programme_page_id: changes_at if programme_page_id == a.pk else None,
    )
    timeouts = {}
    set_ = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith("tandem:page:"):
            timeouts[value["content"].decode().count("Programme A") > 0] = timeout
        return set_(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)

    cached(client, a)
    cached(client, b)
    # The backend itself is told to drop A no later than the change; B keeps the full time.
    assert 0 < timeouts[True] <= 2
    assert timeouts[False] == page_cache.settings.PAGE_CACHE_SECONDS

    time.sleep(max(0, (changes_at - timezone.now()).total_seconds()) + 0.05)

    # Past the change A is rendered afresh (and, the change time now past, not stored).
    assert get(client, a.url)[0].get("X-Tandem-Page-Cache") != "hit"
    assert get(client, b.url)[0]["X-Tandem-Page-Cache"] == "hit"


def test_a_page_that_changes_within_a_second_is_not_stored(client, programmes, monkeypatch):
    a, _ = programmes
    soon = timezone.now() + datetime.timedelta(milliseconds=500)
    monkeypatch.setattr(cohort_cache, "cohort_listing_changes_at", lambda programme_page_id: soon)
    get(client, a.url)
    response, _ = get(client, a.url)
    assert response.status_code == 200
    assert "X-Tandem-Page-Cache" not in response  # rendered afresh, and not kept


def test_a_dropped_version_counts_as_changed(client, programmes):
    # A full cache may drop (cull, evict) a version key while pages built on it remain.
    a, _ = programmes
    cached(client, a)
    cache.delete(cohort_cache.cohort_listing_version(a.pk).key)
    assert get(client, a.url)[0]["X-Tandem-Page-Cache"] == "miss"


def test_a_dropped_site_version_never_revives_pages_made_stale(
    client, home, django_capture_on_commit_callbacks
):
    """Entries stored under an old version outlive a bump; if the version itself is then
    dropped, restarting it must not land on a value those old entries were stored under."""
    cached(client, home)
    stale_version = page_cache._version()
    home.title = "Tandem, renewed"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    cache.delete(page_cache.CONTENT_VERSION.key)

    response, _ = get(client)
    assert response["X-Tandem-Page-Cache"] == "miss"
    assert "Tandem, renewed" in response.content.decode()
    assert page_cache._version() > stale_version


def test_a_restarted_version_is_larger_than_any_before_it(django_capture_on_commit_callbacks):
    version = CacheVersion("tandem:test:version")
    first = version.current()
    with django_capture_on_commit_callbacks(execute=True):
        version.bump()
        version.bump()
    assert version.current() == first + 2
    cache.delete(version.key)
    assert version.current() > first + 2


# --- One cache for every process ---------------------------------------------------------------


def test_make_run_shares_one_cache_between_its_processes_by_default():
    """Locally (no CACHE_URL) the web server and the worker use the same files."""
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "default = settings.CACHES['default'];"
        "print(default['BACKEND']); print(default['LOCATION'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "CACHE_URL"},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    backend, location = result.stdout.split()
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert Path(location) == ROOT / "var" / "cache"


def test_an_invalidation_in_another_process_reaches_this_one(client, home, settings, tmp_path):
    """What the worker does (a scheduled publish bumps the version) the web server sees."""
    shared = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
    settings.CACHES = {"default": {**shared, "LOCATION": str(tmp_path / "cache")}}
    cached(client, home)

    worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from cms import page_cache; page_cache.invalidate()",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr

    assert get(client)[0]["X-Tandem-Page-Cache"] == "miss"
