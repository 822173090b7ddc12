"""Which Wagtail Site answers a request, remembered between requests.

Wagtail looks the site up afresh for every page it serves: a query ranking every site by
hostname and port, about a tenth of an uncached page's time. Sites change rarely (an
administrator edits them under Settings → Sites), so the answer for a hostname and port is
kept in Django's cache under a version that any save or deletion of a Site bumps. Wagtail
then finds it on the request (``request._wagtail_site``, its own per-request cache) and skips
the query. Only the site is remembered: the page tree is still read fresh for every request.
Hosts reach this only after CommonMiddleware has checked them against ALLOWED_HOSTS.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Site

from core.cache_versions import CacheVersion

SITES_VERSION = CacheVersion("tandem:sites:version")
SITE_SECONDS = 60 * 60
_MISSING = object()


def _version() -> int:
    return SITES_VERSION.current()


invalidate = SITES_VERSION.bump


post_save.connect(invalidate, sender=Site, dispatch_uid="tandem_sites_saved")
post_delete.connect(invalidate, sender=Site, dispatch_uid="tandem_sites_deleted")


def remember_site(request) -> None:
    if hasattr(request, "_wagtail_site"):
        return
    # The same hostname and port Wagtail's Site.find_for_request matches on.
    hostname = split_domain_port(request._get_raw_host())[0]
    key = f"tandem:site:{_version()}:{hostname}:{request.get_port()}"
    site = cache.get(key, _MISSING)
    if site is _MISSING:
        site = Site._find_for_request(request)
        cache.set(key, site, SITE_SECONDS)
    request._wagtail_site = site


def serve(request, path):
    """Wagtail's page view, with the request's site looked up in the cache first."""
    remember_site(request)
    return wagtail_views.serve(request, path)
