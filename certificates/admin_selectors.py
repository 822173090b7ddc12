"""Reads for the certificates admin: what an administrator may reach (scoped through
people.permissions: the cohorts they may change, the trusts they administer), a cohort's
completed enrolments with their certificates, and a batch's progress.

Every page's queries are bounded whatever the cohort's size: the cohort page is one query
for its enrolments and one for their certificates; a batch's progress is one aggregate
query for its counts and one bounded query for the failures it lists; the certificates one
keeps (Find a certificate) are one query for the programmes to filter by, then a count and
a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from people.permissions import administered_trust_ids, changeable
from programmes.models import Cohort, Enrolment, EnrolmentStatus, Programme

from . import codes
from .models import (
    Certificate,
    CertificateBatch,
    CertificateStatus,
    CertificateTemplate,
    RenderStatus,
)
from .permissions import certificates_downloadable_as_staff

FAILURES_SHOWN = 50
WORKING = Q(status=CertificateStatus.PENDING) & Q(
    render_status__in=(RenderStatus.QUEUED, RenderStatus.RENDERING)
)
FAILED = Q(status=CertificateStatus.PENDING) & Q(render_status=RenderStatus.FAILED)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- scope ---------------------------------------------------------------------------------


def administered_cohorts(user) -> QuerySet:
    """The cohorts whose certificates ``user`` manages: those they may change (a programme
    administrator: the cohorts their trusts host; superusers: all)."""
    return changeable(user, Cohort) if _active(user) else Cohort.objects.none()


def administered_templates(user) -> QuerySet:
    if not _active(user):
        return CertificateTemplate.objects.none()
    if user.is_superuser:
        return CertificateTemplate.objects.all()
    return CertificateTemplate.objects.filter(trust_id__in=administered_trust_ids(user))


def administered_certificates(user) -> QuerySet:
    return Certificate.objects.filter(enrolment__cohort__in=administered_cohorts(user))


def administered_batches(user) -> QuerySet:
    return CertificateBatch.objects.filter(cohort__in=administered_cohorts(user))


def may_administer_certificates(user) -> bool:
    return _active(user) and (user.is_superuser or bool(administered_trust_ids(user)))


# --- a cohort's certificates ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    enrolment: Enrolment
    certificate: Certificate | None  # the current one: live, or revoked and not re-issued

    @property
    def state(self) -> str:
        """not_issued, working, failed, valid, revoked: what the page shows and offers."""
        c = self.certificate
        if c is None:
            return "not_issued"
        if c.status == CertificateStatus.PENDING:
            return "failed" if c.render_status == RenderStatus.FAILED else "working"
        return c.status

    @property
    def downloadable(self) -> bool:
        """Whether the page offers its file: the cohort's administrators may download any of
        its certificates that has one (certificates.permissions.may_download; a test holds
        the two together), so no query per row."""
        return bool(self.certificate is not None and self.certificate.pdf)


def cohort_rows(cohort: Cohort) -> list[Row]:
    """Every completed enrolment of the cohort (and any other that holds a certificate), each
    with its current certificate. Two queries."""
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .filter(Q(status=EnrolmentStatus.COMPLETED) | Q(certificates__isnull=False))
        .distinct()
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    current: dict[int, Certificate] = {}
    for certificate in (
        Certificate.objects.filter(enrolment__cohort=cohort)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .order_by("created_at", "pk")
    ):
        current[certificate.enrolment_id] = certificate  # the latest wins
    return [Row(enrolment, current.get(enrolment.pk)) for enrolment in enrolments]


def summary(rows: list[Row]) -> dict[str, int]:
    counts = {"total": len(rows)}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


# --- the certificates one keeps (Find a certificate) -----------------------------------------

# The statuses a certificate with a file can have: the list's status filter.
KEPT_STATUSES = [
    (status.value, status.label)
    for status in (CertificateStatus.VALID, CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)
]


def kept_programmes(user) -> list[Programme]:
    """The programmes of the certificates ``user`` keeps, to filter them by: one query."""
    kept = certificates_downloadable_as_staff(user).values("enrolment__cohort__programme_id")
    return list(Programme.objects.filter(pk__in=kept).only("pk", "title").order_by("title", "pk"))


def kept_certificates(
    user, *, programme_id: int | None = None, status: str = "", search: str = ""
) -> QuerySet:
    """The certificates ``user`` may download for their records
    (certificates.permissions.certificates_downloadable_as_staff: exactly what the download
    serves them), narrowed by the filters — which only ever narrow that scope — newest first.
    ``search`` matches the name printed on the certificate (every word of it) or its code."""
    queryset = certificates_downloadable_as_staff(user)
    if programme_id is not None:
        queryset = queryset.filter(enrolment__cohort__programme_id=programme_id)
    if status:
        queryset = queryset.filter(status=status)
    if search := search.strip():
        if code := codes.normalise(search):
            queryset = queryset.filter(code=code)
        else:
            for word in search.split()[:10]:
                queryset = queryset.filter(participant_name__icontains=word)
    return queryset.select_related("superseded_by").order_by(
        "-issued_on", "participant_name", "-pk"
    )


# --- a batch's progress --------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    batch: CertificateBatch
    ready: int
    failed: int
    working: int
    failures: list[Certificate]

    @property
    def total(self) -> int:
        return self.batch.total

    @property
    def done(self) -> bool:
        return self.working == 0

    @property
    def more_failures(self) -> int:
        return max(self.failed - len(self.failures), 0)


def batch_progress(batch: CertificateBatch) -> Progress:
    """n of N ready, how many failed and how many are still being made: one aggregate query;
    the first FAILURES_SHOWN failures: one more."""
    counts = Certificate.objects.filter(batch=batch).aggregate(
        ready=Count("pk", filter=Q(render_status=RenderStatus.READY)),
        failed=Count("pk", filter=FAILED),
        working=Count("pk", filter=WORKING),
        issued=Count("pk"),
    )
    issued = counts.pop("issued")
    if batch.issued_at is None:
        # Still being issued by its task: those not yet made are work to do too.
        counts["working"] += max(batch.total - issued, 0)
    failures = (
        list(
            Certificate.objects.filter(FAILED, batch=batch)
            .only("pk", "code", "participant_name", "render_error", "status", "render_status")
            .order_by("pk")[:FAILURES_SHOWN]
        )
        if counts["failed"]
        else []
    )
    return Progress(batch=batch, failures=failures, **counts)
