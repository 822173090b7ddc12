"""The refusal matrix: every URL pattern, requested as every role and as another trust's
user. Whatever else a page does, it must never show a person's data to someone who may not
see it, never 500, and staff pages must refuse everyone without a staff role.

A sentinel person in trust B carries a unique email; no page requested by a trust A persona
may contain it. URL parameters are filled with the sentinel's ids, so object pages are asked
for trust B's records.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from people.roles import Role
from tests.factories import ClinicianFactory, RoleAppointmentFactory, UserFactory, give_totp

SENTINEL_EMAIL = "sentinel.b@southvale.nhs.uk"

# Reachable by anyone: the site, sign-in and sign-up flows, health, verification, search.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
    "/accounts/invitation/",
    "/accounts/2fa/authenticate/",
    "/accounts/3rdparty/",
    "/healthz/",
    "/sitemap.xml",
    "/search/",
    "/verify/",
    "/accounts/inactive/",  # allauth's "this account is inactive" notice
    "/_util/login/",  # Wagtail's restricted-page sign-in, redirected to ours (config/urls.py)
    # Wagtail admin assets with no data: the icon sprite and the translation catalogue.
    "/admin/sprite/",
    "/admin/jsi18n/",
)
SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/admin/failwhale/",  # Wagtail's deliberate error page, for testing error reporting
)

PERSONAS = {
    # name: (roles, trust, staff-with-2FA)
    "participant A": ([Role.PARTICIPANT], "A"),
    "facilitator A": ([Role.FACILITATOR], "A"),
    "programme admin A": ([Role.PROGRAMME_ADMINISTRATOR], "A"),
    "reporting lead A": ([Role.TRUST_REPORTING_LEAD], "A"),
    "editor": ([Role.EDITOR], None),
    "content reviewer": ([Role.CONTENT_REVIEWER], None),
    "regional lead": ([Role.REGIONAL_LEAD], "A"),
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def concrete(route: str, ids: dict) -> str | None:
    """Turn a route into a path, filling parameters with the sentinel's ids."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    if any(token in route for token in ("(?P", "(", "[", "*", "+", "\\", ".")):
        # A regex route (Wagtail's serve catch-all and a few legacy ones): request the
        # literal prefix before the first regex token, which exercises the same view.
        route = re.split(r"\(|\[|\*|\+|\\|\.", route)[0]

    def fill(match):
        converter, name = (match.group(1) or "str"), match.group(2)
        if converter == "int" or name in ("pk", "id", "object_id") or name.endswith("_id"):
            return str(ids.get(name, ids["default"]))
        return "x"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return "/" + path.lstrip("/")


def all_paths(ids):
    paths = set()
    for route in _walk(get_resolver().url_patterns):
        path = concrete(route, ids)
        if path and not path.startswith(SKIP_PREFIXES):
            paths.add(path)
    return sorted(paths)


@pytest.fixture
def world(db, trust_a, trust_b):
    sentinel = ClinicianFactory(email=SENTINEL_EMAIL, trust=trust_b, last_name="Sentinelson")
    RoleAppointmentFactory(person=sentinel)
    ids = {"default": sentinel.pk}
    people = {}
    for name, (roles, trust) in PERSONAS.items():
        person = UserFactory(
            email=f"{name.replace(' ', '.')}@tandem.test",
            trust=trust_a if trust == "A" else None,
            roles=roles,
        )
        if person.holds_staff_role:
            give_totp(person)
        people[name] = person
    other_admin = UserFactory(
        email="admin.b@southvale.nhs.uk", trust=trust_b, roles=[Role.PROGRAMME_ADMINISTRATOR]
    )
    give_totp(other_admin)
    return {"ids": ids, "people": people, "sentinel": sentinel, "other_admin": other_admin}


def is_refusal(response) -> bool:
    if response.status_code in (401, 403, 404, 405, 410):
        return True
    if response.status_code in (301, 302):
        location = response["Location"]
        return location.startswith(("/accounts/", "/admin/login")) or "login" in location
    return False


def test_every_url_as_every_role_refuses_what_it_must(world):
    from django.test import Client

    client = Client(raise_request_exception=False)  # a 500 is a finding, not a crash
    paths = all_paths(world["ids"])
    assert len(paths) > 100  # the walk found Wagtail's admin, allauth and our own apps
    checked = 0
    failures = []

    # Anonymous visitors: everything but the public pages refuses.
    for path in paths:
        response = client.get(path)
        checked += 1
        if response.status_code >= 500:
            failures.append(f"anonymous {path}: {response.status_code}")
        elif (
            response.status_code == 200
            and path != "/"
            and not path.startswith(PUBLIC_PREFIXES)
            and not _is_cms_public_page(path)
        ):
            failures.append(f"anonymous {path}: 200 (should refuse)")
        if SENTINEL_EMAIL in response.content.decode(errors="ignore"):
            failures.append(f"anonymous {path}: shows the sentinel's email")

    for name, person in world["people"].items():
        client.force_login(person)
        for path in paths:
            response = client.get(path)
            checked += 1
            body = response.content.decode(errors="ignore")
            if response.status_code >= 500:
                failures.append(f"{name} {path}: {response.status_code}")
            if SENTINEL_EMAIL in body or "Sentinelson" in body:
                failures.append(f"{name} {path}: shows trust B's sentinel")
            if (
                path.startswith("/admin/")
                and not path.startswith(PUBLIC_PREFIXES)
                and not person.holds_staff_role
                and not is_refusal(response)
            ):
                failures.append(f"{name} {path}: {response.status_code} (staff page not refused)")
        client.logout()

    print(
        f"refusal matrix: {len(paths)} URLs x {len(world['people']) + 1} roles = {checked} requests"
    )
    assert not failures, "\n".join(failures)


def _is_cms_public_page(path: str) -> bool:
    """Wagtail pages served from the tree (anything the catch-all resolves) are public unless
    restricted; their restriction is tested in the CMS tests."""
    from wagtail.models import Page

    slug = path.strip("/").split("/")[-1] if path.strip("/") else ""
    return Page.objects.filter(slug=slug).exists()
