"""Who sees certificates, declared in people.permissions (the one module every view, export
and listing asks; imported by certificates.apps at start-up):

- the **holder** (the enrolment's person) sees their own certificates, in every status;
- the **programme administrators of the cohort's host trust** (the trust that issued it:
  they issue, revoke and re-issue it);
- the **trust reporting leads of the holder's trust**: the trust that sent them on the
  programme (the enrolment's trust, which their reports count them in) and the trust they
  work for now (whose people a reporting lead sees: people.permissions), so a change of
  employer does not hide a certificate from the one trust with a reason to hold it;
- superusers see every certificate.

Nobody else: not the cohort's facilitators, not another trust's staff. A refusal is a 404
(people.permissions.get_visible_or_404), so it does not confirm the code exists.

Seeing is not downloading every file: the holder may download only a valid certificate (a
revoked or superseded one is not theirs to pass on as current), while the staff above may
download any that has a file, for their records, under a file name that says its status
(certificates.learn_views). That rule is one queryset, ``certificates_downloadable_by``:
``may_download`` asks it about one certificate, and the staff list (Admin → Certificates →
Find a certificate, certificates.admin_held) lists ``certificates_downloadable_as_staff``,
its part that the user keeps as staff — so the list never offers a file the download would
refuse, nor leaves out one it would serve.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.permissions import administered_trust_ids, register_scope, reported_trust_ids

from .models import Certificate, CertificateStatus


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _staff_condition(user) -> Q | None:
    """The certificates `user` sees by a staff role, as a condition; None if they hold none."""
    condition = None
    if trusts := administered_trust_ids(user):
        condition = Q(enrolment__cohort__host_trust_id__in=trusts)
    if trusts := reported_trust_ids(user):
        led = Q(enrolment__trust_id__in=trusts) | Q(enrolment__person__trust_id__in=trusts)
        condition = led if condition is None else condition | led
    return condition


def certificates_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Certificate.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(enrolment__person_id=user.pk)
    if (staff := _staff_condition(user)) is not None:
        condition |= staff
    # A subquery rather than the joins themselves, so a certificate is never listed twice.
    return queryset.filter(pk__in=Certificate.objects.filter(condition).values("pk"))


def certificates_kept_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The certificates `user` sees as staff (or superuser), not merely as their holder."""
    queryset = Certificate.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if (staff := _staff_condition(user)) is None:
        return queryset.none()
    return queryset.filter(pk__in=Certificate.objects.filter(staff).values("pk"))


HAS_FILE = ~Q(pdf="")


def certificates_downloadable_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The certificates whose file `user` may have: there must be one; the holder has it only
    while it is valid; staff (and superusers) have any they see as staff. Never more than
    ``certificates_visible_to``."""
    queryset = Certificate.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset.filter(HAS_FILE)
    condition = Q(enrolment__person_id=user.pk, status=CertificateStatus.VALID)
    if (staff := _staff_condition(user)) is not None:
        condition |= staff
    return queryset.filter(HAS_FILE, pk__in=Certificate.objects.filter(condition).values("pk"))


def certificates_downloadable_as_staff(user, queryset: QuerySet | None = None) -> QuerySet:
    """What `user` may download for their records: ``certificates_downloadable_by`` less what
    they may have only as its holder (their own certificates are on My learning)."""
    return certificates_downloadable_by(user, certificates_kept_by(user, queryset))


def may_keep_certificates(user) -> bool:
    """Whether `user` holds a role that keeps others' certificates (a programme administrator,
    a trust reporting lead) or is a superuser: who is offered the staff list."""
    return _active(user) and (user.is_superuser or _staff_condition(user) is not None)


def may_download(user, certificate: Certificate) -> bool:
    """Whether `user` may have `certificate`'s file: the one rule, asked of one certificate
    (one query)."""
    if not certificate.pdf:
        return False
    return certificates_downloadable_by(user).filter(pk=certificate.pk).exists()


register_scope(Certificate, certificates_visible_to)
