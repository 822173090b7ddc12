"""Uploads are limited in size and type: no SVG (it can carry script), nothing oversized, and
documents only of listed kinds."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

pytestmark = pytest.mark.django_db


def png(width=10, height=10) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def image_form(upload, user):
    form_class = get_image_form(get_image_model())
    return form_class({"title": "Test"}, {"file": upload}, user=user)


def test_a_small_png_is_accepted(superuser):
    assert image_form(SimpleUploadedFile("ok.png", png(), "image/png"), superuser).is_valid()


def test_svg_images_are_refused(superuser):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    form = image_form(SimpleUploadedFile("evil.svg", svg, "image/svg+xml"), superuser)
    assert not form.is_valid()
    assert "file" in form.errors


def test_a_non_image_renamed_png_is_refused(superuser):
    form = image_form(
        SimpleUploadedFile("fake.png", b"MZ\x90\x00 not an image", "image/png"), superuser
    )
    assert not form.is_valid()


def test_oversized_images_are_refused(superuser, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024
    form = image_form(
        SimpleUploadedFile("big.png", png(400, 400) + b"\0" * 2048, "image/png"), superuser
    )
    assert not form.is_valid()
    assert "file" in form.errors


def test_documents_of_unlisted_types_are_refused(superuser):
    form_class = get_document_form(get_document_model())
    form = form_class(
        {"title": "Tool"},
        {"file": SimpleUploadedFile("tool.exe", b"MZ", "application/octet-stream")},
        user=superuser,
    )
    assert not form.is_valid()
    assert "file" in form.errors
