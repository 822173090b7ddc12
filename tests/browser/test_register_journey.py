"""The register on a phone, in a real browser under the real Content-Security-Policy: a
facilitator opens the register of a session that has just ended, marks everyone present in
one tap, changes the one who came late, adds a note, and saves; the page fits the phone's
width, and axe finds nothing serious on it."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_checkin_journey import PHONE, phone, watch_console
from tests.browser.test_enrolment_journey import audit, axe_page  # noqa: F401 (fixture)
from tests.browser.test_pair_journey import sign_in_as

pytestmark = pytest.mark.browser

FACILITATOR = "sam.brook@northshire.nhs.uk"


@pytest.fixture
def workshop(live_url):
    """A workshop that ended an hour ago, its cohort's facilitator and three participants:
    made before Playwright starts (see the conftest's docstring)."""
    from django.utils import timezone

    from people.access import AccessRole
    from tests.factories import (
        ClinicianFactory,
        CohortFacilitatorFactory,
        CohortFactory,
        EnrolmentFactory,
        SessionFactory,
        TrustFactory,
        UserFactory,
    )

    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    cohort = CohortFactory(host_trust=trust)
    end = timezone.now() - datetime.timedelta(hours=1)
    session = SessionFactory(
        cohort=cohort,
        title="Reading a directorate budget",
        starts_at=end - datetime.timedelta(hours=3),
        ends_at=end,
    )
    facilitator = ClinicianFactory(
        email=FACILITATOR, first_name="Sam", last_name="Brook", trust=trust,
        roles=[AccessRole.FACILITATOR],
    )  # fmt: skip
    CohortFacilitatorFactory(cohort=cohort, person=facilitator)
    people = [
        ClinicianFactory(first_name="Aisha", last_name="Khan", trust=trust),
        UserFactory(first_name="Ben", last_name="Jones", trust=trust),
        ClinicianFactory(first_name="Chloe", last_name="Li", trust=trust),
    ]
    enrolments = [EnrolmentFactory(cohort=cohort, person=person) for person in people]
    return {"url": live_url, "session": session, "enrolments": enrolments}


def test_a_facilitator_marks_a_whole_session_on_a_phone(workshop, browser):
    from programmes.models import Attendance

    live_url, session = workshop["url"], workshop["session"]
    path = f"/learn/facilitate/sessions/{session.pk}/register/"
    errors: list[str] = []
    context = phone(browser)
    page = context.new_page()
    watch_console(page, errors)
    sign_in_as(page, live_url, FACILITATOR, next_path=path)
    expect(
        page.get_by_role("heading", name="Register: Reading a directorate budget")
    ).to_be_visible()

    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    expect(page.get_by_text("nothing is saved until you do")).to_be_visible()
    ben = page.get_by_role("group", name="Ben Jones")
    expect(ben.get_by_label("Present")).to_be_checked()
    ben.get_by_label("Late").check()  # the whole labelled box is the target
    ben.get_by_label("Note (optional)").fill("Bleep went at 09:40")
    # Nothing wider than the phone: no sideways scrolling to reach a choice.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Save the register").click()

    expect(page.get_by_text("Register saved: 3 marked, 0 changed, 0 unchanged.")).to_be_visible()
    marks = {
        a.enrolment.person.first_name: (a.mark, a.note)
        for a in Attendance.objects.filter(session=session).select_related("enrolment__person")
    }
    assert marks == {
        "Aisha": ("present", ""),
        "Ben": ("late", "Bleep went at 09:40"),
        "Chloe": ("present", ""),
    }
    assert errors == [], errors
    context.close()


def test_no_serious_accessibility_violations_on_the_register(workshop, axe_page):  # noqa: F811
    session = workshop["session"]
    sign_in_as(
        axe_page,
        workshop["url"],
        FACILITATOR,
        next_path=f"/learn/facilitate/sessions/{session.pk}/register/",
    )
    expect(axe_page.get_by_role("button", name="Save the register")).to_be_visible()
    assert audit(axe_page) == []
