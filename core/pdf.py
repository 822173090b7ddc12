"""Facts about the PDF renderer (WeasyPrint) that operators need to see: here in core so that
/healthz/ can report them without core importing the certificates app above it."""


def font_subsetter() -> str:
    """Which font subsetter WeasyPrint uses for the fonts it embeds: ``"harfbuzz"`` when
    Debian's ``libharfbuzz-subset0`` loaded and HarfBuzz is at least 4.1.0 (WeasyPrint's own
    test, in ``weasyprint.pdf.fonts.Font.subset``), else ``"fonttools"``, which WeasyPrint
    falls back to with only a log warning and which is 3 to 5 times slower. Reads the
    binding that module uses (``weasyprint.text.ffi`` loads it with ``allow_fail``)."""
    from weasyprint.pdf import fonts

    if fonts.harfbuzz_subset is not None and fonts.harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools"
