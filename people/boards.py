"""Board composition: recording a trust's board snapshot (a service) and the clinician share
of boards over time (a selector, for the reports dashboard).

Boards hold no one's personal data (counts only), so these writes are not audited as people's
records are (people.admin_views._subject_of).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import Cast, NullIf

from .models import BoardSnapshot
from .permissions import assignable_trusts, may_change

DUPLICATE_DATE = next(
    constraint.violation_error_message
    for constraint in BoardSnapshot._meta.constraints
    if constraint.name == "one_board_snapshot_per_trust_per_day"
)


def board_snapshot_save(*, snapshot: BoardSnapshot, by) -> BoardSnapshot:
    """Add or correct a snapshot. Its totals are the split's sums (BoardSnapshot.clean); a
    second snapshot of the trust on the same date, or numbers that do not fit, are a
    ValidationError a form can show, never half a change. `by` must be allowed to put a board
    in the snapshot's trust, and, when correcting, to change the snapshot as it was (so a
    snapshot cannot be moved out of, or into, a trust one may not change)."""
    if not assignable_trusts(by, BoardSnapshot).filter(pk=snapshot.trust_id).exists():
        raise PermissionDenied("You may not record this trust's board.")
    if snapshot.pk is not None:
        stored = BoardSnapshot.objects.filter(pk=snapshot.pk).first()
        if stored is None or not may_change(by, stored):
            raise PermissionDenied("You may not correct this board snapshot.")
    snapshot.full_clean()
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:
        # Two people adding the same date at once: the database's unique constraint says so.
        raise ValidationError({"recorded_on": DUPLICATE_DATE}) from None
    return snapshot


def board_clinician_share(trust_ids: Iterable[int] | None = None) -> QuerySet:
    """The clinician share of each trust's board over time: one row per snapshot (trust id,
    date, members, clinicians, executive and non-executive parts), oldest first within each
    trust, in one query. `trust_ids` None means every trust (a caller scopes it:
    people.permissions). The share itself is clinicians / members, None for an empty board;
    ``clinician_share`` in each row is it, computed by the database."""
    rows = BoardSnapshot.objects.all()
    if trust_ids is not None:
        rows = rows.filter(trust_id__in=list(trust_ids))
    return rows.order_by("trust_id", "recorded_on").values(
        "trust_id",
        "recorded_on",
        "members",
        "clinician_members",
        *BoardSnapshot.SPLIT,
        clinician_share=Cast(F("clinician_members"), FloatField())
        / NullIf(Cast(F("members"), FloatField()), Value(0.0)),
    )
