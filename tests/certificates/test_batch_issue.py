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
    # Their renders queued in groups, a chunk's at a time, on the pdf queue: every
    # certificate in exactly one.
    renders = OutboxMessage.objects.filter(task_name="certificates.tasks.certificate_render_group")
    assert {message.queue for message in renders} == {"pdf"}
    grouped = sorted(pk for message in renders for pk in message.args[0])
    assert grouped == sorted(issued.values_list("pk", flat=True))
    assert not OutboxMessage.objects.filter(task_name="certificates.tasks.certificate_render")
    assert batch_progress(batch).working == 5  # issued, rendering still to come

    # A second delivery (a worker died after the last chunk) issues nothing more.
    assert tasks.certificate_batch_issue(batch.pk) == "issued"
    assert Certificate.objects.count() == 5 and renders.count() == 3


def test_a_chunks_renders_go_in_groups_of_render_group(cohort):
    admin = UserFactory(trust=cohort.host_trust, is_superuser=True)
    completed(cohort, 2 * tasks.RENDER_GROUP + 1)
    batch = certificates_issue_cohort(cohort=cohort, by=admin)
    tasks.certificate_batch_issue(batch.pk)
    renders = OutboxMessage.objects.filter(
        task_name="certificates.tasks.certificate_render_group"
    ).order_by("pk")
    assert [len(message.args[0]) for message in renders] == [
        tasks.RENDER_GROUP,
        tasks.RENDER_GROUP,
        1,
    ]


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


def _pending(cohort, n):
    from certificates.services import certificate_issue

    return [
        certificate_issue(enrolment=enrolment, queue_render=False)
        for enrolment in completed(cohort, n)
    ]


def test_a_render_group_renders_each_and_goes_on_past_one_that_fails(cohort, monkeypatch):
    first, broken, last = _pending(cohort, 3)
    real = tasks.render_pdf

    def render(data):
        if data.code == broken.printed_code:
            raise ValueError("WeasyPrint could not lay this one out")
        return real(data)

    monkeypatch.setattr(tasks, "render_pdf", render)
    outcomes = tasks.certificate_render_group([first.pk, broken.pk, last.pk])
    assert outcomes == {"rendered": 2, "failed": 1}
    statuses = dict(Certificate.objects.values_list("pk", "render_status"))
    assert statuses == {first.pk: "ready", broken.pk: "failed", last.pk: "ready"}
    broken.refresh_from_db()
    assert "could not lay this one out" in broken.render_error

    # Delivered again (a worker died before acknowledging it): nothing rendered twice.
    monkeypatch.setattr(tasks, "render_pdf", real)
    outcomes = tasks.certificate_render_group([first.pk, broken.pk, last.pk])
    assert outcomes == {"already rendered": 2, "rendered": 1}


def test_a_transient_fault_retries_the_whole_group(cohort, monkeypatch):
    from django.db import OperationalError

    first, second = _pending(cohort, 2)

    def render(data):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "render_pdf", render)
    with pytest.raises(OperationalError):
        tasks.certificate_render_group.run([first.pk, second.pk])
    # The first is released for the retry; the second was never started.
    assert set(Certificate.objects.values_list("render_status", flat=True)) <= {
        "failed",
        "queued",
    }
