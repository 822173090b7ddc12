"""How an id-in task decides, under a row lock, whether this run does the work.

Every task takes an id and may be delivered more than once (acks_late re-delivers after a
worker dies; the outbox publishes at least once), so each begins by claiming its row:

- **Short work done under the lock** (an email): ``row_locked(queryset, pk, refuse=...)``
  locks the row for the block. A second delivery waits for the first to commit, then finds
  the work done and is refused.
- **Long work done outside the lock** (an archive, a certificate PDF): ``claim_run(...)``
  marks the row running with a fresh run token under the lock and returns at once; the work
  reports heartbeats and records its result only while the token is still its own. A run
  whose heartbeat is older than ``lease.stale_after()`` is presumed dead and taken over with
  a new token; the old run, if it was only slow, finds its token gone and stops::

      LEASE = claims.Lease(running=Status.RENDERING, stale_after=lambda: timedelta(minutes=7))

      def certificate_render(*, certificate_id):
          try:
              claim = claims.claim_run(
                  Certificate.objects.all(), certificate_id, lease=LEASE,
                  refuse=lambda c: "already rendered" if c.status == Status.READY else None,
              )
          except claims.NotClaimed as skipped:
              return skipped.reason
          pdf = render(claim.obj, on_page=lambda n: claim.heartbeat())  # LostClaim: stop
          if not claim.finish(status=Status.READY, file=store(pdf)):
              ...  # taken over meanwhile: the successor stores its own

The model keeps its run state in fields named by the Lease (status, run token, heartbeat,
and optionally when the run started and how many attempts there have been).
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone

GONE = "gone"  # the row no longer exists (deleted by erasure or retention meanwhile)
BUSY = "busy"  # another run holds a live claim


class NotClaimed(Exception):
    """This run must not do the work; `reason` says why (GONE, BUSY, or the refusal)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LostClaim(Exception):
    """Another run took the row over (this one was presumed dead): stop quietly."""


@contextmanager
def row_locked(
    queryset: models.QuerySet, pk, *, refuse: Callable[[models.Model], str | None] | None = None
) -> Iterator[models.Model]:
    """Lock one row for the block, or raise NotClaimed before it runs.

    `refuse` is asked under the lock and returns a reason not to go on (the work is done
    already) or None. Only the row itself is locked, not rows joined by select_related.
    """
    with transaction.atomic():
        obj = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
        if obj is None:
            raise NotClaimed(GONE)
        reason = refuse(obj) if refuse is not None else None
        if reason:
            raise NotClaimed(reason)
        yield obj


@dataclass(frozen=True)
class Lease:
    """Where a model keeps the state of its runs, and when a silent run is presumed dead."""

    running: str  # the status value of a run in progress
    stale_after: Callable[[], timedelta]  # called each time, so settings can change it
    status_field: str = "status"
    token_field: str = "run_token"  # noqa: S105 - a field name, not a secret
    heartbeat_field: str = "heartbeat_at"
    started_field: str | None = "started_at"
    attempts_field: str | None = "attempts"

    def is_live(self, obj: models.Model, now: datetime) -> bool:
        if getattr(obj, self.status_field) != self.running:
            return False
        beat = getattr(obj, self.heartbeat_field)
        return beat is not None and beat >= now - self.stale_after()


@dataclass(frozen=True)
class Claim:
    """This run's hold on a row: every write it makes is conditional on its token."""

    obj: models.Model
    token: uuid.UUID
    lease: Lease

    def _mine(self) -> models.QuerySet:
        return type(self.obj)._default_manager.filter(
            pk=self.obj.pk, **{self.lease.token_field: self.token}
        )

    def heartbeat(self, **fields) -> None:
        """Say this run is alive (and write `fields`, e.g. progress), outside any transaction
        so that others see it at once. Raises LostClaim if another run has taken over."""
        if not self._mine().update(**{self.lease.heartbeat_field: timezone.now()}, **fields):
            raise LostClaim

    def finish(self, **fields) -> bool:
        """Record the result if the row is still this run's and still running; False if it
        was taken over (the caller then discards what it made)."""
        still_running = {self.lease.status_field: self.lease.running}
        return bool(self._mine().filter(**still_running).update(**fields))

    def release(self, **fields) -> bool:
        """Write `fields` (e.g. back to waiting, or failed) if the row is still this run's."""
        return bool(self._mine().update(**fields))


def claim_run(
    queryset: models.QuerySet,
    pk,
    *,
    lease: Lease,
    refuse: Callable[[models.Model], str | None] | None = None,
    start: Callable[[models.Model], None] | None = None,
) -> Claim:
    """Claim a row for a long run, under its lock, and return at once (the lock is released).

    Raises NotClaimed if the row is gone, `refuse` gives a reason (done already), or another
    run's claim is live. Otherwise `start` resets the row for a fresh run (a dead run may
    have left partial results), and the row is marked running with a new token.
    """
    token = uuid.uuid4()
    with row_locked(queryset, pk, refuse=refuse) as obj:
        now = timezone.now()
        if lease.is_live(obj, now):
            raise NotClaimed(BUSY)
        if start is not None:
            start(obj)
        setattr(obj, lease.status_field, lease.running)
        setattr(obj, lease.token_field, token)
        setattr(obj, lease.heartbeat_field, now)
        if lease.started_field:
            setattr(obj, lease.started_field, now)
        if lease.attempts_field:
            setattr(obj, lease.attempts_field, getattr(obj, lease.attempts_field) + 1)
        obj.save()
    return Claim(obj=obj, token=token, lease=lease)
