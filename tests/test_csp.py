"""The Content-Security-Policy, pinned: the public site and the Wagtail admin send exactly the
policy the README describes, Wagtail's inline scripts carry the response's nonce (core.csp),
and an upgrade of Wagtail that changes what core.csp relies on fails here first.

tests/browser/test_admin_editor.py shows the admin working under this policy in Chromium."""

import hashlib
import inspect
import re
from pathlib import Path

import pytest
import wagtail
from django.test import RequestFactory

from people.access import AccessRole
from tests.factories import ModulePageFactory, ModuleRelatedLinkFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db

# The one policy, public site and admin alike (README, "Content-Security-Policy"). script-src
# also lists the response's nonce whenever the page used one.
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": [
        "'self'",
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
    "media-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Wagtail's own files that core.csp and our overrides copy from. A change in any means the
# override (or the chooser patch) must be checked against the new version, then re-pinned.
WAGTAIL_TEMPLATES = Path(wagtail.__file__).parent / "admin" / "templates"
PINNED_TEMPLATES = {  # template: the first half of its sha256
    "wagtailadmin/panels/inline_panel.html": "195bb0b199edb062dcf41a5a92ecabf5",
    "wagtailadmin/panels/multiple_chooser_panel.html": "673bc9b26ca95c0385e7ac8a5c81d244",
    "wagtailadmin/widgets/date_input.html": "2557f7a4fd543d7cd6f192a97fdd0c12",
    "wagtailadmin/widgets/time_input.html": "536917c544a135631e8683866e8351bd",
    "wagtailadmin/widgets/datetime_input.html": "479d8ddeaa73d2fdd33d584118d51b0c",
    "wagtailadmin/home.html": "7eb3ee7b5a9d1355b79a97fdc4c6a9c8",
}
PINNED_CHOOSER_RENDER = "b46a0fb559c849acc719120895488ba6dabd67627a156081f6765e8194f6f93d"

# An inline <script> that runs (not a src= one, not JSON data), with its attributes.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")([^>]*)>")


def directives(response) -> dict[str, list[str]]:
    parsed = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def nonce_of(response) -> str | None:
    extra = directives(response)["script-src"][1:]
    assert all(value.startswith("'nonce-") for value in extra), extra
    return extra[0][len("'nonce-") : -1] if extra else None


def assert_is_the_policy(response, **different):
    got = directives(response)
    got["script-src"] = [v for v in got["script-src"] if not v.startswith("'nonce-")]
    assert got == {**POLICY, **different}


@pytest.fixture
def editor(client):
    person = UserFactory(email="editor@tandem.example", trust=None, roles=[AccessRole.EDITOR])
    give_totp(person)
    client.force_login(person)
    return person


@pytest.fixture
def module(db):
    module = ModulePageFactory(title="Budgets")
    ModuleRelatedLinkFactory(
        page=module, related_module=ModulePageFactory(parent=module.get_parent())
    )
    return module


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/"])
def test_public_pages_send_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_is_the_policy(response)


def test_a_public_module_page_sends_the_strict_policy(client, module):
    response = client.get(module.url)
    assert response.status_code == 200
    assert_is_the_policy(response)


def test_the_page_editor_sends_the_same_policy_and_every_inline_script_has_its_nonce(
    client, editor, module
):
    response = client.get(f"/admin/pages/{module.pk}/edit/")
    assert response.status_code == 200
    assert_is_the_policy(response)
    nonce = nonce_of(response)
    assert nonce
    html = response.content.decode()
    scripts = INLINE_SCRIPT.findall(html)
    # The related module's page chooser (and the empty form's), the inline panel, and the
    # publishing schedule's two date-time pickers: all there, all with this response's nonce.
    assert len(scripts) >= 5
    assert [attrs for attrs in scripts if f'nonce="{nonce}"' not in attrs] == []
    opening = re.escape(f'<script nonce="{nonce}">')
    inline_panel = r"\s*\(function\(\) {\s*var panel = "
    assert re.search(opening + re.escape("new PageChooser("), html)
    assert re.search(opening + inline_panel + re.escape("new InlinePanel("), html)
    assert re.search(opening + re.escape("initDateTimeChooser("), html)


def test_a_listing_with_date_filters_gives_its_pickers_the_nonce(client, editor, module):
    response = client.get(f"/admin/pages/{module.get_parent().pk}/")
    assert response.status_code == 200
    nonce = nonce_of(response)
    html = response.content.decode()
    assert f'<script nonce="{nonce}">initDateChooser(' in html
    assert [a for a in INLINE_SCRIPT.findall(html) if f'nonce="{nonce}"' not in a] == []


def test_nonces_differ_between_responses(client, editor, module):
    first = nonce_of(client.get(f"/admin/pages/{module.pk}/edit/"))
    second = nonce_of(client.get(f"/admin/pages/{module.pk}/edit/"))
    assert first and second and first != second


def test_no_avatar_or_release_check_is_fetched_from_elsewhere(client, editor):
    html = client.get("/admin/").content.decode()
    assert "gravatar.com" not in html
    assert "default-user-avatar" in html  # Wagtail's own, from our origin
    assert 'data-controller="w-upgrade' not in html  # the check for new Wagtail releases


def test_only_wagtails_preview_may_be_framed_and_only_by_our_own_pages():
    from django.http import HttpResponse
    from wagtail.utils.decorators import xframe_options_sameorigin_override

    from core.csp import CSPMiddleware

    plain = CSPMiddleware(lambda request: HttpResponse("page"))(RequestFactory().get("/admin/"))
    preview_view = xframe_options_sameorigin_override(lambda request: HttpResponse("preview"))
    preview = CSPMiddleware(preview_view)(RequestFactory().get("/admin/pages/1/edit/preview/"))
    assert directives(plain)["frame-ancestors"] == ["'none'"]
    assert directives(preview)["frame-ancestors"] == ["'self'"]
    assert {k: v for k, v in directives(preview).items() if k != "frame-ancestors"} == {
        k: v for k, v in POLICY.items() if k != "frame-ancestors"
    }


def test_the_editors_preview_may_be_framed_by_the_editor(client, editor, module):
    """As the side panel loads it: the form is posted, then the preview is framed. Wagtail
    renders it through the middleware as a request of its own (with its own nonce)."""
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    form = nested_form_data(
        {
            "title": module.title,
            "slug": module.slug,
            "summary": module.summary,
            "estimated_minutes": str(module.estimated_minutes),
            "learning_outcomes": streamfield([("outcome", "Explain a variance")]),
            "body": streamfield([("rich_text", rich_text("<p>Pay is most of a budget.</p>"))]),
            "related_module_links": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    form["topics"] = [str(topic.pk) for topic in module.topics.all()]
    url = f"/admin/pages/{module.pk}/edit/preview/"
    assert client.post(url, form).json()["is_valid"] is True
    response = client.get(f"{url}?in_preview_panel=true")
    assert response.status_code == 200
    assert "Pay is most of a budget." in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert_is_the_policy(response, **{"frame-ancestors": ["'self'"]})


def test_outside_a_request_no_nonce_is_written():
    from wagtail.admin.widgets import AdminDateInput, AdminPageChooser

    from core.csp import current_nonce

    assert current_nonce() is None
    assert '<script>initDateChooser("id_when"' in AdminDateInput().render(
        "when", None, {"id": "id_when"}
    )
    assert "<script>new PageChooser(" in AdminPageChooser().render("page", None, {"id": "id_p"})


def test_content_never_gets_the_nonce(client, editor, module):
    module.title = '<script>alert("x")</script>'
    module.save_revision()
    html = client.get(f"/admin/pages/{module.pk}/edit/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert not re.search(r"<script nonce=\"[^\"]+\">alert", html)


@pytest.mark.parametrize("name", sorted(PINNED_TEMPLATES))
def test_the_wagtail_templates_we_override_are_the_ones_we_copied(name):
    digest = hashlib.sha256((WAGTAIL_TEMPLATES / name).read_bytes()).hexdigest()[:32]
    assert digest == PINNED_TEMPLATES[name], (
        f"Wagtail's {name} changed: bring its change into our override (core/templates/ or "
        "templates/), check its scripts still carry the nonce, then pin the new digest."
    )


def test_the_chooser_render_we_wrap_is_the_one_we_read():
    from wagtail.admin.widgets.chooser import BaseChooser

    source = inspect.getsource(BaseChooser.render.__wrapped__)
    assert hashlib.sha256(source.encode()).hexdigest() == PINNED_CHOOSER_RENDER, (
        "Wagtail's BaseChooser.render changed: check core.csp.patch_chooser_scripts still "
        "puts the nonce on its script, then pin the new digest."
    )
