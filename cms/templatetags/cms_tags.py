from django import template
from django.urls import reverse

from cms.selectors import site_sections

register = template.Library()


@register.inclusion_tag("includes/main_nav.html", takes_context=True)
def main_navigation(context):
    """The site's sections (the home page's live children marked "show in menus"), then
    search and "My learning"."""
    request = context.get("request")
    items = []
    if request is not None:
        for section in site_sections(request):
            url = section.get_url(request)
            if url:
                items.append({"title": section.title, "url": url})
    items.append({"title": "Search", "url": reverse("search")})
    items.append({"title": "My learning", "url": reverse("cms:my_learning")})
    path = request.path if request is not None else ""
    for item in items:
        item["current"] = path.startswith(item["url"]) and item["url"] != "/"
    return {"items": items}


@register.filter
def minutes(value):
    """45 -> "45 minutes"; 90 -> "1 hour 30 minutes"; 120 -> "2 hours"."""
    try:
        total = int(value)
    except (TypeError, ValueError):
        return ""
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins or not hours:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


@register.simple_tag
def block_has(stream, block_type):
    """Whether a StreamField value contains a block of ``block_type`` (to load its script
    only on pages that need it)."""
    return any(child.block_type == block_type for child in stream or [])
