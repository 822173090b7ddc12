"""Subject rights: subject access requests and erasure. Each write is one named service.

- sar_request: a person asks for their data (one active request at a time).
- sar_build: the task's work; builds the archive once, however often it is run.
- sar_delete: removes an archive's file and row (retention, erasure).
- person_erase: pseudonymises a person and runs every registered eraser, in one transaction.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

import audit
from accounts.services import sessions_end_for
from outbox import claims
from people.access import AccessRole
from people.models import AccessGrant

from . import registry
from .exports import build_archive
from .models import SubjectAccessRequest, SubjectAccessStatus, archive_path, stall_after
from .retention import retention_days

logger = logging.getLogger("tandem.privacy")

ERASED_EMAIL_DOMAIN = "erased.invalid"  # .invalid is reserved: mail can never be delivered
ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "person"


# --- subject access ---------------------------------------------------------------------------


def sar_request(*, person, request=None) -> tuple[SubjectAccessRequest, bool]:
    """Ask for an archive of everything held about `person`. Returns (request, created).

    While one is waiting or being prepared, asking again returns it instead of starting a
    second; if it has stalled (its worker died and nothing resumed it), asking again puts it
    back on the queue.
    """
    from .tasks import build_subject_access_archive  # tasks import this module

    with transaction.atomic():
        # Lock the person's row so that two clicks at once make one request, not two.
        list(get_user_model().objects.select_for_update().filter(pk=person.pk).values("pk"))
        active = (
            SubjectAccessRequest.objects.filter(
                person=person,
                status__in=[SubjectAccessStatus.PENDING, SubjectAccessStatus.RUNNING],
            )
            .order_by("-created_at")
            .first()
        )
        if active is not None:
            if active.is_stalled:
                build_subject_access_archive.delay_on_commit(active.pk)
            return active, False
        sar = SubjectAccessRequest.objects.create(person=person)
        audit.record(
            action=audit.Action.SUBJECT_ACCESS_REQUESTED,
            actor=person,
            request=request,
            target=sar,
            subject=person,
        )
        # Recorded in this transaction (the outbox) and published once it commits: a broker
        # outage delays the archive, never loses it or fails the request.
        build_subject_access_archive.delay_on_commit(sar.pk)
    return sar, True


# How a build claims its request (outbox.claims): a build in progress is "running" with a run
# token, and is presumed dead once its heartbeat is older than any task may live.
SAR_LEASE = claims.Lease(running=SubjectAccessStatus.RUNNING, stale_after=stall_after)


def _refuse_if_built(sar: SubjectAccessRequest) -> str | None:
    return "already built" if sar.status == SubjectAccessStatus.READY else None


def sar_build(*, request_id: int) -> str:
    """Build and store the archive of one request. Safe to run any number of times.

    A status guard under a row lock decides whether this run builds (outbox.claims): a
    ready request is left alone, and so is one another live run is building (its heartbeat
    is fresh). A waiting or failed request, or one whose worker died mid-build (a stale
    heartbeat: acks_late re-delivers the task, or the stalled-request sweep re-queues it),
    is claimed with a new run token and rebuilt from the start. Returns what happened, for
    the log.
    """
    leftover = ""

    def start_afresh(sar: SubjectAccessRequest) -> None:
        nonlocal leftover
        leftover = sar.file.name  # a crashed run may have stored its file before dying
        sar.progress = 0
        sar.file = ""
        sar.finished_at = sar.expires_at = None

    try:
        claim = claims.claim_run(
            SubjectAccessRequest.objects.select_related("person"),
            request_id,
            lease=SAR_LEASE,
            refuse=_refuse_if_built,
            start=start_afresh,
        )
    except claims.NotClaimed as skipped:
        # Gone: deleted meanwhile (erasure or retention), nothing to build.
        return {claims.BUSY: "being built by another run"}.get(skipped.reason, skipped.reason)
    sar = claim.obj
    if leftover:
        default_storage.delete(leftover)

    try:
        # Progress is written outside any transaction so the person's page sees it at once;
        # the claim's token check makes a run that was taken over stop (LostClaim) instead
        # of overwriting its successor.
        content = build_archive(
            sar.person, on_progress=lambda percent: claim.heartbeat(progress=percent)
        )
        name = default_storage.save(
            archive_path(sar, f"tandem-data-{timezone.localdate():%Y-%m-%d}.zip"),
            ContentFile(content),
        )
    except claims.LostClaim:
        return "taken over by another run"
    except (OperationalError, InterfaceError):
        # Transient: the task retries (TandemTask.autoretry_for). Back to waiting, so the
        # retry claims it; if even this write fails, the stalled-request sweep will.
        claim.release(status=SubjectAccessStatus.PENDING)
        raise
    except Exception:
        # Anything else (a bug, the soft time limit): show "failed" so the person can ask
        # again, and let the error reach the task's log.
        logger.exception("Subject access request %s failed", sar.public_id)
        claim.release(status=SubjectAccessStatus.FAILED, finished_at=timezone.now())
        raise

    finished = timezone.now()
    if not claim.finish(
        status=SubjectAccessStatus.READY,
        progress=100,
        file=name,
        finished_at=finished,
        heartbeat_at=finished,
        expires_at=finished + timedelta(days=retention_days("subject_access_archive_days")),
    ):
        default_storage.delete(name)  # our successor stores its own
        return "taken over by another run"
    logger.info("Subject access request %s ready", sar.public_id)
    return "built"


def sar_delete(sar: SubjectAccessRequest) -> None:
    """Delete a request and its archive. The file goes only once the row's deletion has
    committed, so a rolled-back erasure never leaves a row pointing at a missing file."""
    name = sar.file.name
    with transaction.atomic():
        sar.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


# --- erasure ------------------------------------------------------------------------------------


def is_erased(person) -> bool:
    return person.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


def _pseudonymise_account(person) -> None:
    """Replace what identifies the person; keep what reports count.

    Kept: trust, professional group, band, date joined (counts by trust, group and grade, and
    sign-ups by month, stay the same). Gone: name, email, job title, directorate, professional
    registration, staff number, their sponsor's name and email, password, last sign-in, staff
    privileges.
    """
    person.email = f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}"
    person.first_name = ERASED_FIRST_NAME
    person.last_name = ERASED_LAST_NAME
    person.job_title = ""
    person.directorate = ""
    person.registration_body = ""
    person.registration_number = ""
    person.sponsor_name = ""
    person.sponsor_email = ""
    person.staff_number = ""
    person.set_unusable_password()
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.save()
    person.user_permissions.clear()
    # Privileges go; being a participant is kept, because reports count participants.
    AccessGrant.objects.filter(person=person).exclude(role=AccessRole.PARTICIPANT).delete()
    person.groups.remove(*person.groups.exclude(name=AccessRole.PARTICIPANT))
    person.forget_grants()


def person_erase(*, person, by, reason: str, request=None) -> bool:
    """Erase a person's personal data, in one transaction. Returns False if they already
    had been (erasing twice is harmless: the erasers run again and find nothing to do).

    Every registered eraser runs (free text deleted, identifying values pseudonymised),
    then the account itself is pseudonymised and its sessions ended, and the erasure is
    audited. `by` is the acting user, or None for the retention policy. Who may erase whom
    is the caller's check (privacy.permissions.may_erase).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Erasing a person needs a reason.")
    with transaction.atomic():
        person = get_user_model().objects.select_for_update().get(pk=person.pk)
        repeat = is_erased(person)
        erased_by = []
        for source in registry.sources():
            if source.eraser is not None:
                source.eraser(person, by=by, reason=reason)
                erased_by.append(source.name)
        _pseudonymise_account(person)
        sessions = sessions_end_for(person)
        audit.record(
            action=audit.Action.ERASED,
            actor=by,
            request=request,
            target=person,
            subject=person,
            detail={
                "reason": reason,
                "erasers": erased_by,
                "sessions_ended": sessions,
                "repeat": repeat,
            },
        )
    return not repeat
