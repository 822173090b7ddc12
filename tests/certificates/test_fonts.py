"""Names in any script render, without tofu, on the one page: Arabic, Chinese, Welsh
diacritics, emoji and 120 characters. The fonts come from named Debian packages (README,
"System packages"); WeasyPrint logs a warning for every character no font has (it draws a
.notdef box), which is what "no tofu" checks. A name with markup fetches and attaches nothing.

(The one-page, text-holds-the-name and escaping basics are in test_rendering.py.)"""

import io
import logging
import re

import pytest
from pypdf import PdfReader

from certificates import rendering
from certificates.rendering import name_size, render_document, render_html, render_pdf
from tests.certificates.test_rendering import data

LONG_LATIN = ("Angharad Bartholomew-Featherstonehaugh " * 4)[:120]
NAMES = {
    # name: the embedded font that must carry it, when pypdf cannot read shaped text back
    "Welsh": ("Gwenllian ap Dafydd Llŷr Ŵyn Âdâm", None),
    "Arabic": ("ليلى عبد الرحمن", "Noto-Naskh-Arabic"),
    "Chinese": ("王小明", "Droid-Sans-Fallback"),
    "emoji": ("Sam Patel 🌈🎉", "Noto-Color-Emoji"),
    "120 characters": (LONG_LATIN, None),
    "120 characters, no spaces": ("Llanfairpwllgwyngyll" * 6, None),
    "60 Chinese characters": ("王" * 60, "Droid-Sans-Fallback"),
}


def embedded_fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def notdef_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", NAMES)
def test_a_name_in_any_script_renders_on_one_page_without_tofu(kind, caplog):
    name, font = NAMES[kind]
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = render_pdf(data(participant_name=name))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert notdef_warnings(caplog) == []
    if font is None:
        # Wrapped lines come back with line breaks in them.
        assert flat(name) in flat(reader.pages[0].extract_text())
    else:
        # Shaped (joined) Arabic letters and bitmap emoji do not extract reliably; the font
        # that has their glyphs is embedded instead of a .notdef.
        assert any(embedded.startswith(font) for embedded in embedded_fonts(pdf)), embedded_fonts(
            pdf
        )


def test_the_tofu_check_catches_a_character_no_font_has(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    render_pdf(data(participant_name="Private \U0010fffd use"))
    assert notdef_warnings(caplog), "WeasyPrint no longer logs .notdef glyphs: fix the check"


def outer_box(document, css_class: str):
    """The outermost box of the one element with ``css_class`` (its lines and text come
    after it in ``descendants()``)."""
    (page,) = document.pages
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and css_class in (element.get("class") or "").split():
            return box
    raise AssertionError(f"no .{css_class} on the page")


@pytest.mark.parametrize(
    "name", [LONG_LATIN, "Llanfairpwllgwyngyll" * 6, "王" * 60], ids=["latin", "unbroken", "cjk"]
)
def test_a_120_character_name_leaves_the_text_above_the_footer_and_the_qr_code(name):
    # A long programme title and a signatory too: at the name's full size the text after it
    # ran into the QR code.
    certificate = data(
        participant_name=name,
        programme_title="Leading Together: clinicians and managers improving care in partnership",
        signatory_name="Professor Dame Elizabeth Montgomery-Hughes",
        signatory_title="Chief Executive",
    )
    document = render_document(render_html(certificate))
    assert len(document.pages) == 1
    footer, qr = outer_box(document, "meta"), outer_box(document, "qr")
    assert footer.element_tag == "div" and qr.element_tag.endswith("svg")
    (page,) = document.pages
    text_bottom = max(
        box.position_y + box.margin_height()
        for box in page._page_box.descendants()
        if getattr(box, "element", None) is not None
        and {"name", "what"} & set((box.element.get("class") or "").split())
    )
    assert text_bottom < qr.position_y < footer.position_y + footer.margin_height()
    assert text_bottom < footer.position_y


def test_the_name_is_set_smaller_the_longer_it_is():
    assert name_size("Siân O'Hara") == ""
    assert name_size("x" * 40) == ""
    assert name_size("x" * 41) == "long"
    assert name_size("x" * 81) == "longer"
    # A Chinese character is about two Latin letters wide.
    assert name_size("王" * 21) == "long"
    assert name_size("王" * 41) == "longer"
    assert 'class="name longer"' in render_html(data(participant_name=LONG_LATIN))


class SpyFetcher(rendering._fetcher_class()):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = []

    def fetch(self, url, headers=None):
        self.urls.append(url)
        return super().fetch(url, headers)


@pytest.fixture
def spy(monkeypatch):
    fetcher = SpyFetcher(allowed_protocols={"data", "file"})
    monkeypatch.setattr(rendering, "_fetcher", lambda: fetcher)
    rendering._stylesheet.cache_clear()
    yield fetcher
    rendering._stylesheet.cache_clear()


@pytest.mark.parametrize(
    "name",
    ["<img src=http://169.254.169.254/>", "<link rel=attachment href=file:///etc/passwd>"],
)
def test_a_name_with_markup_fetches_nothing_and_attaches_nothing(spy, name):
    pdf = render_pdf(data(participant_name=name))
    reader = PdfReader(io.BytesIO(pdf))
    assert name in reader.pages[0].extract_text()
    assert reader.attachments == {}
    assert spy.urls == []


def test_the_spy_sees_what_real_markup_would_fetch(spy):
    # The same markup unescaped is fetched through the spy (and refused): so an empty list
    # above means nothing was asked for, not that the spy was bypassed.
    html = (
        "<html><head></head><body><img src='http://169.254.169.254/'>"
        "<link rel=attachment href='file:///etc/passwd'></body></html>"
    )
    reader = PdfReader(io.BytesIO(render_document(html).write_pdf()))
    assert "http://169.254.169.254/" in spy.urls
    assert reader.attachments == {}


def test_font_subsetter_names_harfbuzz_only_when_weasyprint_would_use_it(monkeypatch):
    from weasyprint.pdf import fonts

    assert rendering.font_subsetter() == "harfbuzz"  # installed here and in CI (.ci/run)

    class OldHarfBuzz:
        @staticmethod
        def hb_version_atleast(*version):
            return version <= (4, 0, 0)

    with monkeypatch.context() as patch:
        patch.setattr(fonts, "harfbuzz", OldHarfBuzz)  # below 4.1.0: WeasyPrint uses fontTools
        assert rendering.font_subsetter() == "fonttools"
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # libharfbuzz-subset0 missing
    assert rendering.font_subsetter() == "fonttools"
