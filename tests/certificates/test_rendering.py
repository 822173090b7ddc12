"""The pure render function: the PDF holds the name, programme and code, on one A4
landscape page; whatever is typed into a name is printed as text and fetches nothing; the
fetcher refuses the network and files outside the project's static folders."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from certificates import codes
from certificates.rendering import CertificateData, _fetcher_class, render_html, render_pdf


def data(**overrides) -> CertificateData:
    code = codes.grouped(codes.new_code())
    values = {
        "participant_name": "Siân O'Hara",
        "programme_title": "Leading Together",
        "cohort_starts_on": datetime.date(2026, 2, 5),
        "cohort_ends_on": datetime.date(2026, 8, 4),
        "cpd_hours": Decimal("18"),
        "issuing_trust_name": "Wyvern Valley Hospitals NHS Foundation Trust",
        "issued_on": datetime.date(2026, 8, 10),
        "code": code,
        "verify_url": f"https://tandem.example/verify/{code}/",
    } | overrides
    return CertificateData(**values)


def text_of(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_pdf_holds_the_name_programme_and_code_on_one_landscape_page():
    certificate = data()
    pdf = render_pdf(certificate)
    text, pages = text_of(pdf)
    assert pages == 1
    assert "Siân O'Hara" in text and "Leading Together" in text
    assert certificate.code in text.replace(" ", "") or certificate.code in text
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


def test_a_name_with_markup_is_printed_as_text_and_fetches_nothing(caplog):
    hostile = "<img src=http://169.254.169.254/><link rel=attachment href=file:///etc/passwd>"
    html = render_html(data(participant_name=hostile))
    assert "<img src=http" not in html and "&lt;img src=http://169.254.169.254/&gt;" in html
    pdf = render_pdf(data(participant_name=hostile))
    text, pages = text_of(pdf)
    assert pages == 1 and "169.254.169.254" in text
    assert b"/EmbeddedFile" not in pdf  # nothing attached


def test_a_long_name_still_fits_on_one_page():
    _, pages = text_of(render_pdf(data(participant_name="Bartholomew " * 10)))
    assert pages == 1


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "https://example.com/x.png", "file:///etc/passwd"],
)
def test_the_fetcher_refuses_the_network_and_files_elsewhere(url):
    fetcher = _fetcher_class()(allowed_protocols={"data", "file"})
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_fetcher_reads_data_urls_and_the_projects_static_files(settings, tmp_path):
    fetcher = _fetcher_class()(allowed_protocols={"data", "file"})
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    static = tmp_path / "static"
    static.mkdir()
    (static / "logo.svg").write_text("<svg/>")
    settings.STATICFILES_DIRS = [static]
    assert fetcher.fetch((static / "logo.svg").as_uri()).read() == b"<svg/>"
    with pytest.raises(ValueError):
        fetcher.fetch((static / ".." / "elsewhere.txt").resolve().as_uri())
