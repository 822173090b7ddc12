"""Certificates administered in a real browser, under the real Content-Security-Policy.

A programme administrator signs in (password, then the authenticator code), opens Admin →
Certificates and a cohort whose completed enrolments have no certificates, issues them all
and watches the progress page's htmx poll count them up to 3 of 3 (and then stop polling);
revokes one with a reason (the form first sent empty, by keyboard: labelled fields, an error
summary announced as an alert) and sees its verify page say revoked; re-issues another and
sees the old one's verify page say superseded, with a link to the current one; downloads the
cohort's ZIP (the valid certificates' PDFs) and previews a template. axe-core finds nothing
serious or critical on any certificates admin page, nor on the verify pages the journey
opens; each certificate has its own Download on the cohort page too. Then the holder's
trust's reporting lead opens Admin → Certificates, which offers them only "Find a
certificate", finds the holder by name and downloads the certificate from its row (axe on
that page too); another trust's lead finds nothing of it there, and the download's address
typed by hand is a 404 to them.

The worker is played by the test. The live server runs in this process, on an in-memory
SQLite database no worker process could reach; and with tasks run eagerly on commit (as in
every other test) the whole batch would be issued and rendered inside the "Issue all"
request, so the progress page would open on "3 of 3" and its poll would never run. So the
live server's publishing is held: what the requests queue stays in the outbox, as it would
in the broker's queue, and `Worker.deliver` publishes one row at a time, oldest first —
the task itself, eagerly run, exactly as a worker would run it. The journey sees each step.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.codes import code_to_type
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_enrolment_journey import AXE, watch_console

pytestmark = pytest.mark.browser

ADMIN = "admin@northshire.nhs.uk"
LEAD = "lead@northshire.nhs.uk"
OTHER_LEAD = "lead@southvale.nhs.uk"
HOLDERS = ["Aisha Khan", "Ben Jones", "Chloe Li"]
REASON = "Issued before the final module was signed off"


@pytest.fixture
def cohort(live_url):
    """A finished cohort at Northshire with three completed enrolments and no certificates,
    its programme's certificate template (with a signature), Northshire's programme
    administrator and reporting lead and Southvale's reporting lead, each with an
    authenticator: made before Playwright starts (see the conftest's docstring)."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from people.access import AccessRole
    from tests.certificates.admin_factories import CertificateTemplateFactory, image_bytes
    from tests.factories import (
        ClinicianFactory,
        CohortFactory,
        EnrolmentFactory,
        ProgrammeFactory,
        TrustFactory,
        UserFactory,
        give_totp,
    )

    northshire = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    southvale = TrustFactory(name="Southvale Community NHS Trust", ods_code="RSV")
    template = CertificateTemplateFactory(
        trust=northshire, key="leading-together", name="Leading Together certificate"
    )
    template.signature_image.save("signature.png", ContentFile(image_bytes()), save=True)
    programme = ProgrammeFactory(
        title="Leading Together", slug="leading-together", certificate_template=template.key
    )
    starts = timezone.localdate() - datetime.timedelta(days=200)
    cohort = CohortFactory(
        programme=programme, host_trust=northshire, name="Northshire, spring 2026",
        starts_on=starts, ends_on=starts + datetime.timedelta(days=180),
    )  # fmt: skip
    for name in HOLDERS:
        first, last = name.split()
        person = ClinicianFactory(first_name=first, last_name=last, trust=northshire)
        EnrolmentFactory(cohort=cohort, person=person, status="completed")
    staff = [
        UserFactory(email=ADMIN, first_name="Priya", last_name="Shah", trust=northshire,
                    roles=[AccessRole.PROGRAMME_ADMINISTRATOR]),
        UserFactory(email=LEAD, trust=northshire, roles=[AccessRole.TRUST_REPORTING_LEAD]),
        UserFactory(email=OTHER_LEAD, trust=southvale, roles=[AccessRole.TRUST_REPORTING_LEAD]),
    ]  # fmt: skip
    for user in staff:
        give_totp(user)
    return {"url": live_url, "cohort": cohort, "template": template}


class Worker:
    """The outbox's rows delivered by the test, one at a time (see the module docstring).

    The live server and this thread share one in-memory SQLite database, whose shared-cache
    table locks refuse a read ("database table is locked") while another connection is
    writing — as the progress poll's count did while the batch task wrote. PostgreSQL would
    not; here the server's requests and the worker's deliveries take turns, under one lock."""

    def __init__(self, monkeypatch, live_server):
        from outbox import services

        self._publish = services._publish_after_commit
        # The after-commit publish of the live server's requests (and of the tasks run
        # here) leaves the rows waiting, as a queue does until a worker takes them.
        monkeypatch.setattr(services, "_publish_after_commit", lambda ids: {})
        self.turn = threading.Lock()
        httpd = live_server.thread.httpd
        app = httpd.get_app()

        def in_turn(environ, start_response):
            with self.turn:
                return app(environ, start_response)

        httpd.set_app(in_turn)

    def waiting(self, task: str) -> int:
        from outbox.models import OutboxMessage

        with self.turn:
            return OutboxMessage.objects.filter(
                published_at=None, task_name=f"certificates.tasks.{task}"
            ).count()

    def deliver(self, task: str, count: int | None = None) -> int:
        from outbox.models import OutboxMessage

        with self.turn:
            ids = list(
                OutboxMessage.objects.filter(
                    published_at=None, task_name=f"certificates.tasks.{task}"
                )
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[:count]
            )
        for pk in ids:
            with self.turn:  # one task at a time, so the poll is answered between them
                self._publish([pk])  # claims the row, runs its task (eagerly) as a worker
        return len(ids)


@pytest.fixture
def worker(monkeypatch, live_server, cohort):
    return Worker(monkeypatch, live_server)


def sign_in(page, live_url, email, next_path="/admin/"):
    """Password, then the authenticator code, as every staff sign-in."""
    from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET

    page.goto(f"{live_url}/accounts/login/?next={next_path}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(code_to_type(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_url}{next_path}")


# Every animation or transition with an end (not a spinner's endless one), awaited.
FINITE_ANIMATIONS_DONE = """Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


class Auditor:
    """axe-core on the journey's own page, as it stands (a form's errors and all). Injected
    through Playwright's evaluate, which the DevTools protocol runs outside the page's
    Content-Security-Policy, so the journey keeps the real policy (an inline script tag, as
    tests/browser/test_enrolment_journey.audit adds in a context that bypasses CSP, would be
    refused here). Collects the serious and critical violations by page."""

    def __init__(self, page):
        self.page = page
        self.source = AXE.read_text()
        self.found: dict[str, list[str]] = {}

    def __call__(self, name: str) -> None:
        # Wagtail's messages fade in: measured mid-fade, white on a paler green fails the
        # contrast check that the finished colours pass (4.5:1), so wait for transitions.
        self.page.evaluate(FINITE_ANIMATIONS_DONE)
        self.page.evaluate(self.source + "\n;undefined")  # defines window.axe
        results = self.page.evaluate("async () => await axe.run(document)")
        assert results["passes"], "axe ran no checks: was it injected?"
        self.found[name] = [
            f"{v['impact']}: {v['id']} ({v['help']}) at {node['target'][0]}: "
            + node["failureSummary"]
            for v in results["violations"]
            for node in v["nodes"][:1]
            if v["impact"] in ("serious", "critical")
        ]


def row_of(page, name):
    return page.get_by_role("row").filter(has_text=name)


def test_an_administrator_issues_revokes_reissues_and_downloads_a_cohorts_certificates(
    cohort, worker, page, monkeypatch
):
    from certificates import admin_views
    from certificates.models import Certificate

    # The page polls every second rather than every three: the same htmx, a shorter wait.
    monkeypatch.setattr(admin_views, "POLL_SECONDS", 1)
    # One certificate a message rather than five, so the poll can be seen counting them.
    from certificates import tasks

    monkeypatch.setattr(tasks, "RENDER_GROUP", 1)
    live_url = cohort["url"]
    errors = watch_console(page)
    axe = Auditor(page)
    sign_in(page, live_url, ADMIN)

    sidebar = page.locator("aside")
    sidebar.get_by_role("button", name="Certificates").click()
    sidebar.get_by_role("link", name="Cohorts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^\s*Certificates"))
    axe("the index")
    page.get_by_role("link", name="Leading Together, Northshire, spring 2026").click()
    expect(page.locator("main")).to_contain_text(
        "3 completed enrolments: 0 with a valid certificate, 0 being prepared, 0 failed, "
        "0 revoked, 3 not issued."
    )
    axe("a cohort, none issued")

    # Issue all: the batch page, its poll counting the certificates as the worker makes them.
    polls = []
    page.on(
        "request",
        lambda r: polls.append(r.url) if r.url.endswith("/progress/") else None,
    )
    page.get_by_role("button", name="Issue all certificates").click()
    expect(page).to_have_url(re.compile(r"/admin/certificates/batches/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("3 certificates being issued")
    status = page.get_by_role("status").filter(has=page.locator("progress"))
    expect(status).to_contain_text("0 of 3 ready, 3 still being made.")
    with worker.turn:  # no poll answered, so no swap while axe reads the page
        axe("a batch in progress")
    assert worker.deliver("certificate_batch_issue") == 1  # issues three, queues three renders
    assert worker.waiting("certificate_render_group") == 3
    assert worker.deliver("certificate_render_group", count=1) == 1
    expect(status).to_contain_text("1 of 3 ready, 2 still being made.")
    expect(status.locator("progress")).to_have_attribute("value", "1")
    assert worker.deliver("certificate_render_group") == 2
    expect(status).to_contain_text("3 of 3 ready. All done.")
    expect(status.locator("progress")).to_have_attribute("value", "3")
    # Told to stop (286) by the poll that saw it done: no poll after that one.
    seen = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == seen, polls
    assert not Certificate.objects.exclude(status="valid").exists()
    axe("a batch done")

    page.get_by_role("link", name="Back to the cohort's certificates").click()
    for name in HOLDERS:
        expect(row_of(page, name)).to_contain_text("Valid")
    revoked = Certificate.objects.get(participant_name="Aisha Khan")
    reissued = Certificate.objects.get(participant_name="Ben Jones")

    # Revoke, by keyboard: the form sent empty, its error announced, then with a reason.
    row_of(page, "Aisha Khan").get_by_role(
        "link", name="Revoke the certificate of Aisha Khan"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke a certificate")
    reason = page.get_by_label("Why it is revoked")
    reason.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Revoke the certificate")).to_be_focused()
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem, and nothing was saved")
    axe("revoke, with its error")
    # The summary's link takes the keyboard to the field, which says what is wrong with it.
    alert.get_by_role("link").first.click()
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    reason.fill(REASON)
    reason.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        f"Certificate {revoked.printed_code} is revoked."
    )
    expect(row_of(page, "Aisha Khan")).to_contain_text(REASON)
    page.goto(f"{live_url}/verify/{revoked.printed_code}/")
    expect(page.get_by_role("heading", name=re.compile("^Status: revoked on"))).to_be_visible()
    expect(page.locator("#main")).to_contain_text(REASON)
    axe("verify: revoked")
    page.go_back()

    # Re-issue: the old one superseded, pointing to the new one once it is rendered.
    row_of(page, "Ben Jones").get_by_role(
        "link", name="Re-issue the certificate of Ben Jones"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Re-issue a certificate")
    axe("re-issue")
    page.get_by_role("button", name="Re-issue the certificate").click()
    current = Certificate.objects.get(participant_name="Ben Jones", status="pending")
    expect(page.locator(".messages")).to_contain_text(f"Re-issued as {current.printed_code}")
    assert worker.deliver("certificate_render") == 1
    page.reload()
    expect(row_of(page, "Ben Jones")).to_contain_text(current.printed_code)
    expect(row_of(page, "Ben Jones")).to_contain_text("Valid")
    axe("a cohort, issued")
    page.goto(f"{live_url}/verify/{reissued.printed_code}/")
    expect(page.get_by_role("heading", name="Status: superseded on re-issue")).to_be_visible()
    axe("verify: superseded")
    page.get_by_role("link", name=f"Check the current certificate, {current.printed_code}").click()
    expect(page).to_have_url(f"{live_url}/verify/{current.printed_code}/")
    expect(page.get_by_role("heading", name="Status: valid")).to_be_visible()

    # One certificate's own file, from its row: the revoked one, named as revoked.
    page.go_back()
    page.go_back()
    with page.expect_download() as download:
        row_of(page, "Aisha Khan").get_by_role(
            "link", name="Download the certificate of Aisha Khan (revoked), PDF"
        ).click()
    assert download.value.suggested_filename == (
        f"tandem-certificate-{revoked.printed_code}-revoked.pdf"
    )
    with open(download.value.path(), "rb") as saved:
        revoked.refresh_from_db()
        assert _sha256(saved.read()) == revoked.sha256

    # The cohort's ZIP: the valid certificates' PDFs, the revoked and superseded left out.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the valid certificates (ZIP)").click()
    with open(download.value.path(), "rb") as saved:
        archive = zipfile.ZipFile(io.BytesIO(saved.read()))
    files = {name: archive.read(name) for name in archive.namelist()}
    assert len(files) == 2, list(files)
    assert all(name.endswith(".pdf") and data.startswith(b"%PDF-") for name, data in files.items())
    valid = Certificate.objects.filter(status="valid")
    for certificate in valid:
        assert any(certificate.printed_code in name for name in files), (certificate, files)
        assert any(certificate.sha256 == _sha256(data) for data in files.values())

    # A template's preview: a sample certificate as a PDF, shown in the browser.
    page.goto(f"{live_url}/admin/certificates/")
    page.get_by_role("link", name="templates").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("templates")
    axe("templates")
    template = cohort["template"]
    with page.expect_response(re.compile(r"/preview/$")) as preview:
        page.get_by_role("link", name=f"Preview {template.name} (PDF)").click()
    response = preview.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    # Chromium's PDF viewer has the page now; the bytes themselves, fetched again:
    assert page.request.get(response.url).body().startswith(b"%PDF-")
    page.goto(f"{live_url}/admin/certificates/templates/{template.pk}/edit/")
    expect(page.get_by_label("Signatory's name")).to_have_value(template.signatory_name)
    axe("a template")

    assert not any(axe.found.values()), axe.found
    assert errors == [], errors


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_holders_reporting_lead_downloads_a_certificate_another_trusts_lead_cannot(
    cohort, browser
):
    """The reporting lead of the holder's trust reaches the certificate through the admin:
    Certificates → Find a certificate (the only item they are offered), a search by name, and
    the row's Download. Another trust's lead is offered the same page, which lists nothing of
    it whatever they search; the download's address typed by hand is a 404 to them."""
    from certificates.services import certificate_issue
    from programmes.models import Enrolment

    enrolment = Enrolment.objects.get(person__first_name="Chloe")
    certificate = certificate_issue(enrolment=enrolment)  # renders once it commits (eager)
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    live_url = cohort["url"]
    path = f"/learn/certificates/{certificate.printed_code}/download/"
    found: dict[str, list[str]] = {}
    for email, allowed in [(LEAD, True), (OTHER_LEAD, False)]:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        errors = watch_console(page)
        axe = Auditor(page)
        sign_in(page, live_url, email)
        sidebar = page.locator("aside")
        sidebar.get_by_role("button", name="Certificates").click()
        submenu = sidebar.get_by_role("link", name="Find a certificate")
        expect(submenu).to_be_visible()
        for administrators_only in ("Cohorts", "Templates"):
            expect(sidebar.get_by_role("link", name=administrators_only, exact=True)).to_have_count(
                0
            )
        submenu.click()
        expect(page).to_have_url(f"{live_url}/admin/certificates/held/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Find a certificate")
        page.get_by_label("Name or certificate code").fill("Chloe")
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"\?search=Chloe"))
        axe("find a certificate")
        download_link = page.get_by_role("link", name="Download the certificate of Chloe Li")
        if allowed:
            expect(page.locator("main")).to_contain_text("1 certificate matches these filters.")
            row = row_of(page, "Chloe Li")
            expect(row).to_contain_text(certificate.printed_code)
            expect(row).to_contain_text("Leading Together")
            expect(row).to_contain_text("Valid")
            with page.expect_download() as download:
                download_link.click()
            assert download.value.suggested_filename == (
                f"tandem-certificate-{certificate.printed_code}.pdf"
            )
            with open(download.value.path(), "rb") as saved:
                assert _sha256(saved.read()) == certificate.sha256
        else:
            expect(page.locator("main")).to_contain_text("No certificate matches these filters.")
            expect(download_link).to_have_count(0)
            page.get_by_label("Name or certificate code").fill(certificate.printed_code)
            page.get_by_role("button", name="Apply filters").click()
            expect(page.locator("main")).to_contain_text("No certificate matches these filters.")
            response = page.request.get(f"{live_url}{path}")
            assert response.status == 404
            assert b"%PDF" not in response.body()
        found[email] = [v for vs in axe.found.values() for v in vs]
        assert errors == [], errors
        context.close()
    assert not any(found.values()), found
    # The lead's download was recorded, as every staff download of someone's certificate.
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(action="exported", detail__export="certificate")
    assert event.actor.email == LEAD
