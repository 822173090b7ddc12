"""Machinery of the refusal matrix (tests/test_access_matrix.py).

Every URL pattern the resolver knows (Wagtail's included) becomes one or more *probes*: a
concrete path whose parameters are the real ids of trust B's objects of the model that route
acts on (or, for models no trust owns — pages, images, groups — of a real object). A probe is
requested as each persona, by GET and then by POST with a plausible body: the form the GET
returned, filled in with an attacker's values. Each request runs in a savepoint that is rolled
back afterwards, so every request meets the same world, and before the rollback the tables
that matter — people, groups, memberships and permissions, and everything of trust B — are
compared with how they were.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie

from django.db import DatabaseError, transaction
from django.urls import URLPattern, URLResolver

# Paths never requested: static files, and Wagtail's deliberate error page.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/failwhale/")

# What an attacker posts, on top of whatever form the page offered.
ATTACK = {
    "email": "attacker@evil.example",
    "login": "attacker@evil.example",
    "first_name": "Mallory",
    "last_name": "Attacker",
    "password1": "attacker-password-1",
    "password2": "attacker-password-1",
    "is_superuser": "on",
    "is_staff": "on",
    "is_active": "on",
    "mark_as_active": "False",
    "reason": "matrix probe",
    "title": "Probed",
    "name": "Probed",
}


@dataclass(frozen=True)
class Probe:
    route: str
    path: str
    model: type | None


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def view_model(pattern):
    callback = pattern.callback
    initkwargs = getattr(callback, "view_initkwargs", None) or {}
    return initkwargs.get("model") or getattr(getattr(callback, "view_class", None), "model", None)


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def parameters(route: str) -> list[str]:
    return [m.group(2) or m.group(3) for m in PARAMETER.finditer(route)]


def fill(route: str, values: dict) -> str:
    """A concrete path: each parameter replaced by its value; regex syntax removed."""

    def value(match):
        return str(values[match.group(2) or match.group(3)])

    path = PARAMETER.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    return "/" + path.lstrip("/")


class FormReader(HTMLParser):
    """The first POST form of a page, as a browser would submit it unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.found = False
        self._in_form = False
        self._done = False
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = self.found = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file", "image"):
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def attack_body(html: str, extra: dict) -> dict:
    reader = FormReader()
    try:
        reader.feed(html)
    except Exception:  # noqa: BLE001 - a page we cannot parse is posted the attack alone
        reader.data = {}
    body = {key: values if len(values) > 1 else values[0] for key, values in reader.data.items()}
    body.update(ATTACK)
    body.update(extra)
    return body


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="ignore")
    return response.content.decode(errors="ignore")


@dataclass
class Outcome:
    status: int
    location: str
    body: str
    changes: list[str]


def request_and_roll_back(client, method: str, path: str, data, snapshot) -> Outcome:
    """One request inside a savepoint; what it changed (per `snapshot`) is measured before the
    savepoint is rolled back, and the client's cookies are put back, so the next request
    meets the same world and the same session."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    changes: list[str] = []
    with transaction.atomic():
        if method == "get":
            response = client.get(path, data or {})
        else:
            response = client.post(path, data or {})
        body = body_text(response)
        try:
            with transaction.atomic():
                changes = snapshot()
        except DatabaseError as error:  # the view broke the transaction: a 500 already
            changes = [f"database left broken: {error}"]
        transaction.set_rollback(True)
    client.cookies = cookies
    return Outcome(response.status_code, response.get("Location", ""), body, changes)
