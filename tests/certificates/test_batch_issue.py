"""Bulk issue runs in a worker: the request makes the batch and queues its task; the task
issues a chunk per transaction under the batch's lock, so a redelivery carries on where a
dead worker stopped and nothing is issued twice; the progress page counts the certificates
not yet made as work still to do."""

import pytest

from certificates import admin_services, tasks
from certificates.admin_selectors import batch_progress
from certificates.admin_services import certificates_issue_cohort
from certificates.models import Certificate
from outbox.models import OutboxMessage
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(trust_a):
    return CohortFactory(host_trust=trust_a)


def completed(cohort, n):
    return [EnrolmentFactory(cohort=cohort, status="completed") for _ in range(n)]


def test_the_request_queues_the_issue_and_the_task_issues_every_certificate_in_chunks(
    cohort, monkeypatch
):
    admin = UserFactory(trust=cohort.host_trust, is_superuser=True)
    enrolments = completed(cohort, 5)
    monkeypatch.setattr(admin_services, "ISSUE_CHUNK", 2)

    batch = certificates_issue_cohort(cohort=cohort, by=admin)
    # Nothing issued in the request: one task queued, on the default queue.
    assert not Certificate.objects.exists()
    queued = OutboxMessage.objects.get(task_name="certificates.tasks.certificate_batch_issue")
    assert (queued.args, queued.queue) == ([batch.pk], "default")
    progress = batch_progress(batch)
    assert (progress.total, progress.ready, progress.working, progress.done) == (5, 0, 5, False)

    assert tasks.certificate_batch_issue(batch.pk) == "issued"
    batch.refresh_from_db()
    assert batch.issued_at is not None and batch.total == 5
    issued = Certificate.objects.filter(batch=batch)
    assert sorted(issued.values_list("enrolment_id", flat=True)) == [e.pk for e in enrolments]
    renders = OutboxMessage.objects.filter(task_name="certificates.tasks.certificate_render")
    assert renders.count() == 5
    assert batch_progress(batch).working == 5  # issued, rendering still to come

    # A second delivery (a worker died after the last chunk) issues nothing more.
    assert tasks.certificate_batch_issue(batch.pk) == "issued"
    assert Certificate.objects.count() == 5 and renders.count() == 5


def test_a_redelivery_after_part_of_the_batch_carries_on_where_it_stopped(cohort, monkeypatch):
    admin = UserFactory(trust=cohort.host_trust, is_superuser=True)
    completed(cohort, 5)
    monkeypatch.setattr(admin_services, "ISSUE_CHUNK", 2)
    batch = certificates_issue_cohort(cohort=cohort, by=admin)
    assert admin_services.batch_issue_chunk(batch=batch) is False  # then the worker dies
    assert Certificate.objects.count() == 2
    assert batch_progress(batch).working == 5  # two issued and three still to make

    tasks.certificate_batch_issue(batch.pk)
    assert Certificate.objects.filter(batch=batch).count() == 5
    assert Certificate.objects.values("enrolment").distinct().count() == 5


def test_a_completion_issuing_one_meanwhile_settles_the_total_to_what_the_batch_issued(cohort):
    admin = UserFactory(trust=cohort.host_trust, is_superuser=True)
    first, *_ = completed(cohort, 3)
    batch = certificates_issue_cohort(cohort=cohort, by=admin)
    from certificates.services import certificate_issue

    certificate_issue(enrolment=first)  # programmes' completion event, before the task ran
    tasks.certificate_batch_issue(batch.pk)
    batch.refresh_from_db()
    assert batch.total == 2 and Certificate.objects.count() == 3
    assert batch_progress(batch).working == 2  # so the page can finish: 2 of 2, not 2 of 3


def test_pressing_issue_again_while_the_batch_is_issuing_gives_the_same_batch(cohort):
    admin = UserFactory(trust=cohort.host_trust, is_superuser=True)
    completed(cohort, 2)
    first = certificates_issue_cohort(cohort=cohort, by=admin)
    again = certificates_issue_cohort(cohort=cohort, by=admin)
    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(task_name__endswith="certificate_batch_issue").count() == 1
