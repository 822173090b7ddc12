"""Smoke journey in a real browser: the public home page, and a programme administrator
signing in to the Wagtail admin and reaching "People and trusts"."""

import re

import pytest
from playwright.sync_api import expect

from people.access import AccessRole
from tests.factories import DEFAULT_PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.browser


def test_home_page_renders(page, live_url):
    # The live server listens on a random port; the migration's Site is localhost:80 and
    # is_default_site, so Wagtail serves it as the fallback.
    response = page.goto(f"{live_url}/")

    assert response is not None
    assert response.status == 200
    expect(page).to_have_title(re.compile(r"Tandem"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tandem")
    expect(page.get_by_text("Clinicians and managers, learning to lead together.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_programme_administrator_signs_in_to_admin(page, live_url):
    admin = UserFactory(
        email="admin@northshire.nhs.uk",
        first_name="Priya",
        last_name="Shah",
        roles=[AccessRole.PROGRAMME_ADMINISTRATOR],
    )
    assert admin.groups.filter(name=AccessRole.PROGRAMME_ADMINISTRATOR).exists(), (
        "the role's group is missing: did a transactional test flush the migrations' data?"
    )

    current_code = give_totp(admin)  # staff roles need two-factor authentication

    page.goto(f"{live_url}/admin/")
    # Wagtail's password-only form is replaced by Tandem's sign-in (lockout, 2FA).
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)admin(/|%2F)$"))

    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Wagtail's dashboard: the admin root, headed with WAGTAIL_SITE_NAME, the sidebar present
    # and the signed-in person named in the account summary.
    expect(page).to_have_url(f"{live_url}/admin/")
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tandem")
    expect(page.get_by_text("Priya Shah").first).to_be_visible()

    sidebar = page.locator("aside")
    sidebar.get_by_role("button", name="People and trusts").click()
    sidebar.get_by_role("link", name="People", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/people/$"))
    # The listing is headed with the model's plural ("Users" today) under the "People" menu.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^\s*(People|Users)\s*$"))
    row = page.get_by_role("row").filter(has_text=admin.email)
    expect(row.get_by_role("link", name="Priya Shah")).to_be_visible()
