"""What every view of the API is made of: token or session authentication, the access rule,
the rate limit, cursor pagination, JSON only, and problem+json errors. Set on the views, not
as DRF's global defaults: Wagtail's own admin API (its choosers and explorer) runs on DRF
too, and must keep its own rules."""

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer

from .authentication import TokenAuthentication
from .etags import ETagMixin
from .pagination import Cursor
from .parsers import SafeJSONParser
from .permissions import TandemAccess
from .problems import exception_handler
from .throttling import TokenRateThrottle


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class ApiViewMixin(ETagMixin):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [TandemAccess]
    throttle_classes = [TokenRateThrottle]
    pagination_class = Cursor
    # Errors are JSON too, labelled application/problem+json by api.problems.
    renderer_classes = [JSONRenderer]
    parser_classes = [SafeJSONParser]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body: a register of 2,000 marks is about 150 KB.
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.API_MAX_BODY_BYTES:
            raise BodyTooLarge(
                f"The request body is {int(length):,} bytes; the most the API takes is "
                f"{settings.API_MAX_BODY_BYTES:,}. Send it in parts."
            )
        super().initial(request, *args, **kwargs)
