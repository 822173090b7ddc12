"""The OpenAPI schema: this API's routes only (not Wagtail's admin API, which shares DRF), and
the token described as HTTP bearer authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_this_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (tdm_…), made on your account page.",
        }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error (RFC 9457 problem details).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, and what to do."},
        "errors": {
            "type": "object",
            "description": "For invalid input: each field's problems.",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}


def problems_documented(result, generator, request, public):
    """Every operation's errors, documented once: any status it does not list is a problem
    (``default``), served as application/problem+json — with the unsafe methods' body limit
    and the rate limit among them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {})["default"] = {
                "description": "An error: see detail (and errors, for invalid input).",
                "content": {"application/problem+json": {"schema": reference}},
            }
    return result
