"""Sign-in, sign-up, password reset and two-factor pages in Chromium: the participant who opens
/admin/ gets one page, in one request, with one message (it used to be a redirect loop with a
stack of messages); and axe-core finds no serious or critical violation on any of the pages,
at desktop width and at a phone's (390 px), where nothing may scroll sideways either."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from people.access import AccessRole
from tests.browser.codes import code_to_type
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.factories import (
    DEFAULT_PASSWORD,
    TEST_TOTP_SECRET,
    ClinicianFactory,
    TrustFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
REFUSAL = "You cannot use the Tandem admin"


def current_code() -> str:
    return code_to_type(TEST_TOTP_SECRET)  # still valid when the form arrives


def sign_in(page, live_url, email, path="/accounts/login/"):
    page.goto(f"{live_url}{path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def documents(page) -> list:
    """Every page-load response from now on (not scripts, styles or images)."""
    seen = []
    page.on("response", lambda r: seen.append(r) if r.request.resource_type == "document" else None)
    return seen


@pytest.fixture
def participant_person(db):
    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    return ClinicianFactory(
        email="participant@northshire.nhs.uk", trust=trust, roles=[AccessRole.PARTICIPANT]
    )


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_participants_admin_visit_ends_on_one_page_in_one_request_with_one_message(
    browser, live_url, participant_person, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, live_url, participant_person.email)
        expect(page).to_have_url(f"{live_url}/learn/")

        loads = documents(page)
        response = page.goto(f"{live_url}/admin/")
        assert response.status == 403
        assert response.request.redirected_from is None  # no redirect at all
        assert [(r.status, r.url) for r in loads] == [(403, f"{live_url}/admin/")]
        expect(page.get_by_role("heading", level=1)).to_have_text(REFUSAL)
        expect(page.get_by_text(REFUSAL)).to_have_count(1)
        expect(page.get_by_text(re.compile("do not have permission", re.I))).to_have_count(0)
        expect(page.locator(".messages")).to_have_count(0)

        # Ways on: My learning, with nothing stacked up for it.
        page.get_by_role("link", name="Go to My learning").click()
        expect(page).to_have_url(f"{live_url}/learn/")
        expect(page.locator(".messages")).to_have_count(0)
    finally:
        context.close()


def test_signing_in_for_the_admin_as_a_participant_ends_on_the_refusal(
    page, live_url, participant_person
):
    """The journey from the report: /admin/ signed out, the sign-in page, then the refusal,
    in one redirect after the sign-in rather than until Chromium gives up."""
    page.goto(f"{live_url}/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    loads = documents(page)
    sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
    page.get_by_label("Email address").fill(participant_person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    sign_in_button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REFUSAL)
    assert [r.status for r in loads] == [302, 403]
    page.get_by_role("button", name="Sign out and sign in with another account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


# --- axe ------------------------------------------------------------------------------------


@pytest.fixture
def axe_context(browser, request):
    """Playwright injects axe inline, which the site's Content-Security-Policy forbids; this
    context alone bypasses CSP (the journeys above run with it enforced)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        directory = request.config.rootpath / "test-artifacts" / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, page in enumerate(context.pages):
            page.screenshot(path=str(directory / f"{name}-{number}.png"), full_page=True)
    context.close()


def _sign_in_page(page, live_url):
    page.goto(f"{live_url}/accounts/login/")


def _sign_in_error(page, live_url):
    sign_in(page, live_url, "nobody@northshire.nhs.uk")
    expect(page.locator(".error-summary")).to_be_visible()


def _sign_up(page, live_url):
    page.goto(f"{live_url}/accounts/signup/")


def _sign_up_errors(page, live_url):
    page.goto(f"{live_url}/accounts/signup/")
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _password_reset(page, live_url):
    page.goto(f"{live_url}/accounts/password/reset/")


def _password_reset_sent(page, live_url):
    page.goto(f"{live_url}/accounts/password/reset/")
    page.get_by_label("Email address").fill("participant@northshire.nhs.uk")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def _password_reset_new_password(page, live_url):
    _password_reset_sent(page, live_url)
    link = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    page.goto(f"{live_url}{link}")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _two_factor_code(page, live_url):
    editor = UserFactory(email="editor@northshire.nhs.uk", trust=None, roles=[AccessRole.EDITOR])
    give_totp(editor)
    sign_in(page, live_url, editor.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()


def _confirm_it_is_you(page, live_url):
    editor = UserFactory(email="editor@northshire.nhs.uk", trust=None, roles=[AccessRole.EDITOR])
    # No app yet: the admin sends them to set one up, for which allauth asks for the password
    # again (a sign-in does not count as re-authentication).
    sign_in(page, live_url, editor.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")


def _two_factor_set_up(page, live_url):
    _confirm_it_is_you(page, live_url)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))


def _two_factor_settings(page, live_url):
    editor = UserFactory(email="editor@northshire.nhs.uk", trust=None, roles=[AccessRole.EDITOR])
    give_totp(editor)
    sign_in(page, live_url, editor.email)
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_url}/admin/")
    page.goto(f"{live_url}/accounts/2fa/")


def _admin_refused(page, live_url):
    sign_in(page, live_url, "participant@northshire.nhs.uk")
    page.goto(f"{live_url}/admin/")


def _profile_step(page, live_url):
    person = UserFactory(
        email="new.person@northshire.nhs.uk",
        trust=TrustFactory(ods_code="RNS"),
        professional_group="",
        job_title="",
    )
    sign_in(page, live_url, person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete your profile")


PAGES = {
    "sign-in": _sign_in_page,
    "sign-in-error": _sign_in_error,
    "sign-up": _sign_up,
    "sign-up-errors": _sign_up_errors,
    "password-reset": _password_reset,
    "password-reset-sent": _password_reset_sent,
    "password-reset-new-password": _password_reset_new_password,
    "2fa-code": _two_factor_code,
    "confirm-it-is-you": _confirm_it_is_you,
    "2fa-set-up": _two_factor_set_up,
    "2fa-settings": _two_factor_settings,
    "admin-refused": _admin_refused,
    "profile-step": _profile_step,
}


def serious_violations(page) -> str:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    assert results["passes"], "axe ran no checks: was it injected?"
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(node["target"][0] for node in v["nodes"][:5])
        for v in serious
    )


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_accessibility_violations(
    axe_context, live_url, participant_person, name
):
    page = axe_context.new_page()
    PAGES[name](page, live_url)
    url = page.url
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        report = serious_violations(page)
        assert not report, f"axe found on {name} ({label}, {url}):\n{report}"
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        # The heading has room under the navigation (it used to sit against it).
        gap = page.evaluate(
            "() => document.querySelector('main h1').getBoundingClientRect().top"
            " - document.querySelector('.site-header').getBoundingClientRect().bottom"
        )
        assert gap >= 16, f"{name}: the heading is {gap}px below the navigation at {width}px"
