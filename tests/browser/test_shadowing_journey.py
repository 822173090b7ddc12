"""A pair's shadowing visit in two real browsers under the real Content-Security-Policy: the
clinician signs in, opens their pair page from My learning, logs the budget meeting they
shadowed; the manager signs in, sees it waiting for them and confirms it; the clinician's
confirmed hours go up. Any console error fails it. And an axe-core audit of the pair page."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_enrolment_journey import audit, axe_page  # noqa: F401 (fixture)
from tests.browser.test_pair_journey import sign_in_as

pytestmark = pytest.mark.browser

CLINICIAN = "asha.patel@northshire.nhs.uk"
MANAGER = "ben.okafor@northshire.nhs.uk"


@pytest.fixture
def pair(live_url):
    """An active pair in a cohort: made before Playwright starts (see the conftest)."""
    from people.access import AccessRole
    from tests.factories import ClinicianFactory, CohortFactory, TrustFactory, UserFactory
    from tests.pairing.factories import PairingFactory

    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    clinician = ClinicianFactory(
        email=CLINICIAN, first_name="Asha", last_name="Patel", trust=trust,
        roles=[AccessRole.PARTICIPANT],
    )  # fmt: skip
    manager = UserFactory(
        email=MANAGER, first_name="Ben", last_name="Okafor", trust=trust,
        roles=[AccessRole.PARTICIPANT], job_title="General manager, surgery",
    )  # fmt: skip
    pairing = PairingFactory(
        cohort=CohortFactory(host_trust=trust), clinician=clinician, manager=manager
    )
    return {"url": live_url, "pairing": pairing}


def watch_console(page, into: list):
    page.on("console", lambda m: into.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: into.append(str(exc)))


def test_the_clinician_logs_a_visit_and_the_manager_confirms_it(pair, browser):
    live_url = pair["url"]
    errors: list[str] = []
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    clinician_context, manager_context = browser.new_context(), browser.new_context()
    try:
        page = clinician_context.new_page()
        watch_console(page, errors)
        sign_in_as(page, live_url, CLINICIAN)
        page.get_by_role("link", name="You and Ben Okafor").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You and Ben Okafor")
        page.get_by_text("Log a visit").click()
        page.get_by_label("I shadowed my partner").check()
        page.get_by_label("Date of the visit").fill(yesterday)
        page.get_by_role("spinbutton", name="Hours").fill("3.5")
        page.get_by_label("Where", exact=True).select_option(label="Budget meeting")
        page.get_by_label("What was learned").fill("Budgets are set a year ahead, line by line.")
        page.get_by_role("button", name="Log the visit").click()
        expect(page.get_by_text("Your partner is asked to confirm it")).to_be_visible()
        expect(page.get_by_role("cell", name="Waiting for your partner to confirm")).to_be_visible()

        other = manager_context.new_page()
        watch_console(other, errors)
        sign_in_as(other, live_url, MANAGER, next_path="/learn/pairing/")
        other.get_by_role("link", name="Open your pair page").click()
        expect(other.get_by_role("heading", name="Waiting for you to confirm")).to_be_visible()
        other.get_by_role("button", name="Confirm").click()
        expect(other.get_by_text("Confirmed: 3.5 hours")).to_be_visible()

        page.reload()
        hours = page.get_by_role("region", name="Shadowing hours").get_by_role(
            "row", name="Asha Patel"
        )
        expect(hours).to_contain_text("3.5")
        expect(page.get_by_role("cell", name="Confirmed", exact=True)).to_be_visible()
    finally:
        clinician_context.close()
        manager_context.close()
    assert errors == []


def test_no_serious_accessibility_violations_on_the_pair_pages(pair, axe_page):  # noqa: F811
    live_url, pairing = pair["url"], pair["pairing"]
    sign_in_as(axe_page, live_url, CLINICIAN, next_path=f"/learn/pairing/{pairing.pk}/")
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    assert audit(axe_page) == []
    axe_page.goto(f"{live_url}/learn/pairing/")
    assert audit(axe_page) == []
