"""Issuing: a completed enrolment's certificate is issued on programmes' completion event and
rendered by the task on the pdf queue; issuing or rendering twice gives one certificate and
one file; an enrolment that has not completed is refused."""

import hashlib

import pytest

from certificates.models import Certificate, certificate_storage
from certificates.services import CertificateRefused, certificate_issue
from certificates.tasks import certificate_render
from programmes import services as programmes
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_completing_an_enrolment_issues_and_renders_its_certificate(
    trust_a, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(cohort__host_trust=trust_a, status="enrolled")
    admin = UserFactory(trust=trust_a, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        programmes.enrolment_complete(enrolment=enrolment, by=admin, reason="All rules met")
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == "valid" and certificate.render_status == "ready"
    pdf = certificate_storage().open(certificate.pdf.name).read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == certificate.sha256
    assert certificate.participant_name == enrolment.person.get_full_name()
    assert certificate.issuing_trust_name == trust_a.name


def test_issuing_and_rendering_twice_give_one_certificate_and_one_file(
    django_capture_on_commit_callbacks,
):
    enrolment = EnrolmentFactory(status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        first = certificate_issue(enrolment=enrolment)
        second = certificate_issue(enrolment=enrolment)
    assert first.pk == second.pk and Certificate.objects.count() == 1
    assert certificate_render(first.pk) == "already rendered"
    first.refresh_from_db()
    folder = first.pdf.name.rsplit("/", 1)[0]
    files = certificate_storage().listdir(folder)[1]  # the storage is shared by the tests
    assert [name for name in files if name.startswith(first.code)] == [f"{first.code}.pdf"]


@pytest.mark.parametrize("status", ["enrolled", "waitlisted", "withdrawn", "not_completed"])
def test_an_enrolment_that_has_not_completed_earns_no_certificate(status):
    with pytest.raises(CertificateRefused, match="Only a completed enrolment"):
        certificate_issue(enrolment=EnrolmentFactory(status=status))
    assert not Certificate.objects.exists()
