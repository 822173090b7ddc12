"""A cohort's attendance (programmes.attendance_report, programmes.attendance_views): the
matrix's rules (who is expected where, what counts, cancelled and future sessions), its page
and CSV/XLSX exports for the cohort's staff only, a participant's own attendance on "My
learning" and its page, and the queries each takes whatever the number of people."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from people.access import AccessRole
from programmes.attendance_report import (
    CellState,
    cohort_attendance,
    enrolment_attendance,
    with_attendance_counts,
)
from programmes.models import Enrolment
from tests.factories import (
    AttendanceFactory,
    ClinicianFactory,
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFacilitatorFactory,
    SessionFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def session_at(cohort, days: float, *, hours: int = 3, **kwargs):
    """A session starting ``days`` from now (negative: in the past), ``hours`` long."""
    start = NOW + datetime.timedelta(days=days)
    return SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **kwargs
    )


def mark(session, enrolment, value="present"):
    return AttendanceFactory(session=session, enrolment=enrolment, mark=value)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response):
    return " ".join(soup(response).get_text(" ").split())


def body(response) -> bytes:
    # Streaming CSV: read it as the WSGI server would (see test_admin_enrolments._body).
    return b"".join(response.streaming_content) if response.streaming else response.content


def page_url(cohort, suffix="/"):
    return f"/learn/facilitate/cohorts/{cohort.pk}/attendance{suffix}"


@pytest.fixture
def staff_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


# --- the rules ----------------------------------------------------------------------------------


def test_rates_count_the_held_sessions_each_person_was_expected_at(cohort):
    first, second, third = (session_at(cohort, -d) for d in (30, 20, 10))
    future = session_at(cohort, 10)
    ada, ben = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    mark(first, ada), mark(second, ada, "late"), mark(third, ada, "absent")
    mark(first, ben, "left_early")  # and nothing for ben at the second and third

    matrix = cohort_attendance(cohort, now=NOW)

    rows = {row.enrolment: row for row in matrix.rows}
    assert (rows[ada].attended, rows[ada].expected, rows[ada].rate) == (2, 3, Decimal("66.7"))
    assert (rows[ben].attended, rows[ben].expected, rows[ben].rate) == (1, 3, Decimal("33.3"))
    assert [c.state for c in rows[ben].cells] == [
        CellState.MARKED,
        CellState.NOT_MARKED,  # held, expected, never marked: not attended
        CellState.NOT_MARKED,
        CellState.NOT_YET,
    ]
    assert [c.label for c in rows[ada].cells] == ["Present", "Late", "Absent", "Not marked yet"]
    assert [(c.attended, c.expected, c.rate) for c in matrix.columns] == [
        (2, 2, Decimal("100.0")),
        (1, 2, Decimal("50.0")),
        (0, 2, Decimal("0.0")),
        (0, 0, None),  # still to come: no rate
    ]
    assert [c.session for c in matrix.columns] == [first, second, third, future]
    assert (matrix.attended, matrix.expected, matrix.rate) == (3, 6, Decimal("50.0"))
    assert matrix.columns[0].duration == datetime.timedelta(hours=3)
    assert matrix.columns[0].ends_at == first.ends_at


def test_a_late_joiner_is_not_expected_at_sessions_that_ended_before_their_place(cohort):
    before, after = session_at(cohort, -20), session_at(cohort, -5)
    late = EnrolmentFactory(cohort=cohort, seated_at=before.ends_at + datetime.timedelta(days=1))
    mark(after, late)

    [row] = cohort_attendance(cohort, now=NOW).rows

    assert [c.state for c in row.cells] == [CellState.NOT_EXPECTED, CellState.MARKED]
    assert (row.attended, row.expected, row.rate) == (1, 1, Decimal("100.0"))


def test_cancelled_sessions_are_shown_and_count_for_no_one(cohort):
    held = session_at(cohort, -10)
    cancelled = session_at(cohort, -5, status="cancelled", cancelled_at=NOW)
    person = EnrolmentFactory(cohort=cohort)
    mark(held, person, "absent")
    mark(cancelled, person, "present")  # marked before it was called off

    matrix = cohort_attendance(cohort, now=NOW)

    [row] = matrix.rows
    assert row.cells[1].state == CellState.CANCELLED and row.cells[1].label == "Cancelled"
    assert (row.attended, row.expected) == (0, 1)
    assert matrix.columns[1].is_cancelled and matrix.columns[1].rate is None
    assert matrix.columns[1].heading.endswith("[cancelled]")


@pytest.mark.parametrize(("excused_counts", "attended"), [(True, 2), (False, 1)])
def test_excused_counts_as_attended_only_where_the_programme_says_so(excused_counts, attended):
    cohort = CohortFactory(programme__excused_counts_as_attended=excused_counts)
    first, second = session_at(cohort, -10), session_at(cohort, -5)
    person = EnrolmentFactory(cohort=cohort)
    mark(first, person), mark(second, person, "excused")

    matrix = cohort_attendance(cohort, now=NOW)

    [row] = matrix.rows
    assert (row.attended, row.expected) == (attended, 2)  # excused is expected either way
    assert row.cells[1].counted is excused_counts
    assert matrix.excused_counts is excused_counts


def test_the_registers_list_people_with_places_and_anyone_marked_but_no_one_else(cohort):
    first, second, _third = (session_at(cohort, -d) for d in (30, 20, 10))
    seated = EnrolmentFactory(cohort=cohort, person__last_name="Adams")
    left = EnrolmentFactory(cohort=cohort, person__last_name="Brown", status="withdrawn")
    left.status_changed_at = second.starts_at + datetime.timedelta(days=1)
    left.save(update_fields=["status_changed_at"])
    mark(first, left), mark(second, left, "absent")
    EnrolmentFactory(cohort=cohort, status="waitlisted")  # never had a place nor a mark
    EnrolmentFactory(cohort=cohort, status="withdrawn")  # left before anything was marked
    EnrolmentFactory(cohort=CohortFactory())  # another cohort's

    rows = cohort_attendance(cohort, now=NOW).rows

    assert [row.enrolment for row in rows] == [seated, left]
    # Sessions after a withdrawal are not held against the person who left.
    assert [c.state for c in rows[1].cells][2] == CellState.NOT_EXPECTED
    assert (rows[1].attended, rows[1].expected) == (1, 2)


def test_a_cohort_with_no_sessions_or_people_is_an_empty_matrix(cohort):
    matrix = cohort_attendance(cohort, now=NOW)
    assert (matrix.columns, matrix.rows, matrix.rate) == ([], [], None)


# --- queries ----------------------------------------------------------------------------------


def _cohort_of(people: int, sessions: int = 5):
    cohort = CohortFactory(capacity=100)
    held = [session_at(cohort, -(d + 1)) for d in range(sessions)]
    for enrolment in EnrolmentFactory.create_batch(people, cohort=cohort):
        for session in held[::2]:
            mark(session, enrolment)
    return cohort


@pytest.mark.parametrize("people", [1, 50])
def test_the_matrix_takes_three_queries_whatever_its_size(people, django_assert_max_num_queries):
    cohort = _cohort_of(people)
    cohort = type(cohort).objects.select_related("programme").get(pk=cohort.pk)
    # The sessions; the enrolments with their people and trusts; the marks. Not one per
    # person, session or cell.
    with django_assert_max_num_queries(3):
        matrix = cohort_attendance(cohort, now=NOW)
        assert len(matrix.rows) == people and all(row.expected == 5 for row in matrix.rows)


@pytest.mark.parametrize("people", [1, 50])
def test_the_page_and_exports_take_a_fixed_number_of_queries(
    people, staff_client, trust_a, django_assert_max_num_queries
):
    cohort = _cohort_of(people)
    cohort.host_trust = trust_a
    cohort.save()
    for suffix in ("/", ".csv", ".xlsx"):
        body(staff_client.get(page_url(cohort, suffix)))
    # Each: the session and its user, access grants, the two-factor check (4); the cohort
    # through the permission scope (1); the matrix (3: sessions, people, marks). Then the
    # page: the site and navigation (2) and Wagtail's user bar in the base template
    # (permissions 2, user profile 2); an export: the audit event's insert (1). The same
    # for one person as for fifty.
    for suffix, queries in (("/", 14), (".csv", 9), (".xlsx", 9)):
        with django_assert_max_num_queries(queries):
            response = staff_client.get(page_url(cohort, suffix))
            assert response.status_code == 200
            body(response)


# --- who sees the page --------------------------------------------------------------------------


def test_the_host_trusts_administrator_sees_the_matrix(staff_client, cohort):
    session = session_at(cohort, -3, title="Reading a budget")
    person = EnrolmentFactory(cohort=cohort, person__first_name="Ada", person__last_name="Lamb")
    mark(session, person, "late")

    response = staff_client.get(page_url(cohort))

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    html = soup(response)
    matrix = html.select_one("table.attendance-matrix")
    assert "Attendance of each of the 1 people" in matrix.caption.get_text()
    assert [th["scope"] for th in matrix.select("thead th")] == ["col"] * 4
    row = matrix.select_one("tbody tr")
    assert row.th["scope"] == "row" and row.th.get_text(strip=True) == "Ada Lamb"
    cell = row.select_one("td.attendance-cell")
    assert cell.get_text(" ", strip=True) == "L Late"  # the letter and the word, not colour
    assert "Reading a budget" in text(response)
    assert f'href="{page_url(cohort, ".csv")}"' in response.content.decode()
    assert f'href="{page_url(cohort, ".xlsx")}"' in response.content.decode()


def test_the_cohorts_facilitator_sees_it_but_a_sessions_own_facilitator_does_not(client, cohort):
    facilitator = CohortFacilitatorFactory(cohort=cohort).person
    client.force_login(facilitator)
    assert client.get(page_url(cohort)).status_code == 200

    session_only = SessionFacilitatorFactory(session=session_at(cohort, -1)).person
    client.force_login(session_only)
    assert client.get(page_url(cohort)).status_code == 404


@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx"])
def test_participants_and_another_trusts_staff_get_404_and_are_audited(
    client, cohort, participant, admin_b, suffix
):
    EnrolmentFactory(cohort=cohort, person=participant)
    facilitator_b = UserFactory(trust=admin_b.trust, roles=[AccessRole.FACILITATOR])
    give_totp(admin_b)
    for person in (participant, admin_b, facilitator_b):
        client.force_login(person)
        response = client.get(page_url(cohort, suffix))
        assert response.status_code == 404, person
    refused = AuditEvent.objects.filter(action="refused", target_object_id=str(cohort.pk))
    assert refused.count() == 3
    assert not AuditEvent.objects.filter(action="exported").exists()


@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, cohort, suffix):
    response = client.get(page_url(cohort, suffix))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_administrator_without_two_factor_is_sent_to_set_it_up(client, cohort, administrator):
    client.force_login(administrator)
    response = client.get(page_url(cohort, ".csv"))
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    assert not AuditEvent.objects.filter(action="exported").exists()


def test_an_unknown_cohort_is_404(staff_client):
    assert staff_client.get("/learn/facilitate/cohorts/999999/attendance/").status_code == 404


# --- exports ------------------------------------------------------------------------------------


def _export_fixture(cohort, trust_a):
    first = session_at(cohort, -8, title="Budgets", hours=2)
    cancelled = session_at(cohort, -4, title="Rotas", status="cancelled", cancelled_at=NOW)
    session_at(cohort, 6, title="Business cases")
    ada = EnrolmentFactory(
        cohort=cohort,
        person=ClinicianFactory(
            trust=trust_a, first_name="Ada", last_name="Lamb", email="ada@northshire.nhs.uk"
        ),
    )
    mark(first, ada, "present")
    evil = EnrolmentFactory(
        cohort=cohort,
        person=ClinicianFactory(trust=trust_a, first_name='=HYPERLINK("http://x")', last_name="Z"),
    )
    mark(first, evil, "absent")
    return first, cancelled


def _headings(first):
    when = timezone.localtime(first.starts_at)
    return [
        "Name",
        "Email",
        "Professional group",
        "Trust",
        f"{when:%d %b %Y %H:%M} Budgets (2 h)",
    ]


def test_the_csv_export_has_one_row_per_person_and_a_column_per_session(
    staff_client, cohort, trust_a
):
    first, _cancelled = _export_fixture(cohort, trust_a)

    response = staff_client.get(page_url(cohort, ".csv"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="attendance-{cohort.pk}-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response).decode())))
    assert rows[0][:5] == _headings(first)
    assert rows[0][5].endswith("Rotas (3 h) [cancelled]")
    assert rows[0][6].endswith("Business cases (3 h)")
    assert rows[0][7:] == ["Sessions attended", "Sessions expected", "Rate %"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ada Lamb"] == [
        "Ada Lamb",
        "ada@northshire.nhs.uk",
        "Medical",
        trust_a.name,
        "Present",
        "Cancelled",
        "Not marked yet",
        "1",
        "1",
        "100.0",
    ]
    # Formula-safe: a name that is a formula is written as text.
    assert '\'=HYPERLINK("http://x") Z' in by_name
    assert by_name['\'=HYPERLINK("http://x") Z'][4:] == [
        "Absent",
        "Cancelled",
        "Not marked yet",
        "0",
        "1",
        "0.0",
    ]
    event = AuditEvent.objects.get(action="exported", detail__export="cohort attendance")
    assert event.detail["format"] == "csv" and event.detail["rows"] == 2
    assert event.target_object_id == str(cohort.pk)


def test_the_xlsx_export_matches_and_keeps_numbers_as_numbers(staff_client, cohort, trust_a):
    first, _cancelled = _export_fixture(cohort, trust_a)

    response = staff_client.get(page_url(cohort, ".xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == _headings(first)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ada Lamb"][4:] == ["Present", "Cancelled", "Not marked yet", 1, 1, 100]
    evil = by_name['\'=HYPERLINK("http://x") Z']
    assert evil[7:] == [0, 1, 0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.filter(action="exported", detail__format="xlsx").count() == 1


# --- the participant's own ------------------------------------------------------------------------


def test_my_learning_shows_each_seated_enrolments_attendance_and_the_minimum(client, participant):
    cohort = CohortFactory(programme__min_attendance_percent=80)
    first, second = session_at(cohort, -10), session_at(cohort, -5)
    session_at(cohort, 5)
    mine = EnrolmentFactory(cohort=cohort, person=participant)
    mark(first, mine), mark(second, mine, "absent")
    EnrolmentFactory(cohort=CohortFactory(), person=participant, status="waitlisted")
    client.force_login(participant)

    response = client.get("/learn/")

    cards = soup(response).select(".enrolment-card")
    assert len(cards) == 2
    seated = next(c for c in cards if cohort.name in c.get_text())
    words = " ".join(seated.get_text(" ").split())
    assert "Attendance 1 of 2 sessions (50.0%). The programme asks for at least 80%." in words
    assert seated.find("a", href=f"/learn/enrolments/{mine.pk}/attendance/")
    waiting = next(c for c in cards if c is not seated)
    assert "Attendance" not in waiting.get_text()


def test_my_learning_counts_stay_one_query_with_many_seated_enrolments(
    client, participant, django_assert_max_num_queries
):
    def enrol_with_marks():
        cohort = CohortFactory()
        enrolment = EnrolmentFactory(cohort=cohort, person=participant)
        for days in (3, 2, 1):
            mark(session_at(cohort, -days), enrolment)

    enrol_with_marks()
    client.force_login(participant)
    client.get("/learn/")
    # My learning's queries (tests/programmes/test_enrolment_pages.py names them), the
    # self-assessment ratings (the outcomes tag) among them.
    with django_assert_max_num_queries(15) as one:
        client.get("/learn/")
    for _ in range(9):
        enrol_with_marks()
    # The counts are subqueries of the one enrolments query: no query per enrolment.
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/learn/")
    assert text(response).count("3 of 3 sessions (100.0%)") == 10


def test_the_database_counts_agree_with_the_matrix(cohort):
    """ "My learning" counts in SQL, the matrix in Python: the same rules either way."""
    sessions = [session_at(cohort, -d) for d in (40, 30, 20, 10)]
    sessions.append(session_at(cohort, -2, status="cancelled", cancelled_at=NOW))
    sessions.append(session_at(cohort, 3))
    cohort.programme.excused_counts_as_attended = True
    cohort.programme.save()
    people = [
        EnrolmentFactory(cohort=cohort),
        EnrolmentFactory(cohort=cohort, seated_at=sessions[1].ends_at),  # joined late
        EnrolmentFactory(cohort=cohort, seated_at=None),
        EnrolmentFactory(cohort=cohort, status="completed"),
        EnrolmentFactory(cohort=cohort, status="withdrawn", status_changed_at=sessions[2].ends_at),
    ]
    marks = ["present", "excused", "absent", "late", "left_early", "present"]
    for i, person in enumerate(people):
        for j, session in enumerate(sessions):
            if (i + j) % 3:
                mark(session, person, marks[(i + j) % len(marks)])

    in_python = {
        row.enrolment.pk: (row.attended, row.expected)
        for row in cohort_attendance(cohort, now=NOW).rows
    }
    in_sql = {
        e.pk: (e.sessions_attended, e.sessions_expected)
        for e in with_attendance_counts(Enrolment.objects.filter(cohort=cohort), now=NOW)
    }
    assert in_sql == in_python
    assert in_python[people[1].pk][1] == 2  # the late joiner: two of the four held
    assert in_python[people[4].pk][1] == 3  # the one who left: the three before they went


def test_the_participants_page_lists_their_sessions_with_their_own_mark(client, participant):
    cohort = CohortFactory(programme__min_attendance_percent=75)
    first = session_at(cohort, -10, title="Budgets")
    session_at(cohort, -5, title="Rotas", status="cancelled", cancelled_at=NOW)
    session_at(cohort, 5, title="Business cases")
    mine = EnrolmentFactory(cohort=cohort, person=participant)
    mark(first, mine, "late")
    someone = EnrolmentFactory(cohort=cohort, person__last_name="Sentinelson")
    mark(first, someone, "absent")
    client.force_login(participant)

    response = client.get(f"/learn/enrolments/{mine.pk}/attendance/")

    assert response.status_code == 200 and "private" in response["Cache-Control"]
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.select("th, td")]
        for tr in soup(response).select("tbody tr")
    ]
    assert [(row[0], row[3]) for row in rows] == [
        ("Budgets", "Late"),
        ("Rotas", "Cancelled"),
        ("Business cases", "Not marked yet"),
    ]
    assert "You attended 1 of the 1 session held so far (100.0%)." in text(response)
    assert "at least 75%" in text(response)
    assert "Sentinelson" not in text(response)
    columns, row = enrolment_attendance(mine, now=NOW)
    assert len(columns) == 3 and row.cells[0].mark == "late"


def test_nobody_else_sees_a_participants_attendance_page(client, participant, cohort):
    theirs = EnrolmentFactory(cohort=cohort)
    admin = UserFactory(trust=cohort.host_trust, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    give_totp(admin)
    url = f"/learn/enrolments/{theirs.pk}/attendance/"
    for person in (participant, admin):  # not even the cohort's administrator: not theirs
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get("/learn/enrolments/999999/attendance/").status_code == 302
