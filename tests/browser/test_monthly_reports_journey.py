"""The reporting lead downloads last month's report (issue 14 §9), in a real browser under
the real Content-Security-Policy: sign in with the authenticator code, open /reports/,
follow "Monthly reports (PDF)", download last month's report as the demo makes it. Any CSP
violation, JavaScript error or failed request fails the test
(test_admin_editor.BrowserProblems)."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_admin_editor import demo, new_page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_a_reporting_lead_downloads_last_months_report(demo, new_page):  # noqa: F811
    from demo.monthly_reports import seed_monthly_reports
    from demo.run import SeedRun
    from demo.trusts import seed_trusts
    from people.models import Trust
    from reports.monthly import previous_month

    run = SeedRun()
    for step in (seed_trusts, seed_monthly_reports):  # the demo fixture seeds the rest
        step(run)
    wyvern = Trust.objects.get(ods_code="RXZ1")
    month = f"{previous_month():%B %Y}"
    page, problems = new_page()
    sign_in(page, demo, "reporting-lead@demo.tandem.nhs.uk")
    page.goto(f"{demo}/reports/")
    page.get_by_role("link", name="Monthly reports (PDF)").click()
    expect(page).to_have_url(f"{demo}/reports/trusts/{wyvern.pk}/monthly/")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=re.compile(f"^{month}.*monthly report for {wyvern.name}")
        ).click()
    assert download.value.suggested_filename == f"tandem-report-rxz1-{previous_month():%Y-%m}.pdf"
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert wyvern.name in text and f"Monthly report for {month}" in text
    assert problems.found == []
