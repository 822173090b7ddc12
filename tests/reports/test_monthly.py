"""Monthly reports (issue 14 §9): beat makes last month's report per open trust once; the
render and the email are each done once; the PDF holds the trust, the month and the
dashboard's suppressed figures, and fetches nothing; reporting leads download their own
trust's reports and no one else's."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from pypdf import PdfReader

from outbox import claims
from people.access import AccessRole
from people.services import access_grant_revoke
from privacy import registry
from privacy.services import person_erase
from reports import monthly, monthly_pdf, tasks
from reports.models import MonthlyReport, MonthlyReportEmail, report_storage
from reports.personal_data import PERSON_LINKED_MODELS, export_monthly_report_emails
from tests.audit.helpers import sign_in
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    TrustFactory,
    UserFactory,
)
from tests.factories_reports import STAND_IN_PDF, MonthlyReportFactory

pytestmark = pytest.mark.django_db
D = datetime.date
# The morning of 1 December 2026: beat's run reports on November.
FIRST_OF_DECEMBER = datetime.datetime(2026, 12, 1, 6, 20, tzinfo=datetime.UTC)


@pytest.fixture
def stand_in_render(monkeypatch):
    """The render without WeasyPrint (the PDF tests below render for real): what is tested
    here is how many reports, files and emails there are."""
    calls = []

    def render(content):
        calls.append((content.trust.pk, content.month))
        return STAND_IN_PDF

    monkeypatch.setattr(monthly_pdf, "render", render)
    return calls


def run_beat(capture, when=FIRST_OF_DECEMBER):
    with time_machine.travel(when, tick=False), capture(execute=True):
        return monthly.monthly_reports_make()


# --- months -----------------------------------------------------------------------------------


def test_last_month_and_its_last_day():
    assert monthly.previous_month(D(2026, 12, 1)) == D(2026, 11, 1)
    assert monthly.previous_month(D(2027, 1, 31)) == D(2026, 12, 1)
    assert monthly.month_end(D(2028, 2, 1)) == D(2028, 2, 29)
    assert monthly.month_end(D(2026, 12, 1)) == D(2026, 12, 31)


def test_the_database_keeps_one_report_per_trust_and_month_on_its_first_day(trust_a):
    MonthlyReportFactory(trust=trust_a, month=D(2026, 11, 1))
    with pytest.raises(IntegrityError):
        MonthlyReport.objects.create(trust=trust_a, month=D(2026, 11, 1))


def test_a_month_is_its_first_day(trust_a):
    with pytest.raises(IntegrityError):
        MonthlyReport.objects.create(trust=trust_a, month=D(2026, 11, 2))


# --- beat -------------------------------------------------------------------------------------


def test_beat_makes_last_months_report_for_each_open_trust_once(
    django_capture_on_commit_callbacks, stand_in_render, trust_a
):
    closed_before = TrustFactory(closed_on=D(2026, 10, 31))
    closed_during = TrustFactory(closed_on=D(2026, 11, 15))
    opened_after = TrustFactory(opened_on=D(2026, 12, 1))
    assert run_beat(django_capture_on_commit_callbacks) == (2, 2)
    # Daily: the next morning, and a run on top of it, make and queue nothing.
    assert run_beat(django_capture_on_commit_callbacks, FIRST_OF_DECEMBER.replace(day=2)) == (0, 0)
    assert run_beat(django_capture_on_commit_callbacks) == (0, 0)
    made = MonthlyReport.objects.all()
    assert {(r.trust_id, r.month) for r in made} == {
        (trust_a.pk, D(2026, 11, 1)),
        (closed_during.pk, D(2026, 11, 1)),
    }
    assert {r.render_status for r in made} == {"ready"}
    assert sorted(stand_in_render) == sorted((r.trust_id, r.month) for r in made)
    assert not MonthlyReport.objects.filter(trust__in=[closed_before, opened_after]).exists()
    # January: December's report beside November's.
    january = FIRST_OF_DECEMBER.replace(2027, 1)
    assert run_beat(django_capture_on_commit_callbacks, january) == (2, 2)
    december = MonthlyReport.objects.filter(month=D(2026, 12, 1))
    assert set(december.values_list("trust", flat=True)) == {trust_a.pk, opened_after.pk}


def test_a_render_whose_message_was_lost_is_queued_again_the_next_day(
    django_capture_on_commit_callbacks, stand_in_render, trust_a, monkeypatch
):
    monkeypatch.setattr(tasks.monthly_report_render, "delay", lambda pk: None)  # lost
    assert run_beat(django_capture_on_commit_callbacks) == (1, 1)
    monkeypatch.undo()
    monkeypatch.setattr(monthly_pdf, "render", lambda content: STAND_IN_PDF)
    # Within REQUEUE_AFTER it is not queued twice; the next morning it is.
    assert run_beat(django_capture_on_commit_callbacks, FIRST_OF_DECEMBER.replace(hour=9)) == (
        0,
        0,
    )
    assert run_beat(django_capture_on_commit_callbacks, FIRST_OF_DECEMBER.replace(day=2)) == (
        0,
        1,
    )
    assert MonthlyReport.objects.get().is_ready


def test_a_render_whose_worker_died_is_taken_over(stand_in_render, trust_a):
    report = MonthlyReportFactory(trust=trust_a)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        claim = claims.claim_run(
            MonthlyReport.objects.all(), report.pk, lease=tasks.LEASE
        )  # a run that then died
        assert tasks.monthly_report_render(report.pk) == "busy"
    with time_machine.travel(FIRST_OF_DECEMBER + monthly.RENDER_STALE * 2, tick=False):
        assert tasks.monthly_report_render(report.pk) == "rendered"
    assert claim.finish(render_status="ready") is False  # the dead run records nothing
    report.refresh_from_db()
    assert report.is_ready and report.attempts == 2
    assert tasks.monthly_report_render(report.pk) == "already rendered"


# --- email ------------------------------------------------------------------------------------


def test_each_reporting_lead_is_emailed_the_pdf_once(
    django_capture_on_commit_callbacks, stand_in_render, trust_a, trust_b
):
    leads = UserFactory.create_batch(2, trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])  # not a lead
    UserFactory(trust=trust_b, roles=[AccessRole.TRUST_REPORTING_LEAD])  # another trust's
    UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD], is_active=False)
    run_beat(django_capture_on_commit_callbacks)
    mine = [m for m in mail.outbox if trust_a.name in m.subject]
    assert sorted(m.to[0] for m in mine) == sorted(lead.email for lead in leads)
    message = mine[0]
    assert message.subject == f"Tandem monthly report for {trust_a.name}: November 2026"
    [(name, content, kind)] = message.attachments
    assert (name, content, kind) == (
        "tandem-report-rns-2026-11.pdf",
        STAND_IN_PDF,
        "application/pdf",
    )
    assert f"http://testserver/reports/trusts/{trust_a.pk}/" in message.body
    # Another delivery of each email task sends nothing more.
    before = len(mail.outbox)
    for copy in MonthlyReportEmail.objects.all():
        assert tasks.send_monthly_report_email(copy.pk) == "already sent"
    assert len(mail.outbox) == before
    assert set(MonthlyReportEmail.objects.filter(report__trust=trust_a).values_list(
        "sent_to", flat=True)) == {lead.email for lead in leads}  # fmt: skip


def test_a_trust_with_no_reporting_lead_gets_its_report_and_no_email(
    django_capture_on_commit_callbacks, stand_in_render, trust_a
):
    assert run_beat(django_capture_on_commit_callbacks) == (1, 1)
    assert MonthlyReport.objects.get().is_ready
    assert mail.outbox == [] and not MonthlyReportEmail.objects.exists()


def test_a_lead_whose_role_was_taken_away_before_the_send_is_not_emailed(
    stand_in_render, trust_a, monkeypatch
):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    report = MonthlyReportFactory(trust=trust_a)
    monkeypatch.setattr(tasks.send_monthly_report_email, "delay", lambda pk: None)
    assert tasks.monthly_report_render(report.pk) == "rendered"
    [copy] = MonthlyReportEmail.objects.filter(person=lead)
    grant = lead.access_grants.get(role=AccessRole.TRUST_REPORTING_LEAD)
    access_grant_revoke(grant=grant, by=None)
    assert tasks.send_monthly_report_email(copy.pk) == "nobody to send to"
    assert mail.outbox == []


# --- the PDF ----------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


class SpyFetcher:
    def __init__(self):
        from core.pdf import fetcher_class

        class Spy(fetcher_class()):
            urls = []

            def fetch(self, url, headers=None):
                self.urls.append(url)
                return super().fetch(url, headers)

        self.fetcher = Spy(allowed_protocols={"data", "file"})
        self.urls = Spy.urls


@pytest.fixture
def spy(monkeypatch):
    spy = SpyFetcher()
    monkeypatch.setattr(monthly_pdf, "_fetcher", lambda: spy.fetcher)
    return spy


def test_the_pdf_holds_the_trust_the_month_and_the_suppressed_figures(trust_a, spy):
    # October 2026: a cohort of three of the trust's people running then (a small number,
    # "<5"); eight more completed an earlier cohort, so the programme to date has eleven.
    october = CohortFactory(host_trust=trust_a, starts_on=D(2026, 9, 1), ends_on=D(2027, 2, 28))
    for _ in range(3):
        EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=october)
    earlier = CohortFactory(host_trust=trust_a, starts_on=D(2025, 1, 1), ends_on=D(2025, 6, 30))
    for _ in range(8):
        EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=earlier, status="completed")
    content = monthly_pdf.report_content(trust_a, D(2026, 10, 1))
    [participants] = [line for line in content.summary if line.label == "Participants"]
    assert (participants.month.text, participants.to_date.text) == ("<5", "11")

    reader, text = pdf_text(monthly_pdf.render(content))
    assert "Northshire Hospitals NHS Foundation Trust" in text
    assert "Monthly report for October 2026" in text
    assert "Participants <5 11" in text  # the summary's row: the month, the programme to date
    assert "The programme to date" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert reader.attachments == {}
    assert spy.urls == []  # nothing fetched: no network, no file


def test_a_trust_name_with_markup_is_printed_and_fetches_nothing(spy):
    trust = TrustFactory(name="<img src=http://169.254.169.254/latest> Trust")
    _, text = pdf_text(monthly_pdf.render(monthly_pdf.report_content(trust, D(2026, 10, 1))))
    assert "<img src=http://169.254.169.254/latest> Trust" in text
    assert spy.urls == []


def test_the_spy_sees_what_unescaped_markup_would_fetch(spy):
    # So an empty list above means nothing was asked for, not that the spy was bypassed.
    from core import pdf

    html = "<html><head></head><body><img src='http://169.254.169.254/'></body></html>"
    pdf.render_pdf(html, fetcher=spy.fetcher)
    assert "http://169.254.169.254/" in spy.urls


# --- downloads --------------------------------------------------------------------------------


def test_a_reporting_lead_lists_and_downloads_their_trusts_reports(client, trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    october = MonthlyReportFactory(trust=trust_a, render_status="ready")
    MonthlyReportFactory(trust=trust_a, month=D(2026, 11, 1))  # not rendered yet: not listed
    sign_in(client, lead)
    page = client.get(f"/reports/trusts/{trust_a.pk}/monthly/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "October 2026" in body and "November 2026" not in body
    assert f"/reports/monthly/{october.pk}/download/" in body
    got = client.get(f"/reports/monthly/{october.pk}/download/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == STAND_IN_PDF
    assert got["Content-Disposition"] == 'attachment; filename="tandem-report-rns-2026-10.pdf"'
    assert got["Cache-Control"] == "private, no-store"
    dashboard = client.get(f"/reports/trusts/{trust_a.pk}/").content.decode()
    assert f"/reports/trusts/{trust_a.pk}/monthly/" in dashboard


def test_another_trusts_report_is_a_404_and_a_participant_is_refused(
    client, trust_a, trust_b, participant
):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    theirs = MonthlyReportFactory(trust=trust_b, render_status="ready")
    unrendered = MonthlyReportFactory(trust=trust_a)
    sign_in(client, lead)
    assert client.get(f"/reports/monthly/{theirs.pk}/download/").status_code == 404
    assert client.get(f"/reports/monthly/{unrendered.pk}/download/").status_code == 404
    assert client.get(f"/reports/trusts/{trust_b.pk}/monthly/").status_code == 404
    assert client.post(f"/reports/monthly/{theirs.pk}/download/").status_code == 405
    sign_in(client, participant)
    assert client.get(f"/reports/monthly/{theirs.pk}/download/").status_code == 403


def test_a_missing_file_is_a_404_not_a_500(client, trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    report = MonthlyReportFactory(trust=trust_a, render_status="ready")
    report_storage().delete(report.pdf.name)
    sign_in(client, lead)
    assert client.get(f"/reports/monthly/{report.pk}/download/").status_code == 404


# --- personal data ----------------------------------------------------------------------------


def test_the_copies_emailed_are_declared_exported_and_erased(stand_in_render, trust_a):
    from django.apps import apps
    from django.conf import settings
    from django.db.models import ForeignKey

    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    linked = {
        model
        for model in apps.get_app_config("reports").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model is person_model
    }
    assert linked == set(PERSON_LINKED_MODELS)
    assert set(PERSON_LINKED_MODELS.values()) <= {s.name for s in registry.sources()}

    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    report = MonthlyReportFactory(trust=trust_a)
    tasks.monthly_report_render(report.pk)
    tasks.send_monthly_report_email(MonthlyReportEmail.objects.get().pk)
    [row] = export_monthly_report_emails(lead)
    assert row["trust"] == trust_a.name and row["month"] == "October 2026"
    assert row["sent_to"] == lead.email
    person_erase(person=lead, by=UserFactory(is_superuser=True), reason="Asked to be forgotten")
    assert not MonthlyReportEmail.objects.exists()
    assert MonthlyReport.objects.get().is_ready  # the aggregate report stays


# --- queries ----------------------------------------------------------------------------------


def test_the_report_is_the_dashboards_queries_twice(trust_a, django_assert_max_num_queries):
    # The dashboard's thirteen at most (reports.dashboard.build: its ten measures, coffee's
    # second query only when the trust has rounds, then the answers' wording, the follow-up
    # answers and the self-assessment ratings) for the month, and as many for the programme
    # to date, whatever the trust's size.
    with django_assert_max_num_queries(26):
        monthly_pdf.report_content(trust_a, D(2026, 10, 1))


def test_the_list_makes_the_same_queries_however_many_months(client, trust_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    sign_in(client, lead)
    url = f"/reports/trusts/{trust_a.pk}/monthly/"
    client.get(url)  # the first page of a session also makes the person's Wagtail profile

    def queries(months) -> int:
        for month in months:
            MonthlyReportFactory(trust=trust_a, month=D(2026, month, 1), render_status="ready")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    # The page's own two (the trust, its reports) beside the site's layout and session.
    assert queries([10]) == queries([4, 5, 6, 7, 8, 9]) <= 16
