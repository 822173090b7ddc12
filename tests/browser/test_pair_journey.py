"""Applying as a pair in a real browser, under the real Content-Security-Policy: a clinician
names a manager colleague on the enrolment page; the colleague signs in, finds the invitation
on "My learning", answers and accepts; both are enrolled together. Any console error fails
it. And an axe-core audit of the invitation page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_enrolment_journey import (  # noqa: F401 (fixtures)
    audit,
    axe_page,
    programme_with_cohort,
    watch_console,
)

pytestmark = pytest.mark.browser

COLLEAGUE = "tom.evans@northshire.nhs.uk"


@pytest.fixture
def colleague(programme_with_cohort):  # noqa: F811
    from people.access import AccessRole
    from tests.factories import UserFactory

    return UserFactory(
        email=COLLEAGUE, first_name="Tom", last_name="Evans",
        trust=programme_with_cohort["person"].trust, roles=[AccessRole.PARTICIPANT],
    )  # fmt: skip


def sign_in_as(page, live_url, email, next_path="/learn/"):
    from tests.factories import DEFAULT_PASSWORD

    page.goto(f"{live_url}/accounts/login/?next={next_path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def answer(page, role="Specialty registrar in anaesthetics"):
    page.get_by_role("group", name=re.compile("^How would you describe")).get_by_label(
        "A partnership with areas of tension"
    ).check()
    page.get_by_role("group", name=re.compile("^Over the next five years")).get_by_label(
        "Get better"
    ).check()
    page.get_by_label("Your current role").fill(role)
    page.get_by_label("What do you want to get from the programme?").fill(
        "Learn how the other side of the table works."
    )


def test_a_clinician_and_a_manager_apply_together(
    programme_with_cohort,  # noqa: F811
    colleague,
    browser,
):
    from tests.browser.conftest import DEFAULT_TIMEOUT_MS

    live_url, cohort = programme_with_cohort["url"], programme_with_cohort["cohort"]
    errors = []
    contexts = []
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors.append(watch_console(page))
        pages.append(page)
    inviter, invitee = pages

    sign_in_as(
        inviter, live_url, programme_with_cohort["person"].email, f"/learn/enrol/{cohort.pk}/"
    )
    answer(inviter)
    inviter.get_by_label("Apply together with a manager colleague (optional)").fill(COLLEAGUE)
    inviter.get_by_label("A note to your colleague (optional)").fill("Shall we?")
    inviter.get_by_role("button", name="Enrol").click()
    expect(inviter).to_have_url(f"{live_url}/learn/")
    expect(inviter.locator(".messages")).to_contain_text(f"We have invited {COLLEAGUE}")
    expect(inviter.get_by_text(f"You invited {COLLEAGUE}")).to_be_visible()

    sign_in_as(invitee, live_url, COLLEAGUE)
    expect(invitee).to_have_url(f"{live_url}/learn/")
    invitee.get_by_role("link", name=re.compile("^Accept or decline")).click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text(
        "Amara Okafor invites you to apply together"
    )
    expect(invitee.get_by_text("Shall we?")).to_be_visible()
    answer(invitee, role="Service manager for theatres")
    invitee.get_by_role("button", name="Accept and apply together").click()
    expect(invitee).to_have_url(f"{live_url}/learn/")
    expect(invitee.locator(".messages")).to_contain_text(
        "You and your colleague are enrolled together"
    )
    expect(invitee.locator(".enrolment-card")).to_contain_text(
        re.compile(r"Applied with\s*Amara Okafor")
    )

    inviter.goto(f"{live_url}/learn/")
    expect(inviter.locator(".enrolment-card")).to_contain_text(
        re.compile(r"Applied with\s*Tom Evans")
    )
    expect(inviter.locator(".enrolment-card")).to_contain_text("Enrolled")
    for context in contexts:
        context.close()
    assert errors == [[], []], errors


def test_no_serious_accessibility_violations_on_the_invitation_page(
    programme_with_cohort,  # noqa: F811
    colleague,
    axe_page,  # noqa: F811
):
    from programmes import services

    live_url, cohort = programme_with_cohort["url"], programme_with_cohort["cohort"]
    application = services.pair_invite(
        inviter=programme_with_cohort["person"],
        cohort=cohort,
        invitee_email=COLLEAGUE,
        answers={},
        message="Shall we?",
    )
    sign_in_as(axe_page, live_url, COLLEAGUE)
    axe_page.goto(f"{live_url}/learn/pairs/{application.pk}/")
    axe_page.get_by_role("button", name="Accept and apply together").click()  # errors showing
    expect(axe_page.get_by_role("alert")).to_be_visible()
    assert audit(axe_page) == []
