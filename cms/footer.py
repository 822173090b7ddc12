"""The footer's links on every page: the live information pages under the site's home page
marked "show in footer" (the privacy notice, the accessibility statement, contact, and any
editors add), in tree order.

The list is the same for everyone (pages behind a view restriction are left out, so nobody
is offered a link they cannot open), so it is kept in Django's cache under the site's
content version (cms.page_cache), which any publish, unpublish, move or deletion bumps: a
page costs no query for its footer once one page has been served since the last edit.
"""

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction, Site

from cms import page_cache
from cms.models import InformationPage

FOOTER_SECONDS = 60 * 60


def footer_links(request) -> list[dict]:
    if request is None:
        return []
    cached = getattr(request, "_cms_footer_links", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    root = next((r for r in Site.get_site_root_paths() if site and r.site_id == site.pk), None)
    links = []
    if root is not None:
        key = f"tandem:footer:{page_cache._version()}:{site.pk}:{root.root_path}"
        links = cache.get(key)
        if links is None:
            # Behind any view restriction, on the page or above it: a subquery, where
            # Wagtail's .public() would first read every restriction in a query of its own.
            restricted = PageViewRestriction.objects.annotate(
                prefix=Substr(OuterRef("path"), 1, Length("page__path"))
            ).filter(prefix=F("page__path"))
            pages = (
                InformationPage.objects.live()
                .exclude(Exists(restricted))
                .filter(
                    show_in_footer=True,
                    url_path__startswith=root.root_path,
                    depth=root.root_path.count("/") + 1,
                )
                .only("title", "url_path", "path", "depth")
                .order_by("path")
            )
            links = [{"title": page.title, "url": page.get_url(request)} for page in pages]
            cache.set(key, links, FOOTER_SECONDS)
    request._cms_footer_links = links
    return links
