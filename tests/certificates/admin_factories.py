"""Factories and files for the certificates admin's tests: templates, certificates in each
state, and signature images made with Pillow."""

import hashlib
import io
import os

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certificates.models import Certificate, CertificateTemplate, certificate_storage
from tests.factories import EnrolmentFactory, TrustFactory


def image_bytes(kind="PNG", size=(400, 120), colour=(20, 40, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=kind)
    return buffer.getvalue()


def upload(content: bytes, name="signature.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    trust = factory.SubFactory(TrustFactory)
    key = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Leading Together {n}")
    signatory_name = "Dr Angharad Rees"
    signatory_title = "Chief Nurse"


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid certificate with a (tiny, fake) stored PDF; pass status and render_status for
    the others."""

    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory, status="completed")
    status = "valid"
    render_status = "ready"
    participant_name = factory.LazyAttribute(lambda o: o.enrolment.person.get_full_name())
    programme_title = factory.LazyAttribute(lambda o: o.enrolment.cohort.programme.title)
    cohort_name = factory.LazyAttribute(lambda o: o.enrolment.cohort.name)
    cohort_starts_on = factory.LazyAttribute(lambda o: o.enrolment.cohort.starts_on)
    cohort_ends_on = factory.LazyAttribute(lambda o: o.enrolment.cohort.ends_on)
    issuing_trust_name = factory.LazyAttribute(lambda o: o.enrolment.cohort.host_trust.name)

    class Params:
        content = factory.LazyFunction(lambda: b"%PDF-1.7 test " + os.urandom(8).hex().encode())
        has_file = factory.LazyAttribute(lambda o: o.status != "pending")

    pdf = factory.LazyAttribute(
        lambda o: (
            certificate_storage().save("tests/certificate.pdf", ContentFile(o.content))
            if o.has_file
            else ""
        )
    )
    sha256 = factory.LazyAttribute(
        lambda o: hashlib.sha256(o.content).hexdigest() if o.has_file else ""
    )
