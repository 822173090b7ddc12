"""Certificates' PDFs (issue 13's figures), as ratios measured in one run with the variants
alternating, since this machine's speed drifts:

- ``certificates-render``: (a) the project's whole path — template, QR code, render
  (``certificates.rendering.render_pdf``) — against a reference render of the same HTML with
  one shared FontConfiguration and its stylesheet parsed beforehand (target at most 1.15);
  (b) that reference against a ``<p>hi</p>`` floor (target at most 3.5); (f) a typical
  certificate's size (target under 40 KB); and which font subsetter WeasyPrint uses.
- ``certificates-memory``: (c) one process's resident memory after 1,000 renders of different
  certificates against after the warm-up (target at most 5 MB).
- ``certificates-combined``: (e) a cohort's certificates as one PDF
  (``certificates.combined.render_combined_pdf``) against one render each, per certificate
  (target at most 0.75).

Bulk issue through Celery workers against ``multiprocessing.Pool`` (issue 13's (d)) is
``certificates-bulk-issue``, in certificates_bulk.py.
"""

from __future__ import annotations

import datetime
import os
import resource
import statistics
from decimal import Decimal

from bench.runner import benchmark

MEMORY_RENDERS = 1000
COHORT = 20


def _data(n: int = 0):
    from certificates import codes
    from certificates.rendering import CertificateData

    code = codes.grouped(codes.new_code())
    return CertificateData(
        participant_name=f"Siân O'Hara-Pritchard {n}",
        programme_title="Leading Together: clinicians and managers in partnership",
        cohort_starts_on=datetime.date(2026, 2, 5),
        cohort_ends_on=datetime.date(2026, 8, 4),
        cpd_hours=Decimal("18"),
        issuing_trust_name="Wyvern Valley Hospitals NHS Foundation Trust",
        issued_on=datetime.date(2026, 8, 10),
        code=code,
        verify_url=f"https://tandem.example/verify/{code}/",
        signatory_name="Dr Amara Okafor",
        signatory_title="Director of Leadership Development",
    )


def _ratio_note(name: str, ratio: float, target: str, meets: bool) -> str:
    return f"{name} {ratio:.2f}x (target {target}: {'met' if meets else 'NOT MET'})"


@benchmark("certificates-render", group="certificates")
def certificates_render(ctx):
    """One certificate's PDF three ways, alternating: the project's path, the reference
    render of the same HTML, and the floor."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from certificates.rendering import (
        font_subsetter,
        qr_svg,
        render_html,
        render_pdf,
        split_style,
    )

    data = _data()
    css_text, bare_html = split_style(render_html(data))
    fonts = FontConfiguration()
    stylesheet = CSS(string=css_text, font_config=fonts)

    timings = ctx.measure_alternating(
        {
            "project": lambda: render_pdf(data),
            "reference": lambda: HTML(string=bare_html).write_pdf(
                stylesheets=[stylesheet], font_config=fonts
            ),
            "floor": lambda: HTML(string="<p>hi</p>").write_pdf(font_config=fonts),
            # Part of the project's path, timed alone to show what the QR code costs.
            "qr-code": lambda: qr_svg(data.verify_url),
        }
    )
    project, reference, floor, qr = (
        timings[label].median_ms for label in ("project", "reference", "floor", "qr-code")
    )
    ctx.note(
        _ratio_note(
            "(a) project path / reference",
            project / reference,
            "<= 1.15",
            project <= 1.15 * reference,
        )
        + f"; {project - reference:.1f} ms more, of which the QR code {qr:.1f} ms"
    )
    ctx.note(
        _ratio_note("(b) reference / floor", reference / floor, "<= 3.5", reference <= 3.5 * floor)
    )
    size = len(render_pdf(data))
    met = "met" if size < 40 * 1024 else "NOT MET"
    ctx.note(f"(f) PDF size {size / 1024:.1f} KB (target < 40 KB: {met})")
    ctx.note(f"font subsetter: {font_subsetter()} (fonttools would be 3 to 5 times slower)")


def _rss_bytes() -> int:
    """This process's resident memory now (Linux's /proc), or its peak where /proc is absent."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@benchmark("certificates-memory", group="certificates")
def certificates_memory(ctx):
    """A thousand different certificates rendered in one process, as a worker would; with a
    --repeat below the default (a quick run, as the tests make), 25 a repeat."""
    from bench.runner import DEFAULT_REPEAT
    from certificates.rendering import render_pdf

    renders = MEMORY_RENDERS if ctx.repeat >= DEFAULT_REPEAT else max(50, 25 * ctx.repeat)
    certificates = iter([_data(n) for n in range(renders + 20)])
    for _ in range(20):  # fonts loaded, caches filled, before the first reading
        render_pdf(next(certificates))
    before = _rss_bytes()
    ctx.measure(lambda: render_pdf(next(certificates)), repeat=renders, warmup=0)
    growth = (_rss_bytes() - before) / 2**20
    ctx.note(
        f"(c) memory growth over {renders:,} renders {growth:.1f} MB "
        f"(target <= 5 MB: {'met' if growth <= 5 else 'NOT MET'})"
    )


@benchmark("certificates-combined", group="certificates")
def certificates_combined(ctx):
    """A cohort's certificates as one PDF against one PDF each, alternating."""
    from certificates.combined import render_combined_pdf
    from certificates.rendering import render_pdf

    cohort = [_data(n) for n in range(COHORT)]
    timings = ctx.measure_alternating(
        {
            f"singles-{COHORT}": lambda: [render_pdf(data) for data in cohort],
            f"combined-{COHORT}": lambda: render_combined_pdf(cohort),
        },
        repeat=min(ctx.repeat, 5),
        warmup=min(ctx.warmup, 1),
    )
    singles, combined = (statistics.median(m.timings_ms) for m in timings.values())
    ratio = combined / singles
    ctx.note(
        _ratio_note(
            f"(e) combined / single renders, per certificate ({COHORT})",
            ratio,
            "<= 0.75",
            ratio <= 0.75,
        )
    )
