"""A learner's journey through the content in a real browser: home → programme → module,
answering the knowledge check (scored by static/cms/knowledge-check.js under the real
Content-Security-Policy), then searching. And an axe-core audit of the home, programme,
module and search pages: no serious or critical accessibility violations."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BUDGETS = "NHS budgets and financial management for clinicians"


@pytest.fixture
def demo_content(live_url):
    """The demo programme, modules and resources, seeded before Playwright starts (see the
    conftest's docstring on why the database comes first)."""
    from demo.content import seed_content
    from demo.run import SeedRun

    seed_content(SeedRun())
    return live_url


def watch_for_csp_violations(page):
    """Collect the console's Content-Security-Policy complaints: the knowledge check must work
    without any inline script or handler."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_browse_answer_the_knowledge_check_and_search(demo_content, page):
    live_url = demo_content
    csp_violations = watch_for_csp_violations(page)

    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tandem")
    page.get_by_role("link", name="Leading Together").click()

    expect(page).to_have_url(f"{live_url}/programmes/leading-together/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leading Together")
    expect(page.get_by_text("No cohorts are open for enrolment yet.")).to_be_visible()
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs.get_by_role("link")).to_have_text(["Home", "Programmes"])
    page.get_by_role("link", name=BUDGETS).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(BUDGETS)
    check = page.locator("[data-knowledge-check]")
    check.scroll_into_view_if_needed()
    button = check.get_by_role("button", name="Check my answers")
    expect(button).to_be_visible()  # the script ran: without it the button stays hidden

    questions = check.locator("[data-kc-question]")  # fieldsets (<details> are groups too)
    expect(questions).to_have_count(3)
    questions.nth(0).get_by_label(
        "The difference between the budget to date and the actual spending to date"
    ).check()
    questions.nth(1).get_by_label("An underspend, because the posts are vacant").check()
    button.click()

    expect(check.get_by_role("status")).to_have_text(
        re.compile(r"^You answered 1 of 3 questions correctly\.")
    )
    expect(questions.nth(0).locator("[data-kc-result]")).to_have_text(re.compile(r"^Correct\."))
    expect(questions.nth(1).locator("[data-kc-result]")).to_have_text(
        re.compile(r"^Not quite\. The substantive pay line may be underspent")
    )
    expect(questions.nth(2).locator("[data-kc-result]")).to_have_text(
        "You have not answered this question."
    )
    # The answers are still there for anyone who wants them, in words.
    questions.nth(2).get_by_text("Show the answer").click()
    expect(questions.nth(2).get_by_text("Correct answer:")).to_be_visible()

    # Anonymous: invited to sign in to keep progress.
    expect(page.locator("#progress").get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page).to_have_url(f"{live_url}/search/")
    page.get_by_label("Search programmes, modules and resources").fill("agency")
    page.get_by_label("Topic").select_option(label="Budgets and finance")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=agency&topic=budgets-and-finance$"))
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    expect(page.get_by_role("link", name=BUDGETS)).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile(r"^agency$", re.IGNORECASE))

    assert csp_violations == []


def test_the_knowledge_check_is_readable_without_javascript(demo_content, browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{demo_content}/programmes/leading-together/quality-improvement/")
        check = page.locator("[data-knowledge-check]")
        expect(check.get_by_role("button", name="Check my answers")).to_be_hidden()
        first = check.locator("[data-kc-question]").first
        first.get_by_text("Show the answer").click()  # <details> needs no script
        expect(first.get_by_text("Correct answer:")).to_be_visible()
        expect(first.get_by_text("Plan, Do, Study, Act").first).to_be_visible()
    finally:
        context.close()


@pytest.fixture
def axe_page(browser, request):
    """A page on which axe can be injected: Playwright adds the script inline, which the
    site's Content-Security-Policy rightly forbids, so this context alone bypasses CSP. The
    journey above runs with the policy enforced."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        directory = request.config.rootpath / "test-artifacts" / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/programmes/leading-together/",
        "/programmes/leading-together/nhs-budgets-and-financial-management/",
        "/search/?q=budget",
        "/resources/?topic=budgets-and-finance",
    ],
    ids=["home", "programme", "module", "search", "library"],
)
def test_no_serious_or_critical_accessibility_violations(demo_content, axe_page, path):
    axe_page.goto(f"{demo_content}{path}")
    axe_page.add_script_tag(path=str(AXE))
    results = axe_page.evaluate("async () => await axe.run(document)")
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(node["target"][0] for node in v["nodes"][:5])
        for v in serious
    )
    assert not serious, f"axe found on {path}:\n{report}"
    assert results["passes"], "axe ran no checks: was it injected?"
