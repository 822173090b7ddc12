"""A participant's enrolment in a real browser, under the real Content-Security-Policy: sign
in → the programme page → Enrol → the form → "My learning" → withdraw. Any console error fails
it. And an axe-core audit of the enrolment and withdrawal pages and of "My learning"."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
EMAIL = "amara.okafor@northshire.nhs.uk"


@pytest.fixture
def programme_with_cohort(live_url):
    """The demo programme page with a Programme record and one open cohort at Northshire,
    and a participant: made before Playwright starts (see the conftest's docstring)."""
    from cms.models import ProgrammePage
    from demo.content import seed_content
    from demo.run import SeedRun
    from people.access import AccessRole
    from tests.factories import ClinicianFactory, CohortFactory, ProgrammeFactory, TrustFactory

    seed_content(SeedRun())
    page = ProgrammePage.objects.get(slug="leading-together")
    programme = ProgrammeFactory(title="Leading Together", slug="leading-together", page=page)
    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    cohort = CohortFactory(
        programme=programme, host_trust=trust, name="Northshire, spring 2027", capacity=12
    )
    person = ClinicianFactory(
        email=EMAIL, first_name="Amara", last_name="Okafor", trust=trust,
        roles=[AccessRole.PARTICIPANT],
    )  # fmt: skip
    return {"url": live_url, "cohort": cohort, "person": person}


def watch_console(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def sign_in(page, live_url, next_path="/"):
    from tests.factories import DEFAULT_PASSWORD

    page.goto(f"{live_url}/accounts/login/?next={next_path}")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_enrol_from_the_programme_page_see_it_on_my_learning_and_withdraw(
    programme_with_cohort, page
):
    live_url = programme_with_cohort["url"]
    errors = watch_console(page)
    sign_in(page, live_url, next_path="/programmes/leading-together/")

    expect(page).to_have_url(f"{live_url}/programmes/leading-together/")
    cohorts = page.locator("#cohorts")
    expect(cohorts.get_by_role("heading", name="Northshire, spring 2027")).to_be_visible()
    cohorts.get_by_role("link", name="Enrol in Northshire, spring 2027").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol in Leading Together")
    expect(page.get_by_text("12 of 12: 12 for clinicians, 12 for managers")).to_be_visible()
    expect(page.locator("#main").get_by_text("Amara Okafor")).to_be_visible()
    # Submitting with nothing answered: the error summary, and the form again.
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your current role.")

    page.get_by_role("group", name=re.compile("^How would you describe")).get_by_label(
        "A partnership with areas of tension"
    ).check()
    page.get_by_role("group", name=re.compile("^Over the next five years")).get_by_label(
        "Get better"
    ).check()
    page.get_by_label("Your current role").fill("Specialty registrar in anaesthetics")
    page.get_by_label("What do you want to get from the programme?").fill(
        "Understand how the theatre budget is set."
    )
    page.get_by_role("button", name="Enrol").click()

    expect(page).to_have_url(f"{live_url}/learn/")
    expect(page.locator(".messages")).to_contain_text(
        "You are enrolled in Leading Together, Northshire, spring 2027."
    )
    card = page.locator(".enrolment-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Enrolled")
    card.get_by_role("link", name=re.compile("^Withdraw")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw from Leading Together")
    page.get_by_label("Why are you withdrawing? (optional)").fill("My rota changed.")
    page.get_by_role("button", name="Withdraw").click()

    expect(page).to_have_url(f"{live_url}/learn/")
    expect(page.locator(".messages")).to_contain_text("You have withdrawn from Leading Together")
    expect(card).to_contain_text("Withdrawn")
    expect(card.get_by_role("link", name=re.compile("^Withdraw"))).to_have_count(0)
    # The one expected: Chromium logs the deliberate empty submission's 400 (the form shown
    # again with its errors) as a failed resource. Anything else is a real error.
    bad_request = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert errors == [bad_request], errors

    from programmes.models import Enrolment

    enrolment = Enrolment.objects.get(person=programme_with_cohort["person"])
    assert enrolment.status == "withdrawn"
    assert enrolment.baseline_current_role == "Specialty registrar in anaesthetics"


@pytest.fixture
def axe_page(browser):
    """axe is injected inline, which the site's policy forbids: this context alone bypasses
    CSP (the journey above runs with it enforced)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def audit(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    assert results["passes"], "axe ran no checks: was it injected?"
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes'][0]['target'][0]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violations_on_the_enrolment_pages(
    programme_with_cohort, axe_page
):
    from tests.factories import EnrolmentFactory

    live_url, cohort = programme_with_cohort["url"], programme_with_cohort["cohort"]
    sign_in(axe_page, live_url)
    axe_page.goto(f"{live_url}/learn/enrol/{cohort.pk}/")
    axe_page.get_by_role("button", name="Enrol").click()  # with its errors showing
    expect(axe_page.get_by_role("alert")).to_be_visible()
    found = {"enrol": audit(axe_page)}
    enrolment = EnrolmentFactory(person=programme_with_cohort["person"], cohort=cohort)
    axe_page.goto(f"{live_url}/learn/")
    found["my learning"] = audit(axe_page)
    axe_page.goto(f"{live_url}/learn/enrolments/{enrolment.pk}/withdraw/")
    found["withdraw"] = audit(axe_page)
    assert not any(found.values()), found
