"""Five at once on PostgreSQL (tests/concurrency.py: each thread its own connection, released
together by a barrier).

Five ``certificate_issue`` calls for one completed enrolment — what five deliveries of the
completion, or five administrators pressing "issue", would do — make one certificate; running
what the outbox then holds (eagerly, as the tests' Celery does) renders one PDF and sends one
email. Five deliveries of the email task at once send one email.

Each test has a control with the one guard it relies on taken away, and the same widened
window between the check and the write (a sleep), so the difference is that guard alone:

- issuing: the partial unique index ``certificates_one_live_certificate_per_enrolment``
  (certificate_issue's look-then-insert cannot stop five threads that all looked before any
  inserted; the index makes the other four wait for the first and then find it). Without it,
  five certificates, five PDFs and five emails;
- emailing: the row lock the email task takes (outbox.claims.row_locked's select_for_update),
  under which ``emailed_at`` is checked and set. Without it, every delivery sends.

While the five race, the outbox is held back as after a failed publish (its rows wait for
the sweeper), so the renders run afterwards, one after another in this thread, rather than
in five threads at once: what is tested is how many certificates the race makes, and a
render is the same work wherever it runs.
"""

import time
from time import monotonic

import pytest
from django.core import mail
from django.db import connection
from django.db.models import QuerySet

from certificates import emails, services
from certificates.models import Certificate, certificate_storage
from certificates.services import certificate_issue
from certificates.tasks import send_certificate_email
from outbox import services as outbox
from programmes.models import Enrolment
from tests.concurrency import run_concurrently
from tests.factories import CertificateFactory, EnrolmentFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 5
WINDOW_SECONDS = 0.3
CONSTRAINT = "certificates_one_live_certificate_per_enrolment"


def widen(monkeypatch, module, name):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)  # checked, not yet written
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.fixture
def completed(monkeypatch):
    enrolment = EnrolmentFactory(status="completed")
    # Between certificate_issue's look for a live certificate and its insert.
    widen(monkeypatch, services, "leadership_dimensions_developed")
    # As after a failed publish: what the race enqueues waits for the sweeper (reset after
    # the test by tests/conftest.py).
    monkeypatch.setattr(outbox, "_broker_failed_at", monotonic())
    return enrolment


def issue_at_once(enrolment):
    def act(index):
        fresh = Enrolment.objects.select_related(
            "cohort__programme", "cohort__host_trust", "person"
        ).get(pk=enrolment.pk)
        return certificate_issue(enrolment=fresh).pk

    return run_concurrently(act, threads=THREADS)


def run_the_outbox() -> int:
    """Publish (eagerly: run) everything the outbox holds, and what those tasks enqueue in
    turn (the render queues the email), until nothing is left; returns how many ran."""
    ran = 0
    while published := outbox.outbox_sweep().published:
        ran += published
    return ran


def stored_files(certificates) -> list[str]:
    storage = certificate_storage()
    names = []
    for certificate in certificates:
        folder = f"{certificate.issued_on:%Y/%m}"
        names += [name for name in storage.listdir(folder)[1] if name.startswith(certificate.code)]
    return names


def test_five_issue_calls_at_once_make_one_certificate_one_pdf_and_one_email(completed):
    run = issue_at_once(completed)
    assert run.errors == []
    assert len(set(run.results)) == 1  # every caller was given the one certificate
    [certificate] = Certificate.objects.filter(enrolment=completed)
    assert certificate.status == "pending"

    assert run_the_outbox() == 2  # one render, one email
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.emailed_at is not None
    assert stored_files([certificate]) == [f"{certificate.code}.pdf"]
    [message] = mail.outbox
    assert message.to == [completed.person.email]
    assert outbox.outbox_sweep().published == 0  # nothing doubled, nothing left behind


@pytest.fixture
def without_the_unique_index():
    [constraint] = [c for c in Certificate._meta.constraints if c.name == CONSTRAINT]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Certificate, constraint)
    try:
        yield
    finally:
        # The schema outlives the test (a transactional test only flushes the rows): put the
        # index back, once the duplicates it would refuse are gone.
        Certificate.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Certificate, constraint)


def test_control_without_the_unique_index_five_calls_make_five(completed, without_the_unique_index):
    run = issue_at_once(completed)
    made = list(Certificate.objects.filter(enrolment=completed))
    assert len(made) > 1, "the window did not open: the test above proves nothing"
    assert len(set(run.results)) == len(made)

    run_the_outbox()
    assert len(stored_files(made)) == len(made)
    assert len(mail.outbox) == len(made)


# --- the email, delivered five times at once -------------------------------------------------


@pytest.fixture
def valid(monkeypatch):
    certificate = CertificateFactory(status="valid")
    widen(monkeypatch, emails, "message_for")  # emailed_at read, not yet set
    return certificate


def email_at_once(certificate):
    return run_concurrently(lambda index: send_certificate_email(certificate.pk), threads=THREADS)


def test_five_deliveries_of_the_email_at_once_send_one(valid):
    run = email_at_once(valid)
    assert run.errors == []
    assert sorted(run.results) == ["already sent"] * (THREADS - 1) + ["sent"]
    assert len(mail.outbox) == 1


def test_control_without_the_row_lock_every_delivery_sends(valid, monkeypatch):
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    email_at_once(valid)
    assert len(mail.outbox) > 1, "the window did not open: the test above proves nothing"
