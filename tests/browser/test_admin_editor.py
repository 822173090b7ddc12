"""The CMS in a real browser, under the real Content-Security-Policy: an editor changes a module
and submits it for review, and a content reviewer approves it. Each signs in with the README's
demo login (password, then the authenticator code) and does what their role does; any
Content-Security-Policy violation, JavaScript error or failed request fails the test.

The editor uses every part of the editor the policy once broke: the inline panel (adds a
related module), the page chooser (picks the module), a StreamField block, the preview panel,
the publishing schedule's date picker, and the workflow's "Submit to Content review"."""

import re
from datetime import datetime
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

BUDGETS = "NHS budgets and financial management for clinicians"
QI = "Quality improvement together"  # not yet one of the budgets module's related modules
QUESTION = "What would you tell a new colleague about reading a budget variance?"
PROMPT = "Which line of the statement would you show them first?"

# Reported to the console by the page itself, whatever Chromium's own wording: Playwright
# adds this before any of the page's scripts, and the policy does not apply to it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def demo(live_url, settings):
    """The README's demo logins (with their authenticator) and the demo content, seeded
    before Playwright starts (see the conftest's docstring on why the database comes first).

    On SQLite, Wagtail's autosave is off: the test database there is in memory with a shared
    cache, where two requests writing at once (an autosave and the editor's click) fail at
    once with "database table is locked" rather than wait, as a real database does. CI runs
    on PostgreSQL, with autosave on as editors have it."""
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    from demo.content import seed_content
    from demo.logins import seed_account_security, seed_demo_logins
    from demo.run import SeedRun
    from demo.trusts import seed_trusts

    run = SeedRun()
    for step in (seed_trusts, seed_demo_logins, seed_account_security, seed_content):
        step(run)
    return live_url


class BrowserProblems:
    """Everything on a page that means something did not work: console errors (Chromium
    reports CSP violations there), uncaught exceptions, failed requests and responses of 400
    or more, but one: Wagtail's autosave answering "not valid yet" while a form is half
    filled in (400, JSON, error_code validation_error), which the editor shows as intended."""

    def __init__(self, page):
        self.found = []
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"JavaScript error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message):
        text = message.text
        if message.type != "error" and "Content Security Policy" not in text:
            return
        # Chromium logs this for every response of 400 or more, which are judged below (and
        # for its own /favicon.ico probe on pages without an icon, which is no page request).
        if text.startswith("Failed to load resource: the server responded with a status"):
            return
        self.found.append(f"console {message.type}: {text}")

    def _request_failed(self, request):
        # A request still under way when the page navigates (Wagtail's editing-session ping
        # as the editor saves) is aborted by the browser: that is no failure.
        if request.failure != "net::ERR_ABORTED":
            self.found.append(f"failed ({request.failure}): {request.url}")

    def _response(self, response):
        if response.status < 400 or urlparse(response.url).path == "/favicon.ico":
            return
        # Read at once: a response's body is gone once its page has navigated away.
        if not self._autosave_refusal(response):
            self.found.append(f"{response.status} for {response.request.method} {response.url}")

    @staticmethod
    def _autosave_refusal(response) -> bool:
        if response.status != 400 or response.request.method != "POST":
            return False
        if response.headers.get("content-type") != "application/json":
            return False
        return response.json().get("error_code") == "validation_error"


def totp_code() -> str:
    """The demo authenticator's code (README: the demo secret), one that is still valid when
    the form reaches the server (tests/browser/codes.py)."""
    from demo.logins import DEMO_TOTP_SECRET
    from tests.browser.codes import code_to_type

    return code_to_type(DEMO_TOTP_SECRET)


def sign_in(page, live_url, email):
    """Sign in as the README says, relying only on the forms' field names (the sign-in pages'
    look is not this test's business)."""
    from demo.run import DEMO_PASSWORD

    page.goto(f"{live_url}/accounts/login/?next=/admin/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("[type=submit]").first.click()
    code_form = page.locator("form:has(input[name=code])")
    expect(code_form).to_be_visible()  # staff roles: the two-factor step
    code_form.locator("input[name=code]").fill(totp_code())
    code_form.locator("[type=submit]").first.click()
    expect(page).to_have_url(f"{live_url}/admin/")


@pytest.fixture
def new_page(browser, request):
    """A browser of one's own (cookies and all) for each person; on failure, a screenshot of
    each person's page goes to test-artifacts/screenshots/ (as the conftest's `page` does)."""
    pages = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        return page, BrowserProblems(page)

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for number, page in enumerate(pages, start=1):
        if report is not None and report.failed:
            directory = request.config.rootpath / "test-artifacts" / "screenshots"
            directory.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=str(directory / f"{name}-{number}.png"), full_page=True)
        page.context.close()


def test_editor_changes_a_module_and_submits_it_and_the_reviewer_approves(demo, new_page):
    from cms.models import ModulePage

    live_url = demo
    module = ModulePage.objects.get(title=BUDGETS)

    # --- The editor ---------------------------------------------------------------------
    page, problems = new_page()
    sign_in(page, live_url, "editor@demo.tandem.nhs.uk")
    page.goto(f"{live_url}/admin/pages/{module.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(BUDGETS)

    # Inline panel: "Add related modules" adds an empty related module (two are there).
    related = page.locator("#id_related_module_links-FORMS")
    expect(related.locator("input[name$='-related_module']")).to_have_count(2)
    page.get_by_role("button", name=re.compile(r"^Add related modules$", re.I)).click()
    expect(related.locator("input[name$='-related_module']")).to_have_count(3)
    new_chooser = page.locator("#id_related_module_links-2-related_module-chooser")

    # Page chooser: the modal opens among the programme's modules; choosing one fills it in.
    new_chooser.get_by_role("button", name=re.compile(r"^Choose a page")).click()
    modal = page.locator(".modal")
    expect(modal.get_by_role("heading", level=1)).to_be_visible()
    modal.get_by_role("link", name=QI).click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_related_module_links-2-related_module-title")).to_have_text(QI)

    # StreamField: a reflective question at the end of the body.
    body = page.locator("[data-contentpath='body']")
    questions = body.locator("textarea[name$='-value-question']")
    before = questions.count()
    body.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=re.compile(r"^Reflective question")).click()
    expect(questions).to_have_count(before + 1)
    questions.last.fill(QUESTION)
    # A new reflective question comes with one empty prompt, and an empty prompt is an error.
    block_prefix = questions.last.get_attribute("name").removesuffix("-question")
    body.locator(f"input[name='{block_prefix}-prompts-0-value']").fill(PROMPT)

    # The preview panel frames the page as it would look (frame-ancestors 'self' for it).
    page.locator("[data-side-panel-toggle='preview']").click()
    expect(page.frame_locator("#w-preview-iframe").get_by_text(QUESTION)).to_be_visible()

    # Publishing schedule: the date picker sets go-live to the 15th of next month, 09:00.
    status_toggle = page.locator("[data-side-panel-toggle='status']")
    if status_toggle.get_attribute("aria-expanded") != "true":
        status_toggle.click()
    page.get_by_role("button", name="Set schedule").click()
    dialog = page.locator("#schedule-publishing-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#id_go_live_at").click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)  # the picker opened (it needs its script)
    picker.locator(".xdsoft_next").first.click()
    picker.locator("td.xdsoft_date:not(.xdsoft_other_month)", has_text=re.compile(r"^15$")).click()
    # The date comes from the picker (proof its script runs); the time is typed. The picker's
    # time list scrolls to the time of day with a scrollbar of its own, so a time far from
    # now lies outside its box, under the input, and cannot be clicked (1 run in 3 in CI).
    field = dialog.locator("#id_go_live_at")
    expect(field).to_have_value(re.compile(r"^\d{4}-\d{2}-15 \d{2}:\d{2}$"))
    field.fill(field.input_value()[:10] + " 09:00")
    dialog.get_by_role("heading").first.click()  # a click outside closes the picker
    expect(picker).to_have_count(0)
    expect(dialog.locator("#id_go_live_at")).to_have_value(re.compile(r"^\d{4}-\d{2}-15 09:00$"))
    go_live = dialog.locator("#id_go_live_at").input_value()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Save schedule").click()  # saves a draft
    expect(page.locator(".messages")).to_contain_text(f"Page '{BUDGETS}' has been updated.")
    expect(page.locator("[data-side-panel='status']")).to_contain_text("Go-live:")

    # Submit for review (the "Content review" workflow, cms migration 0005).
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit to Content review").click()
    expect(page.locator(".messages")).to_contain_text("submitted")

    module.refresh_from_db()
    draft = module.get_latest_revision_as_object()
    assert [link.related_module.title for link in draft.related_module_links.all()][-1] == QI
    assert draft.body[-1].block_type == "reflective_question"
    assert draft.body[-1].value["question"] == QUESTION
    assert list(draft.body[-1].value["prompts"]) == [PROMPT]
    assert draft.go_live_at.strftime("%Y-%m-%d %H:%M") == go_live
    state = module.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert problems.found == [], "\n".join(problems.found)

    # --- The reviewer -------------------------------------------------------------------
    page, problems = new_page()
    sign_in(page, live_url, "reviewer@demo.tandem.nhs.uk")
    awaiting = page.get_by_role("region", name="Awaiting your review")
    row = awaiting.locator("tr", has_text=BUDGETS)
    row.get_by_role("button", name="Actions").click()
    with page.expect_navigation():
        row.get_by_role("button", name="Approve", exact=True).click()
    when = datetime.strptime(go_live, "%Y-%m-%d %H:%M").strftime("%-d %B %Y at %H:%M")
    expect(page.locator(".messages")).to_contain_text(
        f"You approved '{BUDGETS}'. It will go live on {when}."
    )
    expect(awaiting.locator("tr", has_text=BUDGETS)).to_have_count(0)

    state.refresh_from_db()
    assert state.status == "approved"
    # Approved with a go-live date in the future: scheduled, and the live page unchanged.
    module.refresh_from_db()
    assert module.latest_revision.approved_go_live_at == draft.go_live_at
    assert module.body[-1].block_type != "reflective_question" or (
        module.body[-1].value["question"] != QUESTION
    )
    assert problems.found == [], "\n".join(problems.found)
