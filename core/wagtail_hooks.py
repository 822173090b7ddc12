from django.db.models.signals import post_delete, post_save
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import page_cache


@hooks.register("before_serve_page")
def mark_page_for_caching(page, request, serve_args, serve_kwargs):
    page_cache.mark_if_cacheable(request, page)  # returns None: Wagtail serves as usual


# Any change to what the site shows makes every cached page stale (see core.page_cache).
page_published.connect(page_cache.invalidate, dispatch_uid="page_cache_published")
page_unpublished.connect(page_cache.invalidate, dispatch_uid="page_cache_unpublished")
post_page_move.connect(page_cache.invalidate, dispatch_uid="page_cache_moved")


@hooks.register("after_delete_page")
def invalidate_after_delete(request, page):
    page_cache.invalidate()


def _restriction_changed(sender, **kwargs):
    # A page that gains a restriction must stop being served from the cache at once.
    page_cache.invalidate()


post_save.connect(
    _restriction_changed, sender=PageViewRestriction, dispatch_uid="page_cache_restriction_saved"
)
post_delete.connect(
    _restriction_changed, sender=PageViewRestriction, dispatch_uid="page_cache_restriction_deleted"
)
