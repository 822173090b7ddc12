"""Security headers and cookies, on representative pages, with test and production settings."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import give_totp

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def staff_client(client, superuser):
    give_totp(superuser)
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/healthz/"])
def test_public_pages_send_a_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = csp_directives(response)
    script_src = directives["script-src"]
    # Our origin, plus this response's nonce when a template used it; nothing inline else.
    assert script_src[0] == "'self'"
    assert all(value.startswith("'nonce-") for value in script_src[1:])
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/admin/", "/admin/people/", "/admin/invitations/"])
def test_admin_pages_send_the_policy_and_have_no_inline_scripts(staff_client, path):
    import re

    response = staff_client.get(path)
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    executable_inline = [
        attrs
        for attrs in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        if "json" not in attrs and "nonce=" not in attrs
    ]
    assert executable_inline == []


def test_a_nonce_is_fresh_for_each_response(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    middleware = CSPMiddleware(view)
    nonces = set()
    for _ in range(2):
        request = rf.get("/")
        response = middleware(request)
        nonce = request.csp_nonce
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 2


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, participant):
    from tests.factories import DEFAULT_PASSWORD

    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", {"login": participant.email, "password": DEFAULT_PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
from django.conf import settings
# /healthz/ renders no template, so no collectstatic manifest is needed for this probe.
response = Client().get("/healthz/", secure=True, HTTP_HOST="tandem.example.nhs.uk")
insecure = Client().get("/accounts/login/", HTTP_HOST="tandem.example.nhs.uk")
print(json.dumps({
    "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_HTTPONLY],
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.get("Location"),
}))
"""


def test_production_sends_hsts_secure_cookies_and_redirects_to_https(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "tandem.example.nhs.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        # Required in production; nothing in this probe connects to them.
        "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": "locmemcache://",
        "BASE_URL": "https://tandem.example.nhs.uk",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    max_age = int(probe["hsts"].split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000
    assert "includeSubDomains" in probe["hsts"]
    assert "frame-ancestors 'none'" in probe["csp"]
    assert probe["cookies"] == [True, True, True, True]
    assert probe["insecure_status"] == 301
    assert probe["insecure_location"].startswith("https://")


def test_script_in_a_persons_fields_is_escaped_in_the_admin(staff_client, trust_a):
    from tests.factories import UserFactory

    UserFactory(
        trust=trust_a,
        first_name="<script>alert('x')</script>",
        job_title="<img src=x onerror=alert(1)>",
    )
    for path in ("/admin/people/",):
        html = staff_client.get(path).content.decode()
        assert "<script>alert('x')</script>" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;alert(" in html
