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


def test_every_code_decodes_with_the_one_mask_pattern():
    """The QR code's mask is fixed (rendering.QR_MASK) rather than the best of eight for each
    code: a real reader still reads every one. Each symbol is drawn module for module (segno's
    PNG of the same matrix the SVG path draws), for 200 fresh codes."""
    import io

    import segno
    from PIL import Image

    from certificates import codes
    from certificates.rendering import QR_MASK, qr_segments

    for _ in range(200):
        url = f"https://tandem.example.nhs.uk{codes.verify_path(codes.new_code())}"
        symbol = segno.make(qr_segments(url), error="m", micro=False, mask=QR_MASK)
        png = io.BytesIO()
        symbol.save(png, kind="png", scale=4, border=4)
        png.seek(0)
        assert [b.text for b in zxingcpp.read_barcodes(Image.open(png))] == [url]


def test_the_code_is_written_in_the_compact_alphanumeric_mode():
    """The code's upper-case letters, digits and hyphens take 5.5 bits each instead of 8: a
    version 4 symbol (33 x 33 modules) where one mode for the whole address needs version 5."""
    import segno

    from certificates.rendering import QR_MASK, qr_segments

    url = "https://tandem.example/verify/K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS/"
    assert qr_segments(url) == [
        "https://tandem.example/verify",
        "/K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS/",
    ]
    assert segno.make(qr_segments(url), error="m", micro=False, mask=QR_MASK).version == 4
    assert segno.make(url, error="m", micro=False).version == 5
    # Nothing worth a segment of its own: one segment, as before.
    assert qr_segments("https://tandem.example/verify/abc/") == [
        "https://tandem.example/verify/abc/"
    ]
