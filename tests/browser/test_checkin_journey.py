"""Self check-in at the door, in two real browsers under the real Content-Security-Policy: a
facilitator opens the live view on a phone; a participant, on another phone, signs in, types
the code and checks in; the facilitator's list shows them within the polling interval,
without a reload. Any console error (a CSP violation included) fails it. And an axe-core
audit of both pages."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_enrolment_journey import audit, axe_page  # noqa: F401 (fixture)
from tests.browser.test_pair_journey import sign_in_as

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FACILITATOR = "sam.brook@northshire.nhs.uk"
PARTICIPANT = "priya.shah@northshire.nhs.uk"
POLL_MS = 5_000


@pytest.fixture
def door(live_url):
    """A session that started five minutes ago (check-in open), its facilitator, and one of
    its participants: made before Playwright starts (see the conftest's docstring)."""
    from django.utils import timezone

    from people.access import AccessRole
    from tests.factories import (
        ClinicianFactory,
        CohortFactory,
        EnrolmentFactory,
        SessionFacilitatorFactory,
        SessionFactory,
        TrustFactory,
    )

    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    now = timezone.now()
    session = SessionFactory(
        cohort=CohortFactory(host_trust=trust),
        title="Reading a directorate budget",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
    )
    facilitator = ClinicianFactory(
        email=FACILITATOR, first_name="Sam", last_name="Brook", trust=trust,
        roles=[AccessRole.FACILITATOR],
    )  # fmt: skip
    SessionFacilitatorFactory(session=session, person=facilitator)
    participant = ClinicianFactory(
        email=PARTICIPANT, first_name="Priya", last_name="Shah", trust=trust,
        roles=[AccessRole.PARTICIPANT],
    )  # fmt: skip
    EnrolmentFactory(cohort=session.cohort, person=participant)
    return {"url": live_url, "session": session}


def phone(browser, **options):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


def watch_console(page, into: list):
    page.on("console", lambda m: into.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: into.append(str(exc)))


def test_a_participant_checks_in_and_the_facilitators_phone_shows_them(door, browser):
    live_url, session = door["url"], door["session"]
    live_path = f"/learn/facilitate/sessions/{session.pk}/live/"
    errors: list[str] = []
    facilitator_context, participant_context = phone(browser), phone(browser)
    try:
        facilitator = facilitator_context.new_page()
        watch_console(facilitator, errors)
        polls = []
        facilitator.on(
            "request", lambda r: polls.append(r.url) if r.url.endswith("/checked-in/") else None
        )
        sign_in_as(facilitator, live_url, FACILITATOR, next_path=live_path)
        expect(facilitator).to_have_url(f"{live_url}{live_path}")
        expect(facilitator.locator(".live-code__code")).to_contain_text(
            session.checkin_code_display
        )
        expect(facilitator.get_by_role("img", name="QR code to check in")).to_be_visible()
        expect(facilitator.locator(".live-count")).to_contain_text("0 of 1 checked in")
        # The big code fits a phone's width: nothing to scroll sideways at the door.
        assert facilitator.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        participant = participant_context.new_page()
        watch_console(participant, errors)
        sign_in_as(participant, live_url, PARTICIPANT, next_path="/learn/check-in/")
        expect(participant.get_by_role("heading", level=1)).to_have_text("Check in to a session")
        code = session.checkin_code.lower()  # typed in lower case, without the hyphen
        participant.get_by_label("Check-in code").fill(code)
        participant.get_by_role("button", name="Check in").click()
        expect(participant.get_by_role("status")).to_contain_text(
            "You're checked in to Reading a directorate budget at"
        )

        # No reload: the poll (every 5 seconds) brings the list up to date.
        here = facilitator.locator(".live-list").first
        expect(here).to_contain_text("Priya Shah", timeout=POLL_MS + 3_000)
        expect(here).to_contain_text("Present")
        expect(facilitator.locator(".live-count")).to_contain_text("1 of 1 checked in")
        assert polls, "the list changed without htmx polling it?"
        assert facilitator.url == f"{live_url}{live_path}"

        # Signed out meanwhile (the idle timeout, say): the next poll does not swap a sign-in
        # page into the list; the whole page goes to sign-in, and will come back here.
        facilitator_context.clear_cookies()
        expect(facilitator).to_have_url(
            re.compile(r"/accounts/login/\?next=/learn/facilitate/sessions/\d+/live/$"),
            timeout=POLL_MS + 3_000,
        )
        expect(facilitator.locator("#live-list")).to_have_count(0)
    finally:
        facilitator_context.close()
        participant_context.close()
    assert errors == [], errors


def test_no_serious_accessibility_violations_on_the_check_in_pages(door, axe_page):  # noqa: F811
    live_url, session = door["url"], door["session"]
    axe_page.set_viewport_size(PHONE)
    sign_in_as(axe_page, live_url, PARTICIPANT, next_path="/learn/check-in/")
    expect(axe_page.get_by_role("button", name="Check in")).to_be_visible()
    assert audit(axe_page) == []
    axe_page.get_by_role("button", name="Check in").click()  # empty: the error summary
    expect(axe_page.get_by_role("alert")).to_contain_text("Enter the check-in code")
    assert audit(axe_page) == []

    axe_page.context.clear_cookies()
    live_path = f"/learn/facilitate/sessions/{session.pk}/live/"
    sign_in_as(axe_page, live_url, FACILITATOR, next_path=live_path)
    expect(axe_page.locator(".live-count")).to_be_visible()
    assert audit(axe_page) == []
