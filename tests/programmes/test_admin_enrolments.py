"""A cohort's enrolments in the admin (/admin/cohorts/<id>/enrolments/): the list, its
filters, places and waiting-list positions, the actions through the services with their
refusals shown, each enrolment's history, and the CSV/XLSX export (formula-safe)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from programmes import services
from programmes.models import EnrolmentStatus
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


def enrolments_url(cohort, **query):
    url = reverse("cohorts:enrolments", args=[cohort.pk])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def enrol(person, cohort):
    # A cohort with sponsor approval needs a sponsor named (programmes.services).
    sponsor = (
        {"sponsor_name": "Dr Ada Reid", "sponsor_email": "ada.reid@northshire.nhs.uk"}
        if cohort.requires_sponsor_approval
        else {}
    )
    return services.enrolment_create(person=person, cohort=cohort, by=person, **sponsor)


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_places_left_per_group_and_waiting_positions(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=3, reserved_for_managers=1)
    first, second, third, fourth = (
        ClinicianFactory(trust=trust_a, last_name=name)
        for name in ("Ash", "Birch", "Cedar", "Dale")
    )
    for person in (first, second, third, fourth):
        enrol(person, cohort)
    page = admin_client.get(enrolments_url(cohort)).content.decode()
    # Two clinicians seated, the last place held for managers, two clinicians waiting.
    assert "<td>2 (2 clinicians, 0 managers)</td>" in page
    assert "<td>1</td>" in page  # places left
    waiting = services.cohort_seats(cohort)
    assert waiting.left_for_clinicians == 0 and waiting.left_for_managers == 1
    third_row = page.split(f'id="enrolment-{third.enrolments.get().pk}"')[1].split("</tr>")[0]
    fourth_row = page.split(f'id="enrolment-{fourth.enrolments.get().pk}"')[1].split("</tr>")[0]
    assert "<td>1</td>" in third_row and "<td>2</td>" in fourth_row


def test_the_list_filters_by_status_group_and_trust(admin_client, trust_a, trust_b):
    cohort = CohortFactory(host_trust=trust_a)
    EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust_a, last_name="Zedmedic"))
    EnrolmentFactory(cohort=cohort, person=UserFactory(trust=trust_a, last_name="Zedmanager"))
    EnrolmentFactory(
        cohort=cohort,
        person=ClinicianFactory(trust=trust_b, last_name="Visitor"),
        status=S.WAITLISTED,
    )
    page = admin_client.get(enrolments_url(cohort, status=S.WAITLISTED)).content.decode()
    assert "Visitor" in page and "Zedmedic" not in page and "Zedmanager" not in page
    page = admin_client.get(
        enrolments_url(cohort, professional_group="management")
    ).content.decode()
    assert "Zedmanager" in page and "Zedmedic" not in page
    page = admin_client.get(enrolments_url(cohort, trust=trust_b.pk)).content.decode()
    assert "Visitor" in page and "Zedmedic" not in page


def test_a_bad_filter_value_is_an_error_on_the_form_not_a_500(admin_client, cohort):
    EnrolmentFactory(cohort=cohort)
    response = admin_client.get(enrolments_url(cohort, status="nonsense", trust="x"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_list_query_count_does_not_grow(admin_client, trust_a, django_assert_max_num_queries):
    cohort = CohortFactory(host_trust=trust_a, capacity=10)

    def add(n):
        for i in range(n):
            EnrolmentFactory(cohort=cohort, status=S.WAITLISTED if i % 2 else S.ENROLLED)

    add(4)
    admin_client.get(enrolments_url(cohort))  # warm Wagtail's per-process caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(enrolments_url(cohort))
    add(36)
    # The session and its user (2); the user's access grants (1); the two-factor check (1);
    # the user's own and group permissions (2); Wagtail's user profile (1); the locales, page
    # and collection permissions for the menu (3); the cohort, scoped, with its programme
    # and host trust (1); the waiting list's order (1); the seats taken per group (1); the
    # trust filter's choices (1); the count and the page of enrolments with their person and
    # trust (2). Sixteen, whatever the number of enrolments.
    with django_assert_max_num_queries(16):
        response = admin_client.get(enrolments_url(cohort))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as many:
        admin_client.get(enrolments_url(cohort))
    assert len(many) == len(few)


def test_the_history_page_shows_each_change(admin_client, cohort, administrator):
    person = ClinicianFactory(trust=cohort.host_trust)
    enrolment = enrol(person, cohort)
    services.enrolment_withdraw(enrolment=enrolment, by=administrator, reason="Moved to Leeds")
    page = admin_client.get(reverse("cohorts:enrolment_history", args=[enrolment.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Applied" in text and "Withdrawn" in text
    assert escape(str(administrator)) in text and "Moved to Leeds" in text
    assert "<td>Enrolled</td>" in text  # from


def test_the_history_query_count_does_not_grow(
    admin_client, cohort, administrator, django_assert_max_num_queries
):
    enrolment = enrol(ClinicianFactory(trust=cohort.host_trust), cohort)
    for _ in range(5):
        services.enrolment_withdraw(enrolment=enrolment, by=administrator, reason="Probe")
        enrolment = enrol(enrolment.person, cohort)
    url = reverse("cohorts:enrolment_history", args=[enrolment.pk])
    admin_client.get(url)  # warm Wagtail's per-process caches and the session's timestamp
    # The middleware and menu's ten, as on the list; the enrolment, scoped, with its person,
    # trust, cohort, programme and host trust (1); its events with who made them (1).
    with django_assert_max_num_queries(12):
        assert (
            admin_client.get(reverse("cohorts:enrolment_history", args=[enrolment.pk])).status_code
            == 200
        )


# --- actions ------------------------------------------------------------------------------


def test_approving_a_pending_enrolment(admin_client, administrator, trust_a):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    enrolment = enrol(ClinicianFactory(trust=trust_a), cohort)
    assert enrolment.status == S.PENDING_APPROVAL
    response = admin_client.post(
        reverse("cohorts:enrolment_approve", args=[enrolment.pk]), follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.status == S.ENROLLED
    assert "was approved and has a place" in response.content.decode()
    assert enrolment.events.latest("pk").by == administrator


def test_approving_twice_shows_the_refusal(admin_client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, status=S.ENROLLED)
    response = admin_client.post(
        reverse("cohorts:enrolment_approve", args=[enrolment.pk]), follow=True
    )
    assert response.status_code == 200
    assert "An enrolment that is enrolled cannot be approved by sponsor" in (
        response.content.decode()
    )


def test_promoting_from_the_waiting_list(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    seated = enrol(ClinicianFactory(trust=trust_a), cohort)
    waiting = enrol(ClinicianFactory(trust=trust_a), cohort)
    url = reverse("cohorts:enrolment_promote", args=[waiting.pk])
    # Full: the refusal is on the page.
    response = admin_client.post(url, follow=True)
    assert "The cohort is full: no place is free." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED
    services.cohort_update(cohort=cohort, by=None, capacity=1)  # no change, nobody promoted
    cohort.capacity = 2
    cohort.save()  # a place the queue has not been offered (as if released by hand)
    response = admin_client.post(url, {"next": enrolments_url(cohort, status="enrolled")})
    assert response["Location"] == enrolments_url(cohort, status="enrolled")
    waiting.refresh_from_db()
    assert waiting.status == S.ENROLLED and seated.status == S.ENROLLED


def test_a_get_to_an_action_changes_nothing(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    enrolment = enrol(ClinicianFactory(trust=trust_a), cohort)
    response = admin_client.get(reverse("cohorts:enrolment_approve", args=[enrolment.pk]))
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == S.PENDING_APPROVAL


def test_withdrawing_needs_a_reason_and_gives_the_place_to_the_queue(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    seated = enrol(ClinicianFactory(trust=trust_a), cohort)
    waiting = enrol(ClinicianFactory(trust=trust_a, last_name="Nextinline"), cohort)
    url = reverse("cohorts:enrolment_withdraw", args=[seated.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason for withdrawing this person." in response.content.decode()
    seated.refresh_from_db()
    assert seated.status == S.ENROLLED

    response = admin_client.post(url, {"reason": "Left the trust"}, follow=True)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == S.WITHDRAWN and waiting.status == S.ENROLLED
    assert seated.events.latest("pk").reason == "Left the trust"
    text = response.content.decode()
    assert "was withdrawn" in text and "Nextinline" in text


def test_withdrawing_an_enrolment_already_withdrawn_shows_the_refusal(admin_client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, status=S.WITHDRAWN)
    url = reverse("cohorts:enrolment_withdraw", args=[enrolment.pk])
    assert "cannot be withdrawn" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"reason": "Again"})
    assert response.status_code == 400
    assert "An enrolment that is withdrawn cannot be withdrawn" in response.content.decode()


# --- export -------------------------------------------------------------------------------


HEADINGS = [
    "Name",
    "Email",
    "Trust",
    "Professional group",
    "Status",
    "Waiting list position",
    "Applied at",
    "Status changed at",
    "Goals",
]


def _body(response) -> bytes:
    # The test client closes the response itself once its content is read (emulating the
    # WSGI server, with the connection-closing receiver of request_finished disconnected).
    # Closing it here again would fire that receiver, which on PostgreSQL closes the test's
    # own connection mid-transaction.
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_csv_export_has_the_columns_and_respects_the_filters(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    enrol(ClinicianFactory(trust=trust_a, first_name="Sam", last_name="Seated"), cohort)
    enrol(ClinicianFactory(trust=trust_a, first_name="Wren", last_name="Waiting"), cohort)
    response = admin_client.get(enrolments_url(cohort, status=S.WAITLISTED, export="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    assert rows[0] == HEADINGS
    assert len(rows) == 2
    row = dict(zip(HEADINGS, rows[1], strict=True))
    assert row["Name"] == "Wren Waiting"
    assert row["Trust"] == trust_a.name
    assert row["Status"] == "On the waiting list"
    assert row["Waiting list position"] == "1"
    assert row["Professional group"] == "Medical"
    assert AuditEvent.objects.filter(action="exported", detail__export="cohort enrolments").exists()


def test_the_export_is_safe_against_formula_injection(admin_client, trust_a):
    cohort = CohortFactory(host_trust=trust_a)
    EnrolmentFactory(
        cohort=cohort,
        person=ClinicianFactory(
            trust=trust_a, first_name='=HYPERLINK("http://evil")', last_name="X"
        ),
        goals="@SUM(1+1)",
    )
    rows = list(
        csv.reader(
            io.StringIO(_body(admin_client.get(enrolments_url(cohort, export="csv"))).decode())
        )
    )
    row = dict(zip(HEADINGS, rows[1], strict=True))
    assert row["Name"].startswith("'=HYPERLINK")
    assert row["Goals"] == "'@SUM(1+1)"

    response = admin_client.get(enrolments_url(cohort, export="xlsx"))
    sheet = load_workbook(io.BytesIO(_body(response))).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[0].startswith("'=HYPERLINK")
    assert values[8] == "'@SUM(1+1)"
    assert [cell.value for cell in sheet[1]] == HEADINGS


def test_the_xlsx_export_keeps_dates_as_dates(admin_client, cohort):
    EnrolmentFactory(cohort=cohort)
    sheet = load_workbook(
        io.BytesIO(_body(admin_client.get(enrolments_url(cohort, export="xlsx"))))
    ).active
    applied = sheet.cell(row=2, column=7).value
    assert hasattr(applied, "year")


def test_the_export_query_count_does_not_grow(admin_client, cohort, django_assert_max_num_queries):
    for i in range(30):
        EnrolmentFactory(cohort=cohort, status=S.WAITLISTED if i % 3 else S.ENROLLED)
    admin_client.get(enrolments_url(cohort, export="csv"))
    # The session and its user (2), the access grants (1), the two-factor check (1), the
    # permissions (2) and Wagtail's user profile (1); the cohort (1); the waiting list's
    # order (1); the row count for the audit event and its insert (2); the rows with their
    # person and trust (1). Twelve, however many rows.
    with django_assert_max_num_queries(12):
        _body(admin_client.get(enrolments_url(cohort, export="csv")))
