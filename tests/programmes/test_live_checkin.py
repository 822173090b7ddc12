"""The facilitator's live check-in view (/learn/facilitate/sessions/<id>/live/) and the list
it polls (…/live/checked-in/): who may see it, what it shows, the QR code, and a query count
that does not grow with the headcount."""

import datetime
import re

import pytest
import segno
import time_machine
from bs4 import BeautifulSoup
from django.test import override_settings

from people.access import AccessRole
from programmes.checkin_qr import checkin_qr_svg, checkin_url
from programmes.services import checkin, register_save
from tests.factories import (
    ClinicianFactory,
    CohortFacilitatorFactory,
    EnrolmentFactory,
    SessionFacilitatorFactory,
    SessionFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 8, 9, 30, tzinfo=datetime.UTC)  # 09:30 in London (GMT)


@pytest.fixture(autouse=True)
def _ten_past_the_start():
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(cohort):
    return SessionFactory(
        cohort=cohort,
        title="Reading a directorate budget",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=3),
        checkin_code="AB0C1D",
    )


def live(session):
    return f"/learn/facilitate/sessions/{session.pk}/live/"


def fragment(session):
    return f"/learn/facilitate/sessions/{session.pk}/live/checked-in/"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response):
    return " ".join(soup(response).get_text(" ").split())


# --- who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["host administrator", "cohort facilitator", "its facilitator"])
def test_those_who_take_the_register_see_the_live_view(client, session, administrator, who):
    person = {
        "host administrator": lambda: administrator,
        "cohort facilitator": lambda: CohortFacilitatorFactory(cohort=session.cohort).person,
        "its facilitator": lambda: SessionFacilitatorFactory(session=session).person,
    }[who]()
    give_totp(person)  # staff pages under /learn/facilitate/ need it of staff roles
    client.force_login(person)
    for url in (live(session), fragment(session)):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["another trust's administrator", "a participant", "a stranger"])
def test_everyone_else_gets_404(client, session, admin_b, who):
    person = {
        "another trust's administrator": lambda: admin_b,
        "a participant": lambda: EnrolmentFactory(cohort=session.cohort).person,
        "a stranger": lambda: UserFactory(roles=[AccessRole.FACILITATOR]),
    }[who]()
    give_totp(person)  # staff pages under /learn/facilitate/ need it of staff roles
    client.force_login(person)
    for url in (live(session), fragment(session)):
        assert client.get(url).status_code == 404, url


def test_someone_signed_out_is_sent_to_sign_in(client, session):
    response = client.get(live(session))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_views_only_read(client, session, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    assert client.post(live(session)).status_code == 405
    assert client.post(fragment(session)).status_code == 405


# --- what it shows ----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


def test_the_page_shows_the_code_the_qr_code_and_that_check_in_is_open(staff_client, session):
    response = staff_client.get(live(session))

    page = soup(response)
    assert page.find(class_="live-code__code").get_text(strip=True).endswith("AB0-C1D")
    svg = page.find("svg", class_="checkin-qr")
    assert svg["role"] == "img" and "AB0-C1D" in svg["aria-label"]
    assert "Check-in is open until 12:30" in text(response)
    assert "09:30 to 12:30" in text(response)
    assert "no-store" in response["Cache-Control"]


def test_the_page_polls_its_list_with_htmx_from_our_origin_under_the_csp(staff_client, session):
    page = soup(staff_client.get(live(session)))

    [script] = [s for s in page.find_all("script") if "htmx" in s.get("src", "")]
    assert script["src"].startswith("/static/vendor/htmx/htmx-2.0.11")
    inline = [s for s in page.find_all("script") if not s.get("src")]
    assert all(s.get("type") == "application/json" for s in inline)  # data, never code
    config = page.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config
    poller = page.find(id="live-list")
    assert poller["hx-get"] == fragment(session)
    assert poller["hx-trigger"] == "every 5s"
    # Without JavaScript: a Refresh link to the page itself.
    assert page.find("a", string="Refresh")["href"] == live(session)


def test_the_list_shows_who_checked_in_who_was_marked_and_who_has_not_come(
    staff_client, session, administrator
):
    def person(first, last, **kwargs):
        return EnrolmentFactory(
            cohort=session.cohort,
            person=ClinicianFactory(first_name=first, last_name=last),
            **kwargs,
        )

    early, late, marked, apologised, missing = (
        person("Priya", "Shah"),
        person("Tom", "Evans", professional_group="management"),
        person("Amara", "Okafor"),
        person("Ben", "Carter"),
        person("Dana", "Reid"),
    )
    EnrolmentFactory(cohort=session.cohort, status="waitlisted")  # not expected
    with time_machine.travel(START - datetime.timedelta(minutes=5), tick=False):
        checkin(person=early.person, code="AB0C1D")
    with time_machine.travel(START + datetime.timedelta(minutes=12), tick=False):
        checkin(person=late.person, code="AB0C1D")
    with time_machine.travel(START + datetime.timedelta(minutes=15), tick=False):
        register_save(
            session=session,
            marks={marked.pk: ("present", ""), apologised.pk: ("excused", "On call")},
            by=administrator,
        )

    response = staff_client.get(fragment(session))

    page = soup(response)
    assert "4 of 5 checked in (1 marked on the register)" not in text(response)
    assert "3 of 5 checked in (1 marked on the register)" in text(response)
    here, away = page.find_all("ul", class_="live-list")
    rows = [" ".join(li.get_text(" ").split()) for li in here.find_all("li")]
    # The latest first; each with their group, the time and the mark.
    assert rows[0] == "Amara Okafor Medical 09:45 Present Marked on the register"
    assert rows[1] == "Tom Evans Management and administration 09:42 Late"
    assert rows[2] == "Priya Shah Medical 09:25 Present"
    away_rows = [" ".join(li.get_text(" ").split()) for li in away.find_all("li")]
    assert away_rows == ["Ben Carter Medical Excused (register)", "Dana Reid Medical"]
    assert missing.person.get_full_name() in away_rows[1]


def test_before_the_window_the_list_says_when_check_in_opens(staff_client, session):
    with time_machine.travel(START - datetime.timedelta(days=1), tick=False):
        response = staff_client.get(fragment(session))
    assert "Check-in opens at 09:00 on Tuesday 8 December" in text(response)


def test_once_the_session_is_over_htmx_is_told_to_stop_polling(staff_client, session):
    with time_machine.travel(START + datetime.timedelta(hours=4), tick=False):
        polled = staff_client.get(fragment(session), headers={"HX-Request": "true"})
        opened = staff_client.get(fragment(session))
    assert polled.status_code == 286
    assert opened.status_code == 200
    assert "Check-in has closed" in text(polled)


@pytest.mark.parametrize("headcount", [1, 30])
def test_the_list_and_the_page_are_a_fixed_number_of_queries_whatever_the_headcount(
    staff_client, session, headcount, django_assert_max_num_queries
):
    enrolments = EnrolmentFactory.create_batch(headcount, cohort=session.cohort)
    for enrolment in enrolments[::2]:
        checkin(person=enrolment.person, code="AB0C1D")
    # A first request writes the staff idle-timeout stamp into the new Django session (a
    # savepoint, an UPDATE, its release), and the first page makes the user's Wagtail profile
    # (for the user bar): once per sign-in and once per person, not per poll.
    staff_client.get(live(session))

    # 1 the Django session, 2 the user, 3 their access grants, 4 the session (scoped by
    # register_sessions: its subqueries are in the one statement), 5 the session's attendance
    # marks, 6 the register's enrolments with their people, 7 the staff two-factor check of
    # pages under /learn/facilitate/ (accounts.middleware).
    with django_assert_max_num_queries(7):
        response = staff_client.get(fragment(session))
    assert text(response).count("Medical") == headcount
    # The whole page: the same seven, and the site's base template's own six (the Wagtail site,
    # the navigation's pages, two of permissions and two of the user's Wagtail profile, for
    # the header and the Wagtail user bar), none of them per person.
    with django_assert_max_num_queries(13):
        response = staff_client.get(live(session))
    assert text(response).count("Medical") == headcount


# --- the QR code ----------------------------------------------------------------------------


@override_settings(BASE_URL="https://tandem.example.nhs.uk")
def test_the_qr_code_is_one_path_encoding_the_public_check_in_link(session):
    url = checkin_url(session)
    assert url == "https://tandem.example.nhs.uk/learn/check-in/?code=AB0C1D"

    svg = BeautifulSoup(str(checkin_qr_svg(session)), "html.parser").find("svg")

    assert len(svg.find_all("path")) == 1 and len(svg.find_all(True)) == 1
    assert not svg.has_attr("width") and not svg.has_attr("height")  # CSS sizes it
    assert re.fullmatch(r"0 0 (\d+) \1", svg["viewbox"])  # html.parser lowercases names
    assert svg["role"] == "img"
    assert "AB0-C1D" in svg["aria-label"]
    # The drawing is the link's QR code: the same modules segno draws for that URL.
    expected = BeautifulSoup(
        segno.make(url, error="m", micro=False).svg_inline(scale=1, border=4), "html.parser"
    ).find("path")["d"]
    assert svg.find("path")["d"] == expected


def test_a_title_with_markup_is_escaped_in_the_qr_codes_label(session):
    session.title = 'Budgets "<script>alert(1)</script>'
    svg = str(checkin_qr_svg(session))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
