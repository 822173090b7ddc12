from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import Topic


class TopicViewSet(SnippetViewSet):
    """Topics are a managed list: editors add and rename them here (Snippets → Topics)."""

    model = Topic
    icon = "tag"
    menu_label = "Topics"
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]


register_snippet(TopicViewSet)
