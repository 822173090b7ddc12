"""Two Wagtail 8.0 defects the refusal matrix found, answered here until Wagtail mends them.

Both turn a request a browser never sends — a POST missing a field the page's own form or
script always includes — into a 500. A malformed request is the client's mistake: it gets
400, and nothing is saved.

1. ``request.POST["x"]`` on a missing key raises MultiValueDictKeyError (StreamField's
   ``<name>-count`` in the page editor, for one). ``MissingFormFieldMiddleware`` answers 400.
2. The external-link chooser's URL field called ``None.startswith`` when its field was
   absent; ``URLOrAbsolutePathField.to_python`` now treats that as empty (a "required"
   error).
"""

from django.http import HttpResponseBadRequest
from django.utils.datastructures import MultiValueDictKeyError


class MissingFormFieldMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

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
