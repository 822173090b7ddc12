"""The trust dashboard at /reports/: who sees which trust, the filters, what the page shows
(suppressed), its query count whatever the data's size, and its CSV/XLSX downloads."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from coffee.models import CoffeeMatch, CoffeeRound
from pairing.models import Pairing, ShadowingVisit
from people.access import AccessRole
from people.models import RoleCategory
from tests.audit.helpers import sign_in
from tests.factories import (
    AttendanceFactory,
    BoardSnapshotFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    RoleAppointmentFactory,
    SessionFactory,
    TrustFactory,
    UserFactory,
)
from tests.factories_outcomes import SurveyInvitationFactory, rate

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def lead_a(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])


@pytest.fixture
def cohort_b(trust_b):
    return CohortFactory(host_trust=trust_b, name="Southvale cohort")


def dashboard_url(trust) -> str:
    return f"/reports/trusts/{trust.pk}/"


def grow(trust, *, cohorts: int, per_cohort: int = 6, year: int = 2023):
    """A trust's data at a given size: cohorts with completed enrolments, their sessions and
    marks, role appointments, pairs with confirmed visits, a coffee round, a board snapshot."""
    now = timezone.now()
    for index in range(cohorts):
        cohort = CohortFactory(host_trust=trust, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30))
        session = SessionFactory(cohort=cohort, starts_at=now - datetime.timedelta(days=9),
                                 ends_at=now - datetime.timedelta(days=8))  # fmt: skip
        people = []
        for number in range(per_cohort):
            person = (ClinicianFactory if number % 2 == 0 else UserFactory)(trust=trust)
            enrolment = EnrolmentFactory(person=person, cohort=cohort, status="completed",
                                         baseline_relationship=1 + number % 4)  # fmt: skip
            AttendanceFactory(session=session, enrolment=enrolment)
            # The outcome tables' rows: a rating before and after, and both surveys answered.
            rate(enrolment, "before", 1 + number % 4)
            rate(enrolment, "after", 1 + (number + 1) % 4)
            for kind in ("completion", "twelve_months"):
                SurveyInvitationFactory(enrolment=enrolment, kind=kind, relationship=1,
                                        outlook=1, answered_at=now)  # fmt: skip
            RoleAppointmentFactory(person=person, starts_on=D(2024, 1, 1),
                                   category=RoleCategory.CLINICAL_LEADERSHIP)  # fmt: skip
            people.append(person)
        pairing = Pairing.objects.create(cohort=cohort, clinician=people[0], manager=people[1],
                                         status="active", source="matched")  # fmt: skip
        ShadowingVisit.objects.create(
            pairing=pairing, shadower=people[1], logged_by=people[1], visited_on=D(2023, 3, 1),
            hours=3, setting="clinic", status="confirmed", confirmed_by=people[0],
            confirmed_at=now,
        )  # fmt: skip
        round_ = CoffeeRound.objects.create(trust=trust, period_start=D(year, 1 + index, 1),
                                            frequency="monthly", ran_at=now)  # fmt: skip
        CoffeeMatch.objects.create(round=round_, met_at=now)
        BoardSnapshotFactory(trust=trust, recorded_on=D(year, 1 + index, 1))


# --- who sees which trust ---------------------------------------------------------------------


def test_a_reporting_lead_goes_straight_to_their_trust(client, lead_a, trust_a):
    sign_in(client, lead_a)
    response = client.get("/reports/")
    assert response.status_code == 302 and response.url == dashboard_url(trust_a)
    page = client.get(dashboard_url(trust_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert trust_a.name in body
    assert "private" in page["Cache-Control"]
    # The trust's other reports, one link each: its monthly PDFs and the effect estimate.
    assert f'href="/reports/trusts/{trust_a.pk}/monthly/"' in body
    assert f'href="/reports/effect/{trust_a.pk}/"' in body
    # An empty trust: zeros and dashes, no division by zero; the charts are inline SVG under
    # the site's own policy, with nothing loaded from elsewhere.
    assert page.context["dashboard"]["rates"].rows[0].cells[2].text == "—"
    assert "<svg" in body and "Content-Security-Policy" in page
    assert "script-src" in page["Content-Security-Policy"]
    assert "cdn" not in body.lower()


def test_another_trust_is_a_404_by_address_and_by_filter(client, lead_a, trust_b, cohort_b):
    sign_in(client, lead_a)
    assert client.get(dashboard_url(trust_b)).status_code == 404
    assert client.get(f"/reports/trusts/{trust_b.pk}/participants.csv").status_code == 404
    own = dashboard_url(lead_a.trust)
    assert client.get(own, {"cohort": cohort_b.pk}).status_code == 404
    assert client.get(f"{own}participants.xlsx", {"cohort": cohort_b.pk}).status_code == 404
    assert client.get("/reports/trusts/99999999999999999999/").status_code == 404


def test_a_cohort_of_trust_b_with_trust_as_people_is_in_trust_as_report(client, lead_a, cohort_b):
    EnrolmentFactory(person=ClinicianFactory(trust=lead_a.trust), cohort=cohort_b)
    sign_in(client, lead_a)
    assert client.get(dashboard_url(lead_a.trust), {"cohort": cohort_b.pk}).status_code == 200


def test_participants_and_administrators_are_refused_and_visitors_sent_to_sign_in(client, trust_a):
    assert client.get("/reports/").status_code == 302  # to sign in
    assert "/accounts/login/" in client.get(dashboard_url(trust_a)).url
    for roles in ([AccessRole.PARTICIPANT], [AccessRole.PROGRAMME_ADMINISTRATOR]):
        person = UserFactory(trust=trust_a, roles=roles)
        sign_in(client, person)
        assert client.get("/reports/").status_code == 403
        assert client.get(dashboard_url(trust_a)).status_code == 403
        client.logout()


def test_a_regional_lead_picks_a_trust_of_their_region(client, trust_a, trust_b):
    elsewhere = TrustFactory(region=trust_a.region.__class__.objects.get(code="Y56"))
    lead = UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD])
    sign_in(client, lead)
    index = client.get("/reports/").content.decode()
    assert trust_a.name in index and trust_b.name in index and elsewhere.name not in index
    assert client.get(dashboard_url(trust_b)).status_code == 200
    assert client.get(dashboard_url(elsewhere)).status_code == 404


def test_a_national_lead_and_a_superuser_see_any_trust(client, trust_a, trust_b, superuser):
    national = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    for person in (national, superuser):
        sign_in(client, person)
        assert client.get("/reports/").status_code == 200
        assert client.get(dashboard_url(trust_a)).status_code == 200


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"since": "31/02/2025"}, "Enter a real date"),
        ({"since": "2025-06-01", "until": "2025-05-01"}, "on or after the start date"),
        ({"programme": "999999"}, "Choose a programme from the list"),
        ({"cohort": "abc"}, "Choose a cohort from the list"),
    ],
)
def test_a_bad_filter_is_an_error_on_the_form(client, lead_a, query, error):
    sign_in(client, lead_a)
    response = client.get(dashboard_url(lead_a.trust), query)
    assert response.status_code == 200
    body = response.content.decode()
    assert error in body and "There is a problem" in body
    assert "Participants by professional group" not in body  # no figures for a bad filter


def test_a_cohort_of_another_programme_is_an_error(client, lead_a):
    first = CohortFactory(host_trust=lead_a.trust)
    second = CohortFactory(host_trust=lead_a.trust)
    sign_in(client, lead_a)
    response = client.get(
        dashboard_url(lead_a.trust), {"programme": first.programme_id, "cohort": second.pk}
    )
    assert "That cohort is not of the programme you chose" in response.content.decode()


# --- what the page shows ----------------------------------------------------------------------


def test_small_numbers_are_suppressed_on_the_page_and_in_its_charts(client, lead_a):
    cohort = CohortFactory(host_trust=lead_a.trust, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 1))
    for _ in range(7):
        EnrolmentFactory(person=ClinicianFactory(trust=lead_a.trust), cohort=cohort,
                         status="completed", baseline_relationship=2)  # fmt: skip
    EnrolmentFactory(person=ClinicianFactory(trust=lead_a.trust), cohort=cohort,
                     status="not_completed", baseline_relationship=4)  # fmt: skip
    sign_in(client, lead_a)
    response = client.get(dashboard_url(lead_a.trust))
    table = response.context["dashboard"]["enrolments"]
    cells = {row.label: row.cells[0].text for row in table.rows}
    # 7 completed and 1 did not: the 1 is "<5", so the 7 is hidden too (8 - 7 = 1).
    assert cells["Completed"] == "*" and cells["Did not complete"] == "<5"
    assert cells["All enrolments"] == "8"
    rates = response.context["dashboard"]["rates"].rows[1].cells
    assert [cell.text for cell in rates] == ["*", "*", "*"]
    chart = response.context["dashboard"]["enrolments"].chart
    hidden_bars = [bar for bar in chart["bars"] if bar["hidden"]]
    # Shares of hidden counts are hidden: no bar, only the mark.
    assert {bar["text"] for bar in hidden_bars} == {"*"} and not any(
        bar["width"] for bar in hidden_bars
    )
    body = response.content.decode()
    assert "<svg" in body and "&lt;5" in body
    assert "74%" in body and "14%" in body  # the paper's figures beside the trust's


def test_the_page_query_count_does_not_grow_with_the_data(
    client, lead_a, django_assert_max_num_queries
):
    """Pinned at 26, the same for 1 cohort as for 4: the session, the person, their access
    grants, their authenticator (two-factor middleware); the trust, the filter form's cohorts,
    whether they see another trust; the dashboard's thirteen (enrolment counts 1, the cohorts
    its people took part in 1, attendance 1, the trust's pair schemes, then the pairs'
    statuses, confirmed hours and projects 2, coffee rounds and matches 2, leadership 1,
    board 1; and the outcome tables' 3: the answers' wording, the follow-up answers, the
    self-assessment ratings); the site and its navigation pages (2); the form's programmes;
    Wagtail's user bar for a staff member (their permissions 2, their profile 2)."""
    sign_in(client, lead_a)
    url = dashboard_url(lead_a.trust)
    client.get(url)  # warm the caches the header's navigation keeps
    counts = []
    for year, cohorts in ((2023, 1), (2024, 3)):
        grow(lead_a.trust, cohorts=cohorts, year=year)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(26):
        client.get(url)


# --- downloads --------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_table_downloads_as_shown_suppressed_and_formula_safe(client, lead_a):
    cohort = CohortFactory(host_trust=lead_a.trust, name='=HYPERLINK("http://evil.example")')
    for _ in range(3):
        EnrolmentFactory(person=ClinicianFactory(trust=lead_a.trust), cohort=cohort)
    for _ in range(6):
        EnrolmentFactory(person=UserFactory(trust=lead_a.trust), cohort=cohort)
    sign_in(client, lead_a)
    base = f"{dashboard_url(lead_a.trust)}participants"
    rows = _csv(client.get(f"{base}.csv", {"cohort": cohort.pk}))
    values = {row[0]: row[1:] for row in rows if row}
    assert values["Medical"] == ["<5", "*"]
    assert values["Management and administration"] == ["*", "*"]  # 9 - 6 would give the 3
    assert values["All participants"] == ["9", "100%"]
    filters = next(row[0] for row in rows if row and row[0].startswith("Filters"))
    assert "=HYPERLINK" in filters and not filters.startswith("=")
    response = client.get(f"{base}.xlsx", {"cohort": cohort.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_label = {row[0]: row[1:3] for row in cells if row and row[0]}
    assert by_label["Medical"] == ["<5", "*"]
    assert by_label["All participants"] == [9, "100%"]  # a number a spreadsheet can add
    assert not any(
        isinstance(value, str) and value.startswith(("=", "+", "@"))
        for row in cells
        for value in row
    )
    assert client.get(f"{dashboard_url(lead_a.trust)}nosuch.csv").status_code == 404
    assert client.get(f"{base}.pdf").status_code == 404


def test_a_download_with_a_bad_filter_goes_back_to_the_form(client, lead_a):
    sign_in(client, lead_a)
    response = client.get(f"{dashboard_url(lead_a.trust)}enrolments.csv", {"since": "nope"})
    assert response.status_code == 302
    assert response.url.startswith(dashboard_url(lead_a.trust))
