import hashlib
import json

from django import template
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.safestring import mark_safe

from cms import page_cache
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


@register.inclusion_tag("includes/footer_links.html", takes_context=True)
def footer_links(context):
    """The footer's links: the information pages editors mark "show in footer" (cms.footer)."""
    from cms.footer import footer_links as links

    request = context.get("request")
    return {"links": links(request), "path": request.path if request is not None else ""}


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


# How long a rendered StreamField body is kept. Its key changes whenever what it shows could
# (see stream_body), so this only bounds how long unused entries occupy the cache.
BODY_FRAGMENT_SECONDS = 24 * 60 * 60


@register.simple_tag(takes_context=True)
def stream_body(context, body):
    """Renders cms/includes/body.html for a StreamField value: a page's body of blocks.

    Fragment caching, not page caching: rendering the blocks is a good part of a page's cost,
    and the HTML depends only on the blocks' content and on what they link to, never on who
    asks. So the rendered fragment is kept in Django's cache, keyed by a hash of the stream's
    content (any edit gives a new key) and by the site's content version (cms.page_cache),
    which every publish, unpublish, move or deletion bumps, so that links to other pages and
    documents stay current just as they do in the whole-page cache. Previews are never cached.
    The blocks are rendered in a fresh context holding only ``body``: a block template cannot
    see the request or the person, so nothing personal can reach the shared fragment."""
    request = context.get("request")
    template_ = context.template.engine.get_template("cms/includes/body.html")
    if not body or getattr(request, "is_preview", False):
        return template_.render(context.new({"body": body}))
    content = json.dumps(body.get_prep_value(), cls=DjangoJSONEncoder, sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()
    key = f"tandem:body:{page_cache._version()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = template_.render(context.new({"body": body}))
        cache.set(key, str(html), BODY_FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308 - the template's own output, escaped as it rendered
