"""TandemTask, every task's base class (config.celery names it): enqueueing through the
transactional outbox, retries for transient faults. Importable before Django's app registry
is ready, as Celery needs it then: the outbox's services are imported when first used."""

from contextvars import ContextVar

from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

# Errors worth another try: the database or broker briefly unreachable, a socket reset.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
)

# Set while Celery publishes a retry of the running task (see TandemTask.retry).
_publishing_a_retry = ContextVar("publishing_a_retry", default=False)


class TandemTask(DjangoTask):
    """Base class for every task.

    Every enqueue — ``delay``, ``apply_async``, ``delay_on_commit`` — goes through the
    transactional outbox (outbox.services): the task is recorded in the caller's transaction
    and published after it commits, so it never sees a row its transaction has not committed,
    a rolled-back transaction sends nothing, and a broker outage delays it instead of losing
    it or failing the caller. Transient failures retry with exponential backoff and jitter;
    anything else fails loudly.

    Straight to the broker, not through the outbox: beat's periodic sends (beat passes its
    own ``producer``; the next tick sends again anyway), Celery's own retries, and any call
    with ``outbox=False`` (the outbox's own sweeper).
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 6

    def apply_async(self, args=None, kwargs=None, **options):
        direct = options.pop("outbox", True) is False
        if direct or "producer" in options or _publishing_a_retry.get():
            return super().apply_async(args, kwargs, **options)
        from .services import OPTIONS, outbox_enqueue  # needs the app registry

        options = {name: value for name, value in options.items() if value is not None}
        unsupported = sorted(set(options) - OPTIONS)
        if unsupported:
            raise TypeError(
                f"{self.name}: {', '.join(unsupported)} cannot go through the outbox "
                f"(it records {', '.join(sorted(OPTIONS))}); pass outbox=False to publish "
                "directly, without its guarantees"
            )
        if self.typing:  # wrong arguments fail here, at the call, as Celery's own check does
            self.__header__(*(args or ()), **(kwargs or {}))
        return outbox_enqueue(task_name=self.name, args=args, kwargs=kwargs, **options)

    def delay_on_commit(self, *args, **kwargs):
        """The same as ``delay``: the outbox already waits for the commit."""
        return self.apply_async(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options):
        """The same as ``apply_async``: the outbox already waits for the commit."""
        return self.apply_async(args, kwargs, **options)

    def retry(self, *args, **kwargs):
        # Celery republishes the running task with its own request options (parent, root,
        # chord…), which the outbox does not record; and a retry is sent from the worker,
        # outside any transaction, so there is no commit for it to wait for.
        reset = _publishing_a_retry.set(True)
        try:
            return super().retry(*args, **kwargs)
        finally:
            _publishing_a_retry.reset(reset)
