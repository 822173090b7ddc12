"""PDFs from HTML with WeasyPrint, locked down the same way for every document Tandem makes
(a certificate, a trust's monthly report), and the facts about the renderer that operators
need to see (/healthz/ reports them without core importing an app above it).

- The HTML comes from a Django template, so every value in it is escaped: a name such as
  ``<img src=http://169.254.169.254/>`` is printed as those characters, never fetched.
- WeasyPrint fetches through ``ProjectFilesFetcher``: ``data:`` URLs and files inside the
  project's own static folders only — no network, no ``file://`` anywhere else. A refused
  fetch is logged by WeasyPrint and the document renders without it.
- One ``FontConfiguration`` per process, shared across renders (each costs font lookups).
- A template's first ``<style>`` block holds no variables, so it is parsed once per process
  (``stylesheet``) instead of once per document.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings


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


def _allowed_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def fetcher_class():
    """The fetcher's class (WeasyPrint is imported only when a PDF is made)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFilesFetcher(URLFetcher):
        """Only ``data:`` URLs and files under the project's static folders."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes())
            raise ValueError(f"Tandem's PDFs fetch only the project's own files, not {url}")

    return ProjectFilesFetcher


@functools.cache
def project_fetcher():
    return fetcher_class()(allowed_protocols={"data", "file"})


_font_config = None


def fonts():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def base_url() -> str:
    return Path(settings.STATIC_ROOT).resolve().as_uri() + "/"


def split_style(html: str) -> tuple[str, str]:
    """The template's own ``<style>`` block and the HTML without it: the first ``<style>``
    in the head, which no value put in the template can open (every value is escaped)."""
    head, end_of_head, body = html.partition("</head>")
    before, opened, rest = head.partition("<style>")
    css, closed, after = rest.partition("</style>")
    if not (opened and closed and end_of_head):
        return "", html
    return css, before + after + end_of_head + body


@functools.lru_cache(maxsize=8)
def stylesheet(css: str, fetcher):
    from weasyprint import CSS

    return CSS(string=css, base_url=base_url(), font_config=fonts(), url_fetcher=fetcher)


def render_document(html: str, *, fetcher=None):
    """WeasyPrint's laid-out document of ``html`` (pages and boxes), fetching only through
    ``fetcher`` (the project fetcher unless a test passes a spy)."""
    from weasyprint import HTML

    fetcher = fetcher or project_fetcher()
    css, html = split_style(html)
    document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher)
    stylesheets = [stylesheet(css, fetcher)] if css else []
    return document.render(stylesheets=stylesheets, font_config=fonts())


def render_pdf(html: str, *, fetcher=None) -> bytes:
    return render_document(html, fetcher=fetcher).write_pdf()
