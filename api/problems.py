"""Errors as RFC 9457 problem details (``application/problem+json``): a title, the status,
and a ``detail`` a developer can act on; for invalid input, the field errors under
``errors`` (``{"field": ["what is wrong"]}``). Every refusal DRF raises comes through here,
and anything else that escapes a view is a 500 problem with no internals in it."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

PROBLEM = "application/problem+json"
logger = logging.getLogger("tandem.api")

TITLES = {
    400: "Invalid request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Key reused",
    429: "Too many requests",
    500: "Server error",
}


def _detail_text(detail) -> str:
    if isinstance(detail, list | tuple):
        return " ".join(_detail_text(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_detail_text(value)}" for key, value in detail.items())
    return str(detail)


def problem(status_code: int, detail: str, *, errors=None, headers=None, extra=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM
    return response


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("API error", exc_info=exc)
        set_rollback()  # nothing half-written stays
        return problem(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; nothing was changed. Try again, and tell us if "
            "it happens again.",
        )
    headers = {
        k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem(
            response.status_code,
            "The request has errors: see errors for each field.",
            errors=errors,
            headers=headers,
        )
    detail = _detail_text(getattr(exc, "detail", exc))
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = (
            "Sign in with an API token: send the header Authorization: Bearer <token> "
            "(make a token on your account page, /accounts/api-tokens/)."
        )
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        detail = f"Too many requests: wait {int(exc.wait) + 1} seconds, then try again."
    return problem(
        response.status_code, detail, headers=headers, extra=getattr(exc, "report", None)
    )
