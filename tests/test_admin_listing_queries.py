"""Issue 8 §7: the People and Role history admin listings issue a bounded number of queries,
the same for 3 rows as for 40 (no query per row), and order without joining people."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClinicianFactory, RoleAppointmentFactory, give_totp

pytestmark = pytest.mark.django_db


def queries_for(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("path", ["/admin/people/", "/admin/roleappointment/"])
def test_listing_queries_do_not_grow_with_rows(admin_client, trust_a, path):
    def add(n):
        for _ in range(n):
            RoleAppointmentFactory(person=ClinicianFactory(trust=trust_a))

    add(3)
    admin_client.get(path)  # warm Wagtail's per-process caches (content types, site)
    few = queries_for(admin_client, path)
    add(37)
    many = queries_for(admin_client, path)
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("path", ["/admin/people/", "/admin/roleappointment/"])
def test_listing_query_budget(admin_client, trust_a, path, django_assert_max_num_queries):
    for _ in range(25):
        RoleAppointmentFactory(person=ClinicianFactory(trust=trust_a))
    admin_client.get(path)
    # The session and its user (2); the user's access grants (1); the two-factor check (1);
    # the user's own and group permissions (2); Wagtail's user profile (1); the listing's count
    # (1); the locales, page and collection permissions for the menu (3); the trust filter's
    # choices (1, people only); and the page of rows with their trust and person in one join
    # (1). Thirteen, whatever the number of rows.
    with django_assert_max_num_queries(13):
        admin_client.get(path)


def test_role_history_is_not_ordered_through_people(trust_a):
    from people.models import RoleAppointment

    sql = str(RoleAppointment.objects.all().query)
    assert "people_user" not in sql
