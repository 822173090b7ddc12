"""My roles (/learn/roles/): a person sees, adds and ends their own roles only."""

import datetime

import pytest

from people.models import RoleAppointment, RoleCategory, RoleSource
from tests.factories import ClinicianFactory, RoleAppointmentFactory

pytestmark = pytest.mark.django_db

URL = "/learn/roles/"


@pytest.fixture
def signed_in(client, participant):
    client.force_login(participant)
    return client


def add(client, **extra):
    data = {
        "title": "Clinical director for surgery",
        "category": RoleCategory.CLINICAL_LEADERSHIP,
        "starts_on": "2025-04-01",
        "ends_on": "",
    }
    return client.post(URL, data | extra)


def test_sign_in_is_needed(client):
    assert client.get(URL).status_code == 302
    assert add(client).status_code == 302
    assert not RoleAppointment.objects.exists()


def test_the_page_shows_only_ones_own_roles(signed_in, participant, django_assert_max_num_queries):
    RoleAppointmentFactory(person=participant, title="Ward sister", ends_on="2025-08-31",
                           starts_on=datetime.date(2020, 1, 6))  # fmt: skip
    RoleAppointmentFactory(person=participant, title="Matron")
    colleague = ClinicianFactory(trust=participant.trust)
    RoleAppointmentFactory(person=colleague, title="Colleague's secret role")
    # The session and its user (2), the user's access grants (1) and permissions (2), the
    # person's roles with their trust (1), and the base template's site and navigation pages
    # (4): ten, none per role.
    with django_assert_max_num_queries(10):
        response = signed_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Matron" in html and "Ward sister" in html
    assert "Colleague" not in html
    assert "private" in response["Cache-Control"]


def test_the_query_count_does_not_grow_with_roles(signed_in, participant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RoleAppointmentFactory(person=participant, title="Role 0")
    signed_in.get(URL)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(URL)
    for n in range(1, 15):
        RoleAppointmentFactory(person=participant, title=f"Role {n}")
    with CaptureQueriesContext(connection) as many:
        signed_in.get(URL)
    assert len(many) == len(few)


def test_adding_a_role(signed_in, participant):
    response = add(signed_in)
    assert response.status_code == 302
    role = RoleAppointment.objects.get()
    assert (role.person, role.source, role.recorded_by) == (
        participant,
        RoleSource.SELF_REPORT,
        participant,
    )
    assert "Added your role" in signed_in.get(URL).content.decode()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"ends_on": "2025-03-01"}, "The end date must be on or after the start date."),
        ({"category": "wizard"}, "Choose one of the kinds of role listed."),
        ({"starts_on": "2025-02-30"}, "Enter a real date"),
        ({"starts_on": "2099-01-01", "ends_on": "2099-06-01"}, "has not started yet"),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_saved(signed_in, extra, words):
    response = add(signed_in, **extra)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not RoleAppointment.objects.exists()


def test_a_duplicate_is_refused_on_the_form(signed_in, participant):
    RoleAppointmentFactory(person=participant, title="Clinical director for surgery",
                           starts_on=datetime.date(2025, 4, 1))  # fmt: skip
    response = add(signed_in)
    assert response.status_code == 400
    assert "already has this role starting on that date" in response.content.decode()
    assert RoleAppointment.objects.count() == 1


def test_ending_ones_own_role(signed_in, participant):
    role = RoleAppointmentFactory(person=participant)
    response = signed_in.post(f"{URL}{role.pk}/end/", {f"end-{role.pk}-ends_on": "2026-01-31"})
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.ends_on == datetime.date(2026, 1, 31)


def test_ending_with_a_bad_date_says_why(signed_in, participant):
    role = RoleAppointmentFactory(person=participant, starts_on=datetime.date(2025, 9, 1))
    response = signed_in.post(f"{URL}{role.pk}/end/", {f"end-{role.pk}-ends_on": "2025-08-01"})
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    response = signed_in.post(f"{URL}{role.pk}/end/", {f"end-{role.pk}-ends_on": "soon"})
    assert response.status_code == 400
    role.refresh_from_db()
    assert role.ends_on is None


def test_another_persons_role_is_a_404_and_unchanged(signed_in, participant, trust_b):
    colleague_role = RoleAppointmentFactory(person=ClinicianFactory(trust=participant.trust))
    other_trust_role = RoleAppointmentFactory(person=ClinicianFactory(trust=trust_b))
    for role in (colleague_role, other_trust_role):
        response = signed_in.post(f"{URL}{role.pk}/end/", {f"end-{role.pk}-ends_on": "2026-01-31"})
        assert response.status_code == 404
        role.refresh_from_db()
        assert role.ends_on is None
    assert signed_in.post(f"{URL}999999/end/", {}).status_code == 404
    assert signed_in.get(f"{URL}{colleague_role.pk}/end/").status_code == 405


def test_an_administrator_sees_only_their_own_roles_here(client, administrator, participant):
    RoleAppointmentFactory(person=participant, title="Participant's role")
    client.force_login(administrator)
    html = client.get(URL).content.decode()
    assert "Participant's role" not in html
    role = RoleAppointment.objects.get()
    response = client.post(f"{URL}{role.pk}/end/", {f"end-{role.pk}-ends_on": "2026-01-31"})
    assert response.status_code == 404


def test_my_learning_links_to_my_roles(signed_in):
    assert 'href="/learn/roles/"' in signed_in.get("/learn/").content.decode()
