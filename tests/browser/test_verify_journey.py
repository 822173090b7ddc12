"""An employer checks a certificate in a real browser, under the real Content-Security-Policy,
with no account: types the code as it comes (small letters, spaces), reads the certificate's
page, and checks the holder's PDF — the real one rendered by the task, and a doctored copy.
No console error. And an axe-core audit of every verification page: the form, its error, a
valid and a revoked certificate, a file's check, the 404 and the 429."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_enrolment_journey import AXE, audit, watch_console

pytestmark = pytest.mark.browser
assert AXE.exists()


@pytest.fixture
def issued(live_url):
    """A completed enrolment's certificate, issued and rendered by the real task (made before
    Playwright starts: see the conftest's docstring); returns it with its PDF's bytes."""
    from certificates.models import certificate_storage
    from certificates.services import certificate_issue
    from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, TrustFactory

    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    person = ClinicianFactory(first_name="Amara", last_name="Okafor", trust=trust)
    enrolment = EnrolmentFactory(
        person=person, status="completed", cohort=CohortFactory(host_trust=trust)
    )
    certificate = certificate_issue(enrolment=enrolment)  # renders when its transaction commits
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    pdf = certificate_storage().open(certificate.pdf.name).read()
    return {"url": live_url, "certificate": certificate, "pdf": pdf}


def upload(page, content: bytes):
    page.get_by_label("The certificate's PDF file").set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    page.get_by_role("button", name="Check the file").click()


def test_an_employer_checks_a_certificate_and_its_pdf(issued, page):
    live_url, certificate = issued["url"], issued["certificate"]
    errors = watch_console(page)
    page.goto(f"{live_url}/verify/")
    typed = " ".join(certificate.printed_code.lower().split("-"))
    page.get_by_label("Certificate code").fill(typed)
    page.get_by_role("button", name="Check the certificate").click()
    expect(page).to_have_url(f"{live_url}/verify/{certificate.printed_code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(certificate.printed_code)
    expect(page.get_by_role("heading", name="Status: valid")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("Amara Okafor")
    expect(page.locator("#main")).to_contain_text(certificate.sha256)

    upload(page, issued["pdf"])
    expect(page.get_by_role("status")).to_contain_text("This file matches")
    doctored = issued["pdf"].replace(b"Amara", b"Amira", 1)
    upload(page, doctored if doctored != issued["pdf"] else issued["pdf"] + b"\n")
    expect(page.get_by_role("status")).to_contain_text("This file does not match")
    assert errors == [], errors


def test_no_serious_accessibility_violations_on_the_verification_pages(issued, browser):
    from django.utils import timezone

    from certificates import codes, verify_views
    from tests.factories import CertificateFactory

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    live_url, certificate = issued["url"], issued["certificate"]
    found = {}
    page.goto(f"{live_url}/verify/")
    found["the form"] = audit(page)
    page.get_by_label("Certificate code").fill("ABC-123")
    page.get_by_role("button", name="Check the certificate").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found["the form's error"] = audit(page)
    page.goto(f"{live_url}/verify/{certificate.printed_code}/")
    found["a valid certificate"] = audit(page)
    upload(page, issued["pdf"])
    expect(page.get_by_role("status")).to_be_visible()
    found["a file checked"] = audit(page)
    page.get_by_role("button", name="Check the file").click()  # no file chosen
    expect(page.get_by_role("alert")).to_be_visible()
    found["a file check's error"] = audit(page)
    revoked = CertificateFactory(
        status="revoked", revoked_at=timezone.now(), revoked_reason="Issued in error"
    )
    page.goto(f"{live_url}/verify/{revoked.printed_code}/")
    expect(page.get_by_role("heading", name=re.compile("^Status: revoked on"))).to_be_visible()
    found["a revoked certificate"] = audit(page)
    page.goto(f"{live_url}/verify/{codes.grouped(codes.new_code())}/")
    found["not found"] = audit(page)
    for _ in range(verify_views.VERIFY_MISSES.attempts):
        verify_views.VERIFY_MISSES.hit("127.0.0.1")
    response = page.goto(f"{live_url}/verify/{certificate.printed_code}/")
    assert response.status == 429
    found["too many"] = audit(page)
    context.close()
    assert not any(found.values()), found
