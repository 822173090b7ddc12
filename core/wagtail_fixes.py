"""Wagtail 8.0 defects the refusal matrix and the admin fuzz test found, answered here until
Wagtail mends them.

Each turns a request a browser never sends into a 500. A malformed request is the client's
mistake: it gets 400 or 404, and nothing is saved.

1. ``request.POST["x"]`` on a missing key raises MultiValueDictKeyError (StreamField's
   ``<name>-count`` in the page editor, for one): answered 400.
2. The external-link chooser's URL field called ``None.startswith`` when its field was
   absent; ``URLOrAbsolutePathField.to_python`` now treats that as empty (a "required"
   error).
3. Moving or reordering the root page (which has no parent) read the parent's permissions:
   the root is not a page anyone moves, so those URLs answer 404 for it.
"""

from django.http import Http404, HttpResponseBadRequest
from django.utils.datastructures import MultiValueDictKeyError

# Wagtail admin views whose `page_to_move_id` must have a parent.
_MOVES_A_PAGE = "page_to_move_id"


class WagtailDefectsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        page_id = kwargs.get(_MOVES_A_PAGE)
        if page_id is not None:
            from wagtail.models import Page

            if Page.objects.filter(pk=page_id, depth=1).exists():
                raise Http404("The root page cannot be moved.")
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, MultiValueDictKeyError):
            return HttpResponseBadRequest(
                "The form was incomplete (a field was missing). Reload the page and try again.",
                content_type="text/plain; charset=utf-8",
            )
        return None


def patch_url_or_absolute_path_field() -> None:
    from wagtail.admin.forms.choosers import URLOrAbsolutePathField

    if getattr(URLOrAbsolutePathField.to_python, "_tandem_patched", False):
        return
    original = URLOrAbsolutePathField.to_python

    def to_python(self, value):
        if value is None:
            value = ""
        return original(self, value)

    to_python._tandem_patched = True
    URLOrAbsolutePathField.to_python = to_python
