"""The transactional outbox: every enqueue goes through here (outbox.base.TandemTask).

`outbox_enqueue` writes a row in the caller's transaction and publishes it once that
transaction has committed, so a task never runs before its data exists and a rolled-back
transaction leaves no task behind. If the publish fails (the broker is down, or refuses the
write) the row stays unpublished and the caller carries on as if it had worked;
`outbox_sweep` — beat runs it every 30 seconds, and each worker once as it starts —
publishes it when the broker is back. A broker outage delays work; it never loses it.

Delivery is at least once: a process that dies between publishing a row and recording it
leaves the row to be published again once its claim runs out. Tasks take ids and claim their
row under a lock (outbox.claims), so a second delivery does nothing.
"""

import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from celery.app.task import Task
from celery.result import AsyncResult
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger("tandem.outbox")

# A claim outlasts any publish (PUBLISH_RETRY_POLICY gives up within seconds), so the
# after-commit publisher and the sweepers never overlap on one row; it runs out only when
# the process holding it died, and then another takes the row over.
CLAIM_SECONDS = 120
# Fail fast, no retry: a request waiting on a dead broker is worse than a row the sweeper
# sends 30 seconds later. (The Redis socket timeouts are in settings.)
PUBLISH_RETRY_POLICY = {"max_retries": 0}
# After a failed publish, this process leaves new rows to the sweeper for a while instead of
# trying the broker again on every commit: an import of 2,000 invitations during an outage
# would otherwise wait for 2,000 failures.
BROKER_BACKOFF_SECONDS = 10.0
KEEP_PUBLISHED = timedelta(days=7)  # long enough to answer "was it sent, and when?"
SWEEP_BATCH = 200
SWEEP_BUDGET_SECONDS = 20.0  # a sweep stops before beat sends the next one (every 30 s)

# What an enqueue may ask for; anything else (links, chords) is refused rather than dropped.
OPTIONS = frozenset({"queue", "countdown", "eta", "expires", "priority"})

_broker_failed_at: float | None = None  # monotonic time of this process's last failed publish
# Ids this thread's open transactions have recorded, published together after commit.
_pending = threading.local()


def outbox_enqueue(
    *,
    task_name: str,
    args: list | tuple | None = None,
    kwargs: dict | None = None,
    queue: str | None = None,
    countdown: float | None = None,
    eta: datetime | None = None,
    expires: float | datetime | None = None,
    priority: int | None = None,
) -> AsyncResult:
    """Record a task in the current transaction and publish it after commit.

    Outside a transaction it is published at once and Celery's result is returned (eagerly
    run tasks return their value, as with a plain Celery `delay`); inside one, an
    AsyncResult for the id the task will have.
    """
    args = list(args or ())
    kwargs = dict(kwargs or {})
    _require_plain_json(task_name, args, kwargs)
    now = timezone.now()
    if countdown is not None:
        eta = now + timedelta(seconds=countdown)
    if isinstance(expires, int | float):
        expires = now + timedelta(seconds=expires)
    message = OutboxMessage.objects.create(
        task_name=task_name,
        args=args,
        kwargs=kwargs,
        queue=queue or _routed_queue(task_name, args, kwargs),
        eta=eta,
        expires=expires,
        priority=priority,
        created_at=now,
    )
    if _in_transaction():
        _pending_ids().append(message.pk)
        # One callback per row, so that Django drops the callbacks of a rolled-back savepoint
        # with its rows; the first to run after commit publishes the whole batch.
        transaction.on_commit(_publish_pending)
        return AsyncResult(str(message.task_id))
    results = _publish_after_commit([message.pk])
    return results.get(message.pk) or AsyncResult(str(message.task_id))


@dataclass
class SweepResult:
    published: int = 0
    failed: int = 0
    broker_down: bool = False
    errors: list[str] = field(default_factory=list)
    results: dict[int, Any] = field(default_factory=dict)  # Celery's result per published id

    def add(self, other: "SweepResult") -> None:
        self.published += other.published
        self.failed += other.failed
        self.broker_down = self.broker_down or other.broker_down
        self.errors += other.errors
        self.results.update(other.results)


def outbox_sweep(
    *, batch: int = SWEEP_BATCH, budget_seconds: float = SWEEP_BUDGET_SECONDS
) -> SweepResult:
    """Publish what is waiting, oldest first, in claimed batches, until none is left or the
    time budget is spent. Stops at the first broker failure: the broker is down, so the rest
    would fail too; the next sweep tries again. Not held back by a recent failure: the
    sweep is what finds out that the broker is back."""
    result = SweepResult()
    deadline = monotonic() + budget_seconds
    while monotonic() < deadline:
        token = uuid.uuid4()
        messages = _claim_batch(token=token, size=batch)
        result.add(_publish_claimed(messages, token))
        if result.broker_down or len(messages) < batch:
            break
    return result


def broker_backoff_reset() -> None:
    """Forget the last failed publish, so the next commit tries the broker at once (after
    changing the broker at run time, and in tests)."""
    global _broker_failed_at
    _broker_failed_at = None


def outbox_prune(*, older_than: timedelta = KEEP_PUBLISHED) -> int:
    """Delete rows published longer ago than `older_than`. Unpublished rows are never pruned,
    however old: they are work still to do."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxMessage.objects.filter(published_at__lt=cutoff).delete()
    return deleted


# --- internals ----------------------------------------------------------------------------------


def _require_plain_json(task_name: str, args: list, kwargs: dict) -> None:
    # Checked here, at the call, so a bad call fails where it is made, not later in a sweeper.
    try:
        json.dumps([args, kwargs])
    except TypeError as error:
        raise TypeError(
            f"{task_name}: task arguments must be plain JSON (ids, strings, numbers): {error}"
        ) from None


def _routed_queue(task_name: str, args: list, kwargs: dict) -> str:
    from config.celery import app  # config imports this module's caller; import when used

    return app.amqp.router.route({}, task_name, args, kwargs)["queue"].name


def _in_transaction() -> bool:
    """Whether a transaction is open whose commit the publish must wait for.

    The test runner's own wrapping transaction (Django's TestCase) never commits: it stands
    for autocommit, as Django's own `atomic(durable=True)` check also treats it.
    """
    connection = transaction.get_connection()
    return connection.in_atomic_block and not all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _pending_ids() -> list[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = []
    return _pending.ids


def _publish_pending() -> None:
    """After commit: publish every row recorded since the last flush. Ids of rows whose
    savepoint rolled back are in the list too; they no longer exist, so nothing claims them
    (ids are never reused)."""
    ids = _pending_ids()
    if ids:
        batch = list(ids)
        ids.clear()
        _publish_after_commit(batch)


def _publish_after_commit(ids: list[int]) -> dict[int, Any]:
    """Claim these rows (a sweeper may have got there first) and publish them — unless a
    publish from this process failed moments ago: then they are left to the sweeper."""
    failed_at = _broker_failed_at
    if failed_at is not None and monotonic() - failed_at < BROKER_BACKOFF_SECONDS:
        return {}
    results: dict[int, Any] = {}
    for start in range(0, len(ids), SWEEP_BATCH):
        token = uuid.uuid4()
        try:
            _claim(OutboxMessage.objects.filter(pk__in=ids[start : start + SWEEP_BATCH]), token)
            messages = list(OutboxMessage.objects.filter(claim_token=token).order_by("id"))
        except DatabaseError:
            logger.exception("Outbox: could not claim rows after commit; a sweep will")
            return results
        outcome = _publish_claimed(messages, token)
        results.update(outcome.results)
        if outcome.broker_down:
            break
    return results


def _claim(queryset, token: uuid.UUID) -> int:
    now = timezone.now()
    return queryset.due(now).update(
        claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
    )


def _claim_batch(*, token: uuid.UUID, size: int) -> list[OutboxMessage]:
    """Claim up to `size` waiting rows for this sweeper. On PostgreSQL, rows another sweeper
    is claiming are skipped (SKIP LOCKED) rather than waited for; on SQLite the IMMEDIATE
    transaction serialises sweepers. Either way the update re-checks that each row is still
    due, so a row is only ever claimed by one of them."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        _claim(OutboxMessage.objects.filter(pk__in=ids), token)
    return list(OutboxMessage.objects.filter(claim_token=token).order_by("created_at", "id"))


def _describe(error: BaseException) -> str:
    cause = error.__cause__ or error.__context__
    text = f"{type(error).__name__}: {error}"
    if cause is not None and str(cause) not in text:
        text += f" ({type(cause).__name__}: {cause})"
    return text[:2000]


def _options(message: OutboxMessage) -> dict:
    return {
        name: value
        for name, value in (
            ("task_id", str(message.task_id)),
            ("queue", message.queue),
            ("eta", message.eta),
            ("expires", message.expires),
            ("priority", message.priority),
        )
        if value is not None
    }


def _publish_claimed(messages: list[OutboxMessage], token: uuid.UUID) -> SweepResult:
    """Publish rows this caller has claimed, in order, and record each outcome against the
    claim. Stops at the first broker failure and releases the rest at once."""
    global _broker_failed_at
    from config.celery import app

    result = SweepResult()
    sent: list[int] = []
    handled = 0
    eager = app.conf.task_always_eager
    try:
        for message in messages:
            handled += 1
            task = app.tasks.get(message.task_name)
            if task is None:
                error = f"No task named {message.task_name!r} is registered"
                logger.error("Outbox message #%s: %s", message.pk, error)
                _record_failure(message.pk, token, error)
                result.failed += 1
                result.errors.append(error)
                continue
            if eager:
                # Tests: running the task is delivering it, and its exceptions reach the
                # caller, as before the outbox. (Celery's own apply_async, not the outbox's.)
                _record_published([message.pk], token)
                outcome = Task.apply_async(task, message.args, message.kwargs, **_options(message))
                result.published += 1
                result.results[message.pk] = outcome
                continue
            try:
                outcome = Task.apply_async(
                    task,
                    message.args,
                    message.kwargs,
                    retry_policy=PUBLISH_RETRY_POLICY,
                    **_options(message),
                )
            except Exception as error:  # noqa: BLE001 - whatever stopped it, the row waits
                _broker_failed_at = monotonic()
                described = _describe(error)
                logger.warning(
                    "Outbox message #%s (%s) not published, a sweep will retry: %s",
                    message.pk,
                    message.task_name,
                    described,
                )
                _record_failure(message.pk, token, described)
                result.failed += 1
                result.errors.append(described)
                result.broker_down = True
                break
            sent.append(message.pk)
            result.published += 1
            result.results[message.pk] = outcome
    finally:
        _record_published(sent, token)
        if sent:
            broker_backoff_reset()
        _release([m.pk for m in messages[handled:]], token)
    return result


def _release(ids: list[int], token: uuid.UUID) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token).update(
            claim_token=None, claimed_until=None
        )


def _record_published(ids: list[int], token: uuid.UUID) -> None:
    if not ids:
        return
    now = timezone.now()
    try:
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token).update(
            published_at=now,
            claim_token=None,
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_error="",
        )
    except DatabaseError:
        # Published but not recorded: once the claim runs out a sweep publishes them again,
        # and each task's own claim makes the second delivery a no-op.
        logger.exception("Outbox: published %d rows, but could not record it", len(ids))


def _record_failure(pk: int, token: uuid.UUID, error: str) -> None:
    now = timezone.now()
    try:
        OutboxMessage.objects.filter(pk=pk, claim_token=token).update(
            claim_token=None,
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_error=error,
        )
    except DatabaseError:
        logger.exception("Outbox: could not record a failed publish (%s)", error)
