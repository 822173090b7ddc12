"""Exactly once on PostgreSQL (tests/concurrency.py: each thread its own connection, released
together by a barrier): five of beat's runs at once make one report per trust and queue its
render once; five deliveries of the render at once render one PDF and make one copy per
lead; five deliveries of each email at once send one. End to end, five runs and then the
outbox: one report, one file, one email per lead. Each guard has a control with it taken
away and the same widened window, so the difference is the guard alone."""

import time
from time import monotonic

import pytest
from django.core import mail
from django.db.models import QuerySet

from outbox import services as outbox
from outbox.models import OutboxMessage
from people.access import AccessRole
from reports import monthly, monthly_pdf, tasks
from reports.models import MonthlyReport, MonthlyReportEmail, report_storage
from tests.concurrency import run_concurrently
from tests.factories import TrustFactory, UserFactory
from tests.factories_reports import STAND_IN_PDF, MonthlyReportFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 5
WINDOW_SECONDS = 0.3


def widen(monkeypatch, module, name):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)  # checked, not yet written
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.fixture
def held_outbox(monkeypatch):
    """What the runs enqueue waits in the outbox (as after a failed publish), so the test
    counts the queued rows rather than running them (reset after the test by conftest)."""
    monkeypatch.setattr(outbox, "_broker_failed_at", monotonic())


@pytest.fixture
def stand_in_render(monkeypatch):
    """The PDF without WeasyPrint: the race is about how many, not what is in them."""
    renders = []

    def render(content):
        renders.append(content.trust.pk)
        return STAND_IN_PDF

    monkeypatch.setattr(monthly_pdf, "render", render)
    return renders


@pytest.fixture
def trusts():
    made = TrustFactory.create_batch(2)
    for trust in made:
        UserFactory.create_batch(2, trust=trust, roles=[AccessRole.TRUST_REPORTING_LEAD])
    return made


def queued(task) -> list[int]:
    return [m.args[0] for m in OutboxMessage.objects.filter(task_name=task.name)]


def run_the_outbox() -> int:
    """Publish (eagerly: run) everything the outbox holds, and what those tasks enqueue in
    turn (the render queues the emails), until nothing is left; returns how many ran."""
    ran = 0
    while published := outbox.outbox_sweep().published:
        ran += published
    return ran


# --- beat's run -------------------------------------------------------------------------------


def beat_at_once():
    return run_concurrently(lambda index: monthly.monthly_reports_make(), threads=THREADS)


def test_five_beat_runs_at_once_make_one_report_per_trust_and_queue_each_render_once(
    monkeypatch, held_outbox, trusts
):
    widen(monkeypatch, monthly, "_take_renders")
    run = beat_at_once()
    assert run.errors == []
    reports = list(MonthlyReport.objects.all())
    assert sorted(r.trust_id for r in reports) == sorted(t.pk for t in trusts)
    assert sorted(queued(tasks.monthly_report_render)) == sorted(r.pk for r in reports)
    assert sum(made for made, _ in run.results) == len(trusts)


def test_control_without_the_row_lock_beat_runs_queue_twice(monkeypatch, held_outbox, trusts):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    widen(monkeypatch, monthly, "_take_renders")
    beat_at_once()
    assert MonthlyReport.objects.count() == len(trusts)  # the unique constraint still holds
    assert len(queued(tasks.monthly_report_render)) > len(trusts), (
        "the window did not open: the test above proves nothing"
    )


def test_five_beat_runs_and_then_the_outbox_make_one_pdf_and_one_email_per_lead(
    held_outbox, stand_in_render, trusts
):
    run = beat_at_once()
    assert run.errors == []
    leads = 2 * len(trusts)
    assert run_the_outbox() == len(trusts) + leads  # a render per trust, an email per lead
    assert sorted(stand_in_render) == sorted(t.pk for t in trusts)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        MonthlyReportEmail.objects.values_list("person__email", flat=True)
    )
    assert len(mail.outbox) == leads
    # One file per report. The storage is shared by the tests of this process (the demo's
    # seed stores last month's too), so only this test's trusts' files are counted: a second
    # render would have stored a second, suffixed name beside each.
    expected = sorted(
        monthly_pdf.attachment_name(r) for r in MonthlyReport.objects.select_related("trust")
    )
    prefixes = tuple(name.removesuffix(".pdf") for name in expected)
    stored = report_storage().listdir(f"{monthly.previous_month():%Y/%m}")[1]
    assert sorted(name for name in stored if name.startswith(prefixes)) == expected
    # Beat again, several times: nothing more.
    assert {tuple(r) for r in beat_at_once().results} == {(0, 0)}
    assert run_the_outbox() == 0 and len(mail.outbox) == leads


# --- the render, delivered five times ---------------------------------------------------------


def test_five_deliveries_of_the_render_at_once_render_one_and_copy_once_per_lead(
    monkeypatch, held_outbox, stand_in_render, trusts
):
    report = MonthlyReportFactory(trust=trusts[0])
    run = run_concurrently(lambda index: tasks.monthly_report_render(report.pk), threads=THREADS)
    assert run.errors == []
    # The first claims it; the others find it busy, or rendered if they came after.
    assert run.results.count("rendered") == 1
    assert set(run.results) <= {"rendered", "busy", "already rendered"}
    assert stand_in_render == [trusts[0].pk]
    assert MonthlyReportEmail.objects.filter(report=report).count() == 2
    assert len(queued(tasks.send_monthly_report_email)) == 2


# --- the email, delivered five times ----------------------------------------------------------


@pytest.fixture
def copies(monkeypatch, stand_in_render, trusts):
    report = MonthlyReportFactory(trust=trusts[0])
    monkeypatch.setattr(outbox, "_broker_failed_at", monotonic())  # the render's emails wait
    tasks.monthly_report_render(report.pk)
    widen(monkeypatch, tasks, "_refuse_email")  # sent_at read, not yet set
    return list(MonthlyReportEmail.objects.filter(report=report))


def email_at_once(copies):
    return run_concurrently(
        lambda index: [tasks.send_monthly_report_email(c.pk) for c in copies], threads=THREADS
    )


def test_five_deliveries_of_each_email_at_once_send_one_per_lead(copies):
    run = email_at_once(copies)
    assert run.errors == []
    results = [result for batch in run.results for result in batch]
    assert results.count("sent") == len(copies) == 2
    assert results.count("already sent") == (THREADS - 1) * len(copies)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.person.email for c in copies)


def test_control_without_the_row_lock_every_delivery_sends(copies, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    email_at_once(copies)
    assert len(mail.outbox) > len(copies), "the window did not open: the test above proves nothing"
