"""Races in the certificates admin, on PostgreSQL: two administrators pressing "Issue all" at
once give one certificate per completed enrolment; four re-issues of one certificate at once
give one successor, the rest refused."""

import pytest

from certificates.admin_services import certificate_reissue, certificates_issue_cohort
from certificates.models import LIVE, Certificate, CertificateBatch
from certificates.services import CertificateRefused
from tests.concurrency import run_concurrently
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

from .admin_factories import CertificateFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_issuing_a_cohort_four_times_at_once_gives_one_certificate_each(require_postgres):
    admin = UserFactory(is_superuser=True)
    cohort = CohortFactory()
    enrolments = [EnrolmentFactory(cohort=cohort, status="completed") for _ in range(6)]
    run = run_concurrently(lambda i: certificates_issue_cohort(cohort=cohort, by=admin), threads=4)
    assert not run.errors
    # The first press makes the batch; the others, waiting on the cohort's lock, are given
    # that batch while its task is issuing — or, once it has issued (here the task runs
    # eagerly at the first one's commit), an empty batch with nothing to do.
    (issuing,) = CertificateBatch.objects.filter(total__gt=0)
    assert issuing.total == 6
    assert all(batch.pk == issuing.pk or batch.total == 0 for batch in run.results)
    for enrolment in enrolments:
        assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_four_reissues_of_one_certificate_at_once_make_one_successor(require_postgres):
    admin = UserFactory(is_superuser=True)
    old = CertificateFactory()
    run = run_concurrently(lambda i: certificate_reissue(certificate=old, by=admin), threads=4)
    assert len(run.results) == 1 and len(run.errors_of(CertificateRefused)) == 3
    old.refresh_from_db()
    assert old.status == "superseded" and old.superseded_by == run.results[0]
    assert Certificate.objects.filter(enrolment=old.enrolment, status__in=LIVE).count() == 1
