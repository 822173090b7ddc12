"""Background work for subject rights. Tasks take ids and call services (privacy.services)."""

import logging

from celery import shared_task

from . import services
from .models import SubjectAccessRequest
from .retention import retention_run

logger = logging.getLogger("tandem.privacy")


@shared_task
def build_subject_access_archive(request_id: int) -> str:
    """Idempotent: sar_build's status guard builds each archive once, and restarts cleanly
    after a worker died mid-build (acks_late re-delivers the message)."""
    outcome = services.sar_build(request_id=request_id)
    logger.info("Subject access request #%s: %s", request_id, outcome)
    return outcome


@shared_task
def resume_stalled_subject_access() -> int:
    """Re-queue requests no worker is on (a lost message, or a worker that died and whose
    re-delivered task found the heartbeat still fresh). Beat runs this every few minutes."""
    ids = list(SubjectAccessRequest.objects.stalled().values_list("pk", flat=True))
    for request_id in ids:
        build_subject_access_archive.delay_on_commit(request_id)
    if ids:
        logger.warning("Re-queued %d stalled subject access requests", len(ids))
    return len(ids)


@shared_task
def apply_retention() -> dict:
    """The daily retention run (every registered policy). Rerunning finds nothing more due."""
    results = retention_run(dry_run=False)
    summary = {result.name: result.count for result in results}
    logger.info("Retention: %s", summary)
    return summary
