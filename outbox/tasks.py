"""The outbox's own tasks. Beat sends them straight to the broker (they are how the outbox
drains, so they cannot wait in it), on the high-priority queue so a long backlog of other
work never holds them up."""

import logging
import threading

from celery import shared_task
from celery.signals import task_postrun, task_prerun, worker_ready
from django.db import close_old_connections, connections

from . import services

logger = logging.getLogger("tandem.outbox")


@shared_task
def sweep_outbox() -> dict:
    """Publish what a broker outage (or a process that died after commit) left unpublished.
    Safe to run at once in several workers: each row is claimed by one sweeper."""
    result = services.outbox_sweep()
    if result.published or result.failed:
        logger.info(
            "Outbox sweep: %d published, %d failed%s",
            result.published,
            result.failed,
            " (broker down)" if result.broker_down else "",
        )
    return {"published": result.published, "failed": result.failed}


@shared_task
def prune_outbox() -> int:
    """Delete published rows after a week (services.KEEP_PUBLISHED)."""
    return services.outbox_prune()


@task_prerun.connect
def _database_connections_as_between_requests(sender=None, task=None, **kwargs):
    """Before a task, what Django does between requests: close a connection that is broken,
    in an unfinished transaction, or older than CONN_MAX_AGE; keep the others. Celery's own
    fixup would close them all (settings: CELERY_DB_REUSE_MAX). Not for a task run eagerly,
    inside its caller's transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@task_postrun.connect
def _database_connections_after_a_task(sender=None, task=None, **kwargs):
    """After a task, the same — except in a thread of its own (Celery's threads pool, or a
    worker a test starts in-process), whose connections nothing would close when the thread
    ends: it closes them, as Celery's fixup did after every task."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    if threading.current_thread() is threading.main_thread():
        close_old_connections()
    else:
        connections.close_all()


@worker_ready.connect
def _sweep_when_a_worker_starts(sender=None, **kwargs):
    # Work left behind by an outage should not wait for beat's next tick after a restart.
    # Queued rather than run here: this is the worker's parent process, which must not open
    # database connections its forked children would inherit.
    try:
        sweep_outbox.apply_async(outbox=False)
    except Exception:  # beat sends the next sweep anyway
        logger.warning("Could not queue the start-up outbox sweep", exc_info=True)
