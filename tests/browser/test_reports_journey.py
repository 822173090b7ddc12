"""The reporting lead's journey (issue 14), in a real browser under the real
Content-Security-Policy: sign in with the authenticator code, open /reports/, filter a
programme, download a table as XLSX. Any CSP violation, JavaScript error or failed request
fails the test (test_admin_editor.BrowserProblems)."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_admin_editor import demo, new_page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_a_reporting_lead_filters_a_programme_and_downloads_the_xlsx(demo, new_page):  # noqa: F811
    from people.models import Trust
    from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory

    wyvern = Trust.objects.get(ods_code="RXZ1")
    pilot = CohortFactory(host_trust=wyvern, programme__title="Clinicians into management")
    other = CohortFactory(host_trust=wyvern, programme__title="Leading Together")
    for _ in range(6):
        EnrolmentFactory(person=ClinicianFactory(trust=wyvern), cohort=pilot)
    EnrolmentFactory(person=ClinicianFactory(trust=wyvern), cohort=other)

    page, problems = new_page()
    sign_in(page, demo, "reporting-lead@demo.tandem.nhs.uk")
    page.goto(f"{demo}/reports/")
    expect(page).to_have_url(f"{demo}/reports/trusts/{wyvern.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(wyvern.name)
    expect(page.get_by_role("img", name="Enrolments by status, as a share of all")).to_be_visible()
    # The section at the foot: the follow-up answers and the self-assessment, with charts.
    expect(
        page.get_by_role("img", name="Share rating themselves strong or exemplary, before and")
    ).to_be_visible()
    expect(page.locator("#relationship_after-paper-caption")).to_be_visible()

    page.locator("select[name=programme]").select_option(label="Clinicians into management")
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_url(
        f"{demo}/reports/trusts/{wyvern.pk}/?programme={pilot.programme_id}&cohort=&since=&until="
    )
    enrolled = (
        page.locator("#enrolments-caption").locator("xpath=..").get_by_role("row", name="Enrolled")
    )
    expect(enrolled).to_contain_text("6")

    with page.expect_download() as download:
        page.locator("a[href*='/enrolments.xlsx']").click()
    content = download.value.path().read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert ("Enrolled", 6, "100%") in [tuple(row[:3]) for row in rows]
    assert any("Clinicians into management" in str(row[0]) for row in rows)  # the filter
    assert problems.found == []
