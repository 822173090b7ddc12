"""Shared fixtures: named personas, and the markers that decide where a test runs.

Personas (PRODUCT.md §2): a participant and a programme administrator of trust A, and a
reporting lead of trust B who must be refused trust A's people.
"""

import os

import pytest
from django.db import connection

from people.access import AccessRole
from tests.factories import ClinicianFactory, TrustFactory, UserFactory


def in_ci(environ) -> bool:
    return environ.get("CI") == "true"


def on_postgres(environ) -> bool:
    # postgres://, postgresql:// and pgsql:// all mean PostgreSQL to django-environ.
    return environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))


def skips_postgres_tests(environ) -> bool:
    """Tests marked `postgres` skip on SQLite locally; in CI a skip would hide a gap, so CI
    (which runs against PostgreSQL) must run them, and so must anyone who set DATABASE_URL."""
    return not in_ci(environ) and not on_postgres(environ)


IN_CI = in_ci(os.environ)
ON_POSTGRES = on_postgres(os.environ)


# Tests that use what two test processes would share — the configured broker and its queues
# (a real worker, the health probe, outages made by breaking the broker), the file cache, and
# the benchmarks' own databases and servers — run one after another in one pytest-xdist
# worker (`make test` runs two workers with --dist loadgroup); everything else in parallel.
SHARED_SERVICE_MODULES = {
    "test_celery.py",
    "test_broker_outage.py",
    "test_healthz.py",
    "test_outbox.py",
    "test_claims.py",
    "test_bench.py",
    "test_bench_http.py",
    "test_page_cache.py",
}


def _reused_database_was_flushed(connection_) -> bool:
    """Whether the PostgreSQL test database kept by --reuse-db lacks the migrations' data."""
    import psycopg

    name = connection_.creation._get_test_db_name()
    params = {**connection_.get_connection_params(), "dbname": name}
    try:
        with psycopg.connect(**params, connect_timeout=5) as conn:
            return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM people_region)").fetchone()[0]
    except psycopg.Error:  # no such database or table yet: it is created anyway
        return False


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_modify_db_settings):
    """Re-create the test database when --reuse-db would keep a flushed one. A run that ends
    on a transactional test leaves PostgreSQL's test database flushed: no regions, role
    groups or Wagtail site, and serialized_rollback, which snapshots the database as it
    finds it, would restore nothing, so the next run's tests fail on missing rows. (SQLite's
    test database is in memory and made afresh every run.)"""
    if request.config.getvalue("create_db"):
        return True
    return connection.vendor == "postgresql" and _reused_database_was_flushed(connection)


# Race tests open one PostgreSQL connection per thread (50 at once for enrolment; up to 24 for
# the gunicorn server of test_enrolment_over_http.py): two of them in two xdist workers at the
# same moment went past PostgreSQL's 100 connections ("too many clients already"). They run
# one after another in one worker.
RACE_MODULES = {
    "test_concurrency.py",
    "test_cohort_concurrency.py",
    "test_enrolment_over_http.py",
    "test_reminder_concurrency.py",
    "test_checkin_concurrency.py",
    "test_round_concurrency.py",
    "test_pairing_concurrency.py",
    "test_issue_concurrency.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SHARED_SERVICE_MODULES or "broker" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("shared-services"))
        elif item.path.name in RACE_MODULES:
            item.add_marker(pytest.mark.xdist_group("races"))
    if not skips_postgres_tests(os.environ):
        return
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://… (CI runs it)"))


@pytest.fixture
def require_postgres(db):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL (set DATABASE_URL)"


@pytest.fixture
def trust_a(db):
    return TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")


@pytest.fixture
def trust_b(db):
    return TrustFactory(name="Southvale Community NHS Trust", ods_code="RSV")


@pytest.fixture
def participant(trust_a):
    return ClinicianFactory(
        email="participant@northshire.nhs.uk", trust=trust_a, roles=[AccessRole.PARTICIPANT]
    )


@pytest.fixture
def administrator(trust_a):
    return UserFactory(
        email="admin@northshire.nhs.uk", trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )


@pytest.fixture
def other_trust_lead(trust_b):
    return UserFactory(
        email="lead@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.TRUST_REPORTING_LEAD]
    )


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@tandem.example", trust=None, is_superuser=True, is_staff=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits (allauth) and other counters live in the cache; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_broker_backoff():
    """After a failed publish the outbox leaves new rows to the sweeper for 10 s (a process-wide
    clock). A test that ended with a failed publish must not hand that pause to the next one:
    in CI a real-worker test then waited 20 s for a message nobody had published."""
    from outbox.services import broker_backoff_reset

    broker_backoff_reset()
    yield
    broker_backoff_reset()


@pytest.fixture(autouse=True, scope="session")
def _own_redis_keys_removed_at_the_end():
    """The keys of this run's own on the configured Redis (tests.broker_helpers.own_redis:
    emails and renders nobody consumed, bindings) go with the run."""
    yield
    from tests.broker_helpers import OWN_REDIS_PREFIX, own_redis

    if own_redis() is None:
        return
    import redis

    url, _ = own_redis()
    client = redis.Redis.from_url(url, socket_timeout=3)
    try:
        keys = list(client.scan_iter(match=f"{OWN_REDIS_PREFIX}*", count=500))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # Redis gone at the end of the run: nothing of ours is left on it either
