"""Every staff role of the README's demo logins, in a real browser under the real
Content-Security-Policy: each signs in (password, then the authenticator code), lands in the
admin, and opens the screens their role works in — listings with their filters, a form with
its choosers and date pickers. Any CSP violation, JavaScript error, failed request or
response of 400 or more fails the test (test_admin_editor.BrowserProblems). The editor and
the reviewer have their own journey in test_admin_editor.py, participants theirs in
test_enrolment_journey.py and test_cms_journey.py."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_editor import demo, new_page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

WYVERN_PARTICIPANT = "participant@demo.tandem.nhs.uk"

# The screens each role works in, by the demo login's name.
SCREENS = {
    "admin": [
        "/admin/people/",
        "/admin/people/edit/{participant}/",
        "/admin/invitations/",
        "/admin/roleappointment/",
        "/admin/roleappointment/new/",
        "/admin/accessgrant/",
        "/admin/cohorts/",
        "/admin/cohorts/new/",
        "/admin/programmes/",
    ],
    "reporting-lead": [
        "/admin/people/",
        "/admin/boardsnapshot/",
        "/admin/boardsnapshot/new/",
        "/admin/roleappointment/",
    ],
    "regional-lead": ["/admin/trust/", "/admin/boardsnapshot/"],
    "national-lead": ["/admin/trust/", "/admin/boardsnapshot/"],
    "superuser": [
        "/admin/users/",
        "/admin/groups/",
        "/admin/audit-log/",
        "/admin/reports/site-history/",
        "/admin/people/edit/{participant}/",
        "/admin/programmes/new/",
    ],
}


@pytest.mark.parametrize("login", list(SCREENS))
def test_each_staff_role_works_in_the_admin_without_a_browser_problem(demo, new_page, login):  # noqa: F811
    from people.models import User

    participant = User.objects.get(email=WYVERN_PARTICIPANT)
    page, problems = new_page()
    sign_in(page, demo, f"{login}@demo.tandem.nhs.uk")  # lands on /admin/ (asserted there)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    for screen in SCREENS[login]:
        path = screen.format(participant=participant.pk)
        response = page.goto(f"{demo}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert problems.found == [], (path, problems.found)
