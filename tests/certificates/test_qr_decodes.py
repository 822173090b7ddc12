"""The QR code on the printed certificate decodes to its verification address: the PDF as
rendered is rasterised (PDFium) and read by a real decoder (zxing-cpp), as a phone would."""

import pypdfium2
import zxingcpp

from certificates.rendering import render_pdf

from .test_rendering import data


def decoded(pdf: bytes, *, dpi: int = 150) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_the_qr_code_on_the_pdf_decodes_to_the_verification_url():
    url = "https://tandem.example.nhs.uk/verify/K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS/"
    assert decoded(render_pdf(data(verify_url=url))) == [url]


def test_a_long_name_does_not_spoil_the_code():
    url = "https://tandem.example.nhs.uk/verify/0000-1111-2222-3333-4444-5555-6666/"
    pdf = render_pdf(data(verify_url=url, participant_name="Siân Llywelyn-ap-Gruffydd " * 5))
    assert decoded(pdf) == [url]
