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
