"""The sponsor's page in a real browser, under the real Content-Security-Policy: open the
emailed link, read the application, decline with a reason and see the answer; no console
error. And an axe-core audit of the page, its refusal and the participant's "ask your
sponsor again" page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_enrolment_journey import AXE, EMAIL, audit, sign_in, watch_console

pytestmark = pytest.mark.browser
assert AXE.exists()


@pytest.fixture
def pending(live_url):
    """An application waiting for its sponsor, made (and its email task run) before
    Playwright starts; returns the live URL, the enrolment and its link's path."""
    from people.access import AccessRole
    from programmes import services, sponsors
    from tests.factories import ClinicianFactory, CohortFactory, TrustFactory

    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    cohort = CohortFactory(host_trust=trust, name="Northshire, spring 2027", capacity=12,
                           requires_sponsor_approval=True)  # fmt: skip
    person = ClinicianFactory(
        email=EMAIL, first_name="Amara", last_name="Okafor", trust=trust,
        job_title="Specialty registrar", roles=[AccessRole.PARTICIPANT],
    )  # fmt: skip
    enrolment = services.enrolment_create(
        person=person, cohort=cohort, by=person, goals="Read the theatre budget.",
        sponsor_name="Dr Ada O'Connor", sponsor_email="ada.oconnor@nhs.net",
    )  # fmt: skip
    enrolment.refresh_from_db()  # the email task ran at commit and issued the link
    path = sponsors.link(enrolment).split("://", 1)[1].split("/", 1)[1]
    return {"url": live_url, "enrolment": enrolment, "path": f"/{path}"}


def test_the_sponsor_opens_the_link_and_declines(pending, page):
    live_url, path = pending["url"], pending["path"]
    errors = watch_console(page)
    page.goto(f"{live_url}{path}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve Amara Okafor's place")
    expect(page.locator("#main")).to_contain_text("Read the theatre budget.")
    page.get_by_label(re.compile("^Why are you declining")).fill("Not during the rota change.")
    page.get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You declined Amara Okafor's application"
    )
    assert errors == [], errors

    from programmes.models import Enrolment

    enrolment = Enrolment.objects.get(pk=pending["enrolment"].pk)
    assert enrolment.status == "withdrawn"
    assert enrolment.events.last().reason.endswith("Their reason: Not during the rota change.")


def test_no_serious_accessibility_violations_on_the_sponsor_pages(pending, browser):
    # axe is injected inline, which the policy forbids: this context alone bypasses CSP.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    live_url, path = pending["url"], pending["path"]
    found = {}
    page.goto(f"{live_url}{path}")
    found["the application"] = audit(page)
    page.goto(f"{live_url}/sponsor/not-a-real-link/")
    found["refused"] = audit(page)
    sign_in(page, live_url)
    page.goto(f"{live_url}/learn/enrolments/{pending['enrolment'].pk}/sponsor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask your sponsor again")
    found["ask again"] = audit(page)
    context.close()
    assert not any(found.values()), found
