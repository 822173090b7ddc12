"""CMS fixtures: a small page tree (a programme with three modules and a resource library)
and the editorial personas (an editor, a content reviewer) who can reach the admin."""

import pytest

from people.access import AccessRole
from tests.factories import (
    ModulePageFactory,
    ProgrammePageFactory,
    ResourcePageFactory,
    UserFactory,
    give_totp,
)


@pytest.fixture(autouse=True)
def render_every_request(settings):
    """These tests are about what pages render and the queries rendering makes; a page
    served from the anonymous page cache (cms.page_cache, tested on its own) would hide
    both, and its invalidation waits for a commit that a test transaction never makes."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def home(db):
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def programme(home):
    return ProgrammePageFactory(title="Leading Together", slug="leading-together")


@pytest.fixture
def modules(programme):
    titles = ("Budgets", "Managing people", "Business cases")
    return [ModulePageFactory(parent=programme, title=title) for title in titles]


@pytest.fixture
def resource(home):
    return ResourcePageFactory(title="Budget review template")


def staff(role, email):
    """A staff-role account with an authenticator app: the admin demands two-factor
    authentication of every staff role (accounts.middleware)."""
    person = UserFactory(email=email, roles=[role], trust=None)
    give_totp(person)
    return person


@pytest.fixture
def editor(db):
    return staff(AccessRole.EDITOR, "editor@tandem.example")


@pytest.fixture
def reviewer(db):
    return staff(AccessRole.CONTENT_REVIEWER, "reviewer@tandem.example")


@pytest.fixture
def other_participant(trust_a):
    from tests.factories import ClinicianFactory

    return ClinicianFactory(
        email="second.participant@northshire.nhs.uk", trust=trust_a, roles=[AccessRole.PARTICIPANT]
    )
