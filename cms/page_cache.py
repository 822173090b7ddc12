"""Whole-page caching of Wagtail pages for anonymous visitors.

Most visitors to programme and module pages are not signed in, and what they see changes only
when an editor publishes, when a cohort fills or changes, or when an enrolment window opens or
closes. So an anonymous GET of a public page is served from the cache, under three rules:

- Keyed by a site-wide *content version* that any editorial change bumps: Wagtail's
  page_published / page_unpublished, page deletion and moves, view restrictions, topics,
  dimensions and media (cms.wagtail_hooks). One version for the whole site is deliberately
  blunt: a publish also changes menus, section listings and search results on other pages,
  and publishing is rare next to reading.
- The live part of a page declares what it was built from (``depends_on``): a programme
  page's open cohorts depend on that programme's cohort-listing version
  (programmes.cache), which every enrolment bumps. A stored page remembers the versions it
  was rendered with, and a hit is served only while they are all still current, so an
  enrolment makes its own programme's page stale and no other.
- No stored page outlives the next moment its live part changes by itself (an enrolment
  window opening or closing: ``depends_on(..., changes_at=...)``), nor PAGE_CACHE_SECONDS.

A response is stored only when it is safe to share: a Wagtail page with no view restriction,
status 200, no Set-Cookie, no CSRF token or CSP nonce rendered into it, requested without a
session cookie. Hits are served before routing, by path, from the same conditions.
"""

import datetime
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from core.cache_versions import CacheVersion

CONTENT_VERSION = CacheVersion("tandem:page-cache:version")
# Part of every key: a change to what an entry holds must not meet entries of the old shape
# left in a shared cache by the previous release.
ENTRY_FORMAT = 2


def _version() -> int:
    return CONTENT_VERSION.current()


invalidate = CONTENT_VERSION.bump


def _key(request) -> str:
    # Hashed: a long URL must not exceed a cache backend's key limit (memcached: 250).
    where = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"tandem:page:{ENTRY_FORMAT}:{_version()}:{where}"


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
        request._tandem_page_cache_depends = {}
        request._tandem_page_cache_until = None


def depends_on(
    request, version: CacheVersion, *, changes_at: datetime.datetime | None = None
) -> None:
    """Declare, while rendering, that the page shows data ``version`` guards and that changes
    by itself at ``changes_at`` (None: only when the version is bumped).

    Call it *before* reading that data, so the version recorded is never newer than what is
    shown. Costs one cache read, and only when the page is going to be stored."""
    depends = getattr(request, "_tandem_page_cache_depends", None)
    if depends is None:
        return  # not a page being cached: nothing to record
    depends[version.key] = version.current()
    if changes_at is not None:
        until = changes_at.timestamp()
        current = request._tandem_page_cache_until
        request._tandem_page_cache_until = until if current is None else min(current, until)


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
    now = time.time()
    seconds = settings.PAGE_CACHE_SECONDS
    until = request._tandem_page_cache_until
    if until is not None:
        # Whole seconds, rounded down: some backends keep no fractions, and rounding up
        # would let the entry outlive the change.
        seconds = min(seconds, math.floor(until - now))
        if seconds < 1:
            return  # the page changes within a second: not worth storing
    entry = {
        "content": response.content,
        "content_type": response["Content-Type"],
        "depends": dict(request._tandem_page_cache_depends),
        "expires_at": now + seconds,
    }
    cache.set(key, entry, seconds)
    response["X-Tandem-Page-Cache"] = "miss"


def _still_true(entry) -> bool:
    """Whether a stored page may still be served: not past its time (the backend's own
    expiry may be coarser), and every version it was rendered with still current (one read
    for all of them; a version the cache has dropped counts as changed)."""
    if entry["expires_at"] <= time.time():
        return False
    depends = entry["depends"]
    return not depends or cache.get_many(list(depends)) == depends


class PageCacheMiddleware:
    """Serves stored pages before any view or routing runs (Wagtail's routing alone costs
    several queries), and stores what Wagtail marked as cacheable after rendering. It sits
    inside the security middleware, so their per-response headers are added to hits too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _anonymous_get(request):
            entry = cache.get(_key(request))
            if entry is not None and _still_true(entry):
                response = HttpResponse(entry["content"], content_type=entry["content_type"])
                response["X-Tandem-Page-Cache"] = "hit"
                return response
        response = self.get_response(request)
        if getattr(request, "_tandem_page_cache_key", None):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            store(request, response)
        return response
