"""Issuing: a completed enrolment's certificate is issued on programmes' completion event and
rendered by the task on the pdf queue; issuing or rendering twice gives one certificate and
one file; an enrolment that has not completed is refused."""

import hashlib

import pytest

from certificates.models import Certificate, certificate_storage
from certificates.services import CertificateRefused, certificate_issue
from certificates.tasks import certificate_render
from programmes import services as programmes
from tests.factories import (
    EnrolmentFactory,
    ModulePageFactory,
    ProgrammePageFactory,
    UserFactory,
)

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


def test_a_certificate_records_the_template_signatory_and_the_dimensions_as_on_the_day():
    from certificates.models import CertificateTemplate
    from cms.models import LeadershipDimension

    page = ProgrammePageFactory(title="Leading with numbers")
    care, vision, unused = LeadershipDimension.objects.filter(
        slug__in=["leading-with-care", "sharing-the-vision", "holding-to-account"]
    ).order_by("sort_order")[:3]
    ModulePageFactory(parent=page, leadership_dimensions=[vision])
    ModulePageFactory(parent=page, leadership_dimensions=[care, vision])
    ModulePageFactory(parent=page, leadership_dimensions=[unused], live=False)  # a draft
    enrolment = EnrolmentFactory(status="completed", cohort__programme__page=page)
    template = CertificateTemplate.objects.create(
        trust=enrolment.cohort.host_trust,
        key="medical-director",
        name="Signed by the medical director",
        signatory_name="Dr Amara Okafor",
        signatory_title="Medical Director",
    )
    programme = enrolment.cohort.programme
    programme.certificate_template = "medical-director"
    programme.save()

    certificate = certificate_issue(enrolment=enrolment)
    template.signatory_name = "Dr Someone Else"
    template.save()

    certificate.refresh_from_db()
    assert certificate.template == template
    assert certificate.template_version.endswith("+medical-director-v1")
    assert (certificate.signatory_name, certificate.signatory_title) == (
        "Dr Amara Okafor",
        "Medical Director",
    )
    assert [d["name"] for d in certificate.leadership_dimensions] == [care.name, vision.name]


def test_without_a_template_or_a_programme_page_a_certificate_has_no_signatory_or_dimensions():
    certificate = certificate_issue(enrolment=EnrolmentFactory(status="completed"))
    assert certificate.template is None and certificate.signatory_name == ""
    assert certificate.leadership_dimensions == []
