"""The transactional outbox: every enqueue goes through here (config.celery.TandemTask).

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
KEEP_PUBLISHED = timedelta(days=7)  # long enough to answer "was it sent, and when?"
SWEEP_BATCH = 200
SWEEP_BUDGET_SECONDS = 20.0  # a sweep stops before beat sends the next one (every 30 s)

# What an enqueue may ask for; anything else (links, chords) is refused rather than dropped.
OPTIONS = frozenset({"queue", "countdown", "eta", "expires", "priority"})


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
        transaction.on_commit(lambda: _publish_committed(message))
        return AsyncResult(str(message.task_id))
    return _publish_committed(message)


@dataclass
class SweepResult:
    published: int = 0
    failed: int = 0
    broker_down: bool = False
    errors: list[str] = field(default_factory=list)


def outbox_sweep(
    *, batch: int = SWEEP_BATCH, budget_seconds: float = SWEEP_BUDGET_SECONDS
) -> SweepResult:
    """Publish what is waiting, oldest first, in claimed batches, until none is left or the
    time budget is spent. Stops at the first broker failure: the broker is down, so the rest
    would fail too; the next sweep tries again."""
    result = SweepResult()
    deadline = monotonic() + budget_seconds
    while monotonic() < deadline:
        token = uuid.uuid4()
        messages = _claim_batch(token=token, size=batch)
        for index, message in enumerate(messages):
            outcome = _publish(message, token)
            if outcome.sent:
                result.published += 1
                continue
            result.failed += 1
            result.errors.append(outcome.error)
            if outcome.broker_failed:
                _release([m.pk for m in messages[index + 1 :]], token)
                result.broker_down = True
                return result
        if len(messages) < batch:
            break
    return result


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


def _publish_committed(message: OutboxMessage) -> Any:
    """After commit: claim the row (a sweeper may have got there first) and publish it."""
    token = uuid.uuid4()
    try:
        claimed = _claim(OutboxMessage.objects.filter(pk=message.pk), token)
    except DatabaseError:
        logger.exception("Outbox message #%s: could not claim it; a sweep will", message.pk)
        claimed = 0
    if not claimed:
        return AsyncResult(str(message.task_id))
    outcome = _publish(message, token)
    return outcome.result if outcome.result is not None else AsyncResult(str(message.task_id))


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


def _release(ids: list[int], token: uuid.UUID) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token).update(
            claim_token=None, claimed_until=None
        )


@dataclass
class _Outcome:
    sent: bool
    result: Any = None
    error: str = ""
    broker_failed: bool = False


def _describe(error: BaseException) -> str:
    cause = error.__cause__ or error.__context__
    text = f"{type(error).__name__}: {error}"
    if cause is not None and str(cause) not in text:
        text += f" ({type(cause).__name__}: {cause})"
    return text[:2000]


def _publish(message: OutboxMessage, token: uuid.UUID) -> _Outcome:
    """Publish one claimed row and record the outcome against the claim."""
    from config.celery import app

    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=token)
    task = app.tasks.get(message.task_name)
    if task is None:
        error = f"No task named {message.task_name!r} is registered"
        _record_failure(mine, error)
        logger.error("Outbox message #%s: %s", message.pk, error)
        return _Outcome(sent=False, error=error)
    options = {
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
    if app.conf.task_always_eager:
        # Eager (tests): running the task is delivering it, and its exceptions reach the
        # caller, as they did before the outbox. Celery's own apply_async, not the outbox's.
        _record_published(mine)
        return _Outcome(
            sent=True, result=Task.apply_async(task, message.args, message.kwargs, **options)
        )
    try:
        result = Task.apply_async(
            task, message.args, message.kwargs, retry_policy=PUBLISH_RETRY_POLICY, **options
        )
    except Exception as error:  # noqa: BLE001 - whatever stopped it, the row waits for a sweep
        described = _describe(error)
        _record_failure(mine, described)
        logger.warning(
            "Outbox message #%s (%s) not published, a sweep will retry: %s",
            message.pk,
            message.task_name,
            described,
        )
        return _Outcome(sent=False, error=described, broker_failed=True)
    _record_published(mine)
    return _Outcome(sent=True, result=result)


def _record_published(mine) -> None:
    now = timezone.now()
    try:
        mine.update(
            published_at=now,
            claim_token=None,
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_error="",
        )
    except DatabaseError:
        # Published but not recorded: once the claim runs out a sweep publishes it again,
        # and the task's own claim makes the second delivery a no-op.
        logger.exception("Outbox: published, but could not record it")


def _record_failure(mine, error: str) -> None:
    now = timezone.now()
    try:
        mine.update(
            claim_token=None,
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_error=error,
        )
    except DatabaseError:
        logger.exception("Outbox: could not record a failed publish (%s)", error)
