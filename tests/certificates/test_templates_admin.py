"""Certificate templates in the admin: an administrator adds and changes their trust's
templates (each save bumps the version); the signature upload is checked by its content
(PNG or JPEG, at most 1 MB, sensible pixel sizes) and stored with the certificates; the
preview is a PDF with the signatory and the signature image, shown inline, that creates no
certificate; the signature reaches the rendered certificate too, and a template or signature
that cannot be used makes the render fail with a clear render_error."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from certificates.admin_services import certificate_template_save
from certificates.models import Certificate, CertificateTemplate, certificate_storage
from certificates.services import certificate_issue
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, give_totp

from .admin_factories import CertificateTemplateFactory, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


def form_data(**overrides):
    return {
        "name": "Leading Together",
        "key": "leading-together",
        "signatory_name": "Dr Angharad Rees",
        "signatory_title": "Chief Nurse",
    } | overrides


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_images(pdf: bytes) -> list:
    return [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]


def test_an_administrator_adds_a_template_with_a_signature_stored_privately(
    admin_client, administrator, trust_a
):
    response = admin_client.post(
        reverse("certificates_admin:template_add"),
        form_data(signature_image=upload(image_bytes("PNG"))),
    )
    assert response.status_code == 302
    template = CertificateTemplate.objects.get()
    assert template.trust == trust_a and template.version == 1
    # Stored under our own name on the certificates' storage, which has no public URL.
    name = template.signature_image.name
    assert name.startswith("signatures/leading-together-") and name.endswith(".png")
    assert template.signature_image.storage is certificate_storage() or (
        certificate_storage().exists(name)
    )
    assert certificate_storage().open(name).read() == image_bytes("PNG")
    assert AuditEvent.objects.filter(action="created", actor=administrator).exists()


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"%PDF-1.4 not an image at all", "signature.png", "image/png", "is not one"),
        (image_bytes("GIF"), "signature.png", "image/png", "not GIF"),
        (image_bytes("PNG", size=(4000, 200)), "signature.png", "image/png", "at most 3000"),
        (image_bytes("PNG", size=(10, 5)), "signature.png", "image/png", "at least 40"),
        (
            image_bytes("PNG", size=(900, 300), colour=(1, 2, 3))[:-40],
            "signature.png",
            "image/png",
            "is not one",
        ),
    ],
    ids=["not-an-image", "gif-named-png", "too-wide", "too-small", "truncated"],
)
def test_a_signature_that_is_not_a_usable_png_or_jpeg_is_a_form_error(
    admin_client, content, name, content_type, message
):
    response = admin_client.post(
        reverse("certificates_admin:template_add"),
        form_data(signature_image=upload(content, name, content_type)),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not CertificateTemplate.objects.exists()


def test_an_oversized_signature_is_refused_and_a_jpeg_is_accepted(admin_client):
    # A valid PNG padded past 1 MB with noise that does not compress.
    import os

    from PIL import Image

    noise = Image.frombytes("RGB", (1200, 800), os.urandom(1200 * 800 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 1024 * 1024
    response = admin_client.post(
        reverse("certificates_admin:template_add"),
        form_data(signature_image=upload(buffer.getvalue())),
    )
    assert response.status_code == 200 and "at most 1 MB" in response.content.decode()
    assert not CertificateTemplate.objects.exists()
    response = admin_client.post(
        reverse("certificates_admin:template_add"),
        # A JPEG named .png: the content decides, so it is stored as the JPEG it is.
        form_data(signature_image=upload(image_bytes("JPEG"), "scan.png", "image/png")),
    )
    assert response.status_code == 302
    assert CertificateTemplate.objects.get().signature_image.name.endswith(".jpg")


def test_each_save_bumps_the_version_and_a_replaced_signature_file_is_deleted(
    administrator, trust_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        template = certificate_template_save(
            template=CertificateTemplate(),
            by=administrator,
            trust=trust_a,
            key="lt",
            name="LT",
            signatory_name="A",
            signature=upload(image_bytes("PNG")),
        )
    first_file, first_at = template.signature_image.name, template.updated_at
    with django_capture_on_commit_callbacks(execute=True):
        template = certificate_template_save(
            template=template,
            by=administrator,
            name="LT",
            signatory_name="B",
            signature=upload(image_bytes("JPEG"), "s.jpg", "image/jpeg"),
        )
    template.refresh_from_db()
    assert template.version == 2 and template.updated_at > first_at
    assert template.signatory_name == "B"
    assert not certificate_storage().exists(first_file)
    with django_capture_on_commit_callbacks(execute=True):
        template = certificate_template_save(template=template, by=administrator, signature=False)
    template.refresh_from_db()
    assert template.version == 3 and not template.signature_image


def test_editing_through_the_admin_bumps_the_version_and_keeps_the_key(admin_client, trust_a):
    template = CertificateTemplateFactory(trust=trust_a, key="lt")
    url = reverse("certificates_admin:template_edit", args=[template.pk])
    response = admin_client.post(url, form_data(key="changed", signatory_name="Dr Owain Price"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.version, template.key, template.signatory_name) == (2, "lt", "Dr Owain Price")
    assert "version 2" in admin_client.get(response.url).content.decode()


def test_the_preview_is_an_inline_pdf_with_the_signatory_and_signature_and_makes_no_certificate(
    admin_client, trust_a, administrator
):
    ProgrammeFactory(title="Compassionate Leadership", certificate_template="lt")
    template = certificate_template_save(
        template=CertificateTemplate(),
        by=administrator,
        trust=trust_a,
        key="lt",
        name="LT",
        signatory_name="Dr Angharad Rees",
        signatory_title="Chief Nurse",
        signature=upload(image_bytes("PNG")),
    )
    response = admin_client.get(reverse("certificates_admin:template_preview", args=[template.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    assert "Dr Angharad Rees" in text and "Chief Nurse" in text
    assert "Siân Llywelyn-ap-Gruffydd" in text and "Compassionate Leadership" in text
    assert len(pdf_images(response.content)) == 1  # the signature
    assert not Certificate.objects.exists()


def test_an_unreadable_signature_makes_the_preview_say_so_not_fail(admin_client, trust_a):
    template = CertificateTemplateFactory(trust=trust_a, signature_image="signatures/gone.png")
    response = admin_client.get(
        reverse("certificates_admin:template_preview", args=[template.pk]), follow=True
    )
    assert response.status_code == 200
    assert "cannot be read" in response.content.decode()


def test_the_signature_is_printed_on_the_certificate_a_completion_earns(
    administrator, trust_a, django_capture_on_commit_callbacks
):
    template = certificate_template_save(
        template=CertificateTemplate(),
        by=administrator,
        trust=trust_a,
        key="lt",
        name="LT",
        signatory_name="Dr Angharad Rees",
        signature=upload(image_bytes("PNG")),
    )
    cohort = CohortFactory(host_trust=trust_a, programme__certificate_template="lt")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            enrolment=EnrolmentFactory(cohort=cohort, status="completed")
        )
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.template == template
    pdf = certificate_storage().open(certificate.pdf.name).read()
    assert "Dr Angharad Rees" in pdf_text(pdf) and len(pdf_images(pdf)) == 1


def test_an_unreadable_signature_fails_the_render_with_a_clear_error(
    trust_a, django_capture_on_commit_callbacks
):
    CertificateTemplateFactory(trust=trust_a, key="lt", signature_image="signatures/gone.png")
    cohort = CohortFactory(host_trust=trust_a, programme__certificate_template="lt")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            enrolment=EnrolmentFactory(cohort=cohort, status="completed")
        )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.render_status) == ("pending", "failed")
    assert "signature image" in certificate.render_error
    assert "cannot be read" in certificate.render_error


def test_a_programme_naming_a_missing_template_fails_the_render_and_a_retry_takes_it_once_made(
    trust_a, administrator, django_capture_on_commit_callbacks
):
    from certificates.admin_services import certificate_retry_render

    cohort = CohortFactory(host_trust=trust_a, programme__certificate_template="nowhere")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            enrolment=EnrolmentFactory(cohort=cohort, status="completed")
        )
    certificate.refresh_from_db()
    assert certificate.render_status == "failed" and certificate.template is None
    assert certificate.render_error == (
        "The programme's certificate template “nowhere” does not exist"
    )
    CertificateTemplateFactory(trust=trust_a, key="nowhere", signatory_name="Dr Owain Price")
    with django_capture_on_commit_callbacks(execute=True):
        certificate_retry_render(certificate=certificate, by=administrator)
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.signatory_name == "Dr Owain Price"


def test_another_trusts_template_is_404_and_not_listed(admin_client, trust_b):
    template = CertificateTemplateFactory(trust=trust_b, name="Southvale template")
    for name in ("template_edit", "template_preview"):
        url = reverse(f"certificates_admin:{name}", args=[template.pk])
        assert admin_client.get(url).status_code == 404, url
        assert admin_client.post(url, form_data()).status_code == 404, url
    template.refresh_from_db()
    assert template.version == 1
    page = admin_client.get(reverse("certificates_admin:templates")).content.decode()
    assert "Southvale template" not in page


def test_a_signature_with_a_long_name_still_fits_on_one_page():
    from certificates.rendering import CertificateData, render_html, render_pdf
    from tests.certificates.test_rendering import data

    values = data(
        participant_name="Bartholomew " * 10,
        signatory_name="Dr Angharad Rees",
        signatory_title="Chief Nurse",
        signature_image=image_bytes("PNG", size=(3000, 1500)),
        signature_mime="image/png",
    )
    assert isinstance(values, CertificateData)
    html = render_html(values)
    assert 'alt="Signature of Dr Angharad Rees"' in html and 'src="data:image/png;base64,' in html
    pdf = render_pdf(values)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1 and len(pdf_images(pdf)) == 1


def test_a_truncated_signature_is_refused_even_after_weasyprint_made_pillow_lenient():
    """WeasyPrint's import sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process: a
    worker or web process that has rendered a certificate must still refuse a broken file."""
    import weasyprint.images  # noqa: F401 - the import is what flips the flag
    from django.core.exceptions import ValidationError
    from PIL import ImageFile

    from certificates.signatures import image_format

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    broken = image_bytes("PNG", size=(900, 300), colour=(1, 2, 3))[:-40]
    with pytest.raises(ValidationError, match="is not one"):
        image_format(broken)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for WeasyPrint
