"""A cohort's certificates as one PDF: a page each, in order, each holding its own name and
code, with each font embedded once."""

import io

import pytest
from pypdf import PdfReader

from certificates.combined import render_combined_pdf
from certificates.rendering import render_pdf
from tests.certificates.test_rendering import data

NAMES = ["Siân O'Hara", "Dafydd Llŷr", "王小明"]


def test_each_certificate_is_a_page_of_its_own_in_order():
    certificates = [data(participant_name=name) for name in NAMES]
    reader = PdfReader(io.BytesIO(render_combined_pdf(certificates, title="Leading Together")))
    assert len(reader.pages) == 3
    for page, certificate in zip(reader.pages, certificates, strict=True):
        text = page.extract_text()
        assert certificate.participant_name in text
        assert certificate.code in text
        assert all(other not in text for other in NAMES if other != certificate.participant_name)
    assert reader.metadata.title == "Leading Together"


def font_objects(pdf: bytes) -> set[int]:
    """The object numbers of the fonts the pages use (shared objects count once)."""
    reader = PdfReader(io.BytesIO(pdf))
    return {
        reference.idnum
        for page in reader.pages
        for reference in page["/Resources"].get_object()["/Font"].get_object().values()
    }


def test_the_fonts_are_embedded_once_not_once_a_certificate():
    certificates = [data(participant_name=f"Participant {n}") for n in range(5)]
    combined = render_combined_pdf(certificates)
    singles = [render_pdf(certificate) for certificate in certificates]
    assert len(font_objects(singles[0])) == 2  # DejaVu Serif, regular and bold
    assert len(font_objects(combined)) == 2
    assert len(combined) < sum(len(pdf) for pdf in singles) / 2


def test_no_certificates_is_an_error_not_an_empty_pdf():
    with pytest.raises(ValueError):
        render_combined_pdf([])
