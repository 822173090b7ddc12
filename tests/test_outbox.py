"""The transactional outbox: every enqueue is recorded with its transaction and published after
commit; a sweeper publishes what could not be; nothing is sent twice.

Tasks run eagerly here (CELERY_TASK_ALWAYS_EAGER): "published" means run, after commit. The
broker's side (a real worker, a broker that refuses messages) is in test_broker_outage.py.
"""

import ast
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.tasks import send_invitation
from config.celery import app
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from outbox import services
from outbox.models import OutboxMessage
from outbox.selectors import outbox_backlog
from outbox.tasks import sweep_outbox
from privacy.tasks import build_subject_access_archive
from tests.broker_helpers import FilesystemBroker, run_together, using_broker
from tests.factories import InvitationFactory

ROOT = Path(__file__).resolve().parent.parent
HEARTBEAT = "core.tasks.record_worker_heartbeat"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def fs_broker(tmp_path):
    broker = FilesystemBroker(tmp_path / "broker")
    yield broker
    broker.remove()


# --- enqueue on commit, by construction ----------------------------------------------------------


@pytest.mark.django_db
def test_a_plain_delay_inside_a_transaction_waits_for_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_worker_heartbeat.delay()
        # Recorded with the transaction, not yet run.
        message = OutboxMessage.objects.get()
        assert message.task_name == HEARTBEAT
        assert message.published_at is None
        assert not WorkerHeartbeat.objects.exists()
    message.refresh_from_db()
    assert message.published_at is not None
    assert message.attempts == 1
    assert WorkerHeartbeat.objects.filter(name="worker").exists()


@pytest.mark.django_db
def test_a_task_enqueued_with_its_data_sees_that_data(django_capture_on_commit_callbacks):
    """The failure the old convention guarded against: a task started in the transaction that
    creates its row must find the row. A plain `.delay()` now waits for the commit."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invitation = InvitationFactory(sent_at=None)
        send_invitation.delay(invitation.pk)
        assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert mail.outbox[0].to == [invitation.email]


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_row_and_runs_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_worker_heartbeat.delay()
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("abort")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_its_tasks_with_it_and_leaves_the_rest(
    django_capture_on_commit_callbacks,
):
    invitation = InvitationFactory(sent_at=None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            send_invitation.delay(invitation.pk)  # the first enqueue of the transaction
            raise RuntimeError("abort the savepoint")
        record_worker_heartbeat.delay()
    assert list(OutboxMessage.objects.values_list("task_name", flat=True)) == [HEARTBEAT]
    assert OutboxMessage.objects.get().published_at is not None  # published after commit
    assert mail.outbox == []


@pytest.mark.django_db
def test_outside_a_transaction_the_task_is_published_at_once():
    result = record_worker_heartbeat.delay()
    assert result.successful()  # eager: it has run
    assert OutboxMessage.objects.get().published_at is not None


@pytest.mark.django_db
def test_every_spelling_of_enqueue_goes_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        record_worker_heartbeat.delay()
        record_worker_heartbeat.apply_async()
        record_worker_heartbeat.delay_on_commit()
        record_worker_heartbeat.apply_async_on_commit()
        assert OutboxMessage.objects.unpublished().count() == 4


@pytest.mark.django_db
def test_arguments_that_are_not_plain_json_are_refused_at_the_call():
    with pytest.raises(TypeError, match="plain JSON"):
        build_subject_access_archive.delay(timezone.now())
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_wrong_arguments_are_refused_at_the_call():
    with pytest.raises(TypeError):
        build_subject_access_archive.delay(1, 2)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_options_the_outbox_cannot_record_are_refused_not_dropped():
    with pytest.raises(TypeError, match="link cannot go through the outbox"):
        record_worker_heartbeat.apply_async(link=record_worker_heartbeat.s())
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_queue_and_timing_are_recorded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        send_invitation.delay(1)
        record_worker_heartbeat.apply_async(countdown=60, expires=120, priority=3)
        build_subject_access_archive.apply_async((1,), queue="high")
    invite, beat, sar = OutboxMessage.objects.order_by("id")
    assert (invite.queue, invite.args) == ("email", [1])  # from CELERY_TASK_ROUTES
    assert beat.queue == "high"
    assert timedelta(seconds=55) < beat.eta - beat.created_at <= timedelta(seconds=60)
    assert beat.expires - beat.created_at == timedelta(seconds=120)
    assert beat.priority == 3
    assert sar.queue == "high"  # the caller's choice wins


@pytest.mark.django_db
def test_beat_and_outbox_false_publish_directly():
    # Beat passes its own producer: its periodic sends go straight to the broker (the next
    # tick sends again anyway), and so does the sweeper's start-up sweep (outbox=False).
    record_worker_heartbeat.apply_async(producer=None)
    sweep_outbox.apply_async(outbox=False)
    assert not OutboxMessage.objects.exists()
    assert WorkerHeartbeat.objects.exists()


# --- the sweeper ---------------------------------------------------------------------------------


def waiting(**fields):
    """A row as a failed after-commit publish leaves it: committed, unpublished, unclaimed."""
    fields.setdefault("task_name", HEARTBEAT)
    fields.setdefault("queue", "high")
    return OutboxMessage.objects.create(**fields)


@pytest.mark.django_db
def test_the_sweeper_publishes_what_is_waiting_oldest_first_once():
    older = waiting(created_at=timezone.now() - timedelta(minutes=5), attempts=1)
    newer = waiting()
    assert services.outbox_sweep().published == 2
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.published_at <= newer.published_at
    assert (older.attempts, newer.attempts) == (2, 1)
    assert older.last_error == ""
    assert WorkerHeartbeat.objects.exists()
    assert services.outbox_sweep().published == 0  # nothing is published twice


@pytest.mark.django_db
def test_the_sweeper_leaves_rows_claimed_by_a_live_publisher_and_takes_over_dead_ones():
    now = timezone.now()
    live = waiting(
        claim_token="00000000-0000-0000-0000-000000000001",
        claimed_until=now + timedelta(seconds=60),
    )
    dead = waiting(
        claim_token="00000000-0000-0000-0000-000000000002", claimed_until=now - timedelta(seconds=1)
    )
    assert services.outbox_sweep().published == 1
    live.refresh_from_db()
    dead.refresh_from_db()
    assert live.published_at is None
    assert dead.published_at is not None


@pytest.mark.django_db
def test_a_sweep_stops_at_the_first_broker_failure_and_loses_nothing():
    rows = [waiting(created_at=timezone.now() - timedelta(seconds=3 - n)) for n in range(3)]
    with using_broker(UNREACHABLE_REDIS):
        result = services.outbox_sweep()
    assert (result.published, result.failed, result.broker_down) == (0, 1, True)
    first, *rest = (OutboxMessage.objects.get(pk=row.pk) for row in rows)
    assert first.attempts == 1
    assert "Error" in first.last_error
    assert [row.attempts for row in rest] == [0, 0]  # not even tried: the broker is down
    # Released at once, so the next sweep can take all three.
    assert all(row.claim_token is None and row.published_at is None for row in [first, *rest])


@pytest.mark.django_db
def test_an_unknown_task_is_recorded_and_does_not_block_the_rest():
    ghost = waiting(
        task_name="gone.tasks.renamed", created_at=timezone.now() - timedelta(minutes=1)
    )
    waiting()
    result = services.outbox_sweep()
    assert (result.published, result.failed, result.broker_down) == (1, 1, False)
    ghost.refresh_from_db()
    assert ghost.published_at is None
    assert "No task named 'gone.tasks.renamed'" in ghost.last_error


@pytest.mark.django_db
def test_a_broker_failure_after_commit_leaves_the_row_for_the_sweeper(
    django_capture_on_commit_callbacks,
):
    with (
        using_broker(UNREACHABLE_REDIS),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        result = record_worker_heartbeat.delay()  # no exception reaches the caller
    message = OutboxMessage.objects.get()
    assert str(message.task_id) == result.id
    assert message.published_at is None
    assert message.claim_token is None
    assert message.attempts == 1
    assert message.last_error
    assert services.outbox_sweep().published == 1  # eager again: the broker is "back"
    assert WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_after_a_failed_publish_new_rows_wait_for_the_sweeper_without_trying(
    django_capture_on_commit_callbacks, monkeypatch
):
    """An import of 2,000 invitations during an outage must not wait for 2,000 failures."""
    with using_broker(UNREACHABLE_REDIS):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                record_worker_heartbeat.delay()
        assert list(OutboxMessage.objects.values_list("attempts", flat=True)) == [1, 0, 0]
        # The sweeper is not held back: it is what finds out the broker is back.
        assert services.outbox_sweep().failed == 1
        later = services._broker_failed_at + services.BROKER_BACKOFF_SECONDS + 1
        monkeypatch.setattr(services, "monotonic", lambda: later)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record_worker_heartbeat.delay()
    assert OutboxMessage.objects.order_by("id").last().attempts == 1  # tried again


@pytest.mark.django_db
def test_published_rows_are_pruned_after_a_week_and_waiting_ones_never():
    long_ago = timezone.now() - timedelta(days=30)
    old_published = waiting(created_at=long_ago, published_at=long_ago)
    recent = waiting(published_at=timezone.now() - timedelta(days=1))
    old_waiting = waiting(created_at=long_ago)
    assert services.outbox_prune() == 1
    remaining = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, old_waiting.pk}
    assert old_published.pk not in remaining


@pytest.mark.django_db
def test_backlog_counts_waiting_rows_and_the_oldest_age(django_assert_num_queries):
    now = timezone.now()
    assert outbox_backlog(now) == {"unpublished": 0, "oldest_seconds": None}
    waiting(created_at=now - timedelta(seconds=90))
    waiting(created_at=now - timedelta(seconds=10))
    waiting(created_at=now - timedelta(days=3), published_at=now)
    with django_assert_num_queries(1):  # one aggregate over the unpublished rows
        assert outbox_backlog(now) == {"unpublished": 2, "oldest_seconds": 90}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweepers_at_once_never_publish_a_row_twice(require_postgres, fs_broker):
    """Both sweepers claim in small batches from the same 60 rows; every message that reaches
    the (real, filesystem) broker is counted by its task id."""
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name=HEARTBEAT, queue="high") for _ in range(60)
    )
    with using_broker(fs_broker.url, fs_broker.options):
        first, second = run_together(
            lambda: services.outbox_sweep(batch=5), lambda: services.outbox_sweep(batch=5)
        )
    assert first.published + second.published == 60
    published = Counter(
        json.loads(path.read_text())["headers"]["id"] for path in fs_broker.messages("high")
    )
    assert set(published) == {
        str(i) for i in OutboxMessage.objects.values_list("task_id", flat=True)
    }
    assert set(published.values()) == {1}
    assert not OutboxMessage.objects.unpublished().exists()


# --- queues and the dependency rule --------------------------------------------------------------


def test_work_is_routed_to_named_queues():
    route = app.amqp.router.route
    queues = {
        name: route({}, name)["queue"].name
        for name in (
            HEARTBEAT,
            "outbox.tasks.sweep_outbox",
            "accounts.tasks.send_invitation",
            "privacy.tasks.build_subject_access_archive",
            "certificates.tasks.certificate_render",
        )
    }
    assert queues == {
        HEARTBEAT: "high",
        "outbox.tasks.sweep_outbox": "high",
        "accounts.tasks.send_invitation": "email",
        "privacy.tasks.build_subject_access_archive": "default",
        "certificates.tasks.certificate_render": "pdf",
    }


def test_make_runs_worker_consumes_every_queue():
    worker = next(
        line
        for line in (ROOT / "Procfile.dev").read_text().splitlines()
        if line.startswith("worker:")
    )
    consumed = set(worker.split(" -Q ")[1].split()[0].split(","))
    assert consumed == set(app.amqp.queues)


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_outbox_imports_nothing_of_ours_but_config():
    """The outbox is the bottom of the dependency graph: every app may import it."""
    ours = {"people", "accounts", "core", "programmes", "cms", "certificates", "audit", "privacy"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & ours)
        for path in (ROOT / "outbox").rglob("*.py")
        if imported_top_levels(path) & ours
    }
    assert offenders == {}


@pytest.mark.django_db
def test_a_starting_worker_queues_a_sweep_at_once():
    from outbox.tasks import _sweep_when_a_worker_starts

    row = waiting()
    _sweep_when_a_worker_starts()  # eager here: the queued sweep runs in-process
    row.refresh_from_db()
    assert row.published_at is not None
    with using_broker(UNREACHABLE_REDIS):
        _sweep_when_a_worker_starts()  # a broker that is down is logged, not raised
