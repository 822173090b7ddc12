"""Whole-page caching of Wagtail pages for anonymous visitors.

Most visitors to programme and module pages are not signed in, and what they see changes only
when an editor publishes or a cohort opens or fills. So an anonymous GET of a public page is
served from the cache, keyed by a site-wide *content version* that any such change bumps:

- Wagtail's page_published / page_unpublished and page deletion and moves bump it (here);
- the enrolment work calls `invalidate()` whenever a cohort changes, because programme pages
  list their open cohorts.

One version for the whole site is deliberately blunt: a publish also changes menus, section
listings and search results on other pages, and publishing is rare next to reading.

A response is stored only when it is safe to share: a Wagtail page with no view restriction,
status 200, no Set-Cookie, no CSRF token or CSP nonce rendered into it, requested without a
session cookie. Hits are served before routing, by path, from the same conditions.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from core.cache_versions import CacheVersion

CONTENT_VERSION = CacheVersion("tandem:page-cache:version")


def _version() -> int:
    return CONTENT_VERSION.current()


invalidate = CONTENT_VERSION.bump


def _key(request) -> str:
    # Hashed: a long URL must not exceed a cache backend's key limit (memcached: 250).
    where = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"tandem:page:{_version()}:{where}"


def _anonymous_get(request) -> bool:
    """Decidable before any view runs, without loading a session or a user."""
    return bool(
        settings.PAGE_CACHE_SECONDS
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # Someone with pending messages would see them on the page.
        and "messages" not in request.COOKIES
    )


def mark_if_cacheable(request, page) -> None:
    """Called as Wagtail serves a page: remember to store the response if the page is public.
    Restricted pages are never stored, so a hit can be served without routing."""
    if _anonymous_get(request) and not page.get_view_restrictions().exists():
        request._tandem_page_cache_key = _key(request)


def store(request, response) -> None:
    """Called after the response is rendered: keep it if it is safe to share."""
    key = getattr(request, "_tandem_page_cache_key", None)
    if key is None or response.status_code != 200 or response.cookies:
        return
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return  # a CSRF token is in the HTML: it belongs to this visitor
    if getattr(request, "_csp_nonce", None):
        return  # a nonce must be fresh for every response
    if getattr(response, "streaming", False):
        return
    cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
    response["X-Tandem-Page-Cache"] = "miss"


class PageCacheMiddleware:
    """Serves stored pages before any view or routing runs (Wagtail's routing alone costs
    several queries), and stores what Wagtail marked as cacheable after rendering. It sits
    inside the security middleware, so their per-response headers are added to hits too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _anonymous_get(request):
            stored = cache.get(_key(request))
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response["X-Tandem-Page-Cache"] = "hit"
                return response
        response = self.get_response(request)
        if getattr(request, "_tandem_page_cache_key", None):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            store(request, response)
        return response
