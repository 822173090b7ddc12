"""A certificate's PDF from its data: a pure function, ``render_pdf(data) -> bytes``, that
the Celery task calls (issue 13). Nothing here reads the database or writes a file.

- The HTML template (templates/certificates/certificate.html, A4 landscape) is rendered by
  Django's template engine, so every value is escaped: a name such as
  ``<img src=http://169.254.169.254/>`` is printed as those characters.
- WeasyPrint fetches through core.pdf's ``ProjectFilesFetcher``: ``data:`` URLs and files
  inside the project's own static folders only — no network, no ``file://`` anywhere else. A
  refused fetch is logged by WeasyPrint and the certificate renders without it.
- Fonts come from named Debian packages (the README's "System packages"): DejaVu
  (``fonts-dejavu-core``) for Latin, Greek and Cyrillic, Noto (``fonts-noto-core``) for
  Arabic, Hebrew and the Indic scripts, Droid Sans Fallback (``fonts-droid-fallback``) for
  Chinese, Japanese and Korean, Noto Color Emoji (``fonts-noto-color-emoji``); the template's
  font-family lists them, so output is the same on every machine with those packages. One
  ``FontConfiguration`` per process, shared across renders. A long name is set smaller
  (``name_size``) so 120 characters still fit on the one page.
- ``font_subsetter()`` says which subsetter WeasyPrint uses: HarfBuzz's when
  ``libharfbuzz-subset0`` is installed, else fontTools, 3 to 5 times slower and silent about it
  (reported by /healthz/ and ``make bench``).
- The QR code (segno) is one SVG path linking to the certificate's verification URL, its
  code in QR's compact alphanumeric mode, with one mask pattern (``QR_MASK``).
"""

from __future__ import annotations

import base64
import datetime
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import pdf
from core.pdf import font_subsetter  # noqa: F401 - re-exported: which subsetter renders

TEMPLATE = "certificates/certificate.html"
TEMPLATE_VERSION = "2026-12-a4-landscape-1"
SIGNATURE_MIME_TYPES = ("image/png", "image/jpeg")


@dataclass(frozen=True)
class CertificateData:
    participant_name: str
    programme_title: str
    cohort_starts_on: datetime.date
    cohort_ends_on: datetime.date
    cpd_hours: Decimal | None
    issuing_trust_name: str
    issued_on: datetime.date
    code: str  # as printed, in groups
    verify_url: str
    signatory_name: str = ""
    signatory_title: str = ""
    # The signatory's signature, as the file's bytes and its MIME type (image/png or
    # image/jpeg): the caller reads the file, so this module stays free of storage.
    signature_image: bytes = b""
    signature_mime: str = ""

    @property
    def signature_src(self) -> str:
        """The signature as a data: URL (the only kind of URL the fetcher lets through
        besides our static files), or "" when there is none."""
        if not self.signature_image:
            return ""
        if self.signature_mime not in SIGNATURE_MIME_TYPES:
            raise ValueError(f"A signature image is PNG or JPEG, not {self.signature_mime!r}.")
        encoded = base64.b64encode(self.signature_image).decode("ascii")
        return f"data:{self.signature_mime};base64,{encoded}"


# QR alphanumeric mode's characters: 5.5 bits each instead of byte mode's 8, but no lower case.
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# Encoding a tail in alphanumeric mode costs a segment header (13 bits): shorter tails stay in
# byte mode.
QR_ALPHANUMERIC_TAIL = 12
# One mask pattern for every code, not the best of eight. ISO 18004 has an encoder score all
# eight and keep the one with the fewest features a reader could mistake (large blocks, runs
# like a finder pattern); segno does that in pure Python, 2.5 ms of every certificate, more
# than the rest of its path. Any mask decodes (the symbol names its own), the data here is
# random, and tests decode many codes with a real reader (tests/certificates/test_qr_decodes.py).
QR_MASK = 0


def qr_segments(url: str) -> list[str]:
    """``url`` split for the QR code: the verification address ends in the code, upper case
    and hyphens (``/K7QF-ZP2M-…/``), which alphanumeric mode holds in two thirds of the
    space. Version 4 (33 by 33 modules) instead of 5 (37 by 37): larger modules at the same
    printed size, and a fifth fewer path commands for WeasyPrint to draw."""
    tail = len(url)
    while tail and url[tail - 1] in QR_ALPHANUMERIC:
        tail -= 1
    if len(url) - tail < QR_ALPHANUMERIC_TAIL or not tail:
        return [url]
    return [url[:tail], url[tail:]]


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG: one path, no size (the CSS sizes it)."""
    svg = segno.make(qr_segments(url), error="m", micro=False, mask=QR_MASK).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None
    )
    if not svg.startswith("<svg "):
        raise ValueError(f"segno's SVG changed shape: {svg[:40]!r}")
    return svg


# Past these widths the name is set smaller (the template's .name.long and .name.longer): at
# 26pt a line holds about 40 Latin characters, at 16pt about 70, so 120 take two lines.
LONG_NAME, LONGER_NAME = 40, 80


def name_size(name: str) -> str:
    """The name's size class by its printed width: a Chinese, Japanese or Korean character
    (East Asian wide or full-width) is about twice as wide as a Latin letter."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in name)
    if width > LONGER_NAME:
        return "longer"
    if width > LONG_NAME:
        return "long"
    return ""


def render_html(data: CertificateData) -> str:
    # Not dataclasses.asdict: it would deep-copy the signature's bytes for nothing.
    context = {field.name: getattr(data, field.name) for field in fields(data)}
    context |= {
        "qr": mark_safe(qr_svg(data.verify_url)),  # noqa: S308 - segno's
        "signature_src": data.signature_src,
        "name_size": name_size(data.participant_name),
    }
    return render_to_string(TEMPLATE, context)


# The locked-down fetcher, the shared fonts and the parsed stylesheet are core.pdf's, shared
# with the monthly reports; the names stay here because tests swap the fetcher for a spy.
_fetcher_class = pdf.fetcher_class
_stylesheet = pdf.stylesheet
_fetcher = pdf.project_fetcher
split_style = pdf.split_style


def render_document(html: str):
    """WeasyPrint's laid-out document of a certificate's HTML (pages and boxes): what
    ``render_pdf`` writes, and what tests measure the layout of."""
    return pdf.render_document(html, fetcher=_fetcher())


def render_pdf(data: CertificateData) -> bytes:
    """The certificate as PDF bytes."""
    return render_document(render_html(data)).write_pdf()
