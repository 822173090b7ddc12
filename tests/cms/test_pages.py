"""The public pages: what they show, their navigation, restricted sections, the sitemap, and
the number of queries they make (which must not grow with the number of modules)."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms import page_cache, selectors
from tests.factories import (
    ModulePageFactory,
    ModuleProgressFactory,
    ModuleRelatedLinkFactory,
    ProgrammePageFactory,
    ResourcePageFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def restrict_to_signed_in(page):
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


# --- Home -----------------------------------------------------------------------------------


def test_home_lists_programmes_and_links_the_library(client, programme, resource):
    html = soup(client.get("/"))
    assert html.find("h1").text == "Tandem"
    card = html.find("a", string="Leading Together")
    assert card["href"] == "/programmes/leading-together/"
    assert html.find("a", href="/resources/")
    assert html.find("form", attrs={"role": "search"})["action"] == "/search/"


def test_main_navigation_shows_the_sections_search_and_my_learning(client, programme, resource):
    nav = soup(client.get(programme.url)).find("nav", attrs={"aria-label": "Main"})
    links = [(a.text, a["href"]) for a in nav.find_all("a")]
    assert links == [
        ("Programmes", "/programmes/"),
        ("Resource library", "/resources/"),
        ("Search", "/search/"),
        ("My learning", "/learn/"),
    ]
    assert nav.find("a", attrs={"aria-current": "page"}).text == "Programmes"


# --- Programme ------------------------------------------------------------------------------


def test_programme_page_shows_who_it_is_for_and_its_modules(client, programme, modules):
    html = soup(client.get(programme.url))
    assert html.find("h1").text == "Leading Together"
    audience = html.find("h2", string="Who it is for").find_parent("section")
    assert [h.text for h in audience.find_all("h3")] == ["Clinicians", "Managers"]
    facts = {dt.text: dt.find_next("dd").text for dt in html.select(".facts dt")}
    assert facts == {
        "Format": programme.format,
        "Duration": "Six months",
        "CPD hours": "18",
        "Modules": "3",
    }
    listed = [a.text for a in html.select(".module-list__title a")]
    assert listed == ["Budgets", "Managing people", "Business cases"]


def test_unpublished_modules_are_not_listed(client, programme, modules):
    modules[1].unpublish()
    html = soup(client.get(programme.url))
    assert [a.text for a in html.select(".module-list__title a")] == ["Budgets", "Business cases"]


def test_programme_says_no_cohorts_are_open_yet(client, programme):
    section = soup(client.get(programme.url)).find(id="cohorts")
    assert section.find("h2").text == "Cohorts open for enrolment"
    assert "No cohorts are open for enrolment yet." in section.text
    assert not section.find("a", class_="button")


def test_open_cohorts_hook_returns_nothing_until_enrolment_exists(programme):
    assert selectors.open_cohorts_for_programme(programme) == []


def test_programme_lists_cohorts_from_the_hook_with_an_enrol_button(client, programme, monkeypatch):
    import datetime

    cohort = selectors.OpenCohort(
        name="Wyvern Valley, spring 2027",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 8, 31),
        host="Wyvern Valley Hospitals NHS Foundation Trust",
        enrol_url="/learn/enrol/1/",
        places_left=4,
    )
    monkeypatch.setattr(
        selectors, "open_cohorts_for_programme", lambda programme, **kwargs: [cohort]
    )
    section = soup(client.get(programme.url)).find(id="cohorts")
    assert section.find("h3").text == "Wyvern Valley, spring 2027"
    assert "4 places left" in section.text
    button = section.find("a", class_="button")
    assert button["href"] == "/learn/enrol/1/"
    assert button.get_text(" ", strip=True) == "Enrol in Wyvern Valley, spring 2027"


def test_programme_shows_a_signed_in_participant_their_completions(
    client, participant, programme, modules
):
    ModuleProgressFactory(person=participant, module=modules[0])
    client.force_login(participant)
    response = client.get(programme.url)
    html = soup(response)
    assert "You have completed 1 of 3 modules." in html.text
    done = [
        li.find("a").text for li in html.select(".module-list__item") if li.find(class_="tag--done")
    ]
    assert done == ["Budgets"]
    assert "private" in response["Cache-Control"]  # never stored by a shared cache


# --- Module ---------------------------------------------------------------------------------


def test_module_page_shows_its_place_topics_and_neighbours(client, programme, modules):
    dimension = selectors.ModulePage.leadership_dimensions.field.related_model.objects.get(
        slug="engaging-the-team"
    )
    module = modules[1]
    module.leadership_dimensions = [dimension]
    module.save()
    html = soup(client.get(module.url))
    assert html.select_one(".page-kicker").get_text(" ", strip=True) == (
        "Leading Together · Module 2 of 3"
    )
    assert "Budgets and finance" in html.select_one(".facts").text
    assert "engaging the team" in html.select_one(".dimensions").text
    pager = html.find("nav", attrs={"aria-label": "Modules in this programme"})
    assert pager.find("a", rel="prev")["href"] == modules[0].url
    assert pager.find("a", rel="next")["href"] == modules[2].url


def test_breadcrumbs_lead_home(client, programme, modules):
    crumbs = soup(client.get(modules[0].url)).find("nav", attrs={"aria-label": "Breadcrumb"})
    assert [li.get_text(strip=True) for li in crumbs.find_all("li")] == [
        "Home",
        "Programmes",
        "Leading Together",
        "Budgets",
    ]
    assert crumbs.find_all("li")[-1]["aria-current"] == "page"


def test_related_modules_are_linked_when_live(client, modules):
    ModuleRelatedLinkFactory(page=modules[0], related_module=modules[2])
    ModuleRelatedLinkFactory(page=modules[0], related_module=modules[1])
    modules[1].unpublish()
    related = soup(client.get(modules[0].url)).find("h2", string="Related modules")
    assert [a.text for a in related.find_next("ul").find_all("a")] == ["Business cases"]


def test_anonymous_visitor_is_invited_to_sign_in_to_track_progress(client, modules):
    progress = soup(client.get(modules[0].url)).find(id="progress")
    link = progress.find("a", string="Sign in")
    assert link["href"] == "/accounts/login/?next=%2Fprogrammes%2Fleading-together%2Fbudgets%2F"
    assert not progress.find("form")


# --- Resource library -----------------------------------------------------------------------


def test_library_filters_by_topic(client, home):
    people = TopicFactory(slug="staff-management", name="Staff management")
    ResourcePageFactory(title="Budget template")
    ResourcePageFactory(title="Job planning guide", topics=[people])
    library_url = "/resources/"

    everything = soup(client.get(library_url))
    assert [a.text for a in everything.select(".listing__title a")] == [
        "Budget template",
        "Job planning guide",
    ]
    filtered = soup(client.get(library_url, {"topic": "staff-management"}))
    assert [a.text for a in filtered.select(".listing__title a")] == ["Job planning guide"]
    assert "Showing 1 resource about staff management." in filtered.text
    options = [o.text for o in filtered.find("select").find_all("option")]
    assert options == ["All topics", "Budgets and finance (1)", "Staff management (1)"]


@pytest.mark.parametrize("topic", ["no-such-topic", "' OR 1=1 --", "<script>", "x" * 5000])
def test_an_unknown_topic_is_a_normal_page_with_nothing_listed(client, resource, topic):
    response = client.get("/resources/", {"topic": topic})
    html = soup(response)
    assert "There is no topic called" in html.text
    assert not html.select(".listing__title")
    assert b"<script>" not in response.content


# --- Restricted pages -----------------------------------------------------------------------


def test_a_participant_only_page_sends_anonymous_visitors_to_sign_in(client, resource):
    restrict_to_signed_in(resource)
    response = client.get(resource.url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={resource.url}"


def test_a_participant_only_page_is_shown_to_a_signed_in_participant(client, participant, resource):
    restrict_to_signed_in(resource)
    client.force_login(participant)
    assert client.get(resource.url).status_code == 200


def test_restricted_pages_are_left_out_of_listings_for_anonymous_visitors(
    client, participant, modules
):
    restrict_to_signed_in(modules[1])
    anonymous = soup(client.get(modules[0].get_parent().url))
    assert [a.text for a in anonymous.select(".module-list__title a")] == [
        "Budgets",
        "Business cases",
    ]
    client.force_login(participant)
    signed_in = soup(client.get(modules[0].get_parent().url))
    assert len(signed_in.select(".module-list__title a")) == 3


def test_progress_forms_refuse_a_module_the_person_may_not_view(client, participant, modules):
    from django.contrib.auth.models import Group

    restriction = PageViewRestriction.objects.create(
        page=modules[0], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name="Facilitators")])
    client.force_login(participant)
    response = client.post(f"/learn/modules/{modules[0].pk}/progress/", {"completed": "yes"})
    assert response.status_code == 404
    assert not participant.module_progress.exists()


# --- Sitemap --------------------------------------------------------------------------------


def test_sitemap_lists_public_pages_only(client, modules, resource):
    secret = ResourcePageFactory(title="Cohort workbook")
    restrict_to_signed_in(secret)
    xml = client.get("/sitemap.xml").content.decode()
    for page in [modules[0].get_parent(), *modules, resource]:
        assert f"<loc>http://localhost{page.url}</loc>" in xml
    assert "/resources/cohort-workbook/" not in xml


# --- Query counts ---------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "participant"])
def test_programme_and_module_pages_make_the_same_queries_for_6_or_30_modules(
    client,
    participant,
    programme,
    signed_in,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    def published():
        # What publishing does once its transaction commits (cms.page_cache): data shared
        # between anonymous visitors (navigation, listings) is computed afresh.
        with django_capture_on_commit_callbacks(execute=True):
            page_cache.invalidate()

    if signed_in:
        client.force_login(participant)
    modules = [ModulePageFactory(parent=programme, title=f"Module {n}") for n in range(6)]
    for module in modules:
        ModuleRelatedLinkFactory(page=module, related_module=modules[0])
        ModuleProgressFactory(person=participant, module=module)
    client.get(programme.url)  # warm Wagtail's cached site root paths and the site
    published()
    few = {
        "programme": count_queries(client, programme.url),
        "module": count_queries(client, modules[3].url),
    }

    more = [ModulePageFactory(parent=programme, title=f"Module {n}") for n in range(6, 30)]
    for module in more:
        ModuleRelatedLinkFactory(page=module, related_module=modules[0])
        ModuleProgressFactory(person=participant, module=module)
    published()
    many = {
        "programme": count_queries(client, programme.url),
        "module": count_queries(client, more[10].url),
    }

    assert few == many
    assert min(few.values()) > 5  # really rendered: a cached page would make this trivial
    # Programme page, anonymous, first visit after a publish (9): the home page (Wagtail's
    # routing starts from it), the rest of the URL in one query and the specific page
    # (HomePage.route); its view-restriction check (2); the module list (one query,
    # restrictions applied in it); the main navigation; the footer's information pages
    # (cms.footer, shared by everyone until the next publish); the open cohorts with their
    # places (one query, never cached: programmes.selectors.open_cohorts). The site comes from
    # the cache (cms.sites), the breadcrumbs from the routing.
    assert few["programme"] <= (15 if signed_in else 9)
    # Module page, first visit (9 anonymous): as the programme page but for the module list,
    # its siblings (for "Module 11 of 30" and the pager), related modules, topics and
    # dimensions; the navigation and the footer were cached by the programme page's visit.
    assert few["module"] <= (17 if signed_in else 9)
    # Repeat visits. Anonymous (5, and the programme page's open cohorts): the module list,
    # navigation and module surroundings are shared through the cache until the next publish
    # (cms.selectors.shared_listing). Signed in, programme (14): adds the session, the
    # person, their groups, their completions, the navigation (never shared) and the admin
    # user bar's two permission checks; module (17) also the person's completion mark and
    # reflections, and its surroundings.
    with django_assert_max_num_queries(14 if signed_in else 6):
        client.get(programme.url)
    with django_assert_max_num_queries(17 if signed_in else 5):
        client.get(more[10].url)


def test_home_page_queries_do_not_grow_with_programmes(client, home):
    ProgrammePageFactory()
    client.get("/")
    few = count_queries(client, "/")
    for _ in range(10):
        ProgrammePageFactory()
    assert count_queries(client, "/") == few > 3
