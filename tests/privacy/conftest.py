import pytest

from privacy import registry


@pytest.fixture
def extra_source():
    """Register a temporary personal data source for one test: extra_source(exporter)."""
    names = []

    def register(exporter, *, name="test_extra", eraser=None):
        names.append(name)
        return registry.register_source(name, label="Test data", exporter=exporter, eraser=eraser)

    yield register
    for name in names:
        registry.unregister_source(name)


@pytest.fixture(scope="session")
def restore_migration_data(django_db_setup, django_db_blocker):
    """For live-server tests. Their teardown empties every table, taking what migrations
    created (the role groups, Wagtail's site and home page). Later tests in the same run put
    it back for themselves (serialized rollback), but with --reuse-db on PostgreSQL the *next*
    run would start without it and fail. So at the end of the session, once the last flush
    is done, restore it (session scope: torn down after every test's teardown).
    """
    from django.contrib.auth.models import Group
    from django.db import connection

    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    with django_db_blocker.unblock():
        if contents and not Group.objects.exists():
            connection.creation.deserialize_db_from_string(contents)
