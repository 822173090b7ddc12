"""Fuzzing the admin: every admin URL's parameters and every admin listing's filters, given
junk (non-ASCII digits, huge and negative numbers, empty, NUL, long and random text), answer
200/400/404 or a refusal (redirect, 403, 405) — never a 500 — as a superuser (who reaches
everything) and as a programme administrator.

The URLs come from the resolver and the filters from each listing's own filterset (found by
requesting it), so an admin view added later is fuzzed without touching this file. Hypothesis
runs two examples per URL and persona, derandomised, so CI sees the same examples every run;
the whole file takes about two minutes on two cores.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import give_totp

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=2,
    derandomize=True,  # the same examples every run: CI is deterministic
    database=None,  # nothing remembered between runs either
    deadline=None,  # a request's time is not what is under test
    # One signed-in client serves every example of a test; requests are the slow part.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Things a careless parser trips on, then whatever Hypothesis makes up.
NASTY = [
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three: int() says 3
    "-1",
    "0",
    "",
    " ",
    "1.5",
    "1e3",
    "9223372036854775807",  # the largest 64-bit id
    "9223372036854775808",  # one more
    "1" + "0" * 24,
    "abc",
    "\x00",
    "1\x00",
    "%",
    "'",
    '"; --',
    "<script>",
    "A" * 3000,
    "null",
    "[]",
    "..",
    "é",
    "all",
]
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
# An <int:> parameter only matches digits; junk there is a number no row can have.
JUNK_DIGITS = st.one_of(
    st.sampled_from(["0", "00", "9223372036854775807", "9223372036854775808", "9" * 40]),
    st.integers(min_value=0, max_value=2**90).map(str),
)
# Parameters that name a kind of thing rather than a row get real names too, so the junk in
# the other parameters reaches the view's own lookups.
REAL_NAMES = {
    "app_label": ["people", "cms", "wagtailcore", "wagtailimages", "wagtaildocs"],
    "app_name": ["people", "cms", "wagtailcore"],
    "content_type_app_name": ["cms", "wagtailcore"],
    "model_name": ["user", "topic", "page", "image", "document", "modulepage"],
    "content_type_model_name": ["modulepage", "page", "programmepage"],
    "action": ["delete", "publish", "set_active_state", "add_to_collection"],
    "action_name": ["approve", "reject"],
    "filter_spec": ["original", "fill-100x100"],
}
# Query parameters every listing reads, besides its filters.
LISTING_PARAMETERS = ["p", "ordering", "q", "export", "id", "childOf", "locale", "collection_id"]
ALLOWED = {200, 204, 301, 302, 303, 400, 403, 404, 405}
SKIP = ("admin/failwhale/",)  # Wagtail's deliberate error page


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>([^)]*)\)")


def admin_routes() -> list[str]:
    routes = {
        route.replace("^", "").replace("$", "")
        for route in _walk(get_resolver().url_patterns)
        if route.startswith("admin/") and not route.startswith(SKIP)
    }
    return sorted(routes)


ROUTES = admin_routes()
ROUTES_WITH_PARAMETERS = [r for r in ROUTES if PARAMETER.search(r)]
LISTINGS = [r for r in ROUTES if not PARAMETER.search(r) and "\\" not in r]


def fill(route: str, draw, real_id: str) -> str:
    """A path for `route`, each parameter junk, a real id, or (for names) a real name."""

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if match.group(3):  # a regex group (Wagtail's revision compare): digits or keywords
            converter, name = "int", match.group(3)
        if name in REAL_NAMES and draw(st.booleans()):
            return draw(st.sampled_from(REAL_NAMES[name]))
        if draw(st.integers(0, 3)) == 0:
            return real_id  # an id that exists, so the junk elsewhere is reached
        if converter == "int":
            return draw(JUNK_DIGITS)
        return quote(draw(JUNK), safe="") or "x"

    return "/" + PARAMETER.sub(value, route).replace("\\.", ".")


def check(response, what: str):
    assert response.status_code in ALLOWED, f"{what} answered {response.status_code}"


@pytest.fixture(params=["superuser", "administrator"])
def persona_client(request):
    person = request.getfixturevalue(request.param)  # tests/conftest.py's personas
    give_totp(person)
    client = Client(raise_request_exception=False)  # a 500 is the finding, not a crash
    client.force_login(person)
    return client


@pytest.fixture
def real_id(administrator):
    return str(administrator.pk)


def test_the_walk_finds_wagtails_admin_and_ours():
    assert len(ROUTES_WITH_PARAMETERS) > 100
    assert "admin/audit-log/" in LISTINGS and "admin/people/" in LISTINGS
    assert "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/" in ROUTES


@pytest.mark.parametrize("route", ROUTES_WITH_PARAMETERS)
@EXAMPLES
@given(data=st.data())
def test_admin_urls_answer_junk_ids_without_a_500(persona_client, real_id, route, data):
    path = fill(route, data.draw, real_id)
    query = {"id": data.draw(JUNK)} if "bulk" in route else {}
    check(persona_client.get(path, query), f"GET {path} {query}")
    check(persona_client.post(path, query), f"POST {path} {query}")


_PARAMETERS_OF: dict[str, list[str]] = {}  # found once per listing, by the first persona


def listing_parameters(response) -> list[str]:
    """The query parameters a listing's filter form reads (a date range reads two)."""
    names = list(LISTING_PARAMETERS)
    context = response.context
    filters = context.get("filters") if context is not None else None
    if hasattr(filters, "form"):  # a filterset (some views use the name for other things)
        for name, bound in filters.form.fields.items():
            widget = bound.widget
            if hasattr(widget, "widgets_names"):
                names += [name + suffix for suffix in widget.widgets_names]
            else:
                names.append(name)
    return names


@pytest.mark.parametrize("route", LISTINGS)
@EXAMPLES
@given(data=st.data())
def test_admin_listings_answer_junk_filters_without_a_500(persona_client, route, data):
    path = "/" + route
    if route not in _PARAMETERS_OF:
        response = persona_client.get(path)
        check(response, f"GET {path}")
        _PARAMETERS_OF[route] = listing_parameters(response)
    names = _PARAMETERS_OF[route]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    query = {name: data.draw(JUNK) for name in chosen}
    check(persona_client.get(path, query), f"GET {path} {query}")
