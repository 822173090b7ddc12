from django.db.models.signals import post_delete, post_save
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms import page_cache, review_confirmation
from cms.models import LeadershipDimension, Topic


class TopicChooserViewSet(SnippetChooserViewSet):
    # Without a creation form Wagtail still offered the chooser's "create" URL to editors
    # (who may add topics) and answered its POST with a 500; with one, they can add a topic
    # while choosing.
    form_fields = ["name", "slug"]


class TopicViewSet(SnippetViewSet):
    """Topics are a managed list: editors add and rename them here (Snippets → Topics)."""

    model = Topic
    chooser_viewset_class = TopicChooserViewSet
    icon = "tag"
    menu_label = "Topics"
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]


register_snippet(TopicViewSet)


def _topics_changed(sender, **kwargs):
    # Topic names appear in page filters and listings, so cached pages go stale.
    page_cache.invalidate()


post_save.connect(_topics_changed, sender=Topic, dispatch_uid="page_cache_topic_saved")
post_delete.connect(_topics_changed, sender=Topic, dispatch_uid="page_cache_topic_deleted")
# Dimension names appear on module pages (and in cached module data: cms.selectors).
post_save.connect(
    _topics_changed, sender=LeadershipDimension, dispatch_uid="page_cache_dimension_saved"
)
post_delete.connect(
    _topics_changed, sender=LeadershipDimension, dispatch_uid="page_cache_dimension_deleted"
)


def _media_changed(sender, **kwargs):
    # Document and image blocks show a file's title, size and address, which an editor can
    # change without publishing a page: stale for cached pages and cached page bodies
    # (cms_tags.stream_body) alike.
    page_cache.invalidate()


for _model in (get_document_model(), get_image_model()):
    post_save.connect(
        _media_changed, sender=_model, dispatch_uid=f"page_cache_{_model.__name__}_saved"
    )
    post_delete.connect(
        _media_changed, sender=_model, dispatch_uid=f"page_cache_{_model.__name__}_deleted"
    )


# --- The anonymous page cache (cms.page_cache) -------------------------------------------------


@hooks.register("before_serve_page")
def mark_page_for_caching(page, request, serve_args, serve_kwargs):
    page_cache.mark_if_cacheable(request, page)  # returns None: Wagtail serves as usual


# Any change to what the site shows makes every cached page stale (see cms.page_cache).
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


# --- Content review ------------------------------------------------------------------------
review_confirmation.connect()  # a reviewer is told what their approval did
