"""The cohort admin (/admin/cohorts/, /admin/programmes/): who sees which cohorts, creating
and editing through the services (the form shows their refusals), the host trust and
facilitator choices, and programme records (superusers change them, administrators look)."""

import pytest
from django.urls import reverse

from people.access import AccessRole
from programmes.models import Cohort, EnrolmentStatus, Programme
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    TrustFactory,
    UserFactory,
    give_totp,
)
from tests.security.matrix import FormReader

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


def form_data(client, url) -> dict:
    """The page's form as a browser would post it unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    return {key: values if len(values) > 1 else values[0] for key, values in reader.data.items()}


def sign_in(client, person):
    give_totp(person)
    client.force_login(person)
    return client


# --- the listing --------------------------------------------------------------------------------


def test_the_listing_shows_only_the_cohorts_ones_trust_hosts(admin_client, trust_a, trust_b):
    ours = CohortFactory(host_trust=trust_a, name="Northshire spring")
    CohortFactory(host_trust=trust_b, name="Southvale spring")
    response = admin_client.get(reverse("cohorts:index"))
    assert response.status_code == 200
    assert ours.name in response.content.decode()
    assert "Southvale spring" not in response.content.decode()


def test_a_cohort_one_is_enrolled_in_elsewhere_is_not_in_ones_admin(
    admin_client, administrator, trust_b
):
    """Seeing a cohort as a participant is not running it."""
    elsewhere = CohortFactory(host_trust=trust_b, name="Southvale spring")
    EnrolmentFactory(person=administrator, cohort=elsewhere)
    assert "Southvale spring" not in admin_client.get(reverse("cohorts:index")).content.decode()
    assert admin_client.get(reverse("cohorts:edit", args=[elsewhere.pk])).status_code == 404


def test_the_listing_filters_by_programme_status_and_host_trust(admin_client, trust_a):
    leading = ProgrammeFactory(title="Leading together")
    CohortFactory(host_trust=trust_a, programme=leading, name="Alpha", status="draft")
    CohortFactory(host_trust=trust_a, name="Beta", status="published")
    page = admin_client.get(reverse("cohorts:index"), {"status": "draft"}).content.decode()
    assert "Alpha" in page and "Beta" not in page
    page = admin_client.get(reverse("cohorts:index"), {"programme": leading.pk}).content.decode()
    assert "Alpha" in page and "Beta" not in page


def test_the_host_trust_filter_offers_only_administered_trusts(admin_client, trust_a, trust_b):
    page = admin_client.get(reverse("cohorts:index")).content.decode()
    assert trust_a.name in page
    assert trust_b.name not in page


def test_the_listing_shows_places_and_the_waiting_list(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    EnrolmentFactory.create_batch(2, cohort=cohort)
    EnrolmentFactory(cohort=cohort, status=S.WAITLISTED)
    page = admin_client.get(reverse("cohorts:index")).content.decode()
    assert "2 of 2" in page
    assert reverse("cohorts:enrolments", args=[cohort.pk]) in page


def test_the_listing_query_count_does_not_grow(
    admin_client, trust_a, django_assert_max_num_queries
):
    for _ in range(15):
        cohort = CohortFactory(host_trust=trust_a)
        EnrolmentFactory.create_batch(2, cohort=cohort)
    admin_client.get(reverse("cohorts:index"))  # warm Wagtail's per-process caches
    # The session and its user (2); the user's access grants (1); the two-factor check (1);
    # the user's own and group permissions (2); Wagtail's user profile (1); the locales, page
    # and collection permissions for the menu (3); the filters' programme and host trust
    # choices (2); the count (1); the page of cohorts with their programme, host trust and
    # seated and waiting counts in one query (1). Fourteen, whatever the number of cohorts.
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("cohorts:index"))
    assert response.status_code == 200


# --- creating and editing ---------------------------------------------------------------------


def test_an_administrator_creates_a_cohort_through_the_form(admin_client, trust_a):
    programme = ProgrammeFactory()
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    data = form_data(admin_client, reverse("cohorts:add"))
    data.update(
        programme=programme.pk,
        name="Northshire, autumn",
        host_trust=trust_a.pk,
        starts_on="2027-03-01",
        ends_on="2027-09-01",
        enrolment_opens_at="2027-01-01 09:00",
        enrolment_closes_at="2027-02-01 17:00",
        capacity="20",
        reserved_for_clinicians="8",
        reserved_for_managers="8",
        status="published",
        facilitators=[str(facilitator.pk)],
    )
    response = admin_client.post(reverse("cohorts:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cohort = Cohort.objects.get(name="Northshire, autumn")
    assert cohort.host_trust == trust_a
    assert list(cohort.facilitators.all()) == [facilitator]


def test_the_form_offers_only_administered_trusts_and_visible_facilitators(
    admin_client, trust_a, trust_b
):
    ours = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR], last_name="Ours")
    theirs = ClinicianFactory(trust=trust_b, roles=[AccessRole.FACILITATOR], last_name="Theirs")
    not_facilitator = ClinicianFactory(trust=trust_a, last_name="Plainperson")
    page = admin_client.get(reverse("cohorts:add")).content.decode()
    assert f'value="{trust_a.pk}"' in page and trust_b.name not in page
    assert ours.last_name in page
    assert theirs.last_name not in page and not_facilitator.last_name not in page


def test_posting_another_trust_as_host_is_refused_on_the_form(admin_client, cohort, trust_b):
    data = form_data(admin_client, reverse("cohorts:edit", args=[cohort.pk]))
    data["host_trust"] = trust_b.pk
    response = admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.host_trust != trust_b


def test_raising_the_capacity_in_the_admin_promotes_from_the_waiting_list(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    EnrolmentFactory(cohort=cohort)
    waiting = EnrolmentFactory(cohort=cohort, status=S.WAITLISTED)
    data = form_data(admin_client, reverse("cohorts:edit", args=[cohort.pk]))
    data["capacity"] = "2"
    response = admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data, follow=True)
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == S.ENROLLED
    assert "1 person was promoted from the waiting list" in response.content.decode()


def test_a_capacity_below_the_seated_is_shown_on_the_form(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=3)
    EnrolmentFactory.create_batch(3, cohort=cohort)
    data = form_data(admin_client, reverse("cohorts:edit", args=[cohort.pk]))
    data.update(capacity="2", name="Renamed")
    response = admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data)
    assert response.status_code == 200
    assert "3 people already hold a place in this cohort" in response.content.decode()
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.name) != (2, "Renamed")


def test_a_constraint_is_shown_on_the_form(admin_client, cohort):
    data = form_data(admin_client, reverse("cohorts:edit", args=[cohort.pk]))
    data.update(capacity="4", reserved_for_clinicians="3", reserved_for_managers="3")
    response = admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data)
    assert response.status_code == 200
    assert "The reserved seats add up to more than the capacity." in response.content.decode()


def test_cancelling_a_cohort_in_the_admin(admin_client, cohort):
    data = form_data(admin_client, reverse("cohorts:edit", args=[cohort.pk]))
    data["status"] = "cancelled"
    assert admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data).status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "cancelled"


def test_nobody_deletes_a_cohort(admin_client, cohort, client, superuser):
    assert admin_client.post(reverse("cohorts:delete", args=[cohort.pk])).status_code in (302, 403)
    sign_in(client, superuser)
    client.post(reverse("cohorts:delete", args=[cohort.pk]))
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_inspect_shows_the_places_and_facilitators(admin_client, cohort, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR], last_name="Fac")
    cohort.facilitator_links.create(person=facilitator)
    EnrolmentFactory(cohort=cohort)
    page = admin_client.get(reverse("cohorts:inspect", args=[cohort.pk])).content.decode()
    assert "1 of 20 taken" in page
    assert "Fac" in page


# --- isolation ------------------------------------------------------------------------------------


def cohort_urls(cohort, enrolment):
    return [
        reverse("cohorts:edit", args=[cohort.pk]),
        reverse("cohorts:inspect", args=[cohort.pk]),
        reverse("cohorts:history", args=[cohort.pk]),
        reverse("cohorts:history_results", args=[cohort.pk]),
        reverse("cohorts:usage", args=[cohort.pk]),
        reverse("cohorts:enrolments", args=[cohort.pk]),
        reverse("cohorts:enrolments", args=[cohort.pk]) + "?export=csv",
        reverse("cohorts:enrolments", args=[cohort.pk]) + "?export=xlsx",
        reverse("cohorts:enrolment_history", args=[enrolment.pk]),
        reverse("cohorts:enrolment_approve", args=[enrolment.pk]),
        reverse("cohorts:enrolment_promote", args=[enrolment.pk]),
        reverse("cohorts:enrolment_withdraw", args=[enrolment.pk]),
    ]


def test_another_trusts_administrator_gets_404_everywhere(client, cohort, admin_b, trust_a):
    """Every cohort URL, action and export of a cohort trust B does not host, GET and POST:
    404, and nothing changes."""
    pending = EnrolmentFactory(cohort=cohort, status=S.PENDING_APPROVAL)
    sign_in(client, admin_b)
    for url in cohort_urls(cohort, pending):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"reason": "probe", "name": "Taken", "capacity": "1"}).status_code
            == 404
        ), url
    pending.refresh_from_db()
    cohort.refresh_from_db()
    assert pending.status == S.PENDING_APPROVAL and cohort.name == "Northshire, spring"


def test_a_refusal_is_audited(client, cohort, admin_b):
    from audit.models import AuditEvent

    sign_in(client, admin_b)
    client.get(reverse("cohorts:enrolments", args=[cohort.pk]))
    assert AuditEvent.objects.filter(action="refused", actor=admin_b).exists()


def test_a_reporting_lead_has_no_cohort_admin(client, cohort, trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    sign_in(client, lead)
    index = client.get(reverse("cohorts:index"))
    assert index.status_code == 302 and index["Location"] == "/admin/"
    assert client.get(reverse("cohorts:enrolments", args=[cohort.pk])).status_code == 404
    assert "Cohorts" not in client.get("/admin/").content.decode()


def test_a_facilitator_has_no_admin_at_all(client, cohort, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    cohort.facilitator_links.create(person=facilitator)
    client.force_login(facilitator)
    assert client.get(reverse("cohorts:index")).status_code == 403
    assert client.get(reverse("cohorts:enrolments", args=[cohort.pk])).status_code == 403


def test_an_administrator_of_two_trusts_runs_both(client, trust_a):
    other = TrustFactory()
    person = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    from people.services import access_grant_create

    access_grant_create(
        person=person, role=AccessRole.PROGRAMME_ADMINISTRATOR, trust=other, by=None
    )
    cohort = CohortFactory(host_trust=other)
    sign_in(client, person)
    assert client.get(reverse("cohorts:edit", args=[cohort.pk])).status_code == 200


# --- programmes -------------------------------------------------------------------------------


def test_administrators_look_at_programmes_but_do_not_change_them(admin_client):
    programme = ProgrammeFactory(title="Leading together")
    assert "Leading together" in admin_client.get("/admin/programmes/").content.decode()
    inspect = admin_client.get(f"/admin/programmes/inspect/{programme.pk}/")
    assert inspect.status_code == 200
    assert admin_client.get("/admin/programmes/new/").status_code == 302
    response = admin_client.post(
        f"/admin/programmes/edit/{programme.pk}/", {"title": "Changed", "slug": "changed"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    programme.refresh_from_db()
    assert programme.title == "Leading together"


def test_a_superuser_creates_a_programme(client, superuser):
    sign_in(client, superuser)
    data = form_data(client, "/admin/programmes/new/")
    data.update(title="Leading together", slug="leading-together", cpd_hours="18")
    response = client.post("/admin/programmes/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Programme.objects.get().cpd_hours == 18


def test_the_menu_shows_programmes_and_cohorts_to_administrators(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "/admin/cohorts/" in page and "/admin/programmes/" in page
