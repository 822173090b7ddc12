"""``ETag`` and ``If-None-Match`` on lists and single objects: a client polling for changes
gets a body-less 304 when nothing it can see has changed. The tag is a digest of the response
body, so it changes exactly when what this person sees changes (the queries still run; what
is saved is the transfer and the client's work)."""

import hashlib

from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, quote_etag


class ETagMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if request.method != "GET" or response.status_code != 200:
            return response
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        response.setdefault("Cache-Control", "private, no-cache")
        # Compared weakly (RFC 9110): a proxy that compresses the body marks the tag W/.
        wanted = {
            tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))
        }
        if etag in wanted or "*" in wanted:
            response.status_code = 304
            response.content = b""
        return response
